"""Read a scan's output folder (individuals.csv, summary.json, manifest.parquet) into the database.

The scanner is a separate library with a file contract, written down once in
:mod:`incidentroom.scanner.output.results`; this module reads the files only through it.
A malformed file is refused with the line and column named, and nothing is half-imported
(the caller runs this inside one transaction).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from incidentroom.breach.models import Appearance, ContactStatus, Individual, Risk, ScanJob
from incidentroom.core.emailaddr import normalise_or_keep
from incidentroom.core.errors import InvalidInput
from incidentroom.core.models import Organisation
from incidentroom.scanner.detect.vocab import CATEGORIES
from incidentroom.scanner.output import results
from incidentroom.scanner.policy import RiskPolicy

MAX_PROBLEMS_KEPT = 500


@dataclass
class ImportResult:
    """What one import added."""

    individuals: int
    appearances: int
    unknown_categories: list[str]


class _Attribution:
    """Maps a row's source roots to the controller organisations whose data they are."""

    def __init__(self, job: ScanJob) -> None:
        codes = {str(s.get("organisation") or "") for s in job.sources}
        by_code = {o.code: o for o in Organisation.objects.filter(code__in=codes)}
        self.default = job.breach.organisation
        self.by_index: dict[str, Organisation] = {}
        self.by_path: dict[str, Organisation] = {}
        for index, source in enumerate(job.sources):
            org = by_code.get(str(source.get("organisation") or ""), self.default)
            self.by_index[str(index)] = org
            self.by_path[str(source.get("path", "")).rstrip("/")] = org

    def __call__(self, roots: list[str]) -> list[Organisation]:
        found: dict[int, Organisation] = {}
        for root in roots:
            org = self.by_index.get(root) or self.by_path.get(root.rstrip("/"))
            if org is None:
                # A root we cannot place (an older scanner's labels): the breach's own controller.
                org = self.default
            found[org.pk] = org
        return list(found.values()) or [self.default]


def import_manifest(out_dir: Path) -> dict[str, Any]:
    """Files by status and the files not scanned (up to 500), from manifest.parquet."""
    path = out_dir / results.MANIFEST_PARQUET
    if not path.exists():
        return {}
    rows = results.read_manifest(path)
    by_status: dict[str, int] = {}
    problems: list[dict[str, str]] = []
    for row in rows:
        status = row.status or "unknown"
        by_status[status] = by_status.get(status, 0) + 1
        if status not in ("scanned", "duplicate") and len(problems) < MAX_PROBLEMS_KEPT:
            problems.append({"path": row.path, "status": status, "reason": row.reason})
    return {"by_status": by_status, "files": len(rows), "problems": problems}


def read_summary(out_dir: Path) -> dict[str, Any]:
    """summary.json, or an empty dict when the scanner wrote none."""
    path = out_dir / results.SUMMARY_JSON
    if not path.exists():
        return {}
    try:
        return results.read_summary(path)
    except results.ResultsError as exc:
        raise InvalidInput(exc.message, field=exc.field) from exc


DECEASED_REASON = "Deceased: the scanned records give a date of death (skipped by letters and emails)"


def import_results(job: ScanJob, out_dir: Path, *, batch_size: int = 2000) -> ImportResult:
    """Create the job's individuals and their appearances from ``out_dir`` (call inside a transaction)."""
    csv_path = out_dir / results.INDIVIDUALS_CSV
    if not csv_path.exists():
        raise InvalidInput(f"The scan wrote no {results.INDIVIDUALS_CSV} in {out_dir}.", field="individuals")
    try:
        return _import_rows(job, results.read_individuals(csv_path), batch_size)
    except results.ResultsError as exc:
        raise InvalidInput(exc.message, field=exc.field) from exc


def _import_rows(job: ScanJob, rows: Iterator[results.IndividualRow], batch_size: int) -> ImportResult:
    attribute = _Attribution(job)
    policy = RiskPolicy()
    known = set(CATEGORIES)
    unknown: set[str] = set()
    total_people = total_appearances = 0
    pending: list[tuple[Individual, tuple[str, ...], list[Organisation]]] = []
    for row in rows:
        unknown.update(c for c in row.categories if c not in known)
        cats = [c for c in CATEGORIES if c in set(row.categories)]
        risk = row.risk.strip().lower()
        if risk not in Risk.values:
            # An unreadable risk is recomputed with the default policy rather than guessed.
            risk = policy.level(cats)
        document_count = len(row.documents) if row.document_count is None else row.document_count
        person = Individual(
            scan=job,
            breach=job.breach,
            person_id=row.person_id[:64],
            full_name=row.full_name.strip()[:300],
            date_of_birth=row.date_of_birth,
            address=row.address.strip(),
            postcode=row.postcode.strip().upper()[:10],
            email=normalise_or_keep(row.email)[:254],
            phone=row.phone.strip()[:40],
            risk=risk,
            document_count=max(document_count, 0),
        )
        if row.deceased:
            # Letters and emails go to people still to notify: a family must not be
            # written to in the dead person's name unless someone decides so.
            person.deceased = True
            person.contact_status = ContactStatus.DO_NOT_CONTACT
            person.do_not_contact_reason = DECEASED_REASON
        person.set_categories(cats)
        pending.append((person, row.documents, attribute(list(row.source_roots))))
        if len(pending) >= batch_size:
            total_appearances += _flush(pending)
            total_people += len(pending)
            pending = []
    total_appearances += _flush(pending)
    total_people += len(pending)
    return ImportResult(
        individuals=total_people, appearances=total_appearances, unknown_categories=sorted(unknown)
    )


def _flush(pending: list[tuple[Individual, tuple[str, ...], list[Organisation]]]) -> int:
    if not pending:
        return 0
    created = Individual.objects.bulk_create([p for p, _d, _o in pending])
    through = Individual.organisations.through
    links = [
        through(individual_id=person.pk, organisation_id=org.pk)
        for person, (_p, _d, orgs) in zip(created, pending, strict=True)
        for org in orgs
    ]
    through.objects.bulk_create(links)
    # A document is its whole path: the scanner appends no location to it, so a '#' or
    # any other character in a file name is kept (minutes#2.docx stays minutes#2.docx).
    appearances = [
        Appearance(individual=person, path=path[:1000])
        for person, (_p, docs, _o) in zip(created, pending, strict=True)
        for path in docs
    ]
    Appearance.objects.bulk_create(appearances, batch_size=5000)
    return len(appearances)
