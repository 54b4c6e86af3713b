"""XLSX, XLS (BIFF) and ODS through calamine (Rust), one row unit per data row."""

from __future__ import annotations

import datetime as dt
import functools
import io
from collections.abc import Iterator
from typing import ClassVar

from python_calamine import CalamineWorkbook

from ..model import Location
from .base import Blob, ExtractError, Extractor, Limits, Output
from .ole import raise_if_encrypted_ole
from .tables import table_units


def cell_text(value: object) -> str:
    """Dates as ISO (so a DOB column parses), whole floats without '.0', the rest as str."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def _sheet_location(sheet: str, row: int) -> Location:
    return Location(sheet=sheet, row=row)


class SpreadsheetExtractor(Extractor):
    """Every sheet; each table's header row is found (see :mod:`.tables`)."""

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
                rows = (
                    (number, tuple(cell_text(v) for v in row))
                    for number, row in enumerate(sheet.iter_rows(), 1)
                )
                yield from table_units(rows, functools.partial(_sheet_location, sheet_name))
            except ExtractError:
                raise
            except Exception as exc:
                raise ExtractError("failed", f"unreadable sheet {sheet_name!r}: {exc}") from exc
