"""The decision log as CSV, and its check with no database (``incidentroom verify-log --csv``).

The export's purpose is that the hash chain can be checked outside the system, so every row
carries exactly what was hashed: the UTC time texts, the author label, the text, and the
link ids the hash uses (``organisation_ids`` ...). The codes and names next to them (and
``author_name``, the person's name, role and council next to the hashed login name) are for
people and are not checked. Cells go through the one formula guard, which is exactly
reversible, so reading a cell back gives the hashed value byte for byte.

Standard library only: the check runs on a machine with no Django and no database.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from incidentroom import csvfile
from incidentroom.incidents.hashchain import Break, Record, canonical_ids, check

# What was hashed, then the stored hashes; then columns for people (not verified).
HASHED = (
    "incident",
    "sequence",
    "kind",
    "author",
    "occurred_at",
    "recorded_at",
    "text",
    "organisation_ids",
    "system_ids",
    "service_ids",
    "corrects_id",
    "previous_hash",
    "entry_hash",
)
# author_name is the person as people know them (name, role, council); "author" is the login
# name that was hashed, kept so the export still checks.
READABLE = ("organisations", "systems", "corrects_sequence", "author_name")
COLUMNS = HASHED + READABLE
ID_SEPARATOR = ";"


def _ids(values: Iterable[int]) -> str:
    return ID_SEPARATOR.join(str(i) for i in canonical_ids(values))


def row(
    record: Record,
    *,
    organisations: Sequence[str] = (),
    systems: Sequence[str] = (),
    corrects_sequence: int | None = None,
    author_name: str = "",
) -> list[object]:
    """One CSV row: the hashed values of ``record``, then readable labels."""
    return [
        record.incident,
        record.sequence,
        record.kind,
        record.author,
        record.occurred_at,
        record.recorded_at,
        record.text,
        _ids(record.organisations),
        _ids(record.systems),
        _ids(record.services),
        "" if record.corrects is None else record.corrects,
        record.previous_hash,
        record.entry_hash,
        ID_SEPARATOR.join(organisations),
        ID_SEPARATOR.join(systems),
        "" if corrects_sequence is None else corrects_sequence,
        author_name or record.author,
    ]


class ExportError(ValueError):
    """The file is not a log export this version can read (named line and column)."""


def _int(value: str, line: int, column: str) -> int:
    try:
        return int(value)
    except ValueError as exc:
        raise ExportError(f"line {line}: {column} {value!r} is not a whole number") from exc


def _id_list(value: str, line: int, column: str) -> tuple[int, ...]:
    if not value:
        return ()
    # Kept as written (not re-canonicalised) so a hand-edited duplicate shows as a mismatch.
    return tuple(_int(v, line, column) for v in value.split(ID_SEPARATOR))


def read(path: Path) -> list[Record]:
    """The records of an export, as they were hashed."""
    with csvfile.open_for_reading(path) as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in HASHED if c not in (reader.fieldnames or [])]
        if missing:
            raise ExportError(f"not a decision log export: missing column(s) {', '.join(missing)}")
        out: list[Record] = []
        for raw in reader:
            line = reader.line_num
            cells = csvfile.unguard_row(raw)
            out.append(
                Record(
                    incident=cells["incident"],
                    sequence=_int(cells["sequence"], line, "sequence"),
                    kind=cells["kind"],
                    author=cells["author"],
                    occurred_at=cells["occurred_at"],
                    recorded_at=cells["recorded_at"],
                    text=cells["text"],
                    organisations=_id_list(cells["organisation_ids"], line, "organisation_ids"),
                    systems=_id_list(cells["system_ids"], line, "system_ids"),
                    services=_id_list(cells["service_ids"], line, "service_ids"),
                    corrects=_int(cells["corrects_id"], line, "corrects_id")
                    if cells["corrects_id"]
                    else None,
                    previous_hash=cells["previous_hash"],
                    entry_hash=cells["entry_hash"],
                )
            )
    return out


@dataclass(frozen=True)
class FileReport:
    """Result of checking one export file."""

    incidents: tuple[str, ...]
    entries: int
    breaks: tuple[Break, ...]
    complete: bool
    head_sequence: int | None
    head_hash: str | None

    @property
    def ok(self) -> bool:
        """No broken entry."""
        return not self.breaks


def verify_file(path: Path) -> FileReport:
    """Check every row of an export; a filtered export (gaps) is checked row by row and link by link."""
    records = read(path)
    incidents = tuple(sorted({r.incident for r in records}))
    breaks: list[Break] = []
    complete = True
    for incident in incidents:
        mine = sorted((r for r in records if r.incident == incident), key=lambda r: r.sequence)
        whole = [r.sequence for r in mine] == list(range(1, len(mine) + 1))
        complete = complete and whole
        breaks += check(mine, complete=whole)
    head = max(records, key=lambda r: r.sequence) if len(incidents) == 1 and records else None
    return FileReport(
        incidents,
        len(records),
        tuple(breaks),
        complete,
        head.sequence if head else None,
        head.entry_hash if head else None,
    )


def report_lines(path: Path, report: FileReport) -> list[str]:
    """What ``verify-log --csv`` prints: one line per broken entry, or one OK line."""
    name = ", ".join(report.incidents) or "(no entries)"
    if report.ok:
        scope = "the whole log" if report.complete else "a filtered export: each row and each adjacent link"
        head = f"; last entry #{report.head_sequence} {report.head_hash}" if report.head_sequence else ""
        return [f"{path}: {name}: OK, {report.entries} entries checked ({scope}){head}"]
    return [f"{path}: {name}: BROKEN at entry #{b.sequence}: {b.problem}" for b in report.breaks] + [
        f"{path}: {len({b.sequence for b in report.breaks})} broken entries of {report.entries}"
    ]


def main(paths: Sequence[str], write: Callable[[str], object] = print) -> int:
    """Check export files with no database; 0 when all are intact, 1 when any entry is broken, 2 when unreadable."""
    status = 0
    for name in paths:
        path = Path(name)
        try:
            report = verify_file(path)
        except (OSError, ExportError, UnicodeDecodeError, csv.Error) as exc:
            write(f"{path}: cannot be checked: {exc}")
            status = max(status, 2)
            continue
        for line in report_lines(path, report):
            write(line)
        if not report.ok:
            status = max(status, 1)
    return status
