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

from ..extract.base import Blob, Limits, Output, text_pieces
from ..extract.mail import MboxExtractor
from ..extract.text import TextExtractor
from ..model import Location, TextUnit


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
    #: Text: how many of the reader's pieces the range holds.
    pieces: int = 0
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
    """The outputs of bytes ``[start, end)`` of ``blob`` as the whole file's extractor gives them."""
    if isinstance(extractor, MboxExtractor):
        with blob.open() as fh:
            fh.seek(start)
            yield from extractor.messages(
                _lines(fh, start, end, report), blob.path, limits, at.messages, at.line
            )
        return
    # Decoded from the range's start on (into the next range if a piece needs it): the
    # pieces then end where the whole file's do. A byte order mark is only at byte 0.
    encoding = "utf-8" if start and at.encoding == "utf-8-sig" else at.encoding
    line = at.line
    with blob.open() as fh:
        fh.seek(start)
        for piece in text_pieces(fh, encoding, b"", limits.text_chunk):
            yield TextUnit(extractor.clean(piece.replace("\x00", "")), Location(line=line))
            line += piece.count("\n")
            report.pieces += 1
            if report.pieces == at.pieces:
                break
    report.lines = line - at.line
    report.stopped_at = end if report.pieces == at.pieces or not at.pieces else -1


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
