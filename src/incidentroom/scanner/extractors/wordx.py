"""DOCX: paragraphs as text, tables as rows with their first row as header."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from typing import ClassVar

import docx

from ..model import Location, RowUnit
from .base import Blob, ExtractError, Extractor, Limits, Output, paragraph_units
from .ole import raise_if_encrypted_ole


class DocxExtractor(Extractor):
    """Word 2007+ documents through python-docx."""

    name = "docx"
    extensions: ClassVar[tuple[str, ...]] = ("docx", "docm")

    def extract(self, blob: Blob, limits: Limits) -> Iterator[Output]:
        """Yield paragraph text, then each table's rows."""
        data = blob.read_all(limits)
        raise_if_encrypted_ole(data, "Word document")
        try:
            document = docx.Document(io.BytesIO(data))
        except (zipfile.BadZipFile, KeyError, ValueError) as exc:
            raise ExtractError("failed", f"unreadable DOCX: {exc}") from exc
        yield from paragraph_units([p.text for p in document.paragraphs], Location())
        for table_number, table in enumerate(document.tables, 1):
            rows = [tuple(cell.text for cell in row.cells) for row in table.rows]
            if len(rows) < 2:
                continue
            for number, cells in enumerate(rows[1:], 2):
                yield RowUnit(rows[0], cells, Location(sheet=f"table{table_number}", row=number))
