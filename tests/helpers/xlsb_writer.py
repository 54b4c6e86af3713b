"""A minimal Excel Binary Workbook (XLSB, [MS-XLSB]) writer for tests: no library writes one.

Each sheet is written as BIFF12 records: a row header per row, then one cell record per
value (inline strings as BrtCellSt, numbers as BrtCellReal), which is what Excel itself
writes for a sheet without shared strings or styles.
"""

from __future__ import annotations

import io
import struct
import zipfile


def _varint(value: int) -> bytes:
    """A record type or size: 7 bits a byte, high bit set on all but the last."""
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _record(kind: int, payload: bytes = b"") -> bytes:
    return _varint(kind) + _varint(len(payload)) + payload


def _wide(text: str) -> bytes:
    """XLWideString: a character count then UTF-16LE."""
    return struct.pack("<I", len(text)) + text.encode("utf-16-le")


BEGIN_BOOK, END_BOOK, BEGIN_SHEETS, END_SHEETS, BUNDLE_SHEET = 0x83, 0x84, 0x8F, 0x90, 0x9C
BEGIN_SHEET, END_SHEET, BEGIN_DATA, END_DATA, ROW_HEADER, DIMENSION = 0x81, 0x82, 0x91, 0x92, 0x00, 0x94
CELL_REAL, CELL_STRING = 0x05, 0x06


def _sheet(rows: list[list[str | float]]) -> bytes:
    width = max((len(row) for row in rows), default=1)
    # BrtWsDim: the used range (readers size their grid from it).
    dimension = struct.pack("<IIII", 0, max(len(rows) - 1, 0), 0, max(width - 1, 0))
    out = [_record(BEGIN_SHEET), _record(DIMENSION, dimension), _record(BEGIN_DATA)]
    for r, row in enumerate(rows):
        # rw, ixfe, miyRw, three flag bytes, no column spans.
        out.append(
            _record(ROW_HEADER, struct.pack("<IIH", r, 0, 300) + b"\x00\x00\x00" + struct.pack("<I", 0))
        )
        for c, value in enumerate(row):
            cell = struct.pack("<II", c, 0)  # column, style 0
            if isinstance(value, float | int) and not isinstance(value, bool):
                out.append(_record(CELL_REAL, cell + struct.pack("<d", float(value))))
            elif value != "":
                out.append(_record(CELL_STRING, cell + _wide(str(value))))
    out += [_record(END_DATA), _record(END_SHEET)]
    return b"".join(out)


def write_xlsb(sheets: dict[str, list[list[str | float]]]) -> bytes:
    """An XLSB workbook with one sheet per entry; strings inline, numbers as doubles."""
    names = list(sheets)
    book = [_record(BEGIN_BOOK), _record(BEGIN_SHEETS)]
    for i, name in enumerate(names, 1):
        book.append(_record(BUNDLE_SHEET, struct.pack("<II", 0, i) + _wide(f"rId{i}") + _wide(name)))
    book += [_record(END_SHEETS), _record(END_BOOK)]
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.bin" ContentType="application/vnd.ms-excel.worksheet"/>'
        for i in range(1, len(names) + 1)
    )
    types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Override PartName="/xl/workbook.bin" ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/>'
        f"{overrides}</Types>"
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.bin"/>'
        "</Relationships>"
    )
    book_rels = "".join(
        f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        f'Target="worksheets/sheet{i}.bin"/>'
        for i in range(1, len(names) + 1)
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", types)
        package.writestr("_rels/.rels", rels)
        package.writestr(
            "xl/_rels/workbook.bin.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{book_rels}</Relationships>',
        )
        package.writestr("xl/workbook.bin", b"".join(book))
        for i, name in enumerate(names, 1):
            package.writestr(f"xl/worksheets/sheet{i}.bin", _sheet(sheets[name]))
    return buffer.getvalue()
