"""Big CSV files are scanned by every worker, one byte range each (issue 14 §4).

(Big MBOX and log files are split too, at message and text-piece boundaries: see
``streams.py``, which :func:`expand` and :func:`join` hand them to.)

A top-level CSV or TSV larger than ``Limits.split_bytes`` becomes several tasks: the
planner reads the file's head once (encoding, delimiter, the header row) and cuts the
rest at line starts into ranges of about that size. Each range is read by the same
table reader as a whole file, starting under the header the head settled on, and
numbers its rows from its own start.

A line start is not always a record's start: a quoted field may hold newlines. Rather
than guess, the coordinator checks: the first range starts at byte 0, and each range
reads records until one ends at or past its end, so it stops exactly at the next
range's start only if that start is a record boundary. The same check covers the
table's state (a second table's header, a blank row, a name column found by content,
an over-long record, a malformed one). If any check fails, the file is scanned whole,
as an unsplit scan would. When all pass, :func:`join` makes the ranges one file's
result: rows renumbered from the ranges before, identical records kept once (as one
document's builder does), and each range's part file read with the same fix-up, so the
outputs are those of the unsplit scan.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import BinaryIO

from ..extract import Blob, choose
from ..extract.delimited import DelimitedExtractor
from ..model import DocResult, FileResult
from ..output.outputs import PartFile
from ..people.columns import classify
from ..people.records import record_signature
from . import streams
from .walk import Task

#: How far past a cut point to look for a line end before giving up on that cut.
_SEEK_LINE_END = 1 << 20
_ROW = re.compile(r"row=(\d+)")


def expand(tasks: Sequence[Task], done: Callable[[Task], bool]) -> list[Task]:
    """The tasks with each big CSV replaced by its ranges (a file already finished whole,
    e.g. after a fall-back, stays whole)."""
    out: list[Task] = []
    for task in tasks:
        ranges = None
        if 0 < task.limits.split_bytes < task.size and not done(task):
            ranges = ranges_of(task)
        out.extend(ranges or [task])
    return out


def ranges_of(task: Task) -> list[Task] | None:
    """The range tasks of one top-level file, or ``None`` if it is not a file to split."""
    path = task.full_path
    try:
        info = os.stat(path) if task.relative == "" else os.lstat(path)
        if not stat.S_ISREG(info.st_mode):
            return None
        size = info.st_size
        with open(path, "rb") as fh:
            head = fh.read(65536)
        blob = Blob(task.relative or os.path.basename(task.root), lambda: open(path, "rb"), size)
        if not isinstance(choose(blob.extension, head), DelimitedExtractor):
            return streams.ranges_of(task)
        found = DelimitedExtractor().layout(blob, task.limits)
        if found is None:
            return None
        layout, after = found
        if not any(classify(h.strip().lower()).field in ("name", "first", "surname") for h in layout.headers):
            # The name column would be found by content, row by row: each range would
            # have to find the same one. Scanned whole.
            return None
        count = -(-size // task.limits.split_bytes)
        cuts = [0]
        with open(path, "rb") as fh:
            for k in range(1, count):
                at = max(size * k // count, after)
                cut = _next_line_start(fh, at)
                if cut == -1:
                    continue
                if cuts[-1] < cut < size:
                    cuts.append(cut)
    except OSError:
        return None  # the whole-file task reports it
    if len(cuts) < 2:
        return None
    bounds = [*cuts, size]
    return [
        replace(
            task,
            key=f"{task.key}-{index:04d}",
            size=bounds[index + 1] - bounds[index],
            part=index,
            start=bounds[index],
            end=bounds[index + 1],
            layout=layout,
            file_key=task.key,
        )
        for index in range(len(cuts))
    ]


def _next_line_start(fh: BinaryIO, at: int) -> int:
    """The offset just after the first line feed at or after ``at`` (read 64 KB at a time,
    at most :data:`_SEEK_LINE_END`), or -1."""
    fh.seek(at)
    read = 0
    while read < _SEEK_LINE_END:
        block = fh.read(65536)
        if not block:
            return -1
        newline = block.find(b"\n")
        if newline != -1:
            return at + read + newline + 1
        read += len(block)
    return -1


def join(
    task: Task, ranges: Sequence[Task], results: Sequence[FileResult], parts_of: Sequence[PartFile | None]
) -> tuple[FileResult, list[PartFile]] | None:
    """The ranges' results as the whole file's, and its part files with their fix-ups;
    ``None`` when the ranges do not join up (the file must then be scanned whole).
    ``parts_of`` says where each range's detections are (``None``: it has none)."""
    if ranges[0].stream is not None:
        return streams.join(task, ranges, results, parts_of)
    infos = [r.split for r in results]
    layout = ranges[0].layout
    if layout is None or any(info is None or info["problem"] for info in infos):
        return None
    checked = [info for info in infos if info is not None]
    for index, (info, part) in enumerate(zip(checked, ranges, strict=True)):
        if info["stopped_at"] != part.end or info["at_end"] != (index == len(ranges) - 1):
            return None  # a range did not end where the next one starts: a cut inside a record
        if index and not (
            checked[index - 1]["resumable"] and tuple(checked[index - 1]["headers"]) == layout.headers
        ):
            return None  # the table changed before this range's start
    if len(results[0].manifest) != 1:
        return None
    merged = FileResult(task_key=task.key, manifest=list(results[0].manifest))
    doc: DocResult | None = None
    seen: dict[tuple[object, ...], int] = {}
    parts: list[PartFile] = []
    offset = 0
    for located, result, info in zip(parts_of, results, checked, strict=True):
        seq_map: list[int] = []
        if len(result.docs) > 1:
            return None
        for one in result.docs:
            if doc is None:
                doc = DocResult(one.path, one.root, results[0].manifest[0].sha256)
            for category, count in one.detection_counts.items():
                doc.detection_counts[category] = doc.detection_counts.get(category, 0) + count
            for record in one.records:
                if record.seq != len(seq_map):
                    return None
                if offset:
                    shifted = _shift(record.location, offset)
                    if shifted is None:
                        return None
                    record.location = shifted
                signature = record_signature(record)
                seq = seen.get(signature, -1)
                if seq == -1:
                    seq = seen[signature] = record.seq = len(doc.records)
                    doc.records.append(record)
                seq_map.append(seq)
        identity = all(seq == index for index, seq in enumerate(seq_map))
        if located is not None:
            parts.append(located._replace(row_offset=offset, seq_map=None if identity else seq_map))
        offset += int(info["rows"])
    if doc is not None:
        merged.docs.append(doc)
    return merged, parts


def _shift(location: str, offset: int) -> str | None:
    match = _ROW.fullmatch(location)
    return f"row={int(match.group(1)) + offset}" if match else None
