"""The scan's output contract, written down once: file names, columns, schemas and typed readers.

The writers (:mod:`.outputs`) and every reader outside the scanner (the web app's importer,
the tests, a script) take the names from here, so a column cannot be renamed on one side
only. The readers check what the file contract promises and raise :class:`ResultsError`
naming the line and the column; they know nothing of the web app.

pyarrow is imported only by the Parquet functions: the web app imports this module to read
``individuals.csv`` and should not load pyarrow for it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from incidentroom import csvfile

if TYPE_CHECKING:
    import pyarrow as pa

INDIVIDUALS_CSV: Final = "individuals.csv"
DETECTIONS_PARQUET: Final = "detections.parquet"
MANIFEST_PARQUET: Final = "manifest.parquet"
SUMMARY_JSON: Final = "summary.json"
REPORT_HTML: Final = "report.html"

INDIVIDUAL_COLUMNS: Final[tuple[str, ...]] = (
    "person_id",
    "full_name",
    "date_of_birth",
    "address",
    "postcode",
    "email",
    "phone",
    "categories",
    "risk",
    "document_count",
    "documents",
    "source_roots",
    "deceased",
)
# An older or hand-made file may lack the others; without these a row means nothing.
REQUIRED_INDIVIDUAL_COLUMNS: Final[tuple[str, ...]] = ("person_id", "full_name", "categories", "risk")
# categories, documents and source_roots hold lists. A document is its path as the manifest
# gives it, and nothing else: no location is appended, so a '#' in a file name is just a
# character of the name.
LIST_SEPARATOR: Final = ";"
DECEASED_YES: Final = "yes"
_TRUE_CELLS: Final = frozenset({"yes", "y", "true", "1", "deceased"})
# A person found in thousands of documents has a documents cell of megabytes; the csv
# module's default field limit is 128 KB.
MAX_FIELD_BYTES: Final = 64 * 1024 * 1024

# (column, Arrow type name) in file order; the pyarrow schemas below are built from these.
DETECTION_FIELDS: Final[tuple[tuple[str, str], ...]] = (
    ("file", "string"), ("source_root", "string"), ("location", "string"),
    ("page", "int32"), ("sheet", "string"), ("row", "int64"), ("line", "int64"),
    ("offset", "int64"), ("category", "string"), ("masked", "string"),
    ("value_hash", "string"), ("confidence", "float32"), ("detector", "string"),
    ("person_id", "string"),
)  # fmt: skip
MANIFEST_FIELDS: Final[tuple[tuple[str, str], ...]] = (
    ("path", "string"), ("source_root", "string"), ("container", "string"),
    ("sha256", "string"), ("type", "string"), ("size", "int64"), ("status", "string"),
    ("reason", "string"), ("year", "int32"), ("duplicate_of", "string"),
)  # fmt: skip
MANIFEST_STATUSES: Final[tuple[str, ...]] = ("scanned", "duplicate", "skipped", "failed", "needs_ocr")


class ResultsError(ValueError):
    """An output file that breaks the contract; ``field`` names the column or the file."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


# A file may be called "minutes; final.docx". Inside a list cell an item holding a ';' (or a
# '"') is quoted the way CSV quotes a field, with ';' as the delimiter, so the cell splits back
# into the same items; every other item is written as it is, so a cell written before this
# reads as it always did, and backslashes (the escape of names that are not UTF-8, see
# ``pathnames``) are never doubled.


def join_list(values: Iterable[str]) -> str:
    """A list cell as written: items joined by ``;``, one holding ``;`` or ``"`` quoted."""
    buffer = io.StringIO()
    # The line terminator is written and cut off again: with it set, an item holding a line
    # break is quoted too, so the reader never sees a bare one.
    csv.writer(buffer, delimiter=LIST_SEPARATOR, lineterminator="\r\n").writerow(list(values))
    return buffer.getvalue().removesuffix("\r\n")


def split_list(cell: str | None) -> tuple[str, ...]:
    """A list cell as read: its items, unquoted and trimmed, empty ones dropped."""
    if not cell:
        return ()
    if '"' not in cell:  # the common case, and every cell written before quoting
        items = cell.split(LIST_SEPARATOR)
    else:
        # From a file-like object, so a quoted item may hold a line break.
        items = next(csv.reader(io.StringIO(cell, newline=""), delimiter=LIST_SEPARATOR), [])
    return tuple(item.strip() for item in items if item.strip())


def _arrow_schema(fields: tuple[tuple[str, str], ...]) -> pa.Schema:
    import pyarrow as pa

    return pa.schema([(name, getattr(pa, type_name)()) for name, type_name in fields])


@cache
def detection_schema() -> pa.Schema:
    """The Arrow schema of ``detections.parquet``."""
    return _arrow_schema(DETECTION_FIELDS)


@cache
def manifest_schema() -> pa.Schema:
    """The Arrow schema of ``manifest.parquet``."""
    return _arrow_schema(MANIFEST_FIELDS)


@dataclass(frozen=True, slots=True)
class IndividualRow:
    """One row of ``individuals.csv``, unguarded and typed. ``line`` is the CSV line it ended on."""

    line: int
    person_id: str
    full_name: str
    date_of_birth: dt.date | None
    address: str
    postcode: str
    email: str
    phone: str
    categories: tuple[str, ...]
    risk: str
    # None when the column is absent or empty (a reader then counts ``documents``).
    document_count: int | None
    documents: tuple[str, ...]
    source_roots: tuple[str, ...]
    deceased: bool


@contextmanager
def _field_size_limit(limit: int) -> Iterator[None]:
    # The csv module's limit is process-wide: raise it only while this file is read and
    # put back what it was, so no other reader in the process inherits it.
    previous = csv.field_size_limit(limit)
    try:
        yield
    finally:
        csv.field_size_limit(previous)


def _date(value: str, line: int) -> dt.date | None:
    if not value.strip():
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError as exc:
        raise ResultsError(
            f"{INDIVIDUALS_CSV} line {line}: date_of_birth {value!r} is not YYYY-MM-DD.",
            field="date_of_birth",
        ) from exc


def _count(value: str, line: int) -> int | None:
    if not value:
        return None
    try:
        return int(value)
    except ValueError as exc:
        raise ResultsError(
            f"{INDIVIDUALS_CSV} line {line}: document_count must be a whole number.", field="document_count"
        ) from exc


def read_individuals(path: Path) -> Iterator[IndividualRow]:
    """The rows of an ``individuals.csv``, one at a time, undoing the formula guard.

    Raises :class:`ResultsError` for a missing required column, an empty or repeated
    person_id, a date of birth not in ISO form or a document count that is not a number.
    """
    seen: set[str] = set()
    with _field_size_limit(MAX_FIELD_BYTES), path.open(encoding=csvfile.ENCODING, newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in REQUIRED_INDIVIDUAL_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ResultsError(
                f"{INDIVIDUALS_CSV} is missing the column(s): {', '.join(missing)}.", field="individuals"
            )
        for raw in reader:
            line = reader.line_num
            # The scanner writes through the formula guard; undo it so names read as found.
            row = csvfile.unguard_row(raw)
            person_id = row.get("person_id", "").strip()
            if not person_id:
                raise ResultsError(f"{INDIVIDUALS_CSV} line {line}: person_id is empty.", field="person_id")
            if person_id in seen:
                raise ResultsError(
                    f"{INDIVIDUALS_CSV} line {line}: person_id {person_id!r} appears twice.",
                    field="person_id",
                )
            seen.add(person_id)
            document_count = _count(row.get("document_count", ""), line)
            yield IndividualRow(
                line=line,
                person_id=person_id,
                full_name=row.get("full_name", ""),
                date_of_birth=_date(row.get("date_of_birth", ""), line),
                address=row.get("address", ""),
                postcode=row.get("postcode", ""),
                email=row.get("email", ""),
                phone=row.get("phone", ""),
                categories=split_list(row.get("categories")),
                risk=row.get("risk", ""),
                document_count=document_count,
                documents=split_list(row.get("documents")),
                source_roots=split_list(row.get("source_roots")),
                deceased=row.get("deceased", "").strip().lower() in _TRUE_CELLS,
            )


@dataclass(frozen=True, slots=True)
class ManifestRow:
    """What a reader needs of one ``manifest.parquet`` row ('' where the file has no value)."""

    path: str
    status: str
    reason: str


def read_manifest(path: Path) -> list[ManifestRow]:
    """Every file and member in ``manifest.parquet``; columns an older scanner lacked read as ''."""
    import pyarrow.parquet as pq

    wanted = [c for c in ("path", "status", "reason") if c in pq.read_schema(path).names]
    rows = pq.read_table(path, columns=wanted).to_pylist()
    return [
        ManifestRow(
            path=str(row.get("path") or ""),
            status=str(row.get("status") or ""),
            reason=str(row.get("reason") or ""),
        )
        for row in rows
    ]


def read_detections(path: Path) -> Iterator[dict[str, Any]]:
    """The rows of ``detections.parquet`` as dicts keyed by :data:`DETECTION_FIELDS`, batch by batch."""
    import pyarrow.parquet as pq

    for batch in pq.ParquetFile(path).iter_batches():
        yield from batch.to_pylist()


def read_summary(path: Path) -> dict[str, Any]:
    """``summary.json`` as a dict ({} when the file holds something else)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ResultsError(f"{SUMMARY_JSON} is not valid JSON: {exc}", field="summary") from exc
    return data if isinstance(data, dict) else {}
