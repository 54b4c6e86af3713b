"""Art 34 letters by mail merge: one plain-English letter per person, naming only their data.

The letter is built from two things only: the breach facts (shared by everyone) and the
one individual's own record. Nothing else about anyone else can reach it, by construction.
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

import pypdfium2 as pdfium
from django.db.models import QuerySet
from django.utils import timezone

from incidentroom import csvfile
from incidentroom.breach import categories as cat
from incidentroom.breach.models import Breach, Individual
from incidentroom.breach.reports.document import Document, Section
from incidentroom.breach.reports.render_pdf import layout_many, render_pdf_many
from incidentroom.core import times

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
GENERAL_ADVICE = (
    "Be suspicious of anyone who contacts you about this incident and asks for passwords, bank details or payment: "
    "the council will never do that.",
    "If you think you have been the victim of fraud, contact Report Fraud on 0300 123 2040.",
)


def letter_reference(breach: Breach, individual: Individual) -> str:
    """A reference the resident can quote when they call."""
    return f"{breach.organisation.code.upper()}-{breach.incident.reference}-{individual.pk}"


def address_lines(individual: Individual) -> list[str]:
    """Name, address lines and postcode for the envelope window."""
    parts = [p.strip() for p in re.split(r"[,\n]", individual.address or "") if p.strip()]
    postcode = individual.postcode.strip().upper()
    if postcode and parts and parts[-1].replace(" ", "").upper() == postcode.replace(" ", ""):
        parts = parts[:-1]
    lines = [individual.full_name or "The Occupier", *parts]
    if postcode:
        lines.append(postcode)
    return lines


def _what_happened(breach: Breach) -> list[str]:
    org = breach.organisation.name
    aware = times.uk_time(breach.became_aware_at, "date")
    data_sets = breach.data_set_list()
    where = f" from {', '.join(data_sets)}" if data_sets else ""
    text = [
        f"We are writing to tell you that information about you was copied without permission{where}. "
        f"{org} found out about this on {aware}, during a cyber attack on IT systems shared with other councils.",
    ]
    if breach.description.strip():
        text.append(breach.description.strip())
    return text


def build_letter(breach: Breach, individual: Individual, *, greeting: bool = True) -> Document:
    """One person's letter (also the body of their email)."""
    org = breach.organisation
    own = cat.ordered(individual.category_list())
    involved = [cat.TEXT[c].resident for c in own]
    risks = list(dict.fromkeys(cat.TEXT[c].risk for c in own if cat.TEXT[c].risk))
    advice = [a for c in own for a in cat.TEXT[c].advice]
    sender = [org.name, org.dpo_name or "Data Protection Officer"]
    sender += [x for x in (org.dpo_email, org.dpo_phone) if x]
    contact = ", ".join(
        x for x in (org.dpo_name or "our Data Protection Officer", org.dpo_email, org.dpo_phone) if x
    )
    sections = [
        Section("What happened", paragraphs=_what_happened(breach)),
        Section(
            "What information about you was involved",
            paragraphs=["The copied files included:"],
            bullets=involved or ["your name"],
        ),
        Section(
            "What this could mean for you",
            paragraphs=risks or ["We do not think this puts you at risk of harm, but wanted you to know."],
        ),
        Section(
            "What we are doing",
            paragraphs=[
                breach.measures_taken.strip()
                or "We have secured our systems, reported the attack to the police, the National Cyber "
                "Security Centre and the Information Commissioner's Office, and are working with them."
            ],
        ),
        Section("What you should do", bullets=[*advice, *GENERAL_ADVICE]),
        Section(
            "Questions",
            paragraphs=[
                f"Please contact {contact}, quoting reference {letter_reference(breach, individual)}.",
                ICO_COMPLAINTS,
            ],
        ),
    ]
    return Document(
        title="Important: information about you was taken in a cyber attack",
        address=address_lines(individual),
        sender=sender,
        date=times.uk_time(timezone.now(), "date"),
        greeting=f"Dear {individual.full_name or 'resident'}," if greeting else "",
        sections=sections,
        footer=f"Reference {letter_reference(breach, individual)}. {org.name}.",
    )


def _postcode_key(individual: Individual) -> tuple[str, str, int]:
    # Print houses sort by postcode for postage discounts; letters with no postcode go last.
    postcode = individual.postcode.replace(" ", "").upper()
    return (postcode or "~", individual.full_name, individual.pk)


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
        ((postcode or "").replace(" ", "").upper() or "~", full_name, pk)
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
