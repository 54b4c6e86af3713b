"""Reading one byte range of a split mbox or log as its extractor reads the whole file.

The planner (``streams.py``) cuts an mbox only where a message starts and a log only
where one of the text reader's pieces starts, and tells each range what the file before
it held (messages, lines). A range is then read by the extractor's own code from its
start, numbered as the whole file would number it, and says in a
:class:`StreamReport` where its reading ended, which the coordinator checks.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from ..extract.base import Blob, ExtractError, Limits, Output, detect_encoding, looks_binary, text_pieces
from ..extract.mail import MboxExtractor, is_blank, starts_message
from ..extract.text import TextExtractor
from ..model import Location, TextUnit

#: How far before a range's start an mbox range looks for the line before its first.
_LOOK_BACK = 1 << 16


@dataclass(frozen=True)
class StreamRange:
    """Where one range of a split mbox or log starts and what came before it."""

    #: The extractor that reads the file ('mbox', or a text extractor's name).
    kind: str
    #: The first line of the range is this line of the file (1-based).
    line: int
    #: mbox: messages wholly before the range.
    messages: int = 0
    #: Text: the file's encoding (read from its head, as the whole-file reader does).
    encoding: str = ""
    #: Line breaks the range holds (what a reading that stopped in the right place counted).
    lines: int = 0
    #: The file as planned: a range of a file that changed since is not joined.
    file_size: int = 0
    file_mtime_ns: int = 0


@dataclass
class StreamReport:
    """How a range's reading ended: the byte it stopped at, the pieces and line breaks read."""

    stopped_at: int = -1
    pieces: int = 0
    lines: int = 0


def range_outputs(
    blob: Blob, limits: Limits, extractor: MboxExtractor | TextExtractor, start: int, end: int, at: StreamRange,
    report: StreamReport,
) -> Iterator[Output]:  # fmt: skip
    """The outputs of bytes ``[start, end)`` of ``blob`` as the whole file's extractor gives them.

    Raises :class:`ExtractError` when the range cannot vouch for its start (the file is then
    scanned whole); ``report`` says where its reading ended.
    """
    with blob.open() as fh:
        if isinstance(extractor, MboxExtractor):
            if start and not _opens_message(fh, start):
                raise ExtractError("failed", "range does not start at a message")
            fh.seek(start)
            yield from extractor.messages(
                _lines(fh, start, end, report), blob.path, limits, at.messages, at.line
            )
            return
        head = fh.read(65536)
        if looks_binary(head[:8192], at.encoding) or detect_encoding(head) != at.encoding:
            raise ExtractError("failed", "the file's head is not what was planned")
        if start:
            fh.seek(start - 1)
            if fh.read(1) != b"\n":
                raise ExtractError("failed", "range does not start at a line")
        yield from _pieces(fh, blob, limits, extractor, start, end, at, report)


def _pieces(
    fh: IO[bytes], blob: Blob, limits: Limits, extractor: TextExtractor, start: int, end: int, at: StreamRange,
    report: StreamReport,
) -> Iterator[Output]:  # fmt: skip
    """The text reader's pieces from ``start`` until the range's line breaks are read.

    The first range starts where the whole file's first piece does, so its pieces are the
    whole file's; they end exactly at ``end`` only if the last one read ends with the
    range's last line break, and then the next range too starts at a piece of the whole
    file. A piece that runs past ``end`` leaves ``report.stopped_at`` at -1.
    """
    # Decoded from the range's start on (into the next range if a piece needs it). A byte
    # order mark is only at byte 0.
    encoding = "utf-8" if start and at.encoding == "utf-8-sig" else at.encoding
    last = end >= blob.size
    fh.seek(start)
    ended = False
    for piece in text_pieces(fh, encoding, b"", limits.text_chunk):
        yield TextUnit(extractor.clean(piece.replace("\x00", "")), Location(line=at.line + report.lines))
        report.lines += piece.count("\n")
        report.pieces += 1
        ended = piece.endswith("\n")
        if not last and report.lines >= at.lines:
            break
    if last or (ended and report.lines == at.lines):
        report.stopped_at = end


def _opens_message(fh: IO[bytes], start: int) -> bool:
    """Whether a message of the mbox starts at ``start`` by the extractor's rule (a 'From '
    line after a blank line); ``False`` too when the line before is too long to look at."""
    back = min(start, _LOOK_BACK)
    fh.seek(start - back)
    window = fh.read(back + 5)
    if not starts_message(window[back:], window[back - 1 : back] == b"\n"):
        return False
    previous = window.rfind(b"\n", 0, back - 1) + 1
    if previous == 0 and back < start:
        return False  # the line before began further back: not decided, scanned whole
    return is_blank(window[previous:back])


def _lines(fh: IO[bytes], start: int, end: int, report: StreamReport) -> Iterator[bytes]:
    """The lines of ``fh`` from ``start`` (where it is) to ``end``; ``report`` says where they stopped."""
    at = start
    for line in fh:
        if at >= end:
            break
        yield line
        at += len(line)
        report.lines += line.endswith(b"\n")
    report.stopped_at = at
