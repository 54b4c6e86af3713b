"""The one CSV writer and the one spreadsheet formula guard for every CSV the product writes.

Every CSV leaves through here: the decision log export, the print-house letter file, advisory
acknowledgements, the breach individuals export and the scanner's ``individuals.csv``. This
module imports nothing but the standard library, so the scanner (which must never import
Django) uses it too.

Two rules:

* **Formula guard.** A cell whose first character is ``=``, ``+``, ``-``, ``@``, tab or
  carriage return is run as a formula by Excel, LibreOffice and Google Sheets (OWASP "CSV
  injection"). Such a cell is written with a leading apostrophe, which spreadsheets show as
  text. A cell that already starts with an apostrophe gets one more, so the guard is exactly
  reversible: :func:`unguard` gives back the value that was written, byte for byte. That is
  what lets the log export carry the hashed values and still be safe to open.
* **Excel opens it as UTF-8.** Files start with a UTF-8 byte order mark and use CRLF line
  ends; without the BOM Excel reads UTF-8 as Windows-1252 and residents' names in any script
  other than Latin come out garbled. Readers here open with ``utf-8-sig``, which drops it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO

BOM = "\ufeff"
ENCODING = "utf-8-sig"  # writes the BOM; on reading, drops it if present
# Characters that make a spreadsheet treat a cell as a formula (or, for tab and CR, that
# Excel strips before doing so). The apostrophe is the guard itself and is escaped by doubling.
FORMULA_TRIGGERS = frozenset("=+-@\t\r")
GUARD = "'"


def guard(value: object) -> str:
    """One cell as written: text, with a leading apostrophe when it would run as a formula.

    ``None`` is an empty cell; numbers and other values are written with ``str``.
    """
    text = "" if value is None else str(value)
    if text and (text[0] in FORMULA_TRIGGERS or text[0] == GUARD):
        return GUARD + text
    return text


def unguard(cell: str) -> str:
    """The value :func:`guard` was given (the exact inverse, for readers and verifiers)."""
    return cell[1:] if cell.startswith(GUARD) else cell


def unguard_row(raw: dict[str | None, str | None]) -> dict[str, str]:
    """A row read by :class:`csv.DictReader`, every cell unguarded (a missing cell is empty;
    the overflow of a row longer than its header, keyed ``None``, is dropped)."""
    return {key: unguard(value or "") for key, value in raw.items() if key is not None}


class _Dialect(csv.excel):
    """Excel's own dialect, stated: comma, double quotes, CRLF, quote only when needed."""

    lineterminator = "\r\n"


class Writer:
    """Writes guarded rows to a text stream opened with ``newline=""``.

    The BOM is written first unless ``bom=False`` (for a stream that already has one).
    """

    def __init__(self, stream: IO[str], *, bom: bool = True) -> None:
        if bom:
            stream.write(BOM)
        self._writer = csv.writer(stream, dialect=_Dialect)

    def row(self, values: Iterable[object]) -> None:
        """Write one row, every cell through the formula guard."""
        self._writer.writerow([guard(v) for v in values])

    def rows(self, rows: Iterable[Iterable[object]]) -> None:
        """Write many rows."""
        for values in rows:
            self.row(values)


def to_text(header: Sequence[object], rows: Iterable[Iterable[object]]) -> str:
    """A whole CSV as text (BOM included) for small exports built in memory."""
    out = io.StringIO(newline="")
    writer = Writer(out)
    writer.row(header)
    writer.rows(rows)
    return out.getvalue()


def to_bytes(header: Sequence[object], rows: Iterable[Iterable[object]]) -> bytes:
    """A whole CSV as UTF-8 bytes, starting with the BOM."""
    return to_text(header, rows).encode("utf-8")


def write_file(path: Path, header: Sequence[object], rows: Iterable[Iterable[object]]) -> Path:
    """Write a CSV file (BOM, CRLF, guarded cells) and return its path."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = Writer(handle)
        writer.row(header)
        writer.rows(rows)
    return path


def stream(header: Sequence[object], rows: Iterable[Iterable[object]]) -> Iterator[str]:
    """The CSV as chunks of text, one per row (the first with the BOM), for a streamed response."""
    buffer = io.StringIO(newline="")
    writer = Writer(buffer)
    writer.row(header)
    for values in rows:
        writer.row(values)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def read_rows(handle: IO[str]) -> Iterator[dict[str, str]]:
    """Rows of a CSV written here, as dicts, every cell unguarded back to what was written.

    Open the file with ``encoding="utf-8-sig", newline=""``.
    """
    reader = csv.DictReader(handle)
    for raw in reader:
        yield unguard_row(raw)


def open_for_reading(path: Path) -> IO[str]:
    """Open a CSV for :func:`read_rows` (drops the BOM, keeps newlines inside cells)."""
    return path.open(encoding=ENCODING, newline="")
