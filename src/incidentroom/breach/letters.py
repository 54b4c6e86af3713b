"""Art 34 letters by mail merge: one plain-English letter per person, naming only their data.

The letter is built from three things only: the DPO's approved resident wording (shared by
everyone; see ``breach.resident``), the council's letterhead, and the one individual's own
record. Nothing about anyone else, and nothing from the internal assessment, can reach it.
"""

from __future__ import annotations

import re
import shutil
import subprocess  # noqa: S404 - qpdf joins the print file's parts
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import phonenumbers
import pypdfium2 as pdfium
from django.db.models import QuerySet
from django.utils import timezone

from incidentroom import csvfile
from incidentroom.breach import categories as cat
from incidentroom.breach import resident
from incidentroom.breach.models import Breach, Individual
from incidentroom.breach.reports.document import Document, Section
from incidentroom.breach.reports.render_pdf import layout_many, render_pdf_many
from incidentroom.core import times
from incidentroom.core.models import Organisation

ICO_COMPLAINTS = (
    "You can complain to the Information Commissioner's Office: ico.org.uk/make-a-complaint or 0303 123 1113."
)
PRINT_HOUSE_COLUMNS = (
    "reference",
    "name",
    "address_line_1",
    "address_line_2",
    "address_line_3",
    "address_line_4",
    "postcode",
    "letter_file",
    "print_file_order",
)
TITLE = "Important: information about you was taken in a cyber attack"


def letter_reference(breach: Breach, individual: Individual) -> str:
    """A reference the resident can quote when they call."""
    return f"{breach.organisation.code.upper()}-{breach.incident.reference}-{individual.pk or 'SAMPLE'}"


def _squeezed(text: str) -> str:
    return text.replace(" ", "").upper()


def address_lines(individual: Individual) -> list[str]:
    """Name, address lines and postcode for the envelope window (the postcode once, last,
    even when the address as found already ends with it)."""
    postcode = individual.postcode.strip().upper()
    parts = [p.strip() for p in re.split(r"[,\n]", individual.address or "") if p.strip()]
    if postcode and parts:
        last = parts[-1]
        if _squeezed(last) == _squeezed(postcode):
            parts = parts[:-1]
        elif _squeezed(last).endswith(_squeezed(postcode)):
            # 'London W8 4AA': keep the town, drop the postcode written into the line.
            cut = re.sub(
                r"\s*" + r"\s*".join(map(re.escape, _squeezed(postcode))) + r"\s*$", "", last, flags=re.I
            )
            parts = [*parts[:-1], cut] if cut.strip() else parts[:-1]
    lines = [individual.full_name or "The Occupier", *parts]
    if postcode:
        lines.append(postcode)
    return lines


def display_address(individual: Individual) -> str:
    """The address on one line with its postcode once (for pages)."""
    return ", ".join(address_lines(individual)[1:])


def national_phone(raw: str) -> str:
    """A UK number written the national way (020 7361 3000, 07700 900123), whatever form the
    scan found it in (+44 (0)20..., 02073613000); anything not a valid number as found."""
    text = (raw or "").strip()
    if not text:
        return ""
    try:
        number = phonenumbers.parse(text, "GB")
    except phonenumbers.NumberParseException:
        return text
    if not phonenumbers.is_valid_number(number):
        return text
    fmt = phonenumbers.PhoneNumberFormat
    return str(
        phonenumbers.format_number(number, fmt.NATIONAL if number.country_code == 44 else fmt.INTERNATIONAL)
    )


def council_lines(org: Organisation) -> list[str]:
    """The council's own address block: postal address, a telephone number, website.

    The number is the incident helpline when the council has one: the switchboard is usually
    one of the lines the attack took down, and a resident calls the number in the letterhead."""
    lines = [line.strip() for line in (org.postal_address or "").splitlines() if line.strip()]
    if org.resident_helpline:
        lines.append(f"Helpline {national_phone(org.resident_helpline)}")
    elif org.main_phone:
        lines.append(f"Telephone {org.main_phone}")
    if org.website:
        lines.append(org.website)
    return lines


def helpline_lines(org: Organisation) -> list[str]:
    """The incident helpline, when the council has one: the switchboard in the letterhead may
    be one of the lines the attack took down, so it is never offered as the helpline."""
    if not org.resident_helpline:
        return []
    return [
        f"If you have questions, call our helpline for this incident on {national_phone(org.resident_helpline)}."
    ]


def dpo_contact(org: Organisation) -> str:
    """How a resident reaches the Data Protection Officer: name, email and, only when the
    council has no incident helpline, the DPO's phone (a desk number on the council's own
    lines, which the attack may have taken down; the helpline is given instead)."""
    phone = "" if org.resident_helpline else org.dpo_phone
    who = ", ".join(
        x
        for x in (
            f"{org.dpo_name}, our Data Protection Officer" if org.dpo_name else "our Data Protection Officer",
            org.dpo_email,
            phone,
        )
        if x
    )
    address = ", ".join(line.strip() for line in (org.postal_address or "").splitlines() if line.strip())
    # The email has no address block, so the postal address is written out here.
    return f"{who}, or write to {org.name}, {address}" if address else who


def signoff(org: Organisation) -> list[str]:
    """Who signs: the council's signatory, else its Data Protection Officer."""
    name = org.signatory_name or org.dpo_name or "Data Protection Officer"
    title = org.signatory_title or ("Data Protection Officer" if not org.signatory_name else "")
    return ["Yours sincerely,", "", name, *([title] if title else []), org.name]


def build_letter(breach: Breach, individual: Individual, *, greeting: bool = True) -> Document:
    """One person's letter (also the body of their email).

    Built from the DPO's resident wording (``breach.resident``), the person's own categories
    with their fixed plain-English text, and the council's letterhead: never from the
    internal assessment (description, data sets, measures), which is written for regulators.
    """
    org = breach.organisation
    words = resident.text_for(breach)
    own = cat.ordered(individual.category_list())
    involved = [cat.TEXT[c].resident for c in own]
    risks = list(dict.fromkeys(cat.TEXT[c].risk for c in own if cat.TEXT[c].risk))
    reference = letter_reference(breach, individual)
    sections = [
        Section("What happened", paragraphs=words.what_happened),
        Section(
            "What information about you was involved",
            paragraphs=["The copied files included:"],
            bullets=involved or ["your name"],
        ),
        Section(
            "What this could mean for you",
            paragraphs=[*words.what_it_means, *risks]
            or ["We do not think this puts you at risk of harm, but wanted you to know."],
        ),
        Section("What we are doing", paragraphs=words.what_we_are_doing),
        Section("What you can do", paragraphs=words.what_you_can_do, bullets=cat.advice_for(own)),
        Section(
            "Questions",
            paragraphs=[
                *helpline_lines(org),
                # Two routes, so say which is for what: the helpline for questions, the DPO
                # for what the council holds and a resident's data protection rights.
                f"To ask what information we hold about you, or to use your data protection rights, "
                f"contact {dpo_contact(org)}, quoting reference {reference}.",
                ICO_COMPLAINTS,
            ],
        ),
    ]
    return Document(
        title=TITLE,
        letterhead=org.name,
        address=address_lines(individual),
        sender=[*council_lines(org), "", f"Our reference: {reference}"],
        date=times.gov_date(timezone.now()),
        greeting=f"Dear {individual.full_name or 'resident'}," if greeting else "",
        sections=sections,
        signoff=signoff(org),
        footer=f"Reference {reference}. {org.name}.",
    )


# -- print order ---------------------------------------------------------------------------

_POSTCODE = re.compile(r"^([A-Z]{1,2})(\d{1,2})([A-Z]?)(\d)([A-Z]{2})$")


def postcode_sort_key(postcode: str) -> tuple[int, str, int, str, int, str]:
    """Royal Mail order: postcode area (letters), district number as a number (W2 before
    W10), the district's letter (SW1A after SW1), then the inward code's sector and unit.
    A malformed postcode sorts after every real one, by its text; a missing one last."""
    compact = _squeezed(postcode or "")
    if not compact:
        return (2, "", 0, "", 0, "")
    found = _POSTCODE.match(compact)
    if found is None:
        return (1, compact, 0, "", 0, "")
    area, district, letter, sector, unit = found.groups()
    return (0, area, int(district), letter, int(sector), unit)


def _postcode_key(individual: Individual) -> tuple[object, ...]:
    # Print houses sort by postcode for postage discounts; letters with no postcode go last.
    return (postcode_sort_key(individual.postcode), individual.full_name, individual.pk)


def letter_filename(breach: Breach, individual: Individual) -> str:
    """The person's letter file within a batch."""
    return f"{letter_reference(breach, individual)}.pdf"


def sort_for_post(individuals: Iterable[Individual]) -> list[Individual]:
    """People in print-run order (postcode)."""
    return sorted(individuals, key=_postcode_key)


# Letters typeset together as one part of the print run. A part's layout is the largest
# thing held in memory, so memory stays flat however many letters the batch holds; parts
# of this size keep the per-document overhead (fonts, subsetting) small. bench/letters.py
# measures it.
LETTERS_PER_PART = 100


def _print_order(people: QuerySet[Individual]) -> list[int]:
    # Only three short columns per person are held, not the people themselves.
    keys = [
        (postcode_sort_key(postcode or ""), full_name, pk)
        for postcode, full_name, pk in people.values_list("postcode", "full_name", "pk")
    ]
    return [pk for _postcode, _name, pk in sorted(keys)]


def _print_house_row(breach: Breach, person: Individual, name: str, order: int) -> list[object]:
    lines = address_lines(person)[1:]
    if person.postcode:
        lines = lines[:-1]
    lines = [*lines[:3], ", ".join(lines[3:])] if len(lines) > 4 else lines + [""] * (4 - len(lines))
    return [letter_reference(breach, person), person.full_name, *lines, person.postcode.upper(), name, order]


def _letter_pages(laid: Any, count: int) -> list[range]:
    """The page range of each letter in a laid-out part (letter n's section is ``doc-n``)."""
    starts: dict[int, int] = {}
    for number, page in enumerate(laid.pages):
        for anchor in page.anchors:
            # A letter's section is anchored on every page it spans: the first one counts.
            if anchor.startswith("doc-"):
                starts.setdefault(int(anchor[4:]), number)
    if sorted(starts) != list(range(count)):
        raise RuntimeError(
            f"Letters missing from the laid-out part: {sorted(set(range(count)) - set(starts))}"
        )
    firsts = [starts[n] for n in range(count)]
    ends = [*firsts[1:], len(laid.pages)]
    return [range(start, end) for start, end in zip(firsts, ends, strict=True)]


def _join_parts(parts: list[Path], target: Path) -> None:
    """The print file: the parts joined by qpdf, in its own process, reading pages from the
    parts on disk, so the worker never holds the whole run."""
    if len(parts) == 1:
        parts[0].replace(target)
        return
    tool = shutil.which("qpdf")
    if tool is None:
        raise RuntimeError("qpdf is not installed (make system-packages installs it).")
    subprocess.run(  # noqa: S603 - fixed program, arguments are our own file names
        [tool, "--empty", "--pages", *map(str, parts), "--", str(target)], check=True, capture_output=True
    )


def write_batch(breach: Breach, people: QuerySet[Individual], directory: Path) -> int:
    """Write every letter, the combined print file, the print-house CSV and a zip; return
    how many letters were written.

    Streamed: people are fetched, typeset and written one part at a time (one layout per
    part, each letter's file cut from it), the CSV and the zip are appended to as parts
    finish, and the print file is joined from the parts at the end.
    """
    order = _print_order(people)
    letters_dir = directory / "letters"
    letters_dir.mkdir(parents=True, exist_ok=True)
    parts_dir = Path(tempfile.mkdtemp(prefix=".parts-", dir=directory))
    parts: list[Path] = []
    written = 0
    try:
        with (
            (directory / "print-house.csv").open("w", encoding="utf-8", newline="") as csv_file,
            zipfile.ZipFile(directory / "letters.zip", "w", compression=zipfile.ZIP_DEFLATED) as archive,
        ):
            # The one CSV writer: a resident's name or address starting with = + - @ reaches
            # the print house's spreadsheet as text, and the file opens as UTF-8 in Excel.
            writer = csvfile.Writer(csv_file)
            writer.row(PRINT_HOUSE_COLUMNS)
            for start in range(0, len(order), LETTERS_PER_PART):
                chunk = order[start : start + LETTERS_PER_PART]
                found = Individual.objects.in_bulk(chunk)
                batch = [found[pk] for pk in chunk]
                laid = layout_many(
                    [build_letter(breach, person) for person in batch],
                    title="Art 34 letters, sorted by postcode",
                )
                part = parts_dir / f"part-{len(parts):06d}.pdf"
                laid.write_pdf(part)
                parts.append(part)
                source = pdfium.PdfDocument(part)
                try:
                    for person, pages in zip(batch, _letter_pages(laid, len(batch)), strict=True):
                        name = letter_filename(breach, person)
                        letter = pdfium.PdfDocument.new()
                        letter.import_pages(source, pages=list(pages))
                        letter.save(letters_dir / name)
                        letter.close()
                        archive.write(letters_dir / name, arcname=name)
                        written += 1
                        writer.row(_print_house_row(breach, person, name, written))
                finally:
                    source.close()
                del laid, found, batch
        if not parts:
            (directory / "print-file.pdf").write_bytes(render_pdf_many([], title="Art 34 letters"))
        else:
            _join_parts(parts, directory / "print-file.pdf")
    finally:
        shutil.rmtree(parts_dir, ignore_errors=True)
    return written
