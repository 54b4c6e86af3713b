"""Right-to-left text drawn in the wrong order, put back in reading (logical) order.

A PDF holds glyphs at positions, not sentences: a reader recovers the reading order of
Hebrew and Arabic by assuming the producer drew them in visual order, rightmost letter
first in reading. Producers that know no bidi (ReportLab's ``drawString``, FPDF, many
report writers) instead draw the reading order itself from left to right, so PDFium,
reversing what it takes for visual order, gives every right-to-left word back to front
('ةلهاب' for 'باهلة'). Geometry alone cannot tell the two producers apart; the letters
can. Some letters only ever stand at one end of a word: Hebrew's final forms (ך ם ן ף ץ)
end a word, Arabic's teh marbuta and alef maksura (ة ى) and a bare hamza (ء) end one,
the article 'ال' and the hamza-carrying alefs (أ إ آ) begin one. Seen at the wrong end,
they are evidence that the text came out reversed; at the right end, that it did not.
A document gets one verdict: a producer draws all its pages the same way.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# Hebrew, Arabic, Syriac, Thaana, NKo and their presentation forms: a quick test that
# spares the per-letter look-ups on the pages (almost all) without any of them.
_RTL_BLOCKS = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
_HEBREW_FINALS = frozenset("ךםןףץ")
_ARABIC_END_ONLY = frozenset("ةى")
_ARABIC_START_ONLY = frozenset("أإآ")


def is_rtl_letter(char: str) -> bool:
    """True for a Hebrew, Arabic, Syriac or Thaana letter (bidi class R or AL)."""
    return unicodedata.bidirectional(char) in ("R", "AL") and unicodedata.category(char).startswith("L")


def has_rtl(text: str) -> bool:
    """True when the text holds any right-to-left letter."""
    return any(is_rtl_letter(m.group()) for m in _RTL_BLOCKS.finditer(text))


def _rtl_words(text: str) -> Iterable[str]:
    """Maximal runs of right-to-left letters, with combining marks dropped.

    Marks are dropped because PDFium sometimes puts a mark before its base letter even
    in correctly drawn text, so a mark at a word's edge says nothing about direction.
    """
    word: list[str] = []
    for char in text:
        if is_rtl_letter(char):
            word.append(char)
        elif unicodedata.category(char) in ("Mn", "Me"):
            continue
        elif word:
            yield "".join(word)
            word = []
    if word:
        yield "".join(word)


def reversal_evidence(text: str) -> int:
    """Positive when the right-to-left words read back to front, negative when they read
    forwards, zero when the letters give no sign either way."""
    score = 0
    for word in _rtl_words(text):
        if len(word) < 2:
            continue
        first, last = word[0], word[-1]
        if first in _HEBREW_FINALS:
            score += 1
        if last in _HEBREW_FINALS:
            score -= 1
        if first in _ARABIC_END_ONLY or first == "ء":
            score += 1
        if last in _ARABIC_END_ONLY or last == "ء":
            score -= 1
        if last in _ARABIC_START_ONLY:
            score += 1
        if first in _ARABIC_START_ONLY:
            score -= 1
        if len(word) >= 4 and word.startswith("ال"):
            score -= 1
        if len(word) >= 4 and word.endswith("لا"):
            score += 1
    return score


# Producers that lay text out in the order it is stored, without the bidi algorithm, unless
# the caller reorders it first: ReportLab's canvas (rtlSupport is off by default) and the
# original FPDF. When the letters give no sign, a PDF from one of these is taken to hold
# reading order drawn left to right.
_NO_BIDI_PRODUCERS = re.compile(r"(?i)\breportlab\b|^\s*(?:py)?fpdf\s+1\.")


def producer_evidence(producer: str) -> int:
    """+1 when the PDF's Producer is known to draw right-to-left text unreordered, else 0."""
    return 1 if _NO_BIDI_PRODUCERS.search(producer) else 0


@dataclass(frozen=True)
class PlacedChar:
    """One character of a text line as drawn: the text, its left and right edges, and
    whether the reader generated it (a space or line break PDFium inferred from a gap)."""

    text: str
    left: float
    right: float
    generated: bool = False


def _is_mark(char: str) -> bool:
    return unicodedata.category(char) in ("Mn", "Me")


def _sorted_glyphs(chars: Sequence[PlacedChar]) -> list[PlacedChar]:
    """Drawn glyphs from left to right, each letter with its combining marks.

    PDFium turns every right-to-left word round, so a mark it read after its letter comes
    out just before that letter; a mark is joined to the character that follows it (to
    the one before when nothing follows) and travels with it. Its own box says little: a
    producer without shaping draws it where the pen stands, beside the letter, not on it.
    """
    units: list[PlacedChar] = []
    marks = ""
    for char in chars:
        if char.generated or char.text in "\r\n":
            continue
        if _is_mark(char.text):
            marks += char.text
            continue
        units.append(PlacedChar(char.text + marks, char.left, char.right))
        marks = ""
    if marks and units:
        last = units[-1]
        units[-1] = PlacedChar(last.text + marks, last.left, last.right)
    return sorted(units, key=lambda c: c.left)


def drawn_order(chars: Sequence[PlacedChar]) -> str:
    """A line's text in the order its glyphs stand from left to right on the page.

    For a producer that drew reading order left to right, this is the reading order.
    Boxes are the glyphs' advance boxes (PDFium's loose boxes), which touch within a word.
    Spaces the reader inferred are dropped and put back wherever two neighbouring glyphs
    stand apart by more than a quarter of a typical glyph's width, so a word gap survives
    the sort.
    """
    drawn = _sorted_glyphs(chars)
    widths = sorted(c.right - c.left for c in drawn if c.right > c.left and not c.text.isspace())
    gap = widths[len(widths) // 2] / 4 if widths else 0.0
    out: list[str] = []
    previous: PlacedChar | None = None
    for char in drawn:
        if (
            previous is not None
            and gap > 0
            and char.left - previous.right > gap
            and not char.text.isspace()
            and not previous.text.isspace()
        ):
            out.append(" ")
        out.append(char.text)
        previous = char
    return "".join(out)


_MIRRORED = str.maketrans("()[]{}<>", ")(][}{><")


def reading_order(visual: str) -> str:
    """A line drawn in visual order (right-to-left runs drawn from their last letter on)
    in reading order, taking the line as left-to-right with embedded right-to-left runs.

    Each run from a right-to-left letter to the last right-to-left letter before the next
    left-to-right letter is turned round, numbers inside it kept as written (the Unicode
    bidi algorithm lays numbers left to right inside a right-to-left run) and brackets
    mirrored.
    """
    out: list[str] = []
    i, n = 0, len(visual)
    while i < n:
        if not is_rtl_letter(visual[i]):
            out.append(visual[i])
            i += 1
            continue
        end = i  # the last right-to-left letter before a left-to-right one
        j = i
        while j < n and unicodedata.bidirectional(visual[j]) != "L":
            if is_rtl_letter(visual[j]) or (_is_mark(visual[j]) and end == j - 1):
                end = j  # a letter, or a mark right after the run's last letter
            j += 1
        run = visual[i : end + 1]
        out.append(_turn(run))
        i = end + 1
    return "".join(out)


def _turn(run: str) -> str:
    """A right-to-left run turned round: digits (with their separators) kept in order,
    each combining mark kept after the letter it followed in the drawn order."""
    tokens = re.findall(r"\d+(?:[.,:/-]\d+)*|.(?:[\u0300-\u036f\u0591-\u05c7\u064b-\u065f\u0670])*", run)
    return "".join(reversed(tokens)).translate(_MIRRORED)
