"""XLSX, XLS (BIFF) and ODS through calamine (Rust), one row unit per data row."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from typing import ClassVar

from python_calamine import CalamineWorkbook

from ..model import Location, RowUnit
from .base import Blob, ExtractError, Extractor, Limits, Output
from .ole import raise_if_encrypted_ole


def cell_text(value: object) -> str:
    """Dates as ISO (so a DOB column parses), whole floats without '.0', the rest as str."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


class SpreadsheetExtractor(Extractor):
    """Every sheet; the first non-empty row of each is its header."""

    name = "spreadsheet"
    extensions: ClassVar[tuple[str, ...]] = ("xlsx", "xlsm", "xls", "ods", "xlsb")

    def extract(self, blob: Blob, limits: Limits) -> Iterator[Output]:
        """Yield rows with sheet name and 1-based row number."""
        data = blob.read_all(limits)
        raise_if_encrypted_ole(data, "spreadsheet")
        try:
            workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        except Exception as exc:  # calamine raises its own error types per format
            raise ExtractError("failed", f"unreadable spreadsheet: {exc}") from exc
        for sheet_name in workbook.sheet_names:
            try:
                sheet = workbook.get_sheet_by_name(sheet_name)
                rows = sheet.iter_rows()
                headers: tuple[str, ...] | None = None
                for number, row in enumerate(rows, 1):
                    cells = tuple(cell_text(v) for v in row)
                    if headers is None:
                        if any(cells):
                            headers = cells
                        continue
                    if any(c.strip() for c in cells):
                        yield RowUnit(headers, cells, Location(sheet=sheet_name, row=number))
            except ExtractError:
                raise
            except Exception as exc:
                raise ExtractError("failed", f"unreadable sheet {sheet_name!r}: {exc}") from exc
