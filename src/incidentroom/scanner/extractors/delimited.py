"""CSV and TSV in any common encoding, streamed row by row."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import ClassVar

from ..model import Location
from .base import Blob, ExtractError, Extractor, Limits, Output, decode_errors, detect_encoding, looks_binary
from .tables import sep_line, table_units


class DelimitedExtractor(Extractor):
    """The header row is found (see :mod:`.tables`); the delimiter is sniffed from the first lines."""

    name = "csv"
    extensions: ClassVar[tuple[str, ...]] = ("csv", "tsv", "tab", "psv")

    def extract(self, blob: Blob, limits: Limits) -> Iterator[Output]:
        """Yield one :class:`RowUnit` per data row; never holds the file in memory."""
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
            offset = 1 if hinted is not None else 0
            # One stray NUL in one cell is dropped, not a reason to refuse the file.
            reader = csv.reader((line.replace("\x00", "") for line in text), delimiter=delimiter)
            rows = ((reader.line_num + offset, tuple(row)) for row in reader)
            try:
                yield from table_units(rows, lambda number: Location(row=number))
            except csv.Error as exc:
                raise ExtractError(
                    "failed", f"malformed delimited text at row {reader.line_num}: {exc}"
                ) from exc

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
