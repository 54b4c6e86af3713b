"""DOCX: every part Word keeps text in, read from the package's XML.

python-docx reads body paragraphs and tables only; a council letter keeps the addressee
in a floating text box, the claimant's reference in the header, the date of birth in the
footer, client details in content controls and late additions as tracked insertions.
So the parts are read directly: headers and footers first (they are about the letter's
subject, so what they hold is attached to the person they name), then the body with its
text boxes (the ``wps`` shape, never also its VML fallback copy), content controls and
tracked insertions (deleted text is not read), then footnotes, endnotes and comments.
Top-level body tables become rows. Embedded files are scanned as nested files; anything
present but not read (images, charts) is reported as ``partial``.
"""

from __future__ import annotations

import importlib
import io
import re
import zipfile
from collections.abc import Iterator
from typing import Any, ClassVar

from ..model import Location, RowUnit
from .base import Blob, ExtractError, Extractor, Limits, Output, Partial, bytes_blob, paragraph_units
from .ole import raise_if_encrypted_ole

# lxml ships no type hints; reach it through an Any-typed module (as striprtf in rtf.py).
etree: Any = importlib.import_module("lxml.etree")

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_P, _T, _TBL, _TR, _TC = (f"{{{_W}}}{tag}" for tag in ("p", "t", "tbl", "tr", "tc"))
_BODY, _TAB, _BR, _CR = (f"{{{_W}}}{tag}" for tag in ("body", "tab", "br", "cr"))
_SKIP = frozenset(
    {
        f"{{{_MC}}}Fallback",  # the VML copy of a text box already read from its wps shape
        f"{{{_W}}}del",  # deleted by a tracked change
        f"{{{_W}}}moveFrom",  # a tracked move's old place (its text is read where it moved to)
        f"{{{_W}}}instrText",  # field codes
        f"{{{_W}}}delText",
    }
)
_GRID_SPAN = f"{{{_W}}}gridSpan"
_VAL = f"{{{_W}}}val"
_HEADERS = re.compile(r"word/(?:header|footer)\d*\.xml")
_NOTES = ("word/footnotes.xml", "word/endnotes.xml", "word/comments.xml")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)


def _number(name: str) -> tuple[int, str]:
    digits = re.findall(r"\d+", name)
    return (int(digits[-1]) if digits else 0, name)


class _Paragraphs:
    """Collects the text of every paragraph of one XML part, in reading order."""

    def __init__(self, skip_body_tables: bool) -> None:
        self.paragraphs: list[str] = []
        self.tables: list[Any] = []
        self.skip_body_tables = skip_body_tables

    def walk(self, element: Any) -> None:
        """Visit a part's root element."""
        for child in element:
            self._visit(child, None)

    def _visit(self, element: Any, text: list[str] | None) -> None:
        tag = element.tag
        if not isinstance(tag, str) or tag in _SKIP:
            return
        if tag == _TBL and self.skip_body_tables and element.getparent() is not None:
            parent = element.getparent()
            if parent is not None and parent.tag == _BODY:
                self.tables.append(element)
                return
        if tag == _P:
            own: list[str] = []
            for child in element:
                self._visit(child, own)
            line = "".join(own).strip()
            if line:
                self.paragraphs.append(line)
            return
        if text is not None:
            if tag == _T and element.text:
                text.append(element.text)
            elif tag == _TAB:
                text.append("\t")
            elif tag in (_BR, _CR):
                text.append(" ")
        for child in element:
            self._visit(child, text)


def _cell_text(cell: Any) -> str:
    collector = _Paragraphs(skip_body_tables=False)
    collector.walk(cell)
    return "\n".join(collector.paragraphs)


def _table_rows(table: Any) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for row in table.findall(_TR):
        cells: list[str] = []
        for cell in row:
            if cell.tag != _TC:
                continue
            text = _cell_text(cell)
            span = cell.find(f".//{{{_W}}}tcPr/{{{_W}}}gridSpan")
            repeat = int(span.get(_VAL, "1")) if span is not None and span.get(_VAL, "1").isdigit() else 1
            cells.extend([text] * max(1, min(repeat, 64)))  # a merged cell fills its columns
        rows.append(tuple(cells))
    return rows


class DocxExtractor(Extractor):
    """Word 2007+ documents: every text-holding part of the package."""

    name = "docx"
    extensions: ClassVar[tuple[str, ...]] = ("docx", "docm", "dotx", "dotm")

    def extract(self, blob: Blob, limits: Limits) -> Iterator[Output]:
        """Yield paragraph text (headers, footers, body, notes), table rows and embedded files."""
        data = blob.read_all(limits)
        raise_if_encrypted_ole(data, "Word document")
        try:
            package = zipfile.ZipFile(io.BytesIO(data))
            names = package.namelist()
            if "word/document.xml" not in names:
                raise ExtractError("failed", "unreadable DOCX: no word/document.xml")
            parts = sorted(
                (n for n in names if _HEADERS.fullmatch(n)), key=lambda n: ("footer" in n, _number(n))
            )
            order = [*parts, "word/document.xml", *(n for n in _NOTES if n in names)]
            paragraphs: list[str] = []
            tables: list[Any] = []
            for part in order:
                if package.getinfo(part).file_size > limits.max_whole_file:
                    raise ExtractError("skipped", f"{part} larger than {limits.max_whole_file} bytes")
                collector = _Paragraphs(skip_body_tables=part == "word/document.xml")
                root = etree.fromstring(package.read(part), _PARSER)
                collector.walk(root)
                paragraphs.extend(collector.paragraphs)
                tables.extend(collector.tables)
        except (zipfile.BadZipFile, KeyError, ValueError, etree.XMLSyntaxError, OSError) as exc:
            raise ExtractError("failed", f"unreadable DOCX: {exc}") from exc
        yield from paragraph_units(paragraphs, Location())
        for table_number, table in enumerate(tables, 1):
            rows = _table_rows(table)
            if len(rows) < 2:
                if rows:
                    yield from paragraph_units(["  ".join(rows[0])], Location(sheet=f"table{table_number}"))
                continue
            for number, cells in enumerate(rows[1:], 2):
                yield RowUnit(rows[0], cells, Location(sheet=f"table{table_number}", row=number))
        yield from _embedded(package, blob)


def _embedded(package: zipfile.ZipFile, blob: Blob) -> Iterator[Output]:
    """Embedded documents as nested files; images and charts reported as not read."""
    images = 0
    other: list[str] = []
    for info in package.infolist():
        name = info.filename
        if name.startswith("word/embeddings/") or re.fullmatch(r"word/afchunk\d*\.\w+", name):
            if info.file_size > (256 << 20):
                yield Partial(f"embedded {name} too large to read")
                continue
            yield bytes_blob(f"{blob.path}/{name}", package.read(name), blob.year)
        elif name.startswith("word/media/"):
            images += 1
        elif name.startswith(("word/charts/", "word/diagrams/")) and name.endswith(".xml"):
            other.append(name.rsplit("/", 1)[-1])
    if images:
        yield Partial(f"{images} image(s) in the document not read (no OCR of embedded images)")
    if other:
        yield Partial(f"chart/diagram text not read ({', '.join(sorted(other)[:5])})")
