"""PDF text layer through pdfium; pages without text go to Tesseract when installed."""

from __future__ import annotations

import shutil
import subprocess  # noqa: S404 - runs the local tesseract binary, no shell
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pypdfium2 as pdfium

from ..model import Location, TextUnit
from .base import Blob, ExtractError, Extractor, Limits, NeedsOcr, Output


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
    return done.stdout.decode("utf-8", "replace") if done.returncode == 0 else ""


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
        try:
            for index in range(len(document)):
                page = document[index]
                textpage = page.get_textpage()
                text = textpage.get_text_range()
                textpage.close()
                if not text.strip():
                    ocr_text = _ocr_page(page) if ocr_available() else ""
                    if ocr_text.strip():
                        ocr_done = True
                        text = ocr_text
                    else:
                        empty.append(index + 1)
                page.close()
                if text.strip():
                    yield TextUnit(text.replace("\r\n", "\n").replace("\r", "\n"), Location(page=index + 1))
        finally:
            document.close()
        if empty or ocr_done:
            yield NeedsOcr(tuple(empty), ocr_done)
