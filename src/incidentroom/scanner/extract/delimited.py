"""CSV and TSV in any common encoding, streamed row by row with bounded memory."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import ClassVar, TextIO

from ..model import Location, TextUnit
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
from .tables import sep_line, table_units

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
            head = raw.read(65536)
            encoding = detect_encoding(head)
            if looks_binary(head[:8192], encoding):
                raise ExtractError("failed", "binary content, not delimited text")
            raw.seek(0)
            text = io.TextIOWrapper(raw, encoding=encoding, errors=decode_errors(encoding), newline="")
            sample = head.decode(encoding, "replace")[:8192]
            first = sample.split("\n", 1)[0]
            hinted = sep_line(first)
            if hinted is not None:
                text.readline()  # Excel's 'sep=;' line names the delimiter; it is not the header
            delimiter = hinted or ("\t" if blob.extension in ("tsv", "tab") else self._sniff(sample, first))
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
