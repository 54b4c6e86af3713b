"""Synthetic council archives with ground truth, for the scanner's tests and benchmarks.

People are drawn with Faker (en_GB) and given identifiers from our own generators that
pass the real checks (NI prefix rules, NHS modulus 11, Luhn with issuer ranges, DVLA
licence layout). They recur across years and formats under variant names ('Mr J.
SMITH', 'Smith, John', nicknames), move house, share households and names with other
people, and sit next to decoys that must not become people (the council's own phone,
mailbox, bank account and postcode on every letter; failed checksums; test accounts).

The ground truth records, per person, which categories the archive exposes about them,
so the scanner's output can be scored (see :func:`evaluate`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import random
import tarfile
import tempfile
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

import phonenumbers
import py7zr
from faker import Faker
from rapidfuzz.distance import JaroWinkler

from incidentroom import csvfile
from tests.helpers.office_writers import write_doc, write_msg, write_ods, write_xls, write_xlsx

YEARS = list(range(2006, 2021))
NICKNAMES = {"Robert": "Bob", "William": "Bill", "Elizabeth": "Liz", "Thomas": "Tom", "Michael": "Mike", "Margaret": "Maggie",
             "James": "Jim", "Richard": "Rick", "Jennifer": "Jenny", "Rebecca": "Becky", "Samuel": "Sam", "Daniel": "Dan",
             "Christopher": "Chris", "Andrew": "Andy", "Edward": "Ed", "Katherine": "Kate", "Stephen": "Steve", "Susan": "Sue",
             "Peter": "Pete", "Nicholas": "Nick", "Matthew": "Matt", "Joseph": "Joe", "Benjamin": "Ben", "David": "Dave"}  # fmt: skip
HEALTH = [
    "diabetes",
    "asthma",
    "epilepsy",
    "dementia",
    "depression",
    "multiple sclerosis",
    "COPD",
    "schizophrenia",
]
ETHNICITY = [
    "White British",
    "Black Caribbean",
    "Pakistani",
    "Bangladeshi",
    "Indian",
    "Black African",
    "White Irish",
    "Chinese",
]
RELIGION = ["Muslim", "Christian", "Hindu", "Sikh", "Jewish", "Buddhist"]
ORIENTATION = ["gay", "lesbian", "bisexual"]
OFFENCE = [
    "convicted of shoplifting",
    "cautioned for criminal damage",
    "convicted of drink driving",
    "arrested for assault",
]
COUNCIL = {
    "name": "Royal Borough of Kensington and Chelsea",
    "address": "The Town Hall, Hornton Street, London W8 7NX",
    "phone": "020 7946 0999",
    "email": "kensington.permits@outlook.com",
    "bank": "Sort code 40-05-20 Account 71234567",
}
# Council boilerplate: real letters and notes are mostly prose, which sets how dense the
# personal data is (and so what detection throughput means).
PROSE = [
    "Thank you for your recent application. We have now reviewed the information you provided and the supporting documents held on file by the Parking Services team.",
    "Please note that resident permits are valid only in the controlled parking zone shown on the permit, and only for the vehicle whose registration appears on it.",
    "If your circumstances change, for example if you move house or change your vehicle, you must tell us within 28 days so that we can update our records.",
    "The Housing Options service will contact you again once a suitable property becomes available. Offers are made in line with the published Allocation Scheme.",
    "You can view the Allocation Scheme and the Tenancy Strategy on the council website or ask for a paper copy at the Customer Service Centre in the Town Hall.",
    "We aim to respond to all correspondence within ten working days. If you are unhappy with the service you have received you can use our Complaints Procedure.",
    "Visited the property with the duty social worker. The kitchen had been cleaned and the heating was working. Food in the fridge and medication in the cupboard.",
    "Discussed the support plan and agreed to review it at the next visit in six weeks. The client said the new carers arrive on time and are polite and helpful.",
    "Council Tax bills are issued each March. Payments can be made by Direct Debit on the 1st, 15th or 28th of each month, or in full at the start of the year.",
    "The information you have given us will be used to process your application and to prevent and detect fraud, as explained in our Privacy Notice.",
    "Our offices will be closed on the bank holiday. In an emergency out of hours please use the number shown on the back of this letter.",
    "Waste and recycling collections will move by one day during the holiday week. Please put your bins out by 7am on the day of collection.",
]
_POSTCODE_RULES = __import__("re").compile(
    r"^(?:[A-PR-UWYZ]\d{1,2}|[A-PR-UWYZ][A-HK-Y]\d{1,2}|[A-PR-UWYZ]\d[A-HJKPSTUW]|[A-PR-UWYZ][A-HK-Y]\d[ABEHMNPRVWXY]) \d[ABD-HJLNP-UW-Z]{2}$"
)


# --------------------------------------------------------------------------- identifiers


def make_nino(rng: random.Random) -> str:
    """A NINO that obeys HMRC's prefix rules."""
    first_ok = [c for c in "ABCEGHJKLMNOPRSTWXYZ"]
    second_ok = [c for c in "ABCEGHJKLMNPRSTWXYZ"]
    while True:
        prefix = rng.choice(first_ok) + rng.choice(second_ok)
        if prefix not in {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}:
            break
    return prefix + "".join(rng.choice("0123456789") for _ in range(6)) + rng.choice("ABCD")


def make_nhs(rng: random.Random) -> str:
    """Ten digits with a valid modulus-11 check digit."""
    while True:
        body = [rng.randint(4, 7)] + [rng.randint(0, 9) for _ in range(8)]
        total = sum(d * (10 - i) for i, d in enumerate(body))
        check = 11 - total % 11
        if check == 11:
            check = 0
        if check != 10:
            return "".join(map(str, body)) + str(check)


def luhn_complete(prefix: str, length: int, rng: random.Random) -> str:
    """Fill ``prefix`` with random digits to ``length`` and append the Luhn digit."""
    body = prefix + "".join(rng.choice("0123456789") for _ in range(length - len(prefix) - 1))
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return body + str((10 - total % 10) % 10)


def make_card(rng: random.Random) -> str:
    """Visa, Mastercard (51-55 and 2-series), Amex or Maestro, Luhn-valid."""
    scheme = rng.choice(["visa", "mc", "mc2", "amex", "maestro"])
    if scheme == "visa":
        return luhn_complete("4", 16, rng)
    if scheme == "mc":
        return luhn_complete(str(rng.randint(51, 55)), 16, rng)
    if scheme == "mc2":
        return luhn_complete(str(rng.randint(2221, 2720)), 16, rng)
    if scheme == "amex":
        return luhn_complete(rng.choice(["34", "37"]), 15, rng)
    return luhn_complete("6759", 16, rng)


def make_licence(last: str, first: str, dob: dt.date, female: bool, rng: random.Random) -> str:
    """DVLA layout: surname(5) decade month(+50) day year initials(2) 9 check(2)."""
    letters = "".join(c for c in last.upper() if c.isalpha())
    month = dob.month + (50 if female else 0)
    return (
        (letters[:5] + "99999")[:5]
        + str(dob.year % 100 // 10)
        + f"{month:02d}{dob.day:02d}"
        + str(dob.year % 10)
        + (first[:1].upper() + "9")
        + "9"
        + "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(2))
    )


def make_reg(rng: random.Random) -> str:
    """A current-format registration (e.g. 'AB12 CDE')."""
    area = "ABCDEFGHJKLMNOPRSTUVWXY"
    age = rng.choice([f"{n:02d}" for n in list(range(2, 21)) + list(range(51, 71))])
    return (
        rng.choice(area)
        + rng.choice(area)
        + age
        + " "
        + "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(3))
    )


def make_phone(rng: random.Random, mobile: bool) -> str:
    """A number the GB numbering plan accepts, in national format."""
    while True:
        if mobile:
            raw = "07" + str(rng.randint(400, 999)) + f"{rng.randint(0, 999999):06d}"
        else:
            raw = rng.choice(["020", "0161", "0113", "0121"]) + "".join(
                rng.choice("23456789") for _ in range(7 if rng.random() < 0.5 else 8)
            )
        try:
            number = phonenumbers.parse(raw, "GB")
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def phone_variant(phone: str, rng: random.Random) -> str:
    """The same number written the ways people write it."""
    digits = phone.replace(" ", "")
    choice = rng.random()
    if choice < 0.5:
        return phone
    if choice < 0.7:
        return digits
    if choice < 0.85:
        return "+44 " + phone[1:]
    return "+44 (0)" + phone[1:]


def e164(phone: str) -> str:
    """Normalised form for scoring."""
    return phonenumbers.format_number(phonenumbers.parse(phone, "GB"), phonenumbers.PhoneNumberFormat.E164)


# --------------------------------------------------------------------------- people


@dataclass
class Person:
    """One synthetic data subject with everything the archive might say about them."""

    pid: str
    title: str
    first: str
    last: str
    female: bool
    dob: dt.date
    addresses: list[tuple[int, str, str, str]]  # (from year, street, town, postcode)
    phone: str
    email: str
    nino: str
    nhs: str
    card: str
    sort_code: str
    account: str
    reg: str
    passport: str
    licence: str
    health: str | None
    ethnicity: str | None
    religion: str | None
    orientation: str | None
    offence: str | None

    def address_in(self, year: int) -> tuple[str, str, str]:
        """The address the person lived at in ``year``."""
        current = self.addresses[0]
        for entry in self.addresses:
            if entry[0] <= year:
                current = entry
        return current[1], current[2], current[3]

    def name_variant(self, rng: random.Random, allow_initial: bool = True) -> str:
        """A way the name is written somewhere: full, titled, initial, capitals, comma form, nickname."""
        first = NICKNAMES.get(self.first, self.first) if rng.random() < 0.15 else self.first
        r = rng.random()
        if r < 0.35:
            return f"{first} {self.last}"
        if r < 0.55:
            return f"{self.title} {first} {self.last}"
        if r < 0.7 and allow_initial:
            return f"{self.title} {self.first[0]}. {self.last.upper()}"
        if r < 0.85:
            return f"{self.last}, {first}"
        return f"{first.upper()} {self.last.upper()}"


@dataclass
class TruthPerson:
    """What the archive exposes about one person (the scoring key)."""

    pid: str
    first: str
    last: str
    dob: str
    postcodes: set[str] = field(default_factory=set)
    emails: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)
    categories: set[str] = field(default_factory=set)
    documents: set[str] = field(default_factory=set)


class Truth:
    """Ground truth for a generated archive."""

    def __init__(self) -> None:
        """Start empty."""
        self.people: dict[str, TruthPerson] = {}
        self.files: list[str] = []

    def saw(
        self,
        person: Person,
        doc: str,
        categories: set[str],
        postcode: str | None = None,
        phone: str | None = None,
        email: str | None = None,
    ) -> None:
        """Record that ``doc`` exposes ``categories`` about ``person``."""
        t = self.people.setdefault(
            person.pid, TruthPerson(person.pid, person.first, person.last, person.dob.isoformat())
        )
        t.categories |= categories | {"name"}
        t.documents.add(doc)
        if postcode:
            t.postcodes.add(postcode)
        if phone:
            t.phones.add(e164(phone))
        if email:
            t.emails.add(email.lower())

    def to_json(self) -> dict[str, object]:
        """Serialisable form (sets as sorted lists)."""
        return {
            pid: {
                "first": t.first, "last": t.last, "dob": t.dob, "postcodes": sorted(t.postcodes),
                "emails": sorted(t.emails), "phones": sorted(t.phones), "categories": sorted(t.categories),
                "documents": sorted(t.documents),
            }
            for pid, t in sorted(self.people.items())
        }  # fmt: skip


# Real streets in postcode districts of the three boroughs of the West London scenario
# (RBKC, WCC, LBHF), for the demo archive: residents of those councils live there, not in
# Faker's anywhere-in-Britain towns. House numbers and inward codes are drawn.
LONDON_STREETS: dict[str, list[str]] = {
    "W8": ["Kensington Church Street", "Phillimore Gardens", "Earls Court Road"],
    "W10": ["Ladbroke Grove", "Oxford Gardens", "St Charles Square"],
    "W11": ["Portobello Road", "Westbourne Park Road", "Ledbury Road"],
    "SW3": ["Flood Street", "Oakley Street", "Markham Street"],
    "SW5": ["Earls Court Square", "Longridge Road", "Nevern Place"],
    "SW7": ["Queen's Gate", "Gloucester Road", "Harrington Road"],
    "SW10": ["Cathcart Road", "Redcliffe Gardens", "Limerston Street"],
    "W1U": ["Marylebone High Street", "Baker Street"],
    "W1H": ["Seymour Place", "Crawford Street"],
    "W2": ["Westbourne Grove", "Sussex Gardens", "Porchester Road"],
    "W9": ["Elgin Avenue", "Randolph Avenue", "Sutherland Avenue"],
    "NW8": ["St John's Wood High Street", "Hamilton Terrace", "Lisson Grove"],
    "SW1V": ["Warwick Way", "Belgrave Road", "Tachbrook Street"],
    "SW1P": ["Horseferry Road", "Regency Street"],
    "W6": ["Glenthorne Road", "Fulham Palace Road", "Dalling Road"],
    "W12": ["Uxbridge Road", "Goldhawk Road", "Askew Road"],
    "W14": ["North End Road", "Blythe Road", "Avonmore Road"],
    "SW6": ["Munster Road", "New King's Road", "Dawes Road"],
}
_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


class Population:
    """Draws people, households (shared surname and address) and namesakes."""

    def __init__(self, n: int, seed: int, *, london: bool = False) -> None:
        """Create ``n`` people deterministically from ``seed`` (``london``: living in the
        three West London boroughs, for the demo)."""
        self.rng = random.Random(seed)
        self.fake = Faker("en_GB")
        self.fake.seed_instance(seed)
        self.london = london
        self.people: list[Person] = []
        used_emails: set[str] = set()
        while len(self.people) < n:
            base = self.people[-1] if self.people and self.rng.random() < 0.12 else None
            self.people.append(self._person(len(self.people), base, used_emails))

    def _london_address(self, flat: bool) -> tuple[str, str, str]:
        district = self.rng.choice(sorted(LONDON_STREETS))
        street = self.rng.choice(LONDON_STREETS[district])
        inward = (
            f"{self.rng.randint(1, 9)}{self.rng.choice(_INWARD_LETTERS)}{self.rng.choice(_INWARD_LETTERS)}"
        )
        number = (
            f"Flat {self.rng.randint(1, 40)}, {self.rng.randint(1, 99)}"
            if flat
            else str(self.rng.randint(1, 199))
        )
        return f"{number} {street}", "London", f"{district} {inward}"

    def _postcode(self) -> str:
        while True:
            pc = self.fake.postcode()
            if _POSTCODE_RULES.match(pc):
                return pc

    def _person(self, index: int, household: Person | None, used_emails: set[str]) -> Person:
        rng, fake = self.rng, self.fake
        female = rng.random() < 0.5
        first = fake.first_name_female() if female else fake.first_name_male()
        last = household.last if household else fake.last_name()
        if household is not None and first == household.first:
            first = fake.first_name_female() if female else fake.first_name_male()
        if not household and index > 10 and rng.random() < 0.03:
            # A namesake: same name as someone else, different person.
            other = self.people[rng.randrange(len(self.people))]
            first, last, female = other.first, other.last, other.female
        title = rng.choice(["Mrs", "Ms", "Miss"]) if female else "Mr"
        dob = dt.date(1935, 1, 1) + dt.timedelta(days=rng.randint(0, 365 * 68))
        if household is not None:
            addresses = list(household.addresses)
        else:
            if self.london:
                addresses = [(2006, *self._london_address(flat=False))]
            else:
                addresses = [
                    (2006, f"{rng.randint(1, 199)} {fake.street_name()}", fake.city(), self._postcode())
                ]
            if self.london:
                if rng.random() < 0.25:
                    addresses.append((rng.choice(YEARS[3:-2]), *self._london_address(flat=True)))
            elif rng.random() < 0.25:
                addresses.append(
                    (
                        rng.choice(YEARS[3:-2]),
                        f"Flat {rng.randint(1, 40)}, {rng.randint(1, 99)} {fake.street_name()}",
                        fake.city(),
                        self._postcode(),
                    )
                )
        domain = rng.choice(["gmail.com", "hotmail.co.uk", "yahoo.co.uk", "btinternet.com", "outlook.com"])
        stem = "".join(c for c in f"{first}.{last}".lower() if c.isalnum() or c == ".")
        email = f"{stem}{rng.randint(1, 99)}@{domain}"
        while email in used_emails:
            email = f"{stem}{rng.randint(100, 999)}@{domain}"
        used_emails.add(email)
        return Person(
            pid=f"T{index:05d}", title=title, first=first, last=last, female=female, dob=dob, addresses=addresses,
            phone=make_phone(rng, mobile=rng.random() < 0.7), email=email, nino=make_nino(rng), nhs=make_nhs(rng),
            card=make_card(rng), sort_code=f"{rng.randint(10, 99)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}",
            account=f"{rng.randint(10000000, 99999999)}", reg=make_reg(rng), passport=f"{rng.randint(100000000, 999999999)}",
            licence=make_licence(last, first, dob, female, rng),
            health=rng.choice(HEALTH) if rng.random() < 0.3 else None,
            ethnicity=rng.choice(ETHNICITY) if rng.random() < 0.5 else None,
            religion=rng.choice(RELIGION) if rng.random() < 0.3 else None,
            orientation=rng.choice(ORIENTATION) if rng.random() < 0.1 else None,
            offence=rng.choice(OFFENCE) if rng.random() < 0.1 else None,
        )  # fmt: skip


# --------------------------------------------------------------------------- documents


def fmt_dob(dob: dt.date, rng: random.Random) -> str:
    """Dates of birth in the formats council systems used."""
    return rng.choice(
        [
            dob.strftime("%d/%m/%Y"),
            dob.isoformat(),
            dob.strftime("%d-%m-%Y"),
            f"{dob.day} {dob.strftime('%B %Y')}",
        ]
    )


class Writer:
    """Builds documents in memory; :func:`generate_archive` places them on disk."""

    def __init__(self, pop: Population, truth: Truth, formats: set[str]) -> None:
        """Keep the population, the truth being built and the formats to use."""
        self.pop = pop
        self.rng = pop.rng
        self.truth = truth
        self.formats = formats
        self.docs: list[tuple[str, bytes, int]] = []

    def pick(self, options: list[str]) -> str:
        """A format from ``options`` that is enabled."""
        enabled = [o for o in options if o in self.formats]
        return self.rng.choice(enabled or options[:1])

    # -- tables ------------------------------------------------------------------------

    def permits(self, year: int, people: list[Person]) -> None:
        """A parking-permit register: contact details, vehicles and card payments."""
        rng = self.rng
        ext = self.pick(["csv", "tsv", "xlsx", "xls", "ods", "docx"])
        with_card = rng.random() < 0.5
        headers = ["Permit No", "Title", rng.choice(["First name", "Forename"]), "Surname", "Address", "Postcode",
                   rng.choice(["Date of birth", "DOB"]), rng.choice(["Phone", "Mobile", "Telephone"]), "Email", "Vehicle registration"]  # fmt: skip
        if with_card:
            headers.append("Card number")
        rows = [headers]
        path = f"{year}/parking/permits_{year}_{len(self.docs)}.{ext}"
        for p in people:
            street, town, postcode = p.address_in(year)
            first = NICKNAMES.get(p.first, p.first) if rng.random() < 0.1 else p.first
            phone = phone_variant(p.phone, rng)
            row = [f"PP{rng.randint(10000, 99999)}", p.title, first, p.last if rng.random() < 0.8 else p.last.upper(),
                   f"{street}, {town}", postcode, fmt_dob(p.dob, rng), phone, p.email, p.reg]  # fmt: skip
            cats = {"address", "date_of_birth", "phone", "email", "vehicle_registration"}
            if with_card:
                card = p.card
                row.append(" ".join(card[i : i + 4] for i in range(0, len(card), 4)))
                cats.add("payment_card")
            rows.append(row)
            self.truth.saw(p, path, cats, postcode, phone, p.email)
        self._table(path, rows, year)

    def housing(self, year: int, people: list[Person], kin: list[Person]) -> None:
        """A housing register with special-category columns and next of kin."""
        rng = self.rng
        ext = self.pick(["xlsx", "csv", "xls", "ods"])
        headers = ["Ref", "Name", "Date of Birth", "NI Number", "Address", "Postcode", "Ethnicity", "Religion",
                   "Sexual orientation", "Health condition", "Next of kin name", "Next of kin phone"]  # fmt: skip
        rows = [headers]
        path = f"{year}/housing/register_{year}_{len(self.docs)}.{ext}"
        for p, k in zip(people, kin, strict=True):
            street, town, postcode = p.address_in(year)
            name = f"{p.last}, {p.first}" if rng.random() < 0.5 else f"{p.first} {p.last}"
            kin_phone = phone_variant(k.phone, rng)
            row = [f"H{rng.randint(1000, 9999)}", name, fmt_dob(p.dob, rng), p.nino, f"{street}, {town}", postcode,
                   p.ethnicity or "", p.religion or "", p.orientation or "", p.health or "", f"{k.first} {k.last}", kin_phone]  # fmt: skip
            cats = {"date_of_birth", "national_insurance_number", "address"}
            for value, cat in (
                (p.ethnicity, "ethnicity"),
                (p.religion, "religion"),
                (p.orientation, "sexual_orientation"),
                (p.health, "health"),
            ):
                if value:
                    cats.add(cat)
            rows.append(row)
            self.truth.saw(p, path, cats, postcode)
            self.truth.saw(k, path, {"phone"}, phone=kin_phone)
        self._table(path, rows, year)

    def _table(self, path: str, rows: list[list[str]], year: int) -> None:
        ext = path.rsplit(".", 1)[-1]
        if ext in ("csv", "tsv"):
            buf = io.StringIO()
            csv.writer(buf, delimiter="\t" if ext == "tsv" else ",").writerows(rows)
            encoding = self.rng.choice(["utf-8", "utf-8-sig", "utf-16", "cp1252"])
            data = buf.getvalue().encode(encoding, "replace")
        elif ext == "xlsx":
            data = write_xlsx({"Sheet1": rows})
        elif ext == "xls":
            data = write_xls({"Register": rows})
        elif ext == "ods":
            data = write_ods({"Data": rows})
        else:
            import docx

            document = docx.Document()
            document.add_paragraph(f"{COUNCIL['name']} register")
            table = document.add_table(rows=len(rows), cols=len(rows[0]))
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    table.cell(r, c).text = value
            buf2 = io.BytesIO()
            document.save(buf2)
            data = buf2.getvalue()
        self.docs.append((path, data, year))

    # -- letters and notes ---------------------------------------------------------------

    def letter(self, year: int, p: Person) -> None:
        """A letter on letterhead: addressee block, salutation, identifiers in the body."""
        rng = self.rng
        ext = self.pick(["docx", "doc", "rtf", "pdf", "txt"])
        path = f"{year}/letters/letter_{len(self.docs)}.{ext}"
        street, town, postcode = p.address_in(year)
        name = p.name_variant(rng)
        if not name.startswith(("Mr", "Mrs", "Ms", "Miss")):
            name = f"{p.title} {name}" if "," not in name else f"{p.title} {p.first} {p.last}"
        cats = {"address", "date_of_birth"}
        body = [f"Our records show your date of birth as {fmt_dob(p.dob, rng)}."]
        extra = rng.sample(["nino", "nhs", "passport", "licence", "bank", "health", "offence", "phone"], 2)
        for item in extra:
            if item == "nino":
                spaced = (
                    " ".join([p.nino[:2], p.nino[2:4], p.nino[4:6], p.nino[6:8], p.nino[8]])
                    if rng.random() < 0.5
                    else p.nino
                )
                body.append(f"Your National Insurance number is {spaced}.")
                cats.add("national_insurance_number")
            elif item == "nhs":
                body.append(f"NHS number: {p.nhs[:3]} {p.nhs[3:6]} {p.nhs[6:]}.")
                cats.add("nhs_number")
            elif item == "passport":
                body.append(f"We have seen your passport, number {p.passport}.")
                cats.add("passport_number")
            elif item == "licence":
                body.append(f"Your driving licence number {p.licence} was checked.")
                cats.add("driving_licence_number")
            elif item == "bank":
                body.append(f"Refunds will be paid to sort code {p.sort_code} account {p.account}.")
                cats.add("bank_account")
            elif item == "health" and p.health:
                body.append(f"You told us that you have {p.health} and may need support.")
                cats.add("health")
            elif item == "offence" and p.offence:
                body.append(f"The tenancy file notes that you were {p.offence} in {year - 2}.")
                cats.add("criminal_offence")
            elif item == "phone":
                phone = phone_variant(p.phone, rng)
                body.append(f"We tried to call you on {phone}.")
                cats.add("phone")
                self.truth.saw(p, path, set(), phone=phone)
        letter_date = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
        text = "\n".join(
            [COUNCIL["name"], COUNCIL["address"], f"Tel: {COUNCIL['phone']}  Email: {COUNCIL['email']}", "",
             f"Date: {letter_date.strftime('%d %B %Y')}", "", name, street, town, postcode, "",
             f"Dear {p.title} {p.last},", "", *rng.sample(PROSE, 2), *body, *rng.sample(PROSE, rng.randint(2, 4)), "",
             f"Payments to the council: {COUNCIL['bank']}.", "Yours sincerely,", "", "Parking Services"]
        )  # fmt: skip
        self.truth.saw(p, path, cats, postcode)
        self.docs.append((path, self._render(ext, text), year))

    def case_note(self, year: int, p: Person, kin: Person) -> None:
        """A social-care case note about a client, naming a next of kin."""
        rng = self.rng
        ext = self.pick(["txt", "html", "json", "xml", "pdf", "log"])
        path = f"{year}/casenotes/case_{len(self.docs)}.{ext}"
        street, town, postcode = p.address_in(year)
        cats = {"address", "date_of_birth", "nhs_number"}
        lines = [f"Case note {rng.randint(1000, 9999)}", f"Client: {p.name_variant(rng, allow_initial=False)}",
                 f"DOB: {fmt_dob(p.dob, rng)}", f"Address: {street}, {town}, {postcode}", f"NHS No: {p.nhs}"]  # fmt: skip
        if p.ethnicity:
            lines.append(f"Ethnicity: {p.ethnicity}")
            cats.add("ethnicity")
        if p.religion:
            lines.append(f"Religion: {p.religion}")
            cats.add("religion")
        if p.orientation:
            lines.append(f"Sexual orientation: {p.orientation}")
            cats.add("sexual_orientation")
        if p.health:
            lines.append(f"Visited at home. The client has {p.health} and struggles with stairs.")
            cats.add("health")
        if p.offence:
            lines.append(f"Background: the client was {p.offence} in {year - 3}.")
            cats.add("criminal_offence")
        lines.extend(rng.sample(PROSE[6:8] + PROSE[:2], 2))
        kin_phone = phone_variant(kin.phone, rng)
        lines.append(f"Next of kin: {kin.first} {kin.last}, tel {kin_phone}")
        self.truth.saw(p, path, cats, postcode)
        self.truth.saw(kin, path, {"phone"}, phone=kin_phone)
        text = "\n".join(lines)
        if ext == "json":
            data = json.dumps({"note": lines}, indent=1).encode()
        elif ext == "xml":
            data = (
                "<casenote>"
                + "".join(
                    f"<line>{line.replace('&', '&amp;').replace('<', '&lt;')}</line>\n" for line in lines
                )
                + "</casenote>"
            ).encode()
        elif ext == "html":
            data = (
                "<html><body>"
                + "".join(f"<p>{line.replace('&', '&amp;').replace('<', '&lt;')}</p>\n" for line in lines)
                + "</body></html>"
            ).encode()
        else:
            data = self._render(ext, text)
        self.docs.append((path, data, year))

    def _render(self, ext: str, text: str) -> bytes:
        if ext in ("txt", "log"):
            return text.encode(self.rng.choice(["utf-8", "cp1252"]), "replace")
        if ext == "doc":
            return write_doc(text)
        if ext == "rtf":
            escaped = (
                text.replace("\\", "\\\\").replace("{", "\\{").replace("}", "\\}").replace("\n", "\\par\n")
            )
            return ("{\\rtf1\\ansi\\deff0 {\\fonttbl {\\f0 Arial;}}\\f0\\fs22 " + escaped + "}").encode(
                "cp1252", "replace"
            )
        if ext == "pdf":
            from reportlab.pdfgen import canvas

            buf = io.BytesIO()
            c = canvas.Canvas(buf, invariant=1)
            y = 800
            for line in text.split("\n"):
                c.drawString(50, y, line)
                y -= 16
                if y < 50:
                    c.showPage()
                    y = 800
            c.save()
            return buf.getvalue()
        import docx

        document = docx.Document()
        for line in text.split("\n"):
            document.add_paragraph(line)
        buf = io.BytesIO()
        document.save(buf)
        return buf.getvalue()

    # -- email ---------------------------------------------------------------------------

    def _message(self, year: int, p: Person, path: str, attach: bool) -> EmailMessage:
        rng = self.rng
        phone = phone_variant(p.phone, rng)
        msg = EmailMessage()
        display = f"{p.first} {p.last}" if rng.random() < 0.7 else f"{p.last}, {p.first}"
        msg["From"] = f'"{display}" <{p.email}>'
        msg["To"] = "Parking Services <parking@rbkc.example.gov.uk>"
        msg["Subject"] = "Permit renewal"
        msg["Date"] = dt.datetime(
            year, rng.randint(1, 12), rng.randint(1, 28), 10, 0, tzinfo=dt.UTC
        ).strftime("%a, %d %b %Y %H:%M:%S +0000")
        msg.set_content(
            f"Hello,\nPlease renew my permit for {p.reg}. You can reach me on {phone}.\nThanks\n\n> {rng.choice(PROSE)}\n> {rng.choice(PROSE)}\n"
        )
        cats = {"email", "phone", "vehicle_registration"}
        self.truth.saw(p, path, cats, phone=phone, email=p.email)
        if attach:
            street, town, postcode = p.address_in(year)
            rows = [
                ["Name", "Address", "Postcode", "Date of birth"],
                [f"{p.first} {p.last}", f"{street}, {town}", postcode, fmt_dob(p.dob, rng)],
            ]
            buf = io.StringIO()
            csv.writer(buf).writerows(rows)
            msg.add_attachment(
                buf.getvalue().encode(), maintype="text", subtype="csv", filename="application.csv"
            )
            self.truth.saw(p, path, {"address", "date_of_birth"}, postcode)
        return msg

    def email(self, year: int, p: Person) -> None:
        """One .eml (sometimes with a CSV attachment) or one .msg."""
        ext = self.pick(["eml", "msg"])
        path = f"{year}/mail/message_{len(self.docs)}.{ext}"
        if ext == "eml":
            self.docs.append((path, bytes(self._message(year, p, path, self.rng.random() < 0.4)), year))
            return
        phone = phone_variant(p.phone, self.rng)
        data = write_msg(f"{p.first} {p.last}", p.email, [("Parking Services", "parking@rbkc.example.gov.uk")], "Resident parking",
                         f"Please update my vehicle to {p.reg}. My number is {phone}.", [])  # fmt: skip
        self.truth.saw(p, path, {"email", "phone", "vehicle_registration"}, phone=phone, email=p.email)
        self.docs.append((path, data, year))

    def mbox(self, year: int, people: list[Person]) -> None:
        """A mailbox export holding several residents' messages."""
        path = f"{year}/mail/parking_{year}_{len(self.docs)}.mbox"
        parts = []
        for p in people:
            msg = self._message(year, p, path, self.rng.random() < 0.3)
            raw = bytes(msg).replace(b"\nFrom ", b"\n>From ")
            parts.append(
                b"From MAILER-DAEMON Thu Jan  1 00:00:00 2015\n" + raw.replace(b"\r\n", b"\n") + b"\n"
            )
        self.docs.append((path, b"".join(parts), year))

    # -- decoys --------------------------------------------------------------------------

    def decoys(self) -> None:
        """Things that look like personal data but are not people."""
        self.docs.append(
            (
                "templates/example_letter.txt",
                ("Example only. Joe Bloggs, DOB 01/01/1970, NI QQ123456C, card 4111 1111 1111 1111.\n"
                 "NHS number 943 476 5910 is an invalid example. Sort code 00-00-00.\n"
                 f"Contact {COUNCIL['phone']} or {COUNCIL['email']}.\n").encode(),
                2012,
            )
        )  # fmt: skip
        rows = [["Name", "Email", "Card number", "DOB"], ["Test User", "test@example.com", "4242 4242 4242 4242", "01/01/1980"],
                ["Fred Bloggs", "fred@example.org", "5555 5555 5555 4444", "02/02/1970"]]  # fmt: skip
        buf = io.StringIO()
        csv.writer(buf).writerows(rows)
        self.docs.append(("templates/test_accounts.csv", buf.getvalue().encode(), 2015))


# --------------------------------------------------------------------------- archive


ALL_FORMATS = {
    "csv",
    "tsv",
    "xlsx",
    "xls",
    "ods",
    "docx",
    "doc",
    "rtf",
    "pdf",
    "txt",
    "html",
    "json",
    "xml",
    "log",
    "eml",
    "msg",
    "mbox",
}


def generate_archive(
    root: Path,
    n_people: int = 200,
    seed: int = 7,
    formats: set[str] | None = None,
    containers: bool = True,
    *,
    london: bool = False,
) -> Truth:
    """Write a synthetic archive under ``root`` and return its ground truth.

    Documents go into year folders; some are packed into zip (with a zip inside), tar.gz
    and 7z archives, and a few are copied verbatim (exact duplicates).
    """
    formats = formats or ALL_FORMATS
    pop = Population(n_people, seed, london=london)
    truth = Truth()
    writer = Writer(pop, truth, formats)
    rng = pop.rng
    people = pop.people
    order = list(people)
    per_year = max(1, len(people) // len(YEARS))
    for i, year in enumerate(YEARS):
        # Each year touches a slice of residents plus a random sample of returning ones.
        fresh = order[i * per_year : (i + 1) * per_year]
        returning = rng.sample(people, min(len(people), per_year // 2 + 1))
        cohort = list({p.pid: p for p in fresh + returning}.values())
        half = max(1, len(cohort) // 2)
        writer.permits(year, cohort[:half])
        kin = [rng.choice(people) for _ in cohort[half:]]
        kin = [
            k if k.pid != p.pid else people[(int(p.pid[1:]) + 1) % len(people)]
            for k, p in zip(kin, cohort[half:], strict=True)
        ]
        if cohort[half:]:
            writer.housing(year, cohort[half:], kin)
        for p in rng.sample(cohort, max(1, len(cohort) // 3)):
            writer.letter(year, p)
        for p in rng.sample(cohort, max(1, len(cohort) // 5)):
            writer.case_note(year, p, rng.choice([k for k in people if k.pid != p.pid]))
        for p in rng.sample(cohort, max(1, len(cohort) // 5)):
            writer.email(year, p)
        if "mbox" in formats:
            writer.mbox(year, rng.sample(cohort, min(3, len(cohort))))
    writer.decoys()
    _place(root, writer.docs, rng, containers)
    truth.files = sorted(path for path, _, _ in writer.docs)
    (root.parent / f"{root.name}.truth.json").write_text(
        json.dumps(truth.to_json(), indent=1), encoding="utf-8"
    )
    return truth


def _set_year(path: Path, year: int) -> None:
    stamp = dt.datetime(year, 6, 1, 12, tzinfo=dt.UTC).timestamp()
    os.utime(path, (stamp, stamp))


def _place(root: Path, docs: list[tuple[str, bytes, int]], rng: random.Random, containers: bool) -> None:
    root.mkdir(parents=True, exist_ok=True)
    loose: list[tuple[str, bytes, int]] = []
    packed: dict[str, list[tuple[str, bytes, int]]] = {"zip": [], "tar": [], "7z": []}
    for doc in docs:
        r = rng.random()
        if containers and r < 0.12:
            packed["zip"].append(doc)
        elif containers and r < 0.2:
            packed["tar"].append(doc)
        elif containers and r < 0.25:
            packed["7z"].append(doc)
        else:
            loose.append(doc)
    for path, data, year in loose:
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        _set_year(target, year)
    if packed["zip"]:
        inner_docs = packed["zip"][: len(packed["zip"]) // 3]
        inner = io.BytesIO()
        with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as z:
            for path, data, year in inner_docs:
                z.writestr(zipfile.ZipInfo(path, (year, 6, 1, 12, 0, 0)), data, zipfile.ZIP_DEFLATED)
        target = root / "exports" / "archive_2006-2020.zip"
        target.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
            for path, data, year in packed["zip"][len(inner_docs) :]:
                z.writestr(zipfile.ZipInfo(path, (year, 6, 1, 12, 0, 0)), data, zipfile.ZIP_DEFLATED)
            z.writestr(zipfile.ZipInfo("older/nested_export.zip", (2010, 1, 1, 0, 0, 0)), inner.getvalue())
    if packed["tar"]:
        target = root / "exports" / "backup.tar.gz"
        target.parent.mkdir(parents=True, exist_ok=True)
        with tarfile.open(target, "w:gz") as t:
            for path, data, year in packed["tar"]:
                info = tarfile.TarInfo(path)
                info.size = len(data)
                info.mtime = int(dt.datetime(year, 6, 1, tzinfo=dt.UTC).timestamp())
                t.addfile(info, io.BytesIO(data))
    if packed["7z"]:
        target = root / "exports" / "scans.7z"
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory() as tmp, py7zr.SevenZipFile(target, "w") as archive:
            # Written from files so each member keeps its document's year as its time.
            for path, data, year in packed["7z"]:
                staged = Path(tmp) / path
                staged.parent.mkdir(parents=True, exist_ok=True)
                staged.write_bytes(data)
                _set_year(staged, year)
                archive.write(staged, path)
    for container in (root / "exports").glob("*"):
        _set_year(container, 2020)
    # Exact duplicates: the same bytes under another path must be scanned once.
    dupes = rng.sample(loose, min(3, len(loose)))
    for path, data, year in dupes:
        target = root / "copies" / path.replace("/", "_")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        _set_year(target, year)


# --------------------------------------------------------------------------- scoring


@dataclass
class Metrics:
    """Person-level and category-level accuracy of a scan against ground truth."""

    true_people: int
    predicted_people: int
    person_recall: float
    person_precision: float
    split_share: float
    category_micro_f1: float
    per_category: dict[str, tuple[float, float]]
    unmatched_predictions: list[dict[str, str]]
    missed_people: list[str]
    split_people: dict[str, list[dict[str, str]]] = field(default_factory=dict)


def _norm(text: str) -> str:
    return "".join(c for c in text.lower() if c.isalpha())


def evaluate(truth: Mapping[str, Mapping[str, object]], individuals_csv: Path) -> Metrics:
    """Match each predicted individual to the true person it best fits and score it.

    A prediction fits a true person when the surname agrees and the given name is
    compatible (initial, nickname), scored by shared date of birth, email, phone and
    postcode; the best-scoring fit wins. Precision counts predictions that fit someone;
    recall counts true people with at least one prediction; a true person with several
    predictions is split.
    """
    with csvfile.open_for_reading(individuals_csv) as fh:
        rows = list(csvfile.read_rows(fh))
    nick_to_full = {v.lower(): k.lower() for k, v in NICKNAMES.items()}  # 'bob' -> 'robert'
    by_last: dict[str, list[str]] = {}
    for pid, t in truth.items():
        by_last.setdefault(_norm(str(t["last"])), []).append(pid)
    matched: dict[str, list[dict[str, str]]] = {}
    unmatched: list[dict[str, str]] = []
    for row in rows:
        tokens = row["full_name"].split()
        last = _norm(tokens[-1]) if tokens else ""
        first = tokens[0].lower().strip(".") if len(tokens) > 1 else ""
        best, best_score = None, 0.0
        for pid in by_last.get(last, []):
            t = truth[pid]
            tf = str(t["first"]).lower()
            nick = NICKNAMES.get(str(t["first"]), "").lower() or tf
            if first and not (
                tf == first
                or first == nick
                or nick_to_full.get(first) == tf
                or (len(first) == 1 and tf.startswith(first))
                or JaroWinkler.normalized_similarity(tf, first) > 0.92
            ):
                continue
            score = 0.5
            score += 3 if row["date_of_birth"] and row["date_of_birth"] == t["dob"] else 0
            score += 3 if row["email"] and row["email"] in t["emails"] else 0  # type: ignore[operator]
            score += 2 if row["phone"] and row["phone"] in t["phones"] else 0  # type: ignore[operator]
            score += 2 if row["postcode"] and row["postcode"] in t["postcodes"] else 0  # type: ignore[operator]
            if row["date_of_birth"] and row["date_of_birth"] != t["dob"]:
                score -= 5
            if score > best_score:
                best, best_score = pid, score
        if best is None:
            unmatched.append(row)
        else:
            matched.setdefault(best, []).append(row)
    tp = fp = fn = 0
    per_cat: dict[str, list[int]] = {}
    for pid, t in truth.items():
        true_cats = set(t["categories"])  # type: ignore[call-overload]
        predicted = {c for row in matched.get(pid, []) for c in row["categories"].split(";") if c}
        for cat in true_cats | predicted:
            counts = per_cat.setdefault(cat, [0, 0, 0])
            if cat in true_cats and cat in predicted:
                counts[0] += 1
            elif cat in predicted:
                counts[1] += 1
            else:
                counts[2] += 1
        tp += len(true_cats & predicted)
        fp += len(predicted - true_cats)
        fn += len(true_cats - predicted)
    for row in unmatched:
        for cat in filter(None, row["categories"].split(";")):
            per_cat.setdefault(cat, [0, 0, 0])[1] += 1
            fp += 1
    f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    per_category = {
        c: (v[0] / (v[0] + v[1]) if v[0] + v[1] else 1.0, v[0] / (v[0] + v[2]) if v[0] + v[2] else 1.0)
        for c, v in sorted(per_cat.items())
    }
    n_true = len(truth)
    return Metrics(
        true_people=n_true,
        predicted_people=len(rows),
        person_recall=len(matched) / n_true if n_true else 1.0,
        person_precision=(len(rows) - len(unmatched)) / len(rows) if rows else 1.0,
        split_share=sum(1 for v in matched.values() if len(v) > 1) / n_true if n_true else 0.0,
        category_micro_f1=f1,
        per_category=per_category,
        unmatched_predictions=unmatched,
        missed_people=sorted(set(truth) - set(matched)),
        split_people={pid: rows for pid, rows in matched.items() if len(rows) > 1},
    )
