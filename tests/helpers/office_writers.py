"""Writers for the office formats the tests need that no permissive library writes:
XLS (BIFF8), DOC (Word 97 FIB + text), MSG (MAPI property streams), minimal XLSX and ODS,
and password-protected Office containers."""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Mapping, Sequence
from xml.sax.saxutils import escape

from tests.helpers.ole_writer import write_cfb


def _record(kind: int, payload: bytes) -> bytes:
    return struct.pack("<HH", kind, len(payload)) + payload


def _xl_string(text: str) -> bytes:
    encoded = text.encode("utf-16-le")
    return struct.pack("<HB", len(text), 1) + encoded


def write_xls(sheets: dict[str, list[list[str]]]) -> bytes:
    """A BIFF8 workbook (Excel 97-2003) with string cells only."""
    bof_globals = _record(0x0809, struct.pack("<HHHHII", 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 0x06))
    eof = _record(0x000A, b"")
    substreams: list[bytes] = []
    for rows in sheets.values():
        body = _record(0x0809, struct.pack("<HHHHII", 0x0600, 0x0010, 0x0DBB, 0x07CC, 0, 0x06))
        width = max((len(r) for r in rows), default=0)
        body += _record(0x0200, struct.pack("<IIHHH", 0, len(rows), 0, width, 0))
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                body += _record(0x0204, struct.pack("<HHH", r, c, 0) + _xl_string(value))
        substreams.append(body + eof)
    boundsheet_sizes = [
        len(
            _record(
                0x0085, struct.pack("<IBB", 0, 0, 0) + struct.pack("<BB", len(n), 1) + n.encode("utf-16-le")
            )
        )
        for n in sheets
    ]
    globals_len = len(bof_globals) + sum(boundsheet_sizes) + len(eof)
    offset = globals_len
    boundsheets = b""
    for name, sub in zip(sheets, substreams, strict=True):
        boundsheets += _record(
            0x0085,
            struct.pack("<IBB", offset, 0, 0) + struct.pack("<BB", len(name), 1) + name.encode("utf-16-le"),
        )
        offset += len(sub)
    workbook = bof_globals + boundsheets + eof + b"".join(substreams)
    return write_cfb({"Workbook": workbook.ljust(4096, b"\0")})


def write_doc(text: str, encrypted: bool = False) -> bytes:
    """A Word 97 document whose text sits where the FIB says (fcMin..fcMac), UTF-16."""
    body = (text.replace("\n", "\r") + "\r").encode("utf-16-le")
    fc_min = 0x800
    flags = 0x1000 | (0x0100 if encrypted else 0)
    fib = bytearray(fc_min)
    struct.pack_into("<HH", fib, 0, 0xA5EC, 0x00C1)
    struct.pack_into("<H", fib, 0x0A, flags)
    struct.pack_into("<II", fib, 0x18, fc_min, fc_min + len(body))
    stream = bytes(fib) + body
    return write_cfb({"WordDocument": stream.ljust(4096, b"\0"), "1Table": b"\0" * 4096})


def _unicode_prop(text: str) -> bytes:
    return text.encode("utf-16-le")


def write_msg(
    sender_name: str,
    sender_email: str,
    to: list[tuple[str, str]],
    subject: str,
    body: str,
    attachments: list[tuple[str, bytes]],
) -> bytes:
    """An Outlook message: MAPI string properties as '__substg1.0_XXXX001F' streams."""
    streams = {
        "__substg1.0_0037001F": _unicode_prop(subject),
        "__substg1.0_1000001F": _unicode_prop(body),
        "__substg1.0_0C1A001F": _unicode_prop(sender_name),
        "__substg1.0_0C1F001F": _unicode_prop(sender_email),
        "__properties_version1.0": b"\0" * 32,
    }
    for i, (name, address) in enumerate(to):
        prefix = f"__recip_version1.0_#{i:08X}/"
        streams[prefix + "__substg1.0_3001001F"] = _unicode_prop(name)
        streams[prefix + "__substg1.0_39FE001F"] = _unicode_prop(address)
    for i, (filename, data) in enumerate(attachments):
        prefix = f"__attach_version1.0_#{i:08X}/"
        streams[prefix + "__substg1.0_3707001F"] = _unicode_prop(filename)
        streams[prefix + "__substg1.0_37010102"] = data
    return write_cfb(streams)


def write_encrypted_office(salt: bytes = b"") -> bytes:
    """What Office writes for a password-protected DOCX/XLSX: an OLE file, not a zip."""
    return write_cfb(
        {"EncryptionInfo": b"\x04\x00\x04\x00" + salt.ljust(200, b"\0"), "EncryptedPackage": b"\0" * 5000}
    )


def _col(n: int) -> str:
    name = ""
    n += 1
    while n:
        n, rem = divmod(n - 1, 26)
        name = chr(65 + rem) + name
    return name


def _xlsx_cell(ref: str, value: str | float) -> str:
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{value!r}</v></c>'  # a number cell, as Excel stores typed numbers
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'


def write_xlsx(sheets: Mapping[str, Sequence[Sequence[str | float]]]) -> bytes:
    """A minimal SpreadsheetML workbook: inline strings, and numbers for int/float values."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(1, len(sheets) + 1)
        )
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            f"{overrides}</Types>",
        )
        z.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        sheet_xml = "".join(
            f'<sheet name="{escape(n)}" sheetId="{i}" r:id="rId{i}"/>' for i, n in enumerate(sheets, 1)
        )
        z.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            f'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>{sheet_xml}</sheets></workbook>',
        )
        rels = "".join(
            f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, len(sheets) + 1)
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>',
        )
        for i, rows in enumerate(sheets.values(), 1):
            data = "".join(
                f'<row r="{r + 1}">'
                + "".join(_xlsx_cell(f"{_col(c)}{r + 1}", v) for c, v in enumerate(row))
                + "</row>"
                for r, row in enumerate(rows)
            )
            z.writestr(
                f"xl/worksheets/sheet{i}.xml",
                f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{data}</sheetData></worksheet>',
            )
    return buf.getvalue()


def write_ods(sheets: dict[str, list[list[str]]]) -> bytes:
    """A minimal OpenDocument spreadsheet."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
            '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
            '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>',
        )
        tables = "".join(
            f'<table:table table:name="{escape(name)}">'
            + "".join(
                "<table:table-row>"
                + "".join(
                    f'<table:table-cell office:value-type="string"><text:p>{escape(v)}</text:p></table:table-cell>'
                    for v in row
                )
                + "</table:table-row>"
                for row in rows
            )
            + "</table:table>"
            for name, rows in sheets.items()
        )
        z.writestr(
            "content.xml",
            '<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
            'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
            f"<office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body></office:document-content>",
        )
    return buf.getvalue()
