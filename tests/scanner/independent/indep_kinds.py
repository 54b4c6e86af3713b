"""The eight kinds of council file in DESCRIPTION.md, each writing its documents and
recording in the truth what each document states about each person."""

from __future__ import annotations

import csv
import email.quoprimime
import io
import mailbox
import random
import shutil
import tarfile
import zipfile
from collections.abc import Sequence
from datetime import UTC, date, datetime
from email.message import Message
from email.mime.application import MIMEApplication
from email.mime.image import MIMEImage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime

from tests.helpers.office_writers import write_doc, write_msg
from tests.scanner.independent.indep_archive import COUNCIL, Archive
from tests.scanner.independent.indep_people import Person, caps_roundtrips
from tests.scanner.independent.indep_writers import (
    Cell,
    docx_bytes,
    form_image,
    pdf_bytes,
    photo_bytes,
    save_image,
    xlsx_bytes,
)

NATIONALITY = {
    "en_GB": "GBR",
    "pl_PL": "POL",
    "vi_VN": "VNM",
    "ar_AA": "SYR",
    "el_GR": "GRC",
    "tr_TR": "TUR",
    "ru_RU": "LTU",
}
HEALTH = [
    "type 2 diabetes",
    "COPD",
    "early-onset dementia",
    "multiple sclerosis",
    "heart failure",
    "epilepsy",
    "depression",
]
RELIGION = [
    "a practising Catholic",
    "a practising Muslim",
    "Jewish and keeps kosher",
    "a Sikh",
    "a Jehovah's Witness",
    "Hindu",
]
ETHNICITY = [
    "Black Caribbean",
    "White Irish",
    "Bangladeshi",
    "Gypsy or Irish Traveller",
    "Black African",
    "White Polish",
]


def sfirst(p: Person) -> str:
    """'O'BRIEN, Siobhan' where the surname survives capitals, else 'Yılmaz, Oğuz'."""
    last = p.last.upper() if caps_roundtrips(p.last) else p.last
    return f"{last}, {p.first}"


def kin_sex(p: Person) -> str | None:
    """Polish, Russian and Greek surnames take the bearer's sex; a relative sharing one is
    of the same sex so the surname stays right."""
    return p.sex if p.locale in ("pl_PL", "ru_RU", "el_GR") else None


def titled(p: Person) -> str:
    return f"{p.title} {p.first} {p.last}"


def full(p: Person) -> str:
    return f"{p.first} {p.last}"


def variant(p: Person, rng: random.Random) -> str:
    return rng.choice([full, titled, sfirst])(p)


def ddmmyyyy(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def serial(d: date) -> int:
    return (d - date(1899, 12, 30)).days


def addr_line(p: Person) -> str:
    return f"{p.street}, {p.town} {p.postcode}"


def sort_fmt(code: str, rng: random.Random) -> str:
    return rng.choice([f"{code[:2]}-{code[2:4]}-{code[4:]}", code, f"{code[:2]} {code[2:4]} {code[4:]}"])


def spaced_card(card: str) -> str:
    return " ".join(card[i : i + 4] for i in range(0, 16, 4))


def write_csv(
    arch: Archive, rel: str, rows: Sequence[Sequence[Cell]], *, delim: str = ",", pre: tuple[str, ...] = ()
) -> None:
    buf = io.StringIO()
    for line in pre:
        buf.write(line + "\r\n")
    w = csv.writer(buf, delimiter=delim, lineterminator="\r\n")
    w.writerows(rows)
    arch.path(rel).write_text(buf.getvalue(), encoding="utf-8")


class Budget:
    """Hands out new people until the archive's quota is spent; lets later kinds reuse
    earlier people so one person recurs across systems."""

    def __init__(self, arch: Archive, total: int) -> None:
        self.arch = arch
        self.total = total
        self.loners: list[Person] = []  # people with their own address, safe to reuse

    def left(self) -> int:
        return self.total - self.arch.factory.n

    def new(self, **kw: object) -> Person:
        return self.arch.factory.person(**kw)  # type: ignore[arg-type]

    def one(self, reuse: float = 0.25, latin: bool = False) -> Person:
        rng = self.arch.rng
        pool = [p for p in self.loners if not latin or p.locale == "en_GB"]
        if pool and rng.random() < reuse:
            return rng.choice(pool)
        p = self.new(latin=latin)
        self.loners.append(p)
        return p


# 1. Council tax and housing benefit --------------------------------------------------------


def revenues(arch: Archive, b: Budget, quota: int) -> None:
    rng, t = arch.rng, arch.truth
    header = [
        "ACCOUNT_REF",
        "LIABLE_PARTY_1",
        "LIABLE_PARTY_2",
        "PROP_ADDR_1",
        "PROP_ADDR_2",
        "PROP_ADDR_3",
        "PROP_ADDR_4",
        "PROP_PCODE",
        "CORR_ADDR",
        "DD_SORT",
        "DD_ACC",
        "DD_NAME",
        "TEL",
        "ANNUAL_CHARGE",
        "BALANCE",
    ]
    files: dict[str, list[list[Cell]]] = {
        "revenues/2012/ctax_extract_2012.csv": [],
        "revenues/2016/ctax_export.csv": [],
        "revenues/2009/ctax_2009.xlsx": [],
    }
    names = list(files)
    start = arch.factory.n
    while arch.factory.n - start < quota:
        rel = rng.choice(names)
        p1 = b.new()
        b.loners.append(p1)
        joint = rng.random() < 0.3
        p2 = (
            b.new(last=p1.last if rng.random() < 0.6 else None, address=(p1.street, p1.town, p1.postcode))
            if joint
            else None
        )
        dd = rng.random() < 0.6
        tel = not joint and rng.random() < 0.7
        acc: Cell = p1.account
        if rel.endswith(".xlsx"):
            acc = int(p1.account)  # typed as a number
        elif rel.endswith("2012.csv") and rng.random() < 0.3:
            acc = f"{int(p1.account):.7E}"  # Excel's scientific display, all 8 digits kept
        # A landlord or a relative's address for bills: the liable party's too.
        corr_pc = arch.factory.postcode() if not joint and rng.random() < 0.1 else ""
        corr = (
            f"c/o {rng.randrange(1, 99)} {rng.choice(['Elm Road', 'Mill Lane', 'Park Avenue'])}, London {corr_pc}"
            if corr_pc
            else ""
        )
        row: list[Cell] = [
            f"{rng.randrange(10**7, 10**8)}",
            variant(p1, rng),
            variant(p2, rng) if p2 else "",
            p1.street,
            "London",
            "",
            "",
            p1.postcode,
            corr,
            sort_fmt(p1.sort_code, rng) if dd else "",
            acc if dd else "",
            f"{p1.title.upper()} {p1.first[0].upper()} {p1.last.upper() if caps_roundtrips(p1.last) else p1.last}"
            if dd
            else "",
            (
                int(p1.phone_national.replace(" ", ""))
                if rel.endswith(".xlsx")
                else p1.phone_national.replace(" ", "")[1:]
            )
            if tel
            else "",  # typed into a numeric cell: the leading zero is lost
            f"{rng.uniform(900, 2600):.2f}",
            f"{rng.uniform(0, 1999):.2f}",
        ]
        files[rel].append(row)
        cats = ["bank_account"] if dd else []
        t.say(p1, rel, *cats, address=True, phone=tel, postcode=corr_pc)
        if p2:
            t.say(p2, rel, address=True)
    # A test account the system shipped with: no person.
    files["revenues/2016/ctax_export.csv"].append(
        [
            "99999999",
            "TEST ACCOUNT DO NOT USE",
            "",
            "1 Test Street",
            "London",
            "",
            "",
            COUNCIL["postcode"],
            "",
            COUNCIL["sort"],
            COUNCIL["account"],
            "LB EXAMPLE",
            COUNCIL["phone"].replace(" ", "")[1:],
            "0.00",
            "0.00",
        ]
    )
    write_csv(arch, names[0], [header, *files[names[0]]], pre=("Revenues extract 03/04/2012", ""))
    write_csv(arch, names[1], [header, *files[names[1]]], delim=";", pre=("sep=;",))
    arch.path(names[2]).write_bytes(xlsx_bytes({"CTAX": [header, *files[names[2]]]}))
    # Housing benefit: claimant and partner on one row; DOB is the claimant's only.
    hb_head = [
        "CLAIM_REF",
        "CLAIMANT",
        "PARTNER",
        "NINO",
        "PARTNER_NINO",
        "DOB",
        "PROP_ADDR_1",
        "PROP_ADDR_2",
        "PROP_PCODE",
        "TEL",
        "WEEKLY_HB",
    ]
    hb_rows: list[Sequence[Cell]] = [hb_head]
    noheader: list[list[Cell]] = []
    rel_x, rel_c = "benefits/hb_claims_2015.xlsx", "benefits/hb_extract_2010.csv"
    start = arch.factory.n
    while arch.factory.n - start < quota * 2 // 3:
        p1 = b.new(born=(1940, 1998))
        b.loners.append(p1)
        if rng.random() < 0.35:
            row = [
                f"{rng.randrange(10**6):06d}",
                sfirst(p1),
                p1.street,
                "London",
                p1.postcode,
                p1.nino,
                p1.dob.strftime("%d-%b-%Y"),
                p1.phone_national,
            ]
            noheader.append(row)
            t.say(p1, rel_c, "national_insurance_number", address=True, dob=True, phone=True)
            continue
        p2 = b.new(address=(p1.street, p1.town, p1.postcode)) if rng.random() < 0.4 else None
        dob: Cell = serial(p1.dob) if rng.random() < 0.5 else ddmmyyyy(p1.dob)
        tel = rng.random() < 0.6
        hb_rows.append(
            [
                f"HB{rng.randrange(10**6):06d}",
                full(p1),
                full(p2) if p2 else "",
                p1.nino,
                p2.nino if p2 else "",
                dob,
                p1.street,
                "London",
                p1.postcode,
                int(p1.phone_national.replace(" ", "")) if tel else "",
                round(rng.uniform(40, 260), 2),
            ]
        )
        t.say(p1, rel_x, "national_insurance_number", address=True, dob=True, phone=tel)
        if p2:
            t.say(p2, rel_x, "national_insurance_number", address=True)
    arch.path(rel_x).write_bytes(xlsx_bytes({"Claims": hb_rows}))
    write_csv(arch, rel_c, noheader)


# 2. Parking permits -------------------------------------------------------------------------


def parking(arch: Archive, b: Budget, quota: int) -> None:
    rng, t = arch.rng, arch.truth
    officer = arch.staff[0]
    rel_reg = "parking/permits_register.xlsx"
    head = [
        "PERMIT_NO",
        "ISSUED",
        "NAME",
        "ADDRESS",
        "PCODE",
        "VRM",
        "CARD_NO",
        "CARD_EXP",
        "BLUE_BADGE",
        "NOTES",
    ]
    rows: list[Sequence[Cell]] = [head]
    start = arch.factory.n
    count = 0
    while arch.factory.n - start < quota and count < quota * 2:
        count += 1
        p = b.one(reuse=0.3)
        year = p.vrm_year
        mark = rng.choice(
            [p.vrm, p.vrm.lower().replace(" ", ""), p.vrm.replace(" ", "-"), p.vrm.replace(" ", "")]
        )
        card = year <= 2012 and rng.random() < 0.8
        badge = rng.random() < 0.15
        cond = rng.choice(HEALTH) if badge else ""
        rows.append(
            [
                f"RP{year}{rng.randrange(10**5):05d}",
                f"{rng.randrange(1, 28):02d}/{rng.randrange(1, 13):02d}/{year}",
                variant(p, rng),
                p.street + ", London",
                p.postcode,
                mark,
                spaced_card(p.card) if card else "",
                f"{rng.randrange(1, 13):02d}/{(year + 3) % 100:02d}" if card else "",
                "Y" if badge else "N",
                f"Blue badge: {cond}" if badge else "",
            ]
        )
        cats = ["vehicle_registration"] + (["payment_card"] if card else []) + (["health"] if badge else [])
        t.say(p, rel_reg, *cats, address=True)
        if rng.random() < 0.5:
            rel = f"parking/applications/{year}/permit_{p.pid}.pdf"
            page1 = [
                f"{COUNCIL['name']} - Residents' Parking Permit Application",
                "",
                f"Applicant: {titled(p)}",
                f"Address: {p.street}, London {p.postcode}",
                f"Daytime telephone: {p.phone_national}",
                f"Vehicle registration: {mark.upper()}",
                f"Permit zone: {rng.choice('ABCDEFG')}{rng.randrange(1, 9)}   Fee: £{rng.choice(['80.00', '120.50', '96.00'])}",
            ]
            cats2 = ["vehicle_registration"]
            if card:
                page1 += [
                    f"Card number: {spaced_card(p.card)}   Expiry: {rng.randrange(1, 13):02d}/{(year + 2) % 100:02d}"
                ]
                cats2.append("payment_card")
            if badge:
                page1 += [f"Blue badge holder: yes. Condition: {cond}."]
                cats2.append("health")
            page2 = [
                "Declaration",
                "I confirm the vehicle is kept at the address above.",
                f"Signed: {full(p)}",
                f"Queries: Parking Services, {COUNCIL['phone']}, {COUNCIL['parking']}",
            ]
            footer = f"Permit officer: {officer} | Parking Services {COUNCIL['phone']} | {COUNCIL['address']}"
            arch.path(rel).write_bytes(pdf_bytes([page1, page2], footer=footer))
            t.say(p, rel, *cats2, address=True, phone=True)
    rows.append(
        [
            "RP0000000",
            "01/04/2011",
            "TEST PERMIT",
            "Town Hall, London",
            COUNCIL["postcode"],
            "AB12 CDE",
            "4111 1111 1111 1111",
            "12/12",
            "N",
            "cancelled card - test transaction",
        ]
    )
    arch.path(rel_reg).write_bytes(xlsx_bytes({"Permits": rows}))


# 3. Social care case notes -------------------------------------------------------------------


def social_care(arch: Archive, b: Budget, quota: int) -> None:
    rng, t, f = arch.rng, arch.truth, arch.factory
    start = f.n
    i = 0
    while f.n - start < quota:
        i += 1
        p = b.one(reuse=0.2)
        year = rng.randrange(2008, 2020)
        as_doc = rng.random() < 0.2
        rel = f"social_care/{year}/case_note_SC{10000 + i}.{'doc' if as_doc else 'docx'}"
        worker = rng.choice(arch.staff[1:4])
        pron = "He" if p.sex == "M" else "She"
        cats: list[str] = ["nhs_number"]
        paras = [
            f"NHS number: {p.nhs[:3]} {p.nhs[3:6]} {p.nhs[6:]}    DOB: {ddmmyyyy(p.dob)}",
            f"Address: {addr_line(p)}",
            f"Visit on {rng.randrange(1, 28)}/{rng.randrange(1, 13)}/{year} with {p.first}. {pron} was in good spirits and the home was warm.",
        ]
        if rng.random() < 0.7:
            paras.append(f"{p.first} has {rng.choice(HEALTH)} and the district nurse calls twice a week.")
            cats.append("health")
        if rng.random() < 0.4:
            paras.append(f"{pron} is {rng.choice(RELIGION)} and asked that visits avoid prayer times.")
            cats.append("religion")
        if rng.random() < 0.4:
            paras.append(f"Ethnicity recorded as {rng.choice(ETHNICITY)}; interpreter not needed.")
            cats.append("ethnicity")
        paras.append(
            f"GP Dr {rng.choice(['Anwar', 'Okafor', 'Lindqvist'])} at {rng.choice(['Hill Road', 'Marsh Lane'])} Surgery was informed."
        )
        # Other people in sentences: each is a person with only what the sentence says.
        if b.left() > 0 and rng.random() < 0.6:
            rel_p = f.person(
                last=p.last if rng.random() < 0.7 else None,
                locale=p.locale,
                sex=kin_sex(p),
                born=(1950, 1995),
            )
            kin = "Daughter" if rel_p.sex == "F" else "Son"
            s = f"{kin} {full(rel_p)} (DOB {ddmmyyyy(rel_p.dob)}, tel {rel_p.phone_national}) visits weekly."
            rcats: list[str] = []
            if rng.random() < 0.4:
                s += f" {rel_p.first} mentioned {'her' if rel_p.sex == 'F' else 'his'} own {rng.choice(HEALTH)} makes visiting harder."
                rcats.append("health")
            paras.append(s)
            t.say(rel_p, rel, *rcats, dob=True, phone=True)
        if b.left() > 0 and rng.random() < 0.5:
            nok = f.person(latin=True)
            paras.append(
                f"Next of kin: {nok.title} {nok.first[0]}. {nok.last}, {nok.street}, London {nok.postcode}."
            )
            t.say(nok, rel, address=True)
        paras.append(f"Plan: review in six weeks. {worker}, Adult Social Care.")
        header = f"CONFIDENTIAL - Adult Social Care - {full(p)} - ref SC{10000 + i}"
        footer = f"Social worker: {worker}, tel {COUNCIL['phone2']}"
        if as_doc:
            text = "\n".join([header, f"Case note: {full(p)}", *paras, footer])
            arch.path(rel).write_bytes(write_doc(text))
            t.say(p, rel, *cats, dob=True, address=True)
            continue
        comment = None
        if b.left() > 0 and rng.random() < 0.3:
            c = f.person(last=p.last, locale=p.locale, sex=kin_sex(p))
            comment = (
                worker,
                f"Check with {'sister' if c.sex == 'F' else 'brother'} {full(c)} on {c.phone_national} before the next visit.",
            )
            t.say(c, rel, phone=True)
        tracked = ""
        if "health" not in cats and rng.random() < 0.5:
            tracked = f"Diagnosed with {rng.choice(HEALTH)} in {year - 1}."
            cats.append("health")
        textbox = ""
        phone = False
        if rng.random() < 0.4:
            textbox = f"Key safe at front door. {p.first}'s phone: {p.phone_national}"
            phone = True
        arch.path(rel).write_bytes(
            docx_bytes(
                paras,
                heading=f"Case note: {full(p)}",
                header=header,
                footer=footer,
                comment=comment,
                tracked=tracked,
                textbox=textbox,
            )
        )
        t.say(p, rel, *cats, dob=True, address=True, phone=phone)


# 4. Electoral canvass --------------------------------------------------------------------------


def canvass(arch: Archive, b: Budget, quota: int) -> None:
    rng, t, f = arch.rng, arch.truth, arch.factory
    head = [
        "HH_REF",
        "PROPERTY_ADDRESS",
        "POSTCODE",
        "ELECTOR",
        "NATIONALITY",
        "ATTAINER_DOB",
        "EMAIL",
        "PHONE",
    ]
    rows: list[list[str]] = [head]
    rel = "electoral/canvass_2019.csv"
    scans: list[list[Person]] = []
    start = f.n
    hh = 0
    while f.n - start < quota:
        hh += 1
        latin = rng.random() < 0.15  # some households' forms were scanned, typed in a Latin font
        first = f.person(latin=latin, born=(1940, 2000))
        members = [first]
        for _ in range(rng.choice([0, 1, 1, 2, 3])):
            same = rng.random() < 0.6
            attainer = rng.random() < 0.2
            m = f.person(
                last=first.last if same else None,
                locale=first.locale,
                sex=kin_sex(first) if same else None,
                latin=latin,
                address=(first.street, first.town, first.postcode),
                born=(2002, 2003) if attainer else (1940, 2000),
            )
            members.append(m)
        for m in members:
            attainer = m.dob.year >= 2001
            em, ph = rng.random() < 0.3, rng.random() < 0.3
            rows.append(
                [
                    f"H{hh:05d}",
                    m.street + ", London",
                    m.postcode,
                    sfirst(m),
                    NATIONALITY.get(m.locale, "GBR"),
                    ddmmyyyy(m.dob) if attainer else "",
                    m.email if em else "",
                    m.phone_national if ph else "",
                ]
            )
            t.say(m, rel, dob=attainer, address=True, email=em, phone=ph)
        if latin and len(scans) < max(2, quota // 40):
            scans.append(members)
    write_csv(arch, rel, rows)
    for k, members in enumerate(scans):
        srel = f"electoral/scanned/canvass_form_{k + 1:03d}.{['png', 'jpg', 'tif'][k % 3]}"
        lines = [
            "Household Enquiry Form 2019",
            f"Address: {members[0].street}, London {members[0].postcode}",
            "",
        ]
        for m in members:
            lines.append(f"Name: {full(m)}    Nationality: {NATIONALITY.get(m.locale, 'GBR')}")
            if m.dob.year >= 2001:
                lines.append(f"   Date of birth (if 16 or 17): {ddmmyyyy(m.dob)}")
        save_image([form_image(lines, rng)], arch.path(srel))
        for m in members:
            t.say(m, srel, dob=m.dob.year >= 2001, address=True)


# 5. Complaints mailbox --------------------------------------------------------------------------


def _enc_name(display: str) -> str:
    if display.isascii():
        return f'"{display}"' if "," in display else display
    return email.quoprimime.header_encode(display.encode("utf-8"), charset="utf-8")


COMPLAINTS = [
    "The bins on our road have not been collected for three weeks.",
    "There is black mould in the bedroom and my son's asthma is getting worse.",
    "I was charged twice for my parking permit.",
    "The street light outside my house has been broken since March.",
    "My neighbour's extension blocks the light and I was never consulted.",
]


def complaints(arch: Archive, b: Budget, quota: int) -> None:
    rng, t, f = arch.rng, arch.truth, arch.factory
    box = mailbox.mbox(str(arch.path("complaints/complaints_2014.mbox")))
    box.lock()
    start = f.n
    n = 0
    while f.n - start < quota and n < quota * 2:
        n += 1
        p = b.one(reuse=0.3)
        staff = rng.choice(arch.staff[4:])
        display = f"{p.last}, {p.first}" if rng.random() < 0.3 else full(p)
        sig = f"{full(p)}\n{p.street}\nLondon {p.postcode}\nTel: {p.phone_national}"
        body = f"Dear Sir or Madam,\n\n{rng.choice(COMPLAINTS)}\n\nPlease reply to this address.\n\nYours faithfully,\n{sig}\n"
        when = datetime(
            rng.randrange(2008, 2020), rng.randrange(1, 13), rng.randrange(1, 28), 10, 0, tzinfo=UTC
        )
        kind = rng.choice(["eml", "eml", "msg", "mbox"])
        letter = rng.random() < 0.4
        attach: list[tuple[str, bytes]] = []
        if letter:
            attach.append(
                (
                    "letter.pdf",
                    pdf_bytes(
                        [
                            [
                                f"{full(p)}",
                                p.street,
                                f"London {p.postcode}",
                                "",
                                "To the Complaints Team,",
                                rng.choice(COMPLAINTS),
                                f"Signed {full(p)}",
                            ]
                        ]
                    ),
                )
            )
        if rng.random() < 0.3:
            attach.append(("photo.jpg", photo_bytes(rng)))
        if rng.random() < 0.2:
            attach.append(
                (
                    "statement.docx",
                    docx_bytes(
                        [f"Statement of {full(p)}", f"I live at {addr_line(p)}.", rng.choice(COMPLAINTS)]
                    ),
                )
            )
        subject = f"Complaint ref C{rng.randrange(10**5):05d}"
        if kind == "msg":
            rel = f"complaints/outlook/{subject.split()[-1]}.msg"
            arch.path(rel).write_bytes(
                write_msg(display, p.email, [("Complaints", COUNCIL["complaints"])], subject, body, attach)
            )
        else:
            msg = MIMEMultipart() if attach else Message()
            msg["From"] = f"{_enc_name(display)} <{p.email}>"
            msg["To"] = f"Complaints <{COUNCIL['complaints']}>"
            msg["Subject"] = subject
            msg["Date"] = format_datetime(when)
            msg["Message-ID"] = f"<{p.pid}.{n}@example.com>"
            if attach:
                msg.attach(MIMEText(body, "plain", "utf-8"))
                for name, data in attach:
                    part = MIMEImage(data, "jpeg") if name.endswith(".jpg") else MIMEApplication(data)
                    part.add_header("Content-Disposition", "attachment", filename=name)
                    msg.attach(part)
            else:
                msg.set_payload(body.encode("utf-8"), "utf-8")
            if kind == "eml":
                rel = f"complaints/{when.year}/{subject.split()[-1]}.eml"
                arch.path(rel).write_bytes(msg.as_bytes())
            else:
                rel = "complaints/complaints_2014.mbox"
                box.add(msg)
        t.say(p, rel, address=True, phone=True, email=True)
        for name, _data in attach:
            if name != "photo.jpg":
                t.say(p, f"{rel}!/{name}", address=True)
        # The team's reply quotes the resident; the team mailbox and officer are not people.
        if rng.random() < 0.5:
            quoted = "\n".join("> " + line for line in body.splitlines())
            reply_body = (
                f"Dear {p.first},\n\nThank you for your email. We have passed this to the area team.\n\n"
                f"Kind regards,\n{staff}\nHousing Options | {COUNCIL['phone']} | {COUNCIL['housing']}\n\n"
                f"On {when:%d/%m/%Y}, {full(p)} wrote:\n{quoted}\n"
            )
            r = Message()
            r["From"] = f"Housing Options <{COUNCIL['housing']}>"
            r["To"] = f"{_enc_name(display)} <{p.email}>"
            r["Subject"] = "RE: " + subject
            r["Date"] = format_datetime(when)
            r.set_payload(reply_body.encode("utf-8"), "utf-8")
            rrel = f"complaints/{when.year}/RE_{subject.split()[-1]}.eml"
            arch.path(rrel).write_bytes(r.as_bytes())
            t.say(p, rrel, address=True, phone=True, email=True)
    box.flush()
    box.unlock()
    box.close()


# 6. Licensing -----------------------------------------------------------------------------------


def licensing(arch: Archive, b: Budget, quota: int) -> None:
    rng, t, f = arch.rng, arch.truth, arch.factory
    start = f.n
    n = 0
    while f.n - start < quota and n < quota * 2:
        n += 1
        p = b.one(reuse=0.2)
        year = rng.randrange(2006, 2020)
        ascii_name = (
            p.first.isascii() and p.last.isascii() and p.last.replace("'", "").replace("-", "").isalpha()
        )
        if ascii_name and rng.random() < 0.5:
            id_line, id_cat = (
                f"Proof of identity: UK driving licence number {p.licence}",
                "driving_licence_number",
            )
        else:
            id_line, id_cat = f"Proof of identity: passport number {p.passport}", "passport_number"
        convicted = rng.random() < 0.15
        offence = (
            f"Relevant offences: convicted {year - rng.randrange(1, 4)} of "
            f"{rng.choice(['drink driving (s5 Road Traffic Act 1988)', 'selling alcohol to a child', 'theft', 'common assault'])}, "
            f"{rng.choice(['Highbury Corner', 'Westminster', 'Camberwell Green'])} Magistrates' Court"
            if convicted
            else "Relevant offences: None"
        )
        lines = [
            f"Personal licence application ({year})",
            f"Full name: {full(p)}",
            f"Date of birth: {ddmmyyyy(p.dob)}",
            f"Home address: {p.street}, London {p.postcode}",
            id_line,
            offence,
            f"Fee paid to {COUNCIL['name']}, sort code {COUNCIL['sort']}, account {COUNCIL['account']}",
            f"Licensing officer: {arch.staff[7]}, {COUNCIL['phone']}",
        ]
        ext = rng.choice(["pdf", "docx"])
        rel = f"licensing/personal/{year}/PLH_{n:04d}.{ext}"
        if ext == "pdf":
            arch.path(rel).write_bytes(pdf_bytes([lines]))
        else:
            arch.path(rel).write_bytes(docx_bytes(lines[1:], heading=lines[0]))
        cats = [id_cat] + (["criminal_offence"] if convicted else [])
        t.say(p, rel, *cats, dob=True, address=True)
        # A premises application naming the same person as supervisor, with the shop's address.
        if rng.random() < 0.25:
            prel = f"licensing/premises/{year}/premises_{n:04d}.pdf"
            arch.path(prel).write_bytes(
                pdf_bytes(
                    [
                        [
                            "Premises licence application",
                            f"Premises: {rng.choice(['Hill Road Wines', 'Corner Stores', 'The Crown'])}, "
                            f"{rng.randrange(1, 200)} High Street, London {COUNCIL['postcode']}",
                            f"Designated premises supervisor: {titled(p)}",
                            "Hours: 08:00-23:00 Monday to Sunday",
                            f"Contact the licensing team on {COUNCIL['phone']}",
                        ]
                    ]
                )
            )
            t.say(p, prel)


# 7. HR and equality --------------------------------------------------------------------------------


def hr(arch: Archive, b: Budget, quota: int) -> None:
    rng, t, f = arch.rng, arch.truth, arch.factory
    rel = "hr/payroll_equality_2017.xlsx"
    head = [
        "EMP_NO",
        "SURNAME",
        "FORENAME",
        "DOB",
        "NI_NO",
        "SORT_CODE",
        "ACCOUNT_NO",
        "ETHNIC_ORIGIN",
        "RELIGION_BELIEF",
        "SEXUAL_ORIENTATION",
        "DISABILITY",
    ]
    rows: list[Sequence[Cell]] = [head]
    blankish = ["Prefer not to say", "", "Prefer not to say", "", "Not stated"]
    start = f.n
    while f.n - start < quota:
        p = f.person(born=(1955, 2000))
        eth = (
            rng.choice(["White British", "Black African", "Indian", "Mixed White and Asian"])
            if rng.random() < 0.25
            else rng.choice(blankish)
        )
        rel_ = (
            rng.choice(["Christian", "Muslim", "Buddhist", "Sikh"])
            if rng.random() < 0.2
            else rng.choice(blankish)
        )
        so = (
            rng.choice(["Gay man", "Lesbian", "Bisexual", "Heterosexual"])
            if rng.random() < 0.15
            else rng.choice(blankish)
        )
        dis = (
            f"Yes - {rng.choice(['hearing impairment', 'dyslexia', 'arthritis'])}"
            if rng.random() < 0.1
            else rng.choice(blankish)
        )
        rows.append(
            [
                f"E{rng.randrange(10**5):05d}",
                p.last,
                p.first,
                serial(p.dob) if rng.random() < 0.5 else ddmmyyyy(p.dob),
                p.nino,
                sort_fmt(p.sort_code, rng),
                int(p.account),
                eth,
                rel_,
                so,
                dis,
            ]
        )
        cats = ["national_insurance_number", "bank_account"]
        cats += ["ethnicity"] if eth not in blankish else []
        cats += ["religion"] if rel_ not in blankish else []
        cats += ["sexual_orientation"] if so not in blankish else []
        cats += ["health"] if dis.startswith("Yes") else []
        t.say(p, rel, *cats, dob=True)
    arch.path(rel).write_bytes(xlsx_bytes({"Staff": rows}))


# 8. Scanned forms ------------------------------------------------------------------------------------


def scanned(arch: Archive, b: Budget, quota: int) -> None:
    rng, t, f = arch.rng, arch.truth, arch.factory
    exts = ["png", "jpg", "tif", "pdf"]
    start = f.n
    k = 0
    while f.n - start < quota:
        k += 1
        ext = exts[k % 4]
        people = [f.person(latin=True)]
        if ext in ("tif", "pdf") and rng.random() < 0.5:
            people.append(f.person(latin=True))  # a two-page scan, one form per page
        rel = f"scans/{2010 + k % 10}/scan_{k:04d}.{ext}"
        pages = []
        for p in people:
            pages.append(
                form_image(
                    [
                        "Application for Assisted Bin Collection",
                        f"Name: {full(p)}",
                        f"Address: {p.street}",
                        f"           London {p.postcode}",
                        f"Telephone: {p.phone_national}",
                        f"Date of birth: {ddmmyyyy(p.dob)}",
                        "",
                        f"Office use only - received by {arch.staff[5]}",
                    ],
                    rng,
                )
            )
            t.say(p, rel, dob=True, address=True, phone=True)
        save_image(pages, arch.path(rel))


# Containers, duplicates, broken and dull files --------------------------------------------------------


def containers(arch: Archive, b: Budget, quota: int) -> None:
    t, f = arch.truth, arch.factory
    zrel = "old/housing_2008.zip"
    members: dict[str, bytes] = {}
    placeholder = "R_sum_ clients.csv"  # renamed to cp1252 bytes after writing (see below)
    for name in ["2008/tenants.csv", "2009/tenants.csv", placeholder]:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow(["Tenant", "Address", "Postcode", "Phone"])
        per = max(1, quota // 3)
        for _ in range(per):
            p = f.person()
            w.writerow([full(p), p.street + ", London", p.postcode, p.phone_national])
            shown = name.replace(placeholder, "Résumé clients.csv")
            t.say(p, f"{zrel}!/{shown}", address=True, phone=True)
        enc = "cp1252" if name == placeholder else "utf-8"
        members[name] = buf.getvalue().encode(enc, errors="replace")
    zbuf = io.BytesIO()
    with zipfile.ZipFile(zbuf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(zipfile.ZipInfo(name, date_time=(2009, 6, 1, 0, 0, 0)), data)
    # An old Windows zip: the member name in cp1252 bytes, without the UTF-8 flag.
    raw = zbuf.getvalue().replace(placeholder.encode(), "Résumé clients.csv".encode("cp1252"))
    arch.path(zrel).write_bytes(raw)
    # A tar of an older licensing folder with a DOCX note inside.
    trel = "old/licensing_2007.tar.gz"
    tb = io.BytesIO()
    with tarfile.open(fileobj=tb, mode="w:gz") as tar:
        for i in range(2):
            p = f.person()
            data = docx_bytes(
                [
                    f"Personal licence holder: {full(p)}",
                    f"Date of birth: {ddmmyyyy(p.dob)}",
                    f"Address: {addr_line(p)}",
                    "Relevant offences: None",
                ],
                heading="Licence renewal",
            )
            info = tarfile.TarInfo(f"licensing/2007/holder_{i}.docx")
            info.size = len(data)
            info.mtime = 1183248000
            tar.addfile(info, io.BytesIO(data))
            t.say(p, f"{trel}!/licensing/2007/holder_{i}.docx", dob=True, address=True)
    arch.path(trel).write_bytes(tb.getvalue())


def extras(arch: Archive) -> None:
    rng, t = arch.rng, arch.truth
    # Byte-identical copies under other folders.
    for src in ["revenues/2012/ctax_extract_2012.csv", "hr/payroll_equality_2017.xlsx"]:
        dst = "backup/" + src
        arch.path(dst)
        shutil.copyfile(arch.root / src, arch.root / dst)
        t.also_at(src, dst)
    arch.path("misc/empty.csv").write_bytes(b"")
    arch.path("misc/broken.pdf").write_bytes(pdf_bytes([["Broken letter"]])[:300])
    arch.path("misc/broken.xlsx").write_bytes(b"PK\x03\x04" + bytes(rng.randrange(256) for _ in range(500)))
    councillors = [arch.factory.staff_name() for _ in range(3)]
    arch.path("committee/minutes_2014.docx").write_bytes(
        docx_bytes(
            [
                f"Present: Cllr {councillors[0]} (Chair), Cllr {councillors[1]}, Cllr {councillors[2]}",
                f"Officers: {arch.staff[0]} (Head of Parking), {arch.staff[4]} (Housing Options)",
                "1. Minutes of the last meeting were agreed.",
                f"2. The committee noted the complaints line {COUNCIL['phone']} and mailbox {COUNCIL['complaints']}.",
                f"3. Next meeting at {COUNCIL['address']}.",
            ],
            heading="Environment Committee minutes, 12 March 2014",
        )
    )
    arch.path("policies/data_protection_policy.txt").write_text(
        "Data protection policy\n\nThe council processes personal data lawfully. Contact the Data Protection "
        f"Officer at dpo@council.example.gov.uk or {COUNCIL['phone']}, {COUNCIL['address']}.\n"
        "Example of a fictitious record used in training: Joe Bloggs, NI QQ123456C.\n",
        encoding="utf-8",
    )


def write_all(arch: Archive, people: int) -> None:
    """Spend the people budget across the kinds in proportions like a borough archive's."""
    b = Budget(arch, people)
    shares = [
        (revenues, 0.16),
        (parking, 0.08),
        (social_care, 0.14),
        (canvass, 0.16),
        (complaints, 0.09),
        (licensing, 0.06),
        (hr, 0.08),
        (scanned, 0.04),
        (containers, 0.03),
    ]
    for fn, share in shares:
        fn(arch, b, max(3, int(people * share)))
    extras(arch)
