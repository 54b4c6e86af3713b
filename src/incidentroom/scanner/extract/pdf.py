"""PDF text layer through pdfium; pages without text go to Tesseract when installed.

Right-to-left text drawn by a producer that knows no bidi comes out of PDFium back to
front, and from a producer that does, with the words of a right-to-left run swapped.
``bidi`` decides, once per document, which producer drew it (from the letters, else from
the Producer entry), and the lines holding Hebrew or Arabic are rebuilt from where their
glyphs stand on the page.
"""

from __future__ import annotations

import shutil
import subprocess  # noqa: S404 - runs the local tesseract binary, no shell
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw

from ..model import Location, TextUnit
from .base import Blob, ExtractError, Extractor, Limits, NeedsOcr, Output, judges
from .bidi import PlacedChar, drawn_order, has_rtl, producer_evidence, reading_order, reversal_evidence


def ocr_available() -> bool:
    """True when the tesseract binary is on PATH (it is optional)."""
    return shutil.which("tesseract") is not None


def _ocr_page(page: pdfium.PdfPage) -> str:
    """Render at 300 dpi and run tesseract (English); empty string on any failure."""
    tesseract = shutil.which("tesseract")
    if tesseract is None:
        return ""
    image = page.render(scale=300 / 72).to_pil()
    with tempfile.TemporaryDirectory() as tmp:
        png = Path(tmp) / "page.png"
        image.save(png)
        try:
            command = [tesseract, str(png), "stdout", "-l", "eng"]
            done = subprocess.run(command, capture_output=True, timeout=120, check=False)  # noqa: S603
        except (OSError, subprocess.TimeoutExpired):
            return ""
    return judges().ocr_repair(done.stdout.decode("utf-8", "replace")) if done.returncode == 0 else ""


def _drawn_text(page: pdfium.PdfPage, *, drawn_in_reading_order: bool) -> str:
    """The page's text with each line holding right-to-left letters rebuilt from where
    its glyphs stand: as they stand when the producer drew reading order left to right,
    else with each right-to-left run turned round (PDFium keeps such a run's words in
    drawn order, which puts a two-word Arabic or Hebrew name surname first).

    Lines are the reader's own (it ends each with a generated line break); lines without
    Hebrew or Arabic keep the reader's text unchanged.
    """
    textpage = page.get_textpage()
    try:
        lines: list[str] = []
        line: list[PlacedChar] = []

        def flush() -> None:
            text = "".join(c.text for c in line)
            if has_rtl(text):
                drawn = drawn_order(line)
                text = drawn if drawn_in_reading_order else reading_order(drawn)
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
        return "\n".join(lines)
    finally:
        textpage.close()


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
        waiting: list[tuple[int, str, bool]] = []
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
                page.close()
                rtl = from_layer and has_rtl(text)
                if rtl:
                    evidence += reversal_evidence(text)
                if rtl or waiting:
                    waiting.append((index, text, rtl))
                elif text.strip():
                    yield _unit(text, index)
            if waiting and evidence == 0:
                # The letters say nothing ('محمد علي'): the producer may.
                evidence = producer_evidence(str(document.get_metadata_dict().get("Producer", "")))
            for index, text, rtl in waiting:
                if rtl:
                    # Rebuilt either way: from a shaping producer too, PDFium's own
                    # order swaps the words of a right-to-left run ('علي محمد').
                    page = document[index]
                    text = _drawn_text(page, drawn_in_reading_order=evidence > 0)
                    page.close()
                if text.strip():
                    yield _unit(text, index)
        finally:
            document.close()
        if empty or ocr_done:
            yield NeedsOcr(tuple(empty), ocr_done)


def _unit(text: str, index: int) -> TextUnit:
    return TextUnit(text.replace("\r\n", "\n").replace("\r", "\n"), Location(page=index + 1))
