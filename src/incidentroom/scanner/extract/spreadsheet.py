"""XLSX, XLS (BIFF) and ODS through calamine (Rust), one row unit per data row."""

from __future__ import annotations

import datetime as dt
import functools
import html
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from typing import ClassVar

from python_calamine import CalamineWorkbook

from ..model import Location, RowUnit
from .base import Blob, ExtractError, Extractor, Limits, Output, Partial, paragraph_units
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


_DATE1904 = re.compile(rb"<(?:\w+:)?workbookPr\b[^>]*\bdate1904=\"(?:1|true)\"")


def uses_1904_dates(data: bytes) -> bool:
    """True for an XLSX whose workbook counts serial dates from 1904 (``workbookPr date1904``)."""
    if not data.startswith(b"PK"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            info = package.getinfo("xl/workbook.xml")
            if info.file_size > (16 << 20):
                return False
            return _DATE1904.search(package.read(info)) is not None
    except (KeyError, zipfile.BadZipFile, OSError):
        return False


_EXTRA_TEXT = re.compile(r"xl/(?:comments\d*|threadedComments/threadedComment\d*|drawings/drawing\d*)\.xml")
_TEXT_RUN = re.compile(rb"<(?:\w+:)?t(?:\s[^>]*)?>([^<]*)</(?:\w+:)?t>")
_PARAGRAPH_END = re.compile(rb"</(?:\w+:)?(?:p|comment|text)>")


def xlsx_extras(data: bytes) -> Iterator[Output]:
    """Cell comments, threaded comments and text boxes of an XLSX (calamine reads cells only).

    Images are reported as not read.
    """
    if not data.startswith(b"PK"):
        return
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            infos = package.infolist()
            for info in sorted(
                (i for i in infos if _EXTRA_TEXT.fullmatch(i.filename)), key=lambda i: i.filename
            ):
                if info.file_size > (64 << 20):
                    yield Partial(f"{info.filename} too large to read")
                    continue
                xml = package.read(info)
                lines = []
                for block in _PARAGRAPH_END.split(xml):
                    text = "".join(
                        html.unescape(m.decode("utf-8", "replace")) for m in _TEXT_RUN.findall(block)
                    )
                    if text.strip():
                        lines.append(text.strip())
                if lines:
                    part = info.filename.rsplit("/", 1)[-1].removesuffix(".xml")
                    yield from paragraph_units(lines, Location(sheet=part))
            images = sum(1 for i in infos if i.filename.startswith("xl/media/"))
            if images:
                yield Partial(f"{images} image(s) in the workbook not read (no OCR of embedded images)")
    except (zipfile.BadZipFile, OSError):
        return


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
        epoch1904 = uses_1904_dates(data)
        yield from xlsx_extras(data)
        for sheet_name in workbook.sheet_names:
            try:
                sheet = workbook.get_sheet_by_name(sheet_name)
                rows = (
                    (number, tuple(cell_text(v) for v in row))
                    for number, row in enumerate(sheet.iter_rows(), 1)
                )
                for unit in table_units(rows, functools.partial(_sheet_location, sheet_name)):
                    yield replace(unit, date1904=True) if epoch1904 and isinstance(unit, RowUnit) else unit
            except ExtractError:
                raise
            except Exception as exc:
                raise ExtractError("failed", f"unreadable sheet {sheet_name!r}: {exc}") from exc
