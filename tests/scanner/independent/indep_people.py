"""Made-up people for the independent archive: names in many scripts and identifiers that
pass their real check digits (NI, NHS, Luhn card, DVLA licence), written from public
format rules only (HMRC NIM39110, NHS Data Dictionary, ISO/IEC 7812, DVLA INF1D)."""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field
from datetime import date, timedelta

from faker import Faker

# Names chosen by hand for the spellings the description lists (apostrophes, hyphens,
# diacritics); Faker supplies the rest in each locale's own script.
HAND_NAMES = [
    ("Łukasz", "Wiśniewski", "M", "pl_PL"),
    ("Hương", "Nguyễn", "F", "vi_VN"),
    ("محمد", "علي", "M", "ar_AA"),
    ("Ιωάννης", "Παπαδόπουλος", "M", "el_GR"),
    ("Oğuz", "Yılmaz", "M", "tr_TR"),
    ("Zoë", "Brontë-Hughes", "F", "en_GB"),
    ("Siobhan", "O'Brien", "F", "en_GB"),
    ("Seán", "D'Arcy", "M", "en_GB"),
    ("Aoife", "Ní-Bhriain", "F", "en_GB"),
    ("Małgorzata", "Kowalczyk", "F", "pl_PL"),
    ("Ayşe", "Öztürk", "F", "tr_TR"),
    ("Chloé", "Lefèvre", "F", "en_GB"),
]
# Locale weights: mostly en_GB, as a London borough's records are.
LOCALES = [("en_GB", 70), ("pl_PL", 6), ("vi_VN", 4), ("ar_AA", 4), ("el_GR", 4), ("tr_TR", 5), ("ru_RU", 4)]

# Ofcom's ranges reserved for drama: never allocated to a real line.
PHONE_RANGES = [
    ("+4420", "7946", 0, "020 7946 {:04d}"),
    ("+44113", "496", 0, "0113 496 {:04d}"),
    ("+44121", "496", 0, "0121 496 {:04d}"),
    ("+44161", "496", 0, "0161 496 {:04d}"),
    ("+44117", "496", 0, "0117 496 {:04d}"),
    ("+44141", "496", 0, "0141 496 {:04d}"),
    ("+44151", "496", 0, "0151 496 {:04d}"),
    ("+447700", "900", 0, "07700 900{:03d}"),
]
LONDON_DISTRICTS = (
    [f"E{i}" for i in range(1, 19)]
    + [f"N{i}" for i in range(1, 23)]
    + [f"NW{i}" for i in range(1, 12)]
    + [f"SE{i}" for i in range(1, 29)]
    + [f"SW{i}" for i in range(1, 21)]
    + [f"W{i}" for i in range(2, 15)]
    + ["EC1V", "EC2A", "WC1N", "WC2H", "W1T", "SW1P", "SW1V", "E1W", "N1C"]
)
NI_FIRST_BAD = set("DFIQUV")
NI_SECOND_BAD = set("DFIOQUV")
NI_PREFIX_BAD = {"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"}


def nino(rng: random.Random) -> str:
    while True:
        a, b = rng.choice(string.ascii_uppercase), rng.choice(string.ascii_uppercase)
        if a in NI_FIRST_BAD or b in NI_SECOND_BAD or a + b in NI_PREFIX_BAD:
            continue
        return f"{a}{b}{rng.randrange(10**6):06d}{rng.choice('ABCD')}"


def nhs_number(rng: random.Random) -> str:
    while True:
        digits = [rng.randrange(10) for _ in range(9)]
        if digits[0] == 0:
            continue
        check = 11 - sum(d * w for d, w in zip(digits, range(10, 1, -1), strict=True)) % 11
        if check == 11:
            check = 0
        if check == 10:
            continue
        return "".join(map(str, digits)) + str(check)


def luhn_card(rng: random.Random) -> str:
    prefix = rng.choice(["4", "51", "52", "53", "54", "55"])
    body = prefix + "".join(str(rng.randrange(10)) for _ in range(15 - len(prefix)))
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            d = d - 9 if d > 9 else d
        total += d
    return body + str((10 - total % 10) % 10)


def vrm(rng: random.Random, year: int) -> str:
    """A current-format registration mark (2001 on): area letters, age id, random letters."""
    letters = "ABCDEFGHJKLMNOPRSTUVWXY"
    age = year % 100 if rng.random() < 0.5 else year % 100 + 50
    return f"{rng.choice('ABDEFGHKLMNOPRSVWY')}{rng.choice(letters)}{age:02d} " + "".join(
        rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(3)
    )


def dvla_licence(last: str, first: str, dob: date, sex: str, rng: random.Random) -> str:
    sur = "".join(c for c in last.upper() if c in string.ascii_uppercase)[:5].ljust(5, "9")
    month = dob.month + (50 if sex == "F" else 0)
    initials = (first[:1].upper() + "9") if first[:1].upper() in string.ascii_uppercase else "99"
    return f"{sur}{str(dob.year)[2]}{month:02d}{dob.day:02d}{str(dob.year)[3]}{initials}9" + "".join(
        rng.choice(string.ascii_uppercase) for _ in range(2)
    )


@dataclass
class Person:
    """One made-up resident, with every identifier they could have; documents state some."""

    pid: str
    first: str
    last: str
    sex: str
    locale: str
    dob: date
    street: str
    town: str
    postcode: str
    email: str
    phone_e164: str
    phone_national: str
    nino: str
    nhs: str
    sort_code: str
    account: str
    card: str
    vrm_year: int
    vrm: str
    passport: str
    licence: str
    facts: dict[str, str] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return "Mr" if self.sex == "M" else "Mrs" if self.dob.year < 1970 else "Ms"


def caps_roundtrips(text: str) -> bool:
    """A surname written in capitals can only be read back when its case round-trips
    (Turkish dotless i and German sharp s do not)."""
    return text.upper().lower() == text.lower()


class PeopleFactory:
    """Makes unique people; identifiers are unique across the archive."""

    def __init__(self, rng: random.Random, seed: int) -> None:
        self.rng = rng
        self.fakers = {loc: Faker(loc) for loc, _ in LOCALES}
        for i, f in enumerate(self.fakers.values()):
            f.seed_instance(seed * 31 + i)
        self.en = self.fakers["en_GB"]
        self.used_names: set[tuple[str, str]] = set()
        self.used: set[str] = set()
        self.hand = list(HAND_NAMES)
        self.n = 0
        # Only the 1,000 numbers of each drama range (e.g. 020 7946 0000-0999) are safe.
        self.phone_pool = [(r, n) for r in PHONE_RANGES for n in range(10, 1000)]
        rng.shuffle(self.phone_pool)

    def _unique(self, make: object) -> str:
        for _ in range(1000):
            v = make()  # type: ignore[operator]
            if v not in self.used:
                self.used.add(v)
                return str(v)
        raise RuntimeError("identifier space exhausted")

    def name(
        self, locale: str | None = None, sex: str | None = None, latin: bool = False
    ) -> tuple[str, str, str, str]:
        rng = self.rng
        if not latin and locale is None and self.hand and rng.random() < 0.08:
            hand = self.hand.pop(0)
            self.used_names.add((hand[0].lower(), hand[1].lower()))
            return hand
        for _ in range(200):
            loc = locale or rng.choices([x for x, _ in LOCALES], [w for _, w in LOCALES])[0]
            if latin:
                loc = "en_GB"
            s = sex or rng.choice("MF")
            f = self.fakers[loc]
            first = f.first_name_male() if s == "M" else f.first_name_female()
            try:
                last = f.last_name_male() if s == "M" else f.last_name_female()
            except AttributeError:
                last = f.last_name()
            # Single-token names only: a multi-word given name or surname is read back in
            # several legitimate ways and the ground truth could not say which is right.
            if " " in first or " " in last or (first.lower(), last.lower()) in self.used_names:
                continue
            if any(p.lower() in {"mr", "mrs", "ms", "dr", "miss"} for p in (first, last)):
                continue
            self.used_names.add((first.lower(), last.lower()))
            return first, last, s, loc
        raise RuntimeError("no unique name")

    def person(
        self,
        *,
        last: str | None = None,
        locale: str | None = None,
        sex: str | None = None,
        address: tuple[str, str, str] | None = None,
        born: tuple[int, int] = (1935, 2000),
        latin: bool = False,
    ) -> Person:
        rng = self.rng
        self.n += 1
        if latin:
            locale = "en_GB"
        if last is not None:
            # A relative: the family's surname, a given name from the same locale.
            loc = locale or "en_GB"
            sex = sex or rng.choice("MF")  # drawn once, before the loop's other draws
            for _ in range(200):
                f = self.fakers[loc] if loc in self.fakers else self.en
                first = f.first_name_male() if sex == "M" else f.first_name_female()
                if " " not in first and (first.lower(), last.lower()) not in self.used_names:
                    break
            self.used_names.add((first.lower(), last.lower()))
        else:
            first, last, sex, loc = self.name(locale=locale, latin=latin)
        dob = date(born[0], 1, 1) + timedelta(days=rng.randrange((born[1] - born[0]) * 365))
        if address is None:
            pc = self._unique(self.postcode)
            address = (self.en.street_address().replace("\n", ", "), "London", pc)
        local = "".join(
            c for c in (first[0] + "." + last).lower() if c.isascii() and (c.isalnum() or c == ".")
        )
        if len(local) < 4 or not local[0].isalpha():
            local = f"resident{self.n}"
        email = self._unique(
            lambda: (
                f"{local}{rng.choice(['', str(rng.randrange(10, 99))])}@{rng.choice(['example.com', 'example.org', 'example.net'])}"
            )
        )
        rng_, num = self.phone_pool.pop()
        e164 = f"{rng_[0]}{rng_[1]}{num:0{3 if rng_[0] == '+447700' else 4}d}"
        national = rng_[3].format(num)
        year = rng.randrange(2006, 2020)
        return Person(
            pid=f"P{self.n:05d}",
            first=first,
            last=last,
            sex=sex,
            locale=loc,
            dob=dob,
            street=address[0],
            town=address[1],
            postcode=address[2],
            email=email,
            phone_e164=e164,
            phone_national=national,
            nino=self._unique(lambda: nino(rng)),
            nhs=self._unique(lambda: nhs_number(rng)),
            sort_code=f"{rng.choice([20, 30, 40, 60, 77, 82, 83])}{rng.randrange(100):02d}{rng.randrange(100):02d}",
            account=self._unique(lambda: f"{rng.randrange(10**7, 10**8)}"),
            card=self._unique(lambda: luhn_card(rng)),
            vrm_year=year,
            vrm=self._unique(lambda: vrm(rng, year)),
            passport=self._unique(lambda: f"{rng.randrange(10**8, 10**9)}"),
            licence=self._unique(lambda: dvla_licence(last, first, dob, sex, rng)),
        )

    def postcode(self) -> str:
        """A London postcode of real form: a real district and a valid inward code."""
        return f"{self.rng.choice(LONDON_DISTRICTS)} {self.rng.randrange(10)}" + "".join(
            self.rng.choice("ABDEFGHJLNPQRSTUWXYZ") for _ in range(2)
        )

    def staff_name(self) -> str:
        first, last, _s, _l = self.name(latin=True)
        return f"{first} {last}"
