"""Big MBOX and log files are scanned by every worker, one byte range each (issue 14 §4).

Beside CSV (``split.py``), a top-level mbox or plain-text file (a ``.log``, ``.txt``,
``.jsonl``...) larger than ``Limits.split_bytes`` becomes several tasks. Their results
must be those of the unsplit scan, so the planner reads the file once and cuts only where
the whole-file reader's state is the one it has at a file's start:

- an mbox at a message boundary, by the extractor's own rule (``extract.mail``:
  a 'From ' line at the start of the file or after a blank line). The planner counts the
  messages and lines before each cut, so every range numbers its messages
  (``name#message12``) and locates them (``line=``) as the whole file does;
- a text file where one of the text reader's pieces starts. Text is detected a piece at
  a time (about a megabyte, ending at a line break), and who a name's details belong to
  is decided within a piece, so a cut anywhere else would change the records. The planner
  runs the reader's own cutting (``extract.base.text_pieces``) over the file, decoding it
  as the whole-file reader does, and cuts after a piece that ends a line; each range reads
  pieces until it has read its line breaks, numbering lines from the file's count, and
  checks that its last piece ended exactly at its end (so the next range starts at a
  piece of the whole file, by induction from byte 0). Files in encodings where a line
  break is not the one byte 0x0A (UTF-16) are not split.

What a range cannot know is fixed when the ranges are joined (:func:`join`): an
attachment identical to one in an earlier range is marked a duplicate of that one (its
own findings dropped, as the whole-file scan never reads it), identical records of the
mbox or log are kept once. Anything the join
cannot vouch for (a range that failed or stopped elsewhere than planned, a file that
changed, a member renamed by its number in the file) makes the file scanned whole.
"""

from __future__ import annotations

import codecs
import importlib
import mmap
import os
import re
import stat
from collections.abc import Sequence
from dataclasses import replace

from ..extract import choose
from ..extract.base import Blob, detect_encoding, looks_binary, text_pieces
from ..extract.mail import MboxExtractor, is_blank
from ..extract.text import TextExtractor
from ..model import DocResult, FileResult, ManifestEntry
from ..output.outputs import PartFile
from ..people.records import record_signature
from .ranges import StreamRange
from .walk import Task, display_path

#: Newlines are counted over blocks of this many bytes (a slice of the mapped file each).
_BLOCK = 16 << 20
_FROM_LINE = re.compile(rb"\nFrom ")
DUPLICATE_REASON = "identical content scanned once"


def ranges_of(task: Task) -> list[Task] | None:
    """The range tasks of one top-level mbox or text file, or ``None`` if it is neither
    or has no cut that keeps the outputs those of the unsplit scan."""
    path = task.full_path
    try:
        info = os.stat(path) if task.relative == "" else os.lstat(path)
        if not stat.S_ISREG(info.st_mode) or info.st_size == 0:
            return None
        size = info.st_size
        with open(path, "rb") as fh:
            head = fh.read(65536)
        name = display_path(task.relative or os.path.basename(task.root))
        extractor = choose(Blob(name, lambda: open(path, "rb"), size).extension, head)
        if not isinstance(extractor, (MboxExtractor, TextExtractor)):
            return None
        count = -(-size // task.limits.split_bytes)
        with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
            if isinstance(extractor, MboxExtractor):
                cuts = _mbox_cuts(data, size, count)
            else:
                cuts = _text_cuts(path, data, size, count, head, task.limits.text_chunk)
            if len(cuts) < 2:
                return None
            lines = _LineCounts(data)
            encoding = detect_encoding(head)
            bounds = [*(start for start, _ in cuts), size]
            plans = [
                StreamRange(
                    kind=extractor.name,
                    line=lines.before(bounds[index]) + 1,
                    messages=messages,
                    encoding=encoding,
                    lines=lines.before(bounds[index + 1]) - lines.before(bounds[index]),
                    file_size=size,
                    file_mtime_ns=info.st_mtime_ns,
                )
                for index, (_, messages) in enumerate(cuts)
            ]
    except (OSError, ValueError):
        return None  # the whole-file task reports it
    return [
        replace(
            task,
            key=f"{task.key}-{index:04d}",
            size=bounds[index + 1] - bounds[index],
            part=index,
            start=bounds[index],
            end=bounds[index + 1],
            file_key=task.key,
            stream=plan,
        )
        for index, plan in enumerate(plans)
    ]


def _mbox_cuts(data: mmap.mmap, size: int, count: int) -> list[tuple[int, int]]:
    """(start, messages before it) of each range: the file's start, and the first message
    boundary at or past each of ``count`` equal shares of the file."""
    targets = [size * k // count for k in range(1, count)]
    cuts = [(0, 0)]
    boundaries = 0  # message boundaries after byte 0 so far: each ends the message before it
    for found in _FROM_LINE.finditer(data):
        start = found.start() + 1
        previous = data.rfind(b"\n", 0, start - 1) + 1
        if not is_blank(data[previous:start]):
            continue  # a 'From ' line inside a message (no blank line before it)
        boundaries += 1
        if start >= targets[0]:
            cuts.append((start, boundaries))
            while targets and targets[0] <= start:
                targets.pop(0)
            if not targets:
                break
    return cuts


def _text_cuts(
    path: str, data: mmap.mmap, size: int, count: int, head: bytes, chunk: int
) -> list[tuple[int, int]]:
    """(start, 0) of each range: the file's start, and the start of the first of the text
    reader's pieces at or past each of ``count`` equal shares of the file that follows a
    piece ending a line."""
    encoding = detect_encoding(head)
    if looks_binary(head[:8192], encoding) or not _one_byte_newlines(encoding):
        return []
    lines = _LineCounts(data)
    wanted = [lines.before(size * k // count) for k in range(1, count)]
    cuts = [(0, 0)]
    newlines = 0
    with open(path, "rb") as stream:
        for piece in text_pieces(stream, encoding, b"", chunk):
            newlines += piece.count("\n")
            if newlines >= wanted[0] and piece.endswith("\n"):
                start = lines.offset_after(newlines)
                if start >= size:
                    break
                cuts.append((start, 0))
                while wanted and wanted[0] <= newlines:
                    wanted.pop(0)
                if not wanted:
                    break
    return cuts


def _one_byte_newlines(encoding: str) -> bool:
    """Whether every line break of text in ``encoding`` is the byte 0x0A and no other
    character holds that byte (UTF-8 and the one-byte code pages), so lines can be
    counted and cut in bytes."""
    name = codecs.lookup(encoding).name
    if name in ("utf-8", "utf-8-sig", "ascii", "latin-1", "iso8859-1"):
        return True
    try:
        module = importlib.import_module(f"encodings.{name.replace('-', '_')}")
    except ImportError:
        return False
    # The one-byte code pages are charmap codecs, decoded through a 256-entry table.
    table = getattr(module, "decoding_table", None)
    return isinstance(table, str) and len(table) == 256 and table[10] == "\n"


class _LineCounts:
    """Line breaks before a byte offset of a mapped file, and the offset after the n-th,
    counted a block at a time (each block once)."""

    def __init__(self, data: mmap.mmap) -> None:
        self.data = data
        self.blocks: list[int] = []  # line breaks before each block's start

    def _upto(self, block: int) -> None:
        while len(self.blocks) <= block:
            index = len(self.blocks)
            before = 0
            if index:
                start = (index - 1) * _BLOCK
                before = self.blocks[-1] + self.data[start : start + _BLOCK].count(b"\n")
            self.blocks.append(before)

    def before(self, offset: int) -> int:
        """Line breaks in bytes ``[0, offset)``."""
        block = offset // _BLOCK
        self._upto(block)
        return self.blocks[block] + self.data[block * _BLOCK : offset].count(b"\n")

    def offset_after(self, number: int) -> int:
        """The offset just after the ``number``-th line break (1-based)."""
        block = 0
        while True:
            self._upto(block + 1)
            if self.blocks[block + 1] >= number or (block + 1) * _BLOCK >= len(self.data):
                break
            block += 1
        at = block * _BLOCK - 1
        for _ in range(number - self.blocks[block]):
            at = self.data.find(b"\n", at + 1)
            if at == -1:
                raise ValueError(f"no line break number {number}")
        return at + 1


def join(
    task: Task, ranges: Sequence[Task], results: Sequence[FileResult], parts_of: Sequence[PartFile | None]
) -> tuple[FileResult, list[PartFile]] | None:
    """The ranges' results as the whole file's, and its part files with their fix-ups;
    ``None`` when the ranges do not join up (the file must then be scanned whole)."""
    for result, part in zip(results, ranges, strict=True):
        info, at = result.split, part.stream
        if info is None or at is None or info["problem"] or not result.manifest:
            return None
        if info["stopped_at"] != part.end or info["lines"] != at.lines:
            return None  # it did not read what was planned: the file changed, or a bug
        if info["partial"]:
            # Neither the mbox nor the text reader reports a file read in part today; if
            # one does, the whole-file scan words the reason.
            return None
    top = results[0].manifest[0]  # hashed the whole file
    manifest, removed = _members(top, [result.manifest[1:] for result in results])
    if manifest is None:
        return None
    merged = FileResult(task_key=task.key, manifest=manifest)
    doc: DocResult | None = None
    seen: dict[tuple[object, ...], int] = {}
    parts: list[PartFile] = []
    for result, located in zip(results, parts_of, strict=True):
        seq_map: list[int] = []
        for one in result.docs:
            if one.path in removed:
                continue  # a duplicate's findings: its detections are left out with it
            if one.path != top.path:
                merged.docs.append(one)
                continue
            if doc is None:
                doc = DocResult(top.path, one.root, top.sha256)
            for category, number in one.detection_counts.items():
                doc.detection_counts[category] = doc.detection_counts.get(category, 0) + number
            for record in one.records:
                if record.seq != len(seq_map):
                    return None
                signature = record_signature(record)
                seq = seen.get(signature, -1)
                if seq == -1:
                    seq = seen[signature] = record.seq = len(doc.records)
                    doc.records.append(record)
                seq_map.append(seq)
        identity = all(seq == index for index, seq in enumerate(seq_map))
        if located is not None:
            parts.append(located._replace(seq_map=None if identity else seq_map, seq_doc=top.path))
    if doc is not None:
        merged.docs.append(doc)  # last, as the whole file's document is (after its members')
    return merged, parts


def _members(
    top: ManifestEntry, ranges: list[list[ManifestEntry]]
) -> tuple[list[ManifestEntry] | None, set[str]]:
    """The file's manifest from its row and the ranges' member rows, with duplicates as the
    whole-file scan finds them (it hashes members in order and reads each content once),
    and the paths of the members it would never have read; ``None`` if a range's own
    duplicate cannot be put right."""
    first_path = {top.sha256: top.path}
    removed: set[str] = set()
    rows = [top]
    for entries in ranges:
        for entry in entries:
            if entry.container in removed:
                removed.add(entry.path)  # inside a duplicate: never opened
                continue
            if entry.status == "duplicate":
                original = first_path.get(entry.sha256)
                if original is None:
                    return None, removed  # its original is inside a duplicate: it would be read
                rows.append(replace(entry, duplicate_of=original))
            elif entry.sha256 and entry.sha256 in first_path:
                removed.add(entry.path)
                rows.append(
                    replace(
                        entry,
                        type="",
                        status="duplicate",
                        reason=DUPLICATE_REASON,
                        duplicate_of=first_path[entry.sha256],
                    )
                )
            else:
                if entry.sha256:
                    first_path[entry.sha256] = entry.path
                rows.append(entry)
    return rows, removed
