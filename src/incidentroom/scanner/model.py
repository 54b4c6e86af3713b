"""Plain data passed between extractors, detectors, workers and the output writers.

Everything a worker returns is made of these dataclasses and converts to and from JSON,
so results can cross process and machine boundaries (Dask) and be checkpointed for
``--resume`` without pickle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

STATUSES = ("scanned", "duplicate", "skipped", "failed", "needs_ocr")


class Location(NamedTuple):
    """Where in a document a value was found; unused parts stay ``None``.

    A named tuple rather than a dataclass: one is built per finding, on the hot path.
    """

    page: int | None = None
    sheet: str | None = None
    row: int | None = None
    line: int | None = None
    offset: int | None = None

    def render(self) -> str:
        """Human-readable form, e.g. ``sheet=People;row=12`` or ``page=3;offset=40``."""
        # One per detection (a name-dense text puts each on a line of its own, so few
        # repeat): the fields unpacked and tested one by one, twice as fast as zipping
        # them with their names.
        page, sheet, row, line, offset = self
        parts = []
        if page is not None:
            parts.append(f"page={page}")
        if sheet is not None:
            parts.append(f"sheet={sheet}")
        if row is not None:
            parts.append(f"row={row}")
        if line is not None:
            parts.append(f"line={line}")
        if offset is not None:
            parts.append(f"offset={offset}")
        return ";".join(parts) or "document"

    def shifted(self, offset: int) -> Location:
        """Same location with a character offset added."""
        return Location(self.page, self.sheet, self.row, self.line, (self.offset or 0) + offset)


@dataclass(frozen=True)
class TextUnit:
    """Running text (a page, a paragraph, an email body, a chunk of a large file)."""

    text: str
    location: Location


@dataclass(frozen=True)
class RowUnit:
    """One row of a table with its column headers (CSV, sheet, Word table, email header)."""

    headers: tuple[str, ...]
    cells: tuple[str, ...]
    location: Location
    #: The workbook counts serial dates from 1904 (old Mac Excel), not 1900.
    date1904: bool = False


class Finding(NamedTuple):
    """A validated detection, still holding the raw value in memory only (a named tuple: hot path)."""

    category: str
    detector: str
    value: str
    normalised: str
    start: int
    end: int
    confidence: float
    location: Location


class DetectionRow(NamedTuple):
    """What ``detections.parquet`` keeps of a finding: never the raw value.

    A named tuple, fields in the part file's column order: one is built per detection, and
    the sink keeps it as the row it appends (see ``pipeline/parts.py``).
    """

    category: str
    detector: str
    masked: str
    value_hash: str
    confidence: float
    location: str
    page: int | None
    sheet: str | None
    row: int | None
    line: int | None
    offset: int | None


@dataclass
class RecordData:
    """One person-shaped group of findings (a row, an email party, a case note's client).

    Names, addresses, dates of birth, emails and phones are kept raw because the
    notification list needs them; every other identifier is only a keyed hash.
    """

    doc: str
    root: int
    location: str
    seq: int
    names: list[str] = field(default_factory=list)
    dobs: list[str] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)
    postcodes: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    ids: dict[str, list[str]] = field(default_factory=dict)
    categories: list[str] = field(default_factory=list)
    #: The record says this person has died (a date of death, 'Deceased:', 'the late').
    deceased: bool = False


@dataclass
class DocResult:
    """Records of one scanned document and how many detections of each category it had.

    The detections themselves are in the task's Parquet part file (see ``parts.py``).
    """

    path: str
    root: int
    sha256: str
    detection_counts: dict[str, int] = field(default_factory=dict)
    records: list[RecordData] = field(default_factory=list)


@dataclass
class ManifestEntry:
    """One file or container member seen, and what happened to it."""

    path: str
    root: int
    container: str
    sha256: str
    type: str
    size: int
    status: str
    reason: str
    year: int | None
    duplicate_of: str = ""


@dataclass
class FileResult:
    """Everything a worker found under one top-level input file."""

    task_key: str
    manifest: list[ManifestEntry] = field(default_factory=list)
    docs: list[DocResult] = field(default_factory=list)
    #: For one byte range of a split file: how its reading ended (JSON-ready; see
    #: ``pipeline/split.py``), which the coordinator checks before joining the ranges.
    split: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        """Serialise to JSON-compatible dicts (for checkpoints and transport).

        Written out rather than ``dataclasses.asdict``: that deep-copies every list and
        string of every record, and was the largest per-file cost of a scan after
        extraction. Every field here is already JSON-ready (str, int, bool, lists and
        dicts of str), so shallow copies of the records' fields are enough; the result is
        serialised at once and never mutated.
        """
        return {
            "task_key": self.task_key,
            "manifest": [dict(vars(m)) for m in self.manifest],
            "docs": [
                {
                    "path": d.path,
                    "root": d.root,
                    "sha256": d.sha256,
                    "detection_counts": d.detection_counts,
                    "records": [dict(vars(r)) for r in d.records],
                }
                for d in self.docs
            ],
            "split": self.split,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FileResult:
        """Inverse of :meth:`to_json`."""
        docs = []
        for d in data["docs"]:
            docs.append(
                DocResult(
                    path=d["path"],
                    root=d["root"],
                    sha256=d["sha256"],
                    detection_counts=d["detection_counts"],
                    records=[RecordData(**r) for r in d["records"]],
                )
            )
        return cls(
            task_key=data["task_key"],
            manifest=[ManifestEntry(**m) for m in data["manifest"]],
            docs=docs,
            split=data.get("split"),
        )
