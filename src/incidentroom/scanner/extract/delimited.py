"""CSV and TSV in any common encoding, streamed row by row with bounded memory."""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, ClassVar, TextIO

from ..model import Location, RowUnit, TextUnit
from .base import (
    TEXT_CHUNK,
    Blob,
    ExtractError,
    Extractor,
    Limits,
    Output,
    decode_errors,
    detect_encoding,
    looks_binary,
)
from .tables import TableState, sep_line, table_units

_LINE_ENDS = ("\n", "\r")


class _RecordTooLong(Exception):
    """Raised through csv.reader when a record passes the limit (the reader cannot stop it)."""


class _BoundedLines:
    """Physical lines for csv.reader, each read with a length limit, and the record in
    progress kept so it can be scanned as text instead.

    csv.reader holds a whole record, then a list of every cell: a 150 MB file that is one
    line became a 150 MB string and millions of cell objects. Here no record grows past
    ``limit`` characters; a longer one is handed back to the extractor as text chunks.
    """

    def __init__(self, text: TextIO, limit: int) -> None:
        self.text = text
        self.limit = limit
        self.pending: list[str] = []
        self.pending_chars = 0

    def __iter__(self) -> _BoundedLines:
        return self

    def __next__(self) -> str:
        piece = self.text.readline(self.limit)
        if not piece:
            raise StopIteration
        self.pending.append(piece)
        self.pending_chars += len(piece)
        if self.pending_chars > self.limit or (len(piece) == self.limit and not piece.endswith(_LINE_ENDS)):
            raise _RecordTooLong
        # One stray NUL in one cell is dropped, not a reason to refuse the file.
        return piece.replace("\x00", "")

    def take_pending(self) -> str:
        """The text of the record in progress (and forget it)."""
        text = "".join(self.pending)
        self.record_done()
        return text

    def record_done(self) -> None:
        """The reader finished a record: nothing is pending."""
        self.pending.clear()
        self.pending_chars = 0


class DelimitedExtractor(Extractor):
    """The header row is found (see :mod:`.tables`); the delimiter is sniffed from the first lines."""

    name = "csv"
    extensions: ClassVar[tuple[str, ...]] = ("csv", "tsv", "tab", "psv")

    def extract(self, blob: Blob, limits: Limits) -> Iterator[Output]:
        """Yield one :class:`RowUnit` per data row; never holds the file in memory. A record
        longer than ``limits.csv_record_chars`` is scanned as text, so memory stays bounded
        whatever the line length."""
        csv.field_size_limit(limits.csv_field_bytes)
        with blob.open() as raw:
            encoding, hinted, delimiter = self._dialect(raw, blob.extension)
            text = io.TextIOWrapper(raw, encoding=encoding, errors=decode_errors(encoding), newline="")
            if hinted is not None:
                text.readline()  # Excel's 'sep=;' line names the delimiter; it is not the header
            lines = _BoundedLines(text, limits.csv_record_chars)
            number = 1 if hinted is not None else 0

            def rows() -> Iterator[tuple[int, tuple[str, ...]] | TextUnit]:
                nonlocal number
                while True:
                    reader = csv.reader(lines, delimiter=delimiter)
                    try:
                        for row in reader:
                            lines.record_done()
                            number += 1
                            yield number, tuple(row)
                        return
                    except _RecordTooLong:
                        number += 1
                        # Read lazily as text, the rows after it keep their header.
                        yield from self._as_text(lines, delimiter, number, to_end=False)
                    except csv.Error as exc:
                        raise ExtractError(
                            "failed", f"malformed delimited text at row {number + 1}: {exc}"
                        ) from exc

            yield from table_units(rows(), lambda row: Location(row=row))

    def _dialect(self, raw: IO[bytes], extension: str) -> tuple[str, str | None, str]:
        """(encoding, the delimiter a ``sep=`` line names or ``None``, the delimiter), the
        stream left at its start."""
        head = raw.read(65536)
        encoding = detect_encoding(head)
        if looks_binary(head[:8192], encoding):
            raise ExtractError("failed", "binary content, not delimited text")
        raw.seek(0)
        sample = head.decode(encoding, "replace")[:8192]
        first = sample.split("\n", 1)[0]
        hinted = sep_line(first)
        delimiter = hinted or ("\t" if extension in ("tsv", "tab") else self._sniff(sample, first))
        return encoding, hinted, delimiter

    def layout(self, blob: Blob, limits: Limits) -> tuple[CsvLayout, int] | None:
        """How the file starts, for scanning it in byte ranges: its layout, and the byte
        offset after which a range may begin. ``None`` when it cannot be split: an encoding
        in which a newline is not the byte 0x0A (UTF-16), binary content, or a head that
        is not a table with a header settled within its first :data:`HEAD_ROWS` rows."""
        csv.field_size_limit(limits.csv_field_bytes)
        with blob.open() as raw:
            try:
                encoding, hinted, delimiter = self._dialect(raw, blob.extension)
            except ExtractError:
                return None
            if not _newline_is_one_byte(encoding):
                return None
            layout = CsvLayout(encoding, delimiter, hinted is not None, ())
            lines = _RangeLines(raw, layout, 0, blob.size, limits.csv_record_chars)
            state = TableState()
            try:
                for _ in table_units(
                    _range_rows(lines, layout, HEAD_ROWS), lambda row: Location(row=row), state
                ):
                    pass
            except (_RecordTooLong, csv.Error):
                return None
        if state.headers is None or not any(h.strip() for h in state.headers):
            return None
        return CsvLayout(encoding, delimiter, hinted is not None, state.headers), lines.pos

    def extract_range(
        self, blob: Blob, limits: Limits, layout: CsvLayout, start: int, end: int, report: RangeReport
    ) -> Iterator[RowUnit | TextUnit]:
        """The rows of the records that begin in bytes ``[start, end)``, as :meth:`extract`
        would give them except that row numbers count from the range's start (the
        coordinator adds the rows of the ranges before). ``start`` is a line start found by
        the planner; whether it really is a record's start (not a line inside a quoted
        field) is what ``report`` lets the coordinator check: where this range stopped
        reading must be where the next one starts. A record too long to hold, or a
        malformed one, raises: the coordinator then scans the file whole, which handles
        both exactly as an unsplit scan does."""
        csv.field_size_limit(limits.csv_field_bytes)
        with blob.open() as raw:
            raw.seek(start)
            lines = _RangeLines(raw, layout, start, end, limits.csv_record_chars)
            state = TableState() if start == 0 else TableState(headers=layout.headers)
            yield from table_units(_range_rows(lines, layout, None), lambda row: Location(row=row), state)
        report.stopped_at = lines.pos
        report.at_end = lines.pos >= blob.size
        report.rows = lines.rows
        report.headers = state.headers or ()
        # The next range starts with a plain data row under these headers; it cannot know
        # that this one ended on a blank row or on a header row (a second table's header
        # or the upper half of a two-row one).
        report.resumable = not state.after_blank and state.header_row != state.last_row

    @staticmethod
    def _as_text(lines: _BoundedLines, delimiter: str, row: int, *, to_end: bool) -> Iterator[TextUnit]:
        """The over-long record (to the end of its line, or of the file) as text chunks of
        about TEXT_CHUNK characters, cut at a delimiter or space so values stay whole."""
        buffer = lines.take_pending()
        done = not to_end and buffer.endswith(_LINE_ENDS)
        while True:
            while len(buffer) >= TEXT_CHUNK or (done and buffer):
                cut = max(buffer.rfind(delimiter, 0, TEXT_CHUNK), buffer.rfind(" ", 0, TEXT_CHUNK))
                if cut <= 0 or done and len(buffer) < TEXT_CHUNK:
                    cut = min(len(buffer), TEXT_CHUNK) - 1
                piece, buffer = buffer[: cut + 1], buffer[cut + 1 :]
                yield TextUnit(piece, Location(row=row))
            if done:
                return
            piece = lines.text.readline(TEXT_CHUNK)
            buffer += piece
            done = not piece or (not to_end and piece.endswith(_LINE_ENDS))

    @staticmethod
    def _sniff(sample: str, first: str) -> str:
        """The delimiter most lines share the same count of (a title row has none)."""
        lines = [line for line in sample.split("\n")[:20] if line.strip()] or [first]
        best, best_key = ",", (0, 0)
        for delimiter in (",", "\t", ";", "|"):
            counts = [n for n in (line.count(delimiter) for line in lines) if n]
            if not counts:
                continue
            modal = max(set(counts), key=lambda c: (counts.count(c), c))
            key = (counts.count(modal), modal)
            if key > best_key:
                best, best_key = delimiter, key
        return best


#: Rows read from a file's head to settle its header before deciding where ranges may start.
HEAD_ROWS = 200


@dataclass(frozen=True)
class CsvLayout:
    """What every range of a split CSV needs from the file's head."""

    encoding: str
    delimiter: str
    #: The file starts with Excel's ``sep=`` line (skipped, but it counts as row 1).
    sep_line: bool
    #: The header in force after the head (a range after the first starts under it).
    headers: tuple[str, ...]


@dataclass
class RangeReport:
    """How a range's reading ended: the coordinator checks that the ranges join up."""

    stopped_at: int = 0
    at_end: bool = False
    rows: int = 0
    headers: tuple[str, ...] = ()
    resumable: bool = False


def _newline_is_one_byte(encoding: str) -> bool:
    """UTF-8 and single-byte code pages: a 0x0A byte is always a line feed."""
    name = codecs.lookup(encoding).name
    if name.startswith("utf-8"):
        return True
    # A single-byte code page decodes 256 bytes into 256 characters; a multi-byte one
    # (Shift JIS, GB18030) joins lead and trail bytes.
    return len(bytes(range(256)).decode(name, "replace")) == 256


_PIECES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


class _RangeLines:
    """Physical lines of bytes ``[start, end)`` for csv.reader, with the byte position kept.

    Read as bytes at line feeds, so the position is exact, then decoded line by line
    with the file's decoder (the same characters as decoding the whole stream: the
    decoders here are stateless at a line feed) and cut at a lone carriage return, as
    the text stream of an unsplit scan does. Past ``end``, reading stops at the first
    record boundary. A line longer than the record limit raises :class:`_RecordTooLong`
    (the unsplit scan reads such a record as text; the coordinator falls back to it).
    """

    def __init__(self, raw: IO[bytes], layout: CsvLayout, start: int, end: int, limit: int) -> None:
        self.raw = raw
        self.pos = start
        self.end = end
        self.limit = limit
        self.eof = False
        name = codecs.lookup(layout.encoding).name
        self.errors = decode_errors(name)
        # The byte order mark is only at the file's start.
        self.first = name if start == 0 else ""
        self.encoding = "utf-8" if name == "utf-8-sig" else name
        self.pieces: list[str] = []
        self.pending_chars = 0
        #: The row number of the last record read (the ``sep=`` line counts).
        self.rows = 0

    def __iter__(self) -> _RangeLines:
        return self

    def __next__(self) -> str:
        if not self.pieces:
            if self.pending_chars == 0 and self.pos >= self.end:
                raise StopIteration
            raw = self.raw.readline(4 * self.limit + 4)
            if not raw:
                self.eof = True
                raise StopIteration
            self.pos += len(raw)
            if self.first:
                text = raw.decode(self.first, self.errors)
                self.first = ""
            else:
                text = raw.decode(self.encoding, self.errors)
            if len(text) >= self.limit:
                raise _RecordTooLong
            cr = text.find("\r")
            if cr == -1 or cr == len(text) - 2 and text.endswith("\r\n"):
                self.pieces = [text]
            else:
                self.pieces = _PIECES.findall(text)
            self.pieces.reverse()
        piece = self.pieces.pop()
        self.pending_chars += len(piece)
        if self.pending_chars > self.limit:
            raise _RecordTooLong
        # One stray NUL in one cell is dropped, not a reason to refuse the file.
        return piece.replace("\x00", "")

    def record_done(self) -> None:
        """The reader finished a record: a range may stop here."""
        self.pending_chars = 0


def _range_rows(
    lines: _RangeLines, layout: CsvLayout, limit: int | None
) -> Iterator[tuple[int, tuple[str, ...]]]:
    """(row number, cells) of the records in ``lines``; at most ``limit`` of them."""
    number = 0
    if layout.sep_line and lines.pos == 0:
        next(lines)
        lines.record_done()
        number = lines.rows = 1
    for row in csv.reader(lines, delimiter=layout.delimiter):
        lines.record_done()
        number = lines.rows = number + 1
        yield number, tuple(row)
        if limit is not None and number >= limit:
            return
