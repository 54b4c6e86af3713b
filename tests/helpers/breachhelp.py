"""Helpers shared by the breach tests: scanner outputs written by hand (the importer's file
contract) and imported individuals with known, deliberately disjoint categories."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pypdfium2 as pdfium
from docx import Document as read_docx

from incidentroom import csvfile
from incidentroom.breach import categories as cat
from incidentroom.scanner.detect.vocab import CATEGORIES
from incidentroom.scanner.output.results import INDIVIDUAL_COLUMNS

if TYPE_CHECKING:
    from incidentroom.breach.models import Breach

# The scanner's own output schema: the helper writes exactly what a scan would.
FIELDS = list(INDIVIDUAL_COLUMNS)

# Three people with deliberately disjoint sensitive data, so a leak between letters shows.
# documents are paths as the scanner writes them: the path alone, ';' between documents.
PEOPLE: list[dict[str, str]] = [
    {
        "person_id": "P0001",
        "full_name": "Alice Ashdown",
        "date_of_birth": "1961-04-02",
        "address": "12 Abbey Road, London",
        "postcode": "W8 4AA",
        "email": "alice@example.org",
        "phone": "020 7000 0001",
        "categories": "name;address;email;bank_account",
        "risk": "high",
        "documents": "2009/permits.xlsx;2012/letter-0001.docx",
    },
    {
        "person_id": "P0002",
        "full_name": "Bashir Bello",
        "date_of_birth": "1975-09-30",
        "address": "3 Brook Street, London",
        "postcode": "SW10 9BB",
        "email": "bashir@example.org",
        "phone": "",
        "categories": "name;address;email;health;national_insurance_number",
        "risk": "high",
        "documents": "2015/case-notes.pdf",
    },
    {
        "person_id": "P0003",
        "full_name": "Cora Cole",
        "date_of_birth": "",
        "address": "7 Cedar Close, London",
        "postcode": "W11 1CC",
        "email": "",
        "phone": "07700 900003",
        "categories": "name;address;phone",
        "risk": "low",
        "documents": "2018/contacts.csv",
    },
    {
        "person_id": "P0004",
        "full_name": "Dev Dhillon",
        "date_of_birth": "1990-01-15",
        "address": "1 Dene Gardens, London",
        "postcode": "NW1 1DD",
        "email": "dev@example.org",
        "phone": "",
        "categories": "name;date_of_birth;email;passport_number;payment_card",
        "risk": "high",
        "documents": "2019/passports.xlsx",
    },
]


# What residents are told, written by the DPO for them (the fixtures' breach approves it).
RESIDENT_WORDING = {
    "resident_what_happened": "In November criminals broke into the council's computers and copied old files.",
    "resident_what_it_means": "Most people's files hold only everyday details.",
    "resident_what_we_are_doing": "We have locked the criminals out and told the police.",
    "resident_what_you_can_do": "Our helpline is open every day from 8am to 8pm.",
}


def approve_wording(breach: Breach, actor: Any, **wording: str) -> Breach:
    """Write the resident wording and approve it, as the DPO does after the preview."""
    from incidentroom.breach import actions, resident

    breach = actions.save_wording(breach, actor=actor, **{**RESIDENT_WORDING, **wording})
    approved: Breach = actions.approve_wording(breach, actor=actor, wording=resident.wording_hash(breach))
    return approved


def write_outputs(out_dir: Path, people: list[dict[str, str]], roots: list[str], *, records: int = 9) -> Path:
    """Write individuals.csv and summary.json the way the scanner does."""
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    for p in people:
        docs = p.get("documents", "")
        row = {
            **{k: p.get(k, "") for k in FIELDS},
            "document_count": len(docs.split(";")) if docs else 0,
            "source_roots": p.get("source_roots", roots[0]),
        }
        rows.append([row.get(k, "") for k in FIELDS])
    csvfile.write_file(out_dir / "individuals.csv", FIELDS, rows)
    (out_dir / "summary.json").write_text(
        json.dumps(
            {"complete": True, "records": records, "ico": {"approximate_personal_data_records": records}}
        )
    )
    return out_dir


def import_people(
    breach: Any,
    actor: Any,
    evidence: Path,
    people: list[dict[str, str]] | None = None,
    sources: list[tuple[str, str]] | None = None,
) -> Any:
    """Start a scan job through the action, then complete it from hand-written outputs."""
    from incidentroom.breach import actions
    from incidentroom.core.models import Organisation

    folders = sources or [("archive", "RBKC")]
    srcs = []
    for name, code in folders:
        (evidence / name).mkdir(exist_ok=True)
        srcs.append(actions.ScanSource(str(evidence / name), Organisation.objects.get(code=code)))
    job = actions.start_scan(breach, actor=actor, sources=srcs)
    actions.scan_started(job.pk, job.run_token)
    job.refresh_from_db()
    out = write_outputs(
        Path(job.out_dir), people if people is not None else PEOPLE, [s["path"] for s in job.sources]
    )
    return actions.complete_scan(job, out)


def pdf_text(data: bytes) -> str:
    """All text of a PDF, pages joined."""
    pdf = pdfium.PdfDocument(data)
    try:
        pages = []
        for page in pdf:
            textpage = page.get_textpage()
            pages.append(textpage.get_text_range())
            textpage.close()
            page.close()
        return "\n".join(pages)
    finally:
        pdf.close()


def docx_text(data: bytes) -> str:
    """All paragraph and table text of a DOCX."""
    doc = read_docx(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.append(" ".join(c.text for c in row.cells))
    return "\n".join(parts)


def flat(text: str) -> str:
    """Whitespace collapsed (PDF text breaks lines anywhere)."""
    return " ".join(text.split())


BY_ID = {p["person_id"]: p for p in PEOPLE}


def identifying(person: dict[str, str]) -> list[str]:
    """Strings that would identify this person if they appeared in someone else's letter."""
    values = [
        person["full_name"],
        person["address"].split(",")[0],
        person["postcode"],
        person["email"],
        person["phone"],
    ]
    return [v for v in values if v]


def assert_only_own_data(text: str, person_id: str) -> None:
    """The letter names this person's categories and nothing of anyone else."""
    me = BY_ID[person_id]
    mine = set(me["categories"].split(";"))
    collapsed = flat(text)
    assert me["full_name"] in collapsed
    for category in CATEGORIES:
        phrase = cat.TEXT[category].resident
        if category in mine:
            assert phrase in collapsed, (person_id, category)
        else:
            assert phrase not in collapsed, (person_id, "names someone else's category", category)
    for other_id, other in BY_ID.items():
        if other_id != person_id:
            for value in identifying(other):
                assert value not in collapsed, (person_id, "holds another person's data", value)


def close_response(response: Any) -> None:
    """Close a (possibly streaming) test response the way Django's test client does.

    A FileResponse holds an open file until closed, and closing it fires request_finished,
    whose close_old_connections handler would close the test's own database connection.
    """
    from django.core.signals import request_finished
    from django.db import close_old_connections

    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


def make_letters(breach: Any, actor: Any, risks: list[str] | None = None) -> Any:
    """Generate a letter batch and render it, as the worker would."""
    from incidentroom.breach import actions

    batch = actions.generate_letters(breach, actor=actor, risks=risks)
    actions.render_letters(batch.pk)
    batch.refresh_from_db()
    return batch


AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core (from npm) in the page and return its WCAG 2.2 AA violations."""
    # Evaluated through the DevTools protocol: the page's CSP (no inline scripts) does not apply.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG)
    return [{"id": v["id"], "nodes": [n["target"] for n in v["nodes"]]} for v in result["violations"]]
