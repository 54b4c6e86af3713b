"""Scanned forms and letters as images (TIFF, multi-page included, JPEG, PNG) through Tesseract.

Tesseract (``ocr.py``) reads every page of a multi-page TIFF
and separates pages with a form feed, which gives each page its number. Without it the
image is reported as ``needs_ocr``, never as a silent ``scanned``.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

from ..model import Location, TextUnit
from . import ocr
from .base import Blob, ExtractError, Extractor, Limits, NeedsOcr, Output, judges

_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*", b"BM", b"GIF87a", b"GIF89a")
#: Seconds Tesseract may spend on one image file (a 40-page TIFF at 300 dpi takes minutes).
OCR_TIMEOUT = 600


def ocr_file(path: Path) -> list[str] | None:
    """Text of each page of an image file, or ``None`` when Tesseract is missing or fails."""
    text = ocr.tesseract(path, OCR_TIMEOUT)
    return None if text is None else judges().ocr_repair(text).split("\f")


class ImageExtractor(Extractor):
    """One text unit per page of OCR text, located by page number."""

    name = "image"
    extensions: ClassVar[tuple[str, ...]] = ("tif", "tiff", "png", "jpg", "jpeg", "bmp", "gif")

    def sniff(self, head: bytes) -> bool:
        """PNG, JPEG, TIFF, BMP and GIF signatures."""
        return head.startswith(_MAGIC)

    def extract(self, blob: Blob, limits: Limits) -> Iterator[Output]:
        """OCR the image; report it as needing OCR when Tesseract is not there."""
        if not ocr.available():
            yield NeedsOcr((1,), False)
            return
        data = blob.read_all(limits)
        if not data.startswith(_MAGIC):
            raise ExtractError("failed", "not an image (no PNG, JPEG, TIFF, BMP or GIF signature)")
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"image.{blob.extension or 'img'}"
            path.write_bytes(data)
            pages = ocr_file(path)
        if pages is None:
            raise ExtractError("failed", "OCR failed (tesseract could not read the image)")
        for number, text in enumerate(pages, 1):
            if text.strip():
                yield TextUnit(text.replace("\r\n", "\n"), Location(page=number, line=1))
        yield NeedsOcr((), True)
