"""Scan one top-level input file: hash it, pick its extractor, recurse into containers.

This is the unit of work a local process or a Dask worker runs. It reads only, never
writes next to the evidence, and turns every problem into a manifest row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..detect.detectors.email import is_role_or_test
from ..detect.detectors.name import parse_name_at
from ..detect.gazetteer import hard_stopwords
from ..detect.ocr_repair import repair_ocr
from ..extract import (
    Blob,
    ExtractError,
    Limits,
    MemberIssue,
    NeedsOcr,
    Output,
    OwnedText,
    Partial,
    all_extractors,
    choose,
)
from ..extract.base import Extractor, Judges, install_judges
from ..extract.delimited import CsvLayout, DelimitedExtractor, RangeReport
from ..extract.mail import MboxExtractor
from ..extract.text import TextExtractor
from ..model import FileResult, ManifestEntry, RowUnit, TextUnit
from ..pathnames import printable_name
from ..people.columns import classify
from ..people.records import DocumentBuilder
from .parts import DetectionSink
from .phases import phase
from .ranges import StreamRange, StreamReport, range_outputs


@dataclass(frozen=True)
class Task:
    """One top-level file to scan: which root it is under and its path relative to it."""

    key: str
    root_index: int
    root: str
    relative: str
    size: int
    limits: Limits
    parts_dir: str = ""
    #: A byte range of a big CSV (see ``split.py``): which range (-1: the whole file), its
    #: bytes ``[start, end)``, the file's layout, and the key of the whole file's task.
    part: int = -1
    start: int = 0
    end: int = 0
    layout: CsvLayout | None = None
    file_key: str = ""
    #: A byte range of a big mbox or log (see ``streams.py``): where it starts in the file.
    stream: StreamRange | None = None

    @property
    def parts_path(self) -> Path:
        """This task's detection part file (see ``parts.py``)."""
        return Path(self.parts_dir) / f"{self.key}.arrow"

    @property
    def full_path(self) -> str:
        """Absolute path on the scanning machine (same path on every Dask worker)."""
        return self.root if self.relative == "" else os.path.join(self.root, self.relative)


# What extraction asks of detection (extract/ imports no detector: see extract.base.Judges).
install_judges(
    Judges(
        known_field=lambda cell: bool(classify(cell).field),
        role_mailbox=is_role_or_test,
        personal_name=lambda display: parse_name_at(display, labelled=True) is not None,
        stopword=lambda word: word in hard_stopwords(),
        ocr_repair=repair_ocr,
    )
)


def display_path(path: str) -> str:
    """A printable path even when a folder or file name is not valid UTF-8 (see ``pathnames``)."""
    return printable_name(path)


def _sha256(blob: Blob) -> str:
    digest = hashlib.sha256()
    with blob.open() as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


class _Walker:
    def __init__(self, task: Task, key: bytes, sink: DetectionSink | None) -> None:
        self.task = task
        self.key = key
        # A chunk's sink (the caller marks and closes it), or a part file of the task's own.
        self.own_sink = sink is None
        self.sink = sink if sink is not None else DetectionSink(task.parts_path if task.parts_dir else None)
        self.result = FileResult(task_key=task.key)
        self.seen: dict[str, str] = {}
        # Every document path issued in this task: a second member or attachment with the
        # same name ('application.csv' twice in one email) is a different document.
        self.paths: set[str] = set()
        # What the top-level file had present but unread (its manifest reason says it too;
        # a split file's ranges merge theirs).
        self.partials: dict[str, list[str]] = {}
        self.renamed = False  # whether a member got its number appended (see :meth:`unique`)

    def entry(
        self,
        blob_path: str,
        container: str,
        sha: str,
        kind: str,
        size: int,
        status: str,
        reason: str,
        year: int | None,
        duplicate_of: str = "",
    ) -> None:
        """Append one manifest row."""
        self.result.manifest.append(
            ManifestEntry(
                blob_path,
                self.task.root_index,
                container,
                sha,
                kind,
                size,
                status,
                reason,
                year,
                duplicate_of,
            )
        )

    def process(self, blob: Blob, container: str, depth: int) -> None:
        """Hash a blob, skip duplicates and unknown types, else extract it."""
        try:
            sha = _sha256(blob)
            with blob.open() as fh:
                head = fh.read(65536)
        except OSError as exc:
            self.entry(
                blob.path,
                container,
                "",
                "",
                blob.size,
                "failed",
                f"unreadable: {exc.strerror or exc}",
                blob.year,
            )
            return
        if sha in self.seen:
            self.entry(
                blob.path,
                container,
                sha,
                "",
                blob.size,
                "duplicate",
                "identical content scanned once",
                blob.year,
                self.seen[sha],
            )
            return
        self.seen[sha] = blob.path
        extractor = choose(blob.extension, head)
        if extractor is None:
            self.entry(
                blob.path,
                container,
                sha,
                blob.extension or "unknown",
                blob.size,
                "skipped",
                "unsupported file type (not text, document, email or archive)",
                blob.year,
            )
            return
        if extractor.container and depth >= self.task.limits.max_depth:
            self.entry(
                blob.path,
                container,
                sha,
                extractor.name,
                blob.size,
                "skipped",
                f"nested deeper than {self.task.limits.max_depth} containers",
                blob.year,
            )
            return
        self.extract(blob, container, depth, sha, extractor)

    def extract(
        self,
        blob: Blob,
        container: str,
        depth: int,
        sha: str,
        extractor: Extractor,
        items: Iterator[Output] | None = None,
    ) -> None:
        """Run one extractor over a blob, feeding records and nested blobs (``items``, when
        given, are the extractor's outputs for one range of the blob)."""
        builder = DocumentBuilder(blob.path, self.task.root_index, sha, self.key, self.sink)
        status, reason = "scanned", ""
        partial: list[str] = []
        index = len(self.result.manifest)
        self.entry(blob.path, container, sha, extractor.name, blob.size, status, reason, blob.year)
        member = 0
        try:
            for item in extractor.extract(blob, self.task.limits) if items is None else items:
                if isinstance(item, (Blob, MemberIssue)):
                    member += 1
                    item = self.unique(item, member)
                if isinstance(item, TextUnit):
                    with phase("records"):
                        builder.add_text(item)
                elif isinstance(item, OwnedText):
                    with phase("records"):
                        builder.add_text(item.unit, item.owner)
                elif isinstance(item, RowUnit):
                    with phase("records"):
                        builder.add_row(item)
                elif isinstance(item, Blob):
                    self.process(item, blob.path, depth + 1)
                elif isinstance(item, MemberIssue):
                    self.entry(
                        item.path,
                        blob.path,
                        "",
                        item.path.rsplit(".", 1)[-1].lower(),
                        item.size,
                        item.status,
                        item.reason,
                        item.year,
                    )
                elif isinstance(item, Partial):
                    if item.what not in partial:
                        partial.append(item.what)
                elif isinstance(item, NeedsOcr):
                    if item.pages:
                        status = "needs_ocr"
                        reason = f"no text layer on page(s) {', '.join(map(str, item.pages))}" + (
                            ""
                            if item.ocr_done
                            else "; tesseract not installed"
                            if not _has_tesseract()
                            else ""
                        )
                    else:
                        reason = "text from OCR (tesseract)"
        except ExtractError as exc:
            status, reason = exc.status, exc.reason
        except Exception as exc:  # noqa: BLE001 - a hostile file must never stop the scan
            status, reason = "failed", f"{type(exc).__name__}: {exc}"[:300]
        if depth == 0:
            self.partials[blob.path] = partial
        if partial and status == "scanned":
            # Something present was not read: say so rather than a silent 'scanned'.
            reason = "; ".join(p for p in (reason, "partial: " + "; ".join(partial)) if p)
        if status in ("failed", "skipped") and builder.result.records:
            reason += " (findings before the error are kept)"
        entry = self.result.manifest[index]
        entry.status, entry.reason = status, reason
        if builder.result.records or builder.detection_total:
            self.result.docs.append(builder.result)

    def unique(self, item: Blob | MemberIssue, member: int) -> Blob | MemberIssue:
        """The item with a path no other document of this task has.

        A document's identity is its container path plus its member index: a repeated
        name gets the index appended ('form.txt#member2'), so two people in two
        same-named members never become one document.
        """
        path = item.path
        if path in self.paths:
            path = f"{item.path}#member{member}"
            while path in self.paths:
                path += "+"
        self.paths.add(path)
        if path == item.path:
            return item
        self.renamed = True
        if isinstance(item, Blob):
            return Blob(path, item.opener, item.size, item.year)
        return MemberIssue(path, item.size, item.status, item.reason, item.year)


def _has_tesseract() -> bool:
    from ..extract.pdf import ocr_available

    return ocr_available()


def scan_task(task: Task, key: bytes, sink: DetectionSink | None = None) -> FileResult:
    """Scan one top-level file (and everything inside it) into a :class:`FileResult`.

    Its detections go to ``sink`` (a chunk's part file, which the caller marks and closes),
    or, without one, to a part file of its own in ``task.parts_dir``.
    """
    if task.layout is not None:
        return scan_range(task, key, task.layout, sink)
    if task.stream is not None:
        return scan_stream_range(task, key, task.stream, sink)
    walker = _Walker(task, key, sink)
    path = task.full_path
    shown = display_path(task.relative or os.path.basename(task.root))
    try:
        # A PATH given on the command line is followed; links found inside it are not.
        info = os.stat(path) if task.relative == "" else os.lstat(path)
        year = dt.datetime.fromtimestamp(info.st_mtime, tz=dt.UTC).year
    except OSError as exc:
        walker.entry(shown, "", "", "", 0, "failed", f"unreadable: {exc.strerror or exc}", None)
        return walker.result
    if stat.S_ISLNK(info.st_mode):
        # A link could point anywhere on the scanning machine, outside the evidence.
        walker.entry(shown, "", "", "symlink", 0, "skipped", "symbolic link not followed", year)
        return walker.result
    if not stat.S_ISREG(info.st_mode):
        # FIFOs and devices would block or never end.
        walker.entry(
            shown, "", "", "special", 0, "skipped", "not a regular file (device, FIFO or socket)", year
        )
        return walker.result
    blob = Blob(shown, lambda: Path(path).open("rb"), info.st_size, year)
    walker.paths.add(shown)
    with phase("extract"):
        walker.process(blob, "", 0)
    if walker.own_sink:
        with phase("write"):
            walker.sink.close()
    return walker.result


def scan_range(task: Task, key: bytes, layout: CsvLayout, sink: DetectionSink | None = None) -> FileResult:
    """Scan one byte range of a big CSV (see ``split.py``).

    The first range also hashes the whole file and gives its manifest row. Every range
    reports in ``FileResult.split`` where its reading ended and in what state, and any
    failure is reported there rather than in the manifest: the coordinator then scans
    the file whole, so a failure reads exactly as an unsplit scan says it.
    """
    walker = _Walker(task, key, sink)
    path = task.full_path
    shown = display_path(task.relative or os.path.basename(task.root))
    report = RangeReport()
    problem = ""
    sha = ""
    with phase("extract"):
        try:
            info = os.stat(path) if task.relative == "" else os.lstat(path)
            year = dt.datetime.fromtimestamp(info.st_mtime, tz=dt.UTC).year
            if not stat.S_ISREG(info.st_mode):
                raise OSError("not a regular file any more")
            blob = Blob(shown, lambda: Path(path).open("rb"), info.st_size, year)
            if task.part == 0:
                sha = _sha256(blob)
            builder = DocumentBuilder(shown, task.root_index, sha, key, walker.sink)
            for item in DelimitedExtractor().extract_range(
                blob, task.limits, layout, task.start, task.end, report
            ):
                with phase("records"):
                    if isinstance(item, RowUnit):
                        builder.add_row(item)
                    else:
                        builder.add_text(item)
        except Exception as exc:  # noqa: BLE001 - the whole-file scan will say what it is
            problem = f"{type(exc).__name__}: {exc}"[:300]
        else:
            if task.part == 0:
                walker.entry(shown, "", sha, DelimitedExtractor.name, info.st_size, "scanned", "", year)
            if builder.result.records or builder.detection_total:
                walker.result.docs.append(builder.result)
            if builder.content_name_columns:
                # A table whose name column was found by content: the next range would
                # have to find the same column on its own first row. Not checked, so refused.
                problem = "name column found by content"
    walker.result.split = {
        "file_key": task.file_key,
        "part": task.part,
        "start": task.start,
        "end": task.end,
        "stopped_at": report.stopped_at,
        "at_end": report.at_end,
        "rows": report.rows,
        "headers": list(report.headers),
        "resumable": report.resumable,
        "problem": problem,
    }
    if walker.own_sink:
        with phase("write"):
            walker.sink.close()
    return walker.result


def scan_stream_range(
    task: Task, key: bytes, at: StreamRange, sink: DetectionSink | None = None
) -> FileResult:
    """Scan one byte range of a big mbox or log (see ``streams.py``).

    The range is scanned as the whole file is, by the same walker and extractor: the first
    range hashes the whole file, and every range gives a manifest row for it, which the
    coordinator replaces by the first range's with the ranges' statuses joined. Anything
    the join cannot vouch for is reported in ``FileResult.split`` and the file is then
    scanned whole.
    """
    walker = _Walker(task, key, sink)
    path = task.full_path
    shown = display_path(task.relative or os.path.basename(task.root))
    report = StreamReport()
    problem = ""
    with phase("extract"):
        try:
            info = os.stat(path) if task.relative == "" else os.lstat(path)
            if (
                not stat.S_ISREG(info.st_mode)
                or info.st_size != at.file_size
                or info.st_mtime_ns != at.file_mtime_ns
            ):
                raise OSError("the file changed after it was planned")
            year = dt.datetime.fromtimestamp(info.st_mtime, tz=dt.UTC).year
            blob = Blob(shown, lambda: Path(path).open("rb"), info.st_size, year)
            extractor = next(e for e in _stream_extractors() if e.name == at.kind)
            sha = ""
            if task.part == 0:
                sha = _sha256(blob)
                walker.seen[sha] = shown
            walker.paths.add(shown)
            items = range_outputs(blob, task.limits, extractor, task.start, task.end, at, report)
            walker.extract(blob, "", 0, sha, extractor, items)
        except Exception as exc:  # noqa: BLE001 - the whole-file scan will say what it is
            problem = f"{type(exc).__name__}: {exc}"[:300]
    if not problem:
        top = walker.result.manifest[0]
        if top.status != "scanned":
            problem = f"range {top.status}: {top.reason}"
        elif walker.renamed and task.part:
            # A repeated member name gets the member's number in the whole file, which
            # a later range does not know.
            problem = "a member renamed by its number"
    walker.result.split = {
        "file_key": task.file_key,
        "part": task.part,
        "start": task.start,
        "end": task.end,
        "stopped_at": report.stopped_at,
        "pieces": report.pieces,
        "lines": report.lines,
        "partial": walker.partials.get(shown, []),
        "problem": problem,
    }
    if walker.own_sink:
        with phase("write"):
            walker.sink.close()
    return walker.result


def _stream_extractors() -> list[MboxExtractor | TextExtractor]:
    """The extractors whose files can be split into byte ranges (see ``streams.py``)."""
    return [e for e in all_extractors() if isinstance(e, (MboxExtractor, TextExtractor))]
