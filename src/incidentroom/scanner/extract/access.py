"""Microsoft Access databases (MDB, ACCDB) through access-parser (pure Python, Apache-2.0).

Each user table is read like a sheet: its column names are the headers and each record
a row, so the same column-role rules apply as to a council's spreadsheet export. System
tables (``MSys*``) hold Access's own catalogue, not people. A table the parser cannot
read is reported as ``partial``, never dropped silently.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import os
import tempfile
from collections.abc import Iterator
from typing import Any, ClassVar

from ..model import Location, RowUnit
from .base import Blob, ExtractError, Extractor, Limits, Output, Partial

# A Jet (MDB) or ACE (ACCDB) file: page 0 carries the engine name from byte 4.
_MAGICS = (b"Standard Jet DB", b"Standard ACE DB")
# The parser logs every file's version at INFO: not news for a scan's log.
logging.getLogger("access_parser").setLevel(logging.WARNING)


def _cell(value: object) -> str:
    """A value as text: dates as ISO (so a date-of-birth column parses), whole floats as integers."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bytes):
        return ""  # OLE objects and binary fields: not text
    return str(value)


class AccessExtractor(Extractor):
    """Every user table of an Access database, one row unit per record."""

    name = "access"
    extensions: ClassVar[tuple[str, ...]] = ("mdb", "accdb")

    def sniff(self, head: bytes) -> bool:
        """Access files name their engine at byte 4 of the first page."""
        return head[4:19] in _MAGICS

    def extract(self, blob: Blob, limits: Limits) -> Iterator[Output]:
        """Yield each user table's records with the table name as the sheet."""
        try:
            parser_module: Any = importlib.import_module("access_parser")
        except ImportError as exc:
            raise ExtractError(
                "skipped", "Access database not read: the access-parser library is not installed"
            ) from exc
        data = blob.read_all(limits)
        if data[4:19] not in _MAGICS:
            raise ExtractError("failed", "not an Access database (no Jet/ACE header)")
        # The parser opens a path, not a stream: the bytes go to a private temporary file.
        handle, path = tempfile.mkstemp(suffix=".mdb")
        try:
            with os.fdopen(handle, "wb") as fh:
                fh.write(data)
            try:
                database = parser_module.AccessParser(path)
            except Exception as exc:  # the parser raises its own and construct's errors
                raise ExtractError("failed", f"unreadable Access database: {exc}") from exc
            for table in sorted(database.catalog):
                if table.startswith(("MSys", "~")):
                    continue
                try:
                    columns: dict[str, list[object]] = database.parse_table(table)
                except Exception as exc:  # one damaged table must not hide the others
                    yield Partial(f"table {table!r} ({type(exc).__name__})")
                    continue
                yield from _rows(table, columns)
        finally:
            os.unlink(path)


def _rows(table: str, columns: dict[str, list[object]]) -> Iterator[RowUnit]:
    headers = tuple(str(name) for name in columns)
    count = max((len(values) for values in columns.values()), default=0)
    series = list(columns.values())
    for index in range(count):
        cells = tuple(_cell(values[index]) if index < len(values) else "" for values in series)
        if any(cells):
            # Row 1 is the header, as in a sheet: record n is row n + 1.
            yield RowUnit(headers, cells, Location(sheet=table, row=index + 2))
