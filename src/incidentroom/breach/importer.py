"""Read a scan's output folder (individuals.csv, summary.json, manifest.parquet) into the database.

The scanner is a separate library with a file contract; this module is the only place that
knows that contract on the web side. A malformed file is refused with the line and column
named, and nothing is half-imported (the caller runs this inside one transaction).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from incidentroom import csvfile
from incidentroom.breach.models import Appearance, ContactStatus, Individual, Risk, ScanJob
from incidentroom.core.emailaddr import normalise_or_keep
from incidentroom.core.errors import InvalidInput
from incidentroom.core.models import Organisation
from incidentroom.scanner.detect.vocab import CATEGORIES
from incidentroom.scanner.policy import RiskPolicy

REQUIRED_COLUMNS = ("person_id", "full_name", "categories", "risk")
MAX_PROBLEMS_KEPT = 500
# Scanner rows can be long (many documents); raise the csv module's 128 KB field limit.
csv.field_size_limit(64 * 1024 * 1024)


@dataclass
class ImportResult:
    """What one import added."""

    individuals: int
    appearances: int
    unknown_categories: list[str]


def _split(value: str | None) -> list[str]:
    return [p.strip() for p in (value or "").split(";") if p.strip()]


def _date(value: str | None, line: int) -> dt.date | None:
    if not value or not value.strip():
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError as exc:
        raise InvalidInput(
            f"individuals.csv line {line}: date_of_birth {value!r} is not YYYY-MM-DD.", field="date_of_birth"
        ) from exc


def _appearance(document: str) -> tuple[str, str]:
    # A document may carry its location after '#' (page=3, sheet=People;row=12).
    path, _, location = document.partition("#")
    return path[:1000], location[:200]


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
    path = out_dir / "manifest.parquet"
    if not path.exists():
        return {}
    import pyarrow.parquet as pq

    table = pq.read_table(
        path, columns=[c for c in ("path", "status", "reason") if c in pq.read_schema(path).names]
    )
    rows = table.to_pylist()
    by_status: dict[str, int] = {}
    problems: list[dict[str, str]] = []
    for row in rows:
        status = str(row.get("status") or "unknown")
        by_status[status] = by_status.get(status, 0) + 1
        if status not in ("scanned", "duplicate") and len(problems) < MAX_PROBLEMS_KEPT:
            problems.append(
                {"path": str(row.get("path", "")), "status": status, "reason": str(row.get("reason") or "")}
            )
    return {"by_status": by_status, "files": len(rows), "problems": problems}


def read_summary(out_dir: Path) -> dict[str, Any]:
    """summary.json, or an empty dict when the scanner wrote none."""
    path = out_dir / "summary.json"
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"summary.json is not valid JSON: {exc}", field="summary") from exc
    return data if isinstance(data, dict) else {}


DECEASED_REASON = "Deceased: the scanned records give a date of death (skipped by letters and emails)"


def _yes(value: str | None) -> bool:
    """A true ``deceased`` cell ('yes', 'true', '1')."""
    return (value or "").strip().lower() in ("yes", "y", "true", "1", "deceased")


def import_results(job: ScanJob, out_dir: Path, *, batch_size: int = 2000) -> ImportResult:
    """Create the job's individuals and their appearances from ``out_dir`` (call inside a transaction)."""
    csv_path = out_dir / "individuals.csv"
    if not csv_path.exists():
        raise InvalidInput(f"The scan wrote no individuals.csv in {out_dir}.", field="individuals")
    attribute = _Attribution(job)
    policy = RiskPolicy()
    known = set(CATEGORIES)
    unknown: set[str] = set()
    total_people = total_appearances = 0
    seen: set[str] = set()
    with csv_path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise InvalidInput(
                f"individuals.csv is missing the column(s): {', '.join(missing)}.", field="individuals"
            )
        pending: list[tuple[Individual, list[str], list[Organisation]]] = []
        for raw in reader:
            line = reader.line_num
            # The scanner writes through the formula guard; undo it so names are stored as found.
            row = {key: csvfile.unguard(value or "") for key, value in raw.items() if key is not None}
            person_id = (row.get("person_id") or "").strip()
            if not person_id:
                raise InvalidInput(f"individuals.csv line {line}: person_id is empty.", field="person_id")
            if person_id in seen:
                raise InvalidInput(
                    f"individuals.csv line {line}: person_id {person_id!r} appears twice.", field="person_id"
                )
            seen.add(person_id)
            cats = _split(row.get("categories"))
            unknown.update(c for c in cats if c not in known)
            cats = [c for c in CATEGORIES if c in set(cats)]
            risk = (row.get("risk") or "").strip().lower()
            if risk not in Risk.values:
                # An unreadable risk is recomputed with the default policy rather than guessed.
                risk = policy.level(cats)
            documents = _split(row.get("documents"))
            try:
                document_count = int(row.get("document_count") or len(documents))
            except ValueError as exc:
                raise InvalidInput(
                    f"individuals.csv line {line}: document_count must be a whole number.",
                    field="document_count",
                ) from exc
            person = Individual(
                scan=job,
                breach=job.breach,
                person_id=person_id[:64],
                full_name=(row.get("full_name") or "").strip()[:300],
                date_of_birth=_date(row.get("date_of_birth"), line),
                address=(row.get("address") or "").strip(),
                postcode=(row.get("postcode") or "").strip().upper()[:10],
                email=normalise_or_keep(row.get("email") or "")[:254],
                phone=(row.get("phone") or "").strip()[:40],
                risk=risk,
                document_count=max(document_count, 0),
            )
            if _yes(row.get("deceased")):
                # Letters and emails go to people still to notify: a family must not be
                # written to in the dead person's name unless someone decides so.
                person.deceased = True
                person.contact_status = ContactStatus.DO_NOT_CONTACT
                person.do_not_contact_reason = DECEASED_REASON
            person.set_categories(cats)
            pending.append((person, documents, attribute(_split(row.get("source_roots")))))
            if len(pending) >= batch_size:
                total_appearances += _flush(pending)
                total_people += len(pending)
                pending = []
        total_appearances += _flush(pending)
        total_people += len(pending)
    return ImportResult(
        individuals=total_people, appearances=total_appearances, unknown_categories=sorted(unknown)
    )


def _flush(pending: list[tuple[Individual, list[str], list[Organisation]]]) -> int:
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
    appearances = [
        Appearance(individual=person, path=path, location=location)
        for person, (_p, docs, _o) in zip(created, pending, strict=True)
        for path, location in map(_appearance, docs)
    ]
    Appearance.objects.bulk_create(appearances, batch_size=5000)
    return len(appearances)
