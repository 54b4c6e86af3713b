"""PDF text layer through pdfium; pages without text go to Tesseract when installed.

Right-to-left text drawn by a producer that knows no bidi comes out of PDFium back to
front, and from one that does, with the words of a right-to-left run swapped (or, from
Chromium, some words turned round and others not). The lines holding Hebrew or Arabic
are rebuilt from where their glyphs stand on the page; ``bidi`` decides, once per
document, which way the producer drew them (from the letters as drawn, else from the
Producer entry).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw

from ..model import Location, TextUnit
from . import ocr
from .base import Blob, ExtractError, Extractor, Limits, NeedsOcr, Output, judges
from .bidi import PlacedChar, drawn_order, has_rtl, producer_evidence, reading_order, reversal_evidence


def ocr_available() -> bool:
    """True when the tesseract binary is on PATH (it is optional)."""
    return ocr.available()


def _ocr_page(page: pdfium.PdfPage) -> str:
    """Render at 300 dpi and run tesseract (English); empty string on any failure."""
    if not ocr.available():
        return ""
    image = page.render(scale=300 / 72).to_pil()
    with tempfile.TemporaryDirectory() as tmp:
        # Uncompressed PPM: the same pixels as a PNG, so the same text, but PNG's compression
        # cost about 0.3 CPU s per page at 300 dpi, a fifth of an OCR-heavy scan's own CPU.
        ppm = Path(tmp) / "page.ppm"
        image.save(ppm, format="PPM")
        text = ocr.tesseract(ppm, 120)
    return judges().ocr_repair(text) if text is not None else ""


# A page's lines as the reader breaks them: plain text for a line without right-to-left
# letters; for one with them, its two readings (reading order drawn left to right, display
# order turned round) until the document's verdict picks one. Text, not glyphs, is held:
# a long Arabic document's glyphs would take far more memory than its text.
_Line = str | tuple[str, str]


def _placed_lines(page: pdfium.PdfPage) -> list[_Line]:
    """The page's lines (the reader ends each with a generated line break), those holding
    Hebrew or Arabic rebuilt from their glyphs' advance ('loose') boxes both ways."""
    textpage = page.get_textpage()
    try:
        lines: list[_Line] = []
        line: list[PlacedChar] = []

        def flush() -> None:
            text = "".join(c.text for c in line)
            if has_rtl(text):
                lines.append((drawn_order(line, True), reading_order(drawn_order(line, False))))
            else:
                lines.append(text)
            line.clear()

        for index in range(textpage.count_chars()):
            char = chr(pdfium_raw.FPDFText_GetUnicode(textpage, index))
            if char == "\n":
                flush()
                continue
            if char == "\r":
                continue
            left, _bottom, right, _top = textpage.get_charbox(index, loose=True)
            generated = pdfium_raw.FPDFText_IsGenerated(textpage, index) == 1
            line.append(PlacedChar(char, left, right, generated))
        flush()
        return lines
    finally:
        textpage.close()


def _lines_evidence(lines: list[_Line]) -> int:
    """The letters' evidence, read in drawn order: positive for display order drawn (a
    shaping producer), negative for reading order drawn left to right."""
    return sum(reversal_evidence(line[0]) for line in lines if not isinstance(line, str))


def _page_text(lines: list[_Line], *, reading_order_drawn: bool) -> str:
    """The page's text with each right-to-left line rebuilt: as drawn when the producer drew
    reading order left to right, else with each right-to-left run turned round (PDFium's
    own text keeps a run's words in drawn order, putting a two-word name surname first)."""
    out = []
    for line in lines:
        if isinstance(line, str):
            out.append(line)
        else:
            out.append(line[0] if reading_order_drawn else line[1])
    return "\n".join(out)


class PdfExtractor(Extractor):
    """One text unit per page, located by page number."""

    name = "pdf"
    extensions: ClassVar[tuple[str, ...]] = ("pdf",)

    def sniff(self, head: bytes) -> bool:
        """PDFs start with '%PDF-'."""
        return head.startswith(b"%PDF-")

    def extract(self, blob: Blob, limits: Limits) -> Iterator[Output]:
        """Yield page text; report pages with no text layer (OCRed when possible)."""
        data = blob.read_all(limits)
        try:
            document = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            message = str(exc)
            if "password" in message.lower():
                raise ExtractError("failed", "encrypted PDF (password protected)") from exc
            raise ExtractError("failed", f"unreadable PDF: {message}") from exc
        empty: list[int] = []
        ocr_done = False
        # Pages from the first one with right-to-left text on wait for the document's
        # verdict on its direction (the pages before it have nothing to turn round).
        waiting: list[tuple[int, str | list[_Line]]] = []
        evidence = 0
        try:
            for index in range(len(document)):
                page = document[index]
                textpage = page.get_textpage()
                text = textpage.get_text_range()
                textpage.close()
                from_layer = bool(text.strip())
                if not from_layer:
                    ocr_text = _ocr_page(page) if ocr_available() else ""
                    if ocr_text.strip():
                        ocr_done = True
                        text = ocr_text
                    else:
                        empty.append(index + 1)
                if from_layer and has_rtl(text):
                    lines = _placed_lines(page)
                    evidence += _lines_evidence(lines)
                    waiting.append((index, lines))
                elif waiting:
                    waiting.append((index, text))
                elif text.strip():
                    yield _unit(text, index)
                page.close()
            if waiting:
                # The letters decide; when they say nothing ('محمد علي'), the producer may.
                producer = str(document.get_metadata_dict().get("Producer", ""))
                drawn_reading = evidence < 0 or (evidence == 0 and producer_evidence(producer) > 0)
                for index, held in waiting:
                    text = (
                        held if isinstance(held, str) else _page_text(held, reading_order_drawn=drawn_reading)
                    )
                    if text.strip():
                        yield _unit(text, index)
        finally:
            document.close()
        if empty or ocr_done:
            yield NeedsOcr(tuple(empty), ocr_done)


def _unit(text: str, index: int) -> TextUnit:
    return TextUnit(text.replace("\r\n", "\n").replace("\r", "\n"), Location(page=index + 1))
