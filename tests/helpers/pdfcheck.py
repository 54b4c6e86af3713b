"""Reading PDFs back the way a person (or a print house) would: poppler's pdftotext for the
text, pdftoppm for the pixels, and a check that every character is drawn with a font that has
a glyph for it (the alternative is tofu: a box where a name should be)."""

from __future__ import annotations

import ctypes
import functools
import re
import subprocess  # noqa: S404 - poppler's own tools are what we check against
import tempfile
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from fontTools.ttLib import TTFont

# Poppler marks right-to-left runs with Unicode embedding controls (RLE/LRE ... PDF); the
# logical text is what is left once they are removed.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f]")


def pdftotext(data: bytes) -> str:
    """The PDF's text as poppler extracts it, bidi embedding controls removed."""
    out = subprocess.run(  # noqa: S603
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, check=True
    )
    return _BIDI_CONTROLS.sub("", out.stdout.decode("utf-8"))


def rasterise(data: bytes) -> list[Path]:
    """Every page as a PNG (pdftoppm); poppler must not complain about the file or its fonts."""
    folder = Path(tempfile.mkdtemp(prefix="pdfcheck-"))
    source = folder / "doc.pdf"
    source.write_bytes(data)
    run = subprocess.run(  # noqa: S603
        ["pdftoppm", "-r", "40", "-png", str(source), str(folder / "page")], capture_output=True, check=True
    )
    assert run.stderr == b"", run.stderr.decode()
    pages = sorted(folder.glob("page-*.png"))
    assert pages, "pdftoppm drew no page"
    return pages


@functools.cache
def _installed_fonts() -> dict[str, list[str]]:
    """Installed font files by family name squeezed (no spaces or hyphens, lower case)."""
    listing = subprocess.run(  # noqa: S603
        ["fc-list", "--format", "%{family[0]}\t%{file}\n"], capture_output=True, check=True, text=True
    ).stdout
    fonts: dict[str, list[str]] = {}
    for line in listing.splitlines():
        family, _, path = line.partition("\t")
        fonts.setdefault(_squeeze(family), []).append(path)
    return fonts


def _squeeze(name: str) -> str:
    return re.sub(r"[\s\-_]", "", name).lower()


@functools.cache
def _coverage(pdf_font_name: str) -> frozenset[int]:
    """The code points the installed font behind an embedded subset has glyphs for."""
    base = _squeeze(pdf_font_name.split("+", 1)[-1])
    families = sorted((f for f in _installed_fonts() if base.startswith(f)), key=len, reverse=True)
    assert families, f"embedded font {pdf_font_name!r} is not an installed font"
    cmap: set[int] = set()
    for path in _installed_fonts()[families[0]]:
        with TTFont(path, fontNumber=0, lazy=True) as font:
            cmap |= set(font.getBestCmap())
    return frozenset(cmap)


def missing_glyphs(data: bytes) -> list[tuple[int, str, str]]:
    """(page, character, font) for every character drawn with a font that has no glyph for it."""
    missing: list[tuple[int, str, str]] = []
    pdf = pdfium.PdfDocument(data)
    try:
        for number, page in enumerate(pdf):
            text = page.get_textpage()
            buffer = ctypes.create_string_buffer(256)
            flags = ctypes.c_int()
            for index in range(text.count_chars()):
                if pdfium_c.FPDFText_IsGenerated(text.raw, index):
                    continue
                code = pdfium_c.FPDFText_GetUnicode(text.raw, index)
                # Spaces draw nothing; pdfium reports a hyphen that ends a line as U+0002.
                if code in (0, 0x02, 0x0A, 0x0D, 0x20, 0xA0, 0x200B):
                    continue
                pdfium_c.FPDFText_GetFontInfo(text.raw, index, buffer, len(buffer), ctypes.byref(flags))
                font = buffer.value.decode("utf-8", "replace")
                if code not in _coverage(font):
                    missing.append((number + 1, chr(code), font))
            text.close()
            page.close()
    finally:
        pdf.close()
    return missing


def assert_no_tofu(data: bytes) -> None:
    """Every page rasterises cleanly and every character has a real glyph."""
    rasterise(data)
    missing = missing_glyphs(data)
    assert missing == [], missing[:20]
