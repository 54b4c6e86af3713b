"""PPTX, and ODT/ODP (OpenDocument text and presentations): paragraphs from the package XML.

A PowerPoint slide keeps its text in DrawingML paragraphs (``a:p`` of ``a:t`` runs), in
shapes, tables and the speaker notes; an OpenDocument file keeps it in ``text:p`` and
``text:h`` of ``content.xml``, with page headers and footers in ``styles.xml``. Each
slide is a page; notes follow their slide. Images inside are reported as not read.
"""

from __future__ import annotations

import importlib
import io
import re
import zipfile
from collections.abc import Iterator
from typing import Any, ClassVar

from ..model import Location
from .base import Blob, ExtractError, Extractor, Limits, Output, Partial, paragraph_units
from .ole import raise_if_encrypted_ole

# lxml ships no type hints; reach it through an Any-typed module (as striprtf in rtf.py).
etree: Any = importlib.import_module("lxml.etree")

_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)
_SLIDE = re.compile(r"ppt/slides/slide(\d+)\.xml")
_NOTES = re.compile(r"ppt/notesSlides/notesSlide(\d+)\.xml")


def _read(package: zipfile.ZipFile, name: str, limits: Limits) -> Any:
    if package.getinfo(name).file_size > limits.max_whole_file:
        raise ExtractError("skipped", f"{name} larger than {limits.max_whole_file} bytes")
    return etree.fromstring(package.read(name), _PARSER)


def _open(blob: Blob, limits: Limits, kind: str) -> zipfile.ZipFile:
    data = blob.read_all(limits)
    raise_if_encrypted_ole(data, kind)
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise ExtractError("failed", f"unreadable {kind}: {exc}") from exc


def _drawing_paragraphs(root: Any) -> list[str]:
    """Text of every DrawingML paragraph (``a:p``): runs joined, line breaks as spaces."""
    lines: list[str] = []
    for paragraph in root.iter(f"{{{_A}}}p"):
        parts = [
            (node.text or "") if node.tag == f"{{{_A}}}t" else " "
            for node in paragraph.iter(f"{{{_A}}}t", f"{{{_A}}}br")
        ]
        line = "".join(parts).strip()
        if line:
            lines.append(line)
    return lines


def _images(package: zipfile.ZipFile, prefix: str) -> Iterator[Output]:
    images = sum(1 for n in package.namelist() if n.startswith(prefix))
    if images:
        yield Partial(f"{images} image(s) in the document not read (no OCR of embedded images)")


class PptxExtractor(Extractor):
    """PowerPoint 2007+: every slide's text and its speaker notes, one page per slide."""

    name = "pptx"
    extensions: ClassVar[tuple[str, ...]] = ("pptx", "pptm", "ppsx", "potx")

    def extract(self, blob: Blob, limits: Limits) -> Iterator[Output]:
        """Yield each slide's paragraphs (then its notes) located by slide number."""
        package = _open(blob, limits, "PowerPoint presentation")
        names = package.namelist()
        slides = sorted((int(m[1]), n) for n in names if (m := _SLIDE.fullmatch(n)))
        notes = {int(m[1]): n for n in names if (m := _NOTES.fullmatch(n))}
        if not slides:
            raise ExtractError("failed", "unreadable PowerPoint presentation: no slides")
        try:
            for number, name in slides:
                lines = _drawing_paragraphs(_read(package, name, limits))
                # Notes files are numbered in creation order, which is the slide order
                # for slides that were never moved; the notes' own slide link is not needed
                # to read them, only to place them, so they follow the slide of that number.
                if number in notes:
                    lines += _drawing_paragraphs(_read(package, notes[number], limits))
                yield from paragraph_units(lines, Location(page=number))
        except etree.XMLSyntaxError as exc:
            raise ExtractError("failed", f"unreadable PowerPoint presentation: {exc}") from exc
        yield from _images(package, "ppt/media/")


class OpenDocumentExtractor(Extractor):
    """ODT and ODP (and their templates): page headers and footers, then the content."""

    name = "opendocument"
    extensions: ClassVar[tuple[str, ...]] = ("odt", "odp", "ott", "otp", "odg")

    def extract(self, blob: Blob, limits: Limits) -> Iterator[Output]:
        """Yield every text paragraph and heading; each ODP slide is a page."""
        package = _open(blob, limits, "OpenDocument file")
        names = package.namelist()
        if "content.xml" not in names:
            raise ExtractError("failed", "unreadable OpenDocument file: no content.xml")
        try:
            if "styles.xml" in names:
                yield from paragraph_units(_odf_paragraphs(_read(package, "styles.xml", limits)), Location())
            content = _read(package, "content.xml", limits)
        except etree.XMLSyntaxError as exc:
            raise ExtractError("failed", f"unreadable OpenDocument file: {exc}") from exc
        pages = content.findall(".//{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}page")
        if pages:
            for number, page in enumerate(pages, 1):
                yield from paragraph_units(_odf_paragraphs(page), Location(page=number))
        else:
            yield from paragraph_units(_odf_paragraphs(content), Location())
        yield from _images(package, "Pictures/")


def _odf_paragraphs(root: Any) -> list[str]:
    """Text of ``text:p`` and ``text:h`` elements, with ``text:s``, tabs and line breaks."""
    lines: list[str] = []
    for paragraph in root.iter(f"{{{_TEXT}}}p", f"{{{_TEXT}}}h"):
        if any(a.tag in (f"{{{_TEXT}}}p", f"{{{_TEXT}}}h") for a in paragraph.iterancestors()):
            continue  # read with the paragraph that holds it
        line = _odf_text(paragraph).strip()
        if line:
            lines.append(line)
    return lines


def _odf_text(element: Any) -> str:
    parts = [element.text or ""]
    for child in element:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == f"{{{_TEXT}}}s":
            count = child.get(f"{{{_TEXT}}}c", "1")
            parts.append(" " * min(int(count) if count.isdigit() else 1, 64))
        elif tag in (f"{{{_TEXT}}}tab", f"{{{_TEXT}}}line-break"):
            parts.append(" ")
        elif tag == f"{{{_TEXT}}}note":
            parts.append(" " + _odf_text(child) + " ")
        elif tag:
            parts.append(_odf_text(child))
        parts.append(child.tail or "")
    return "".join(parts)
