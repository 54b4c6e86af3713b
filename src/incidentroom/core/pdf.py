"""Every PDF the product prints: a Django HTML template rendered by WeasyPrint.

Why WeasyPrint and not ReportLab (docs/design.md, "Choices", says it in short): residents' names come in
every script. WeasyPrint lays text out with Pango, which shapes with HarfBuzz (joined and
Indic scripts), orders right-to-left runs with FriBidi and falls back through fontconfig to
any installed font that has the glyph. ReportLab draws one font per run, has no bidi
without a package not on PyPI, and its experimental shaping mis-encodes the text layer.
WeasyPrint also flows any table row or paragraph across pages, so no typed length can
make a document fail, and councils can edit the HTML templates. The fonts are Debian's
Noto families (``fonts-noto-core``), installed by ``make install`` and ``.ci/run``.
"""

from __future__ import annotations

import functools
import threading
import unicodedata
from typing import Any

from django.template.loader import render_to_string

# The families first in every stylesheet: Noto Sans for Latin, Greek, Cyrillic and
# Vietnamese; the script families after it so Pango picks Noto rather than whatever
# fontconfig ranks first (DejaVu's Arabic has no Naskh shaping features).
FONT_STACK = (
    '"Noto Sans", "Noto Sans Arabic", "Noto Naskh Arabic", "Noto Sans Hebrew", '
    '"Noto Sans Devanagari", "Noto Sans Bengali", "Noto Sans Gurmukhi", "Noto Sans Gujarati", '
    '"Noto Sans Tamil", "Noto Sans Telugu", "Noto Sans Kannada", "Noto Sans Malayalam", '
    '"Noto Sans Sinhala", "Noto Sans Thai", "Noto Sans Ethiopic", "Noto Sans Armenian", '
    '"Noto Sans Georgian", "Noto Sans Symbols", "Noto Sans Symbols 2", sans-serif'
)

# Pango/fontconfig state is not shared between threads (the web server runs several), so
# each thread keeps its own font configuration; building one costs about a second.
_local = threading.local()


def _printable(ch: str) -> bool:
    code = ord(ch)
    if ch in "\t\n":
        return True
    # C0 and C1 controls, lone surrogates and the two non-characters XML forbids.
    return not (code < 0x20 or 0x7F <= code <= 0x9F or 0xD800 <= code <= 0xDFFF or code in (0xFFFE, 0xFFFF))


def clean_text(text: str) -> str:
    """Drop characters no document can carry: XML (DOCX, the PDF's HTML) rejects control
    characters, and a hostile or corrupt value must not stop a whole report or print run.
    Windows and old Mac line ends become plain line breaks first, so they are kept."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(ch for ch in text if _printable(ch))


# A run of this many characters with no space is not a word a reader needs kept whole (a
# pasted hash or URL, a key held down). For such a run WeasyPrint hands Pango the whole rest
# of the paragraph at every line, which is quadratic: 20,000 characters took minutes. A
# zero-width space is a break opportunity that draws nothing and is not extracted as text.
_LONGEST_UNBROKEN = 24
_JOINERS = {"\u200c", "\u200d"}


def breakable(text: str) -> str:
    """The text with a zero-width space after every 24 characters that have no space
    between them, never inside a grapheme (before a combining mark, after a virama or a
    joiner), so long unbroken runs wrap, and lay out in linear time."""
    out: list[str] = []
    run = 0
    previous = ""
    for ch in text:
        if ch.isspace() or ch == "\u200b":
            run = 0
        elif (
            run >= _LONGEST_UNBROKEN
            and not unicodedata.category(ch).startswith("M")
            and previous not in _JOINERS
            and unicodedata.combining(previous) != 9  # virama: the next consonant joins it
        ):
            out.append("\u200b")
            run = 1
        else:
            run += 1
        out.append(ch)
        previous = ch
    return "".join(out)


def pdf_text(text: str) -> str:
    """Text as a PDF template should receive it: cleaned, and breakable at any length."""
    return breakable(clean_text(text))


def _font_config() -> Any:
    from weasyprint.text.fonts import FontConfiguration

    config = getattr(_local, "fonts", None)
    if config is None:
        config = _local.fonts = FontConfiguration()
    return config


@functools.cache
def _weasyprint() -> Any:
    # Imported on first use: loading Pango costs a few hundred ms that pages never need.
    import weasyprint

    return weasyprint


def layout(html: str) -> Any:
    """Lay an HTML string out into pages (a ``weasyprint.Document``), for callers that need
    to know where each part landed (the letter print run splits a part by its anchors)."""
    weasyprint = _weasyprint()
    return weasyprint.HTML(string=html, base_url=None).render(font_config=_font_config())


def html_to_pdf(html: str) -> bytes:
    """An HTML string as PDF bytes."""
    return bytes(layout(html).write_pdf())


def render_pdf_template(template_name: str, context: dict[str, Any]) -> bytes:
    """A template (extending ``pdf/base.html``) rendered and typeset as PDF."""
    return html_to_pdf(render_to_string(template_name, {"font_stack": FONT_STACK, **context}))
