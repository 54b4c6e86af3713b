"""CSV and TSV in any common encoding, streamed row by row."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import ClassVar

from ..model import Location, RowUnit
from .base import Blob, ExtractError, Extractor, Limits, Output, detect_encoding, looks_binary


class DelimitedExtractor(Extractor):
    """The first row is the header; the delimiter is sniffed from the first lines."""

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
            text = io.TextIOWrapper(raw, encoding=encoding, errors="replace", newline="")
            sample = head.decode(encoding, "replace")[:8192]
            delimiter = "\t" if blob.extension in ("tsv", "tab") else self._sniff(sample)
            reader = csv.reader(text, delimiter=delimiter)
            try:
                headers: tuple[str, ...] | None = None
                for number, row in enumerate(reader, 1):
                    if headers is None:
                        headers = tuple(cell.strip().lstrip("\ufeff") for cell in row)
                        continue
                    if any(cell.strip() for cell in row):
                        yield RowUnit(headers, tuple(row), Location(row=number))
            except csv.Error as exc:
                raise ExtractError(
                    "failed", f"malformed delimited text at row {reader.line_num}: {exc}"
                ) from exc

    @staticmethod
    def _sniff(sample: str) -> str:
        first = sample.split("\n", 1)[0]
        counts = {d: first.count(d) for d in (",", "\t", ";", "|")}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","
