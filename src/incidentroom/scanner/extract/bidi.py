"""Right-to-left text drawn in the wrong order, put back in reading (logical) order.

A PDF holds glyphs at positions, not sentences: a reader recovers the reading order of
Hebrew and Arabic by assuming the producer drew them in visual order, rightmost letter
first in reading. Producers that know no bidi (ReportLab's ``drawString``, FPDF, many
report writers) instead draw the reading order itself from left to right, so PDFium,
reversing what it takes for visual order, gives every right-to-left word back to front
('ةلهاب' for 'باهلة'). Geometry alone cannot tell the two producers apart; the letters
can. Some letters only ever stand at one end of a word: Hebrew's final forms (ך ם ן ף ץ)
end a word, Arabic's teh marbuta and alef maksura (ة ى) and a bare hamza (ء) end one,
the article 'ال' and the hamza-carrying alefs (أ إ آ) begin one. Read from the glyphs in
the order they stand from left to right, such a letter at the wrong end of its word says
the producer drew display order (right to left, as it should); at the right end, that
it drew reading order from left to right. PDFium's own text is not used for this: its
order depends on the producer (for Chromium's PDFs it turns some words round and not
others). A document gets one verdict: a producer draws all its pages the same way.
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


def _base_for(mark: PlacedChar, bases: list[PlacedChar], reading_order_drawn: bool) -> int | None:
    """The index in ``bases`` (sorted by left edge) of the letter a combining mark sits on.

    A producer without shaping draws the mark where the pen stands after its letter, so
    the mark's box starts at that letter's right edge: its letter is the last one starting
    before it. A shaping producer places the mark over its letter (its centre inside the
    letter's box), or, as Chromium's PDFs do, in a box just left of it: its letter is then
    the first one starting at or after the mark's right edge.
    """
    if not bases:
        return None
    if reading_order_drawn:
        before = [i for i, b in enumerate(bases) if b.left < mark.left - 0.01]
        return before[-1] if before else 0
    centre = (mark.left + mark.right) / 2
    over = [i for i, b in enumerate(bases) if b.left <= centre <= b.right and is_rtl_letter(b.text[0])]
    if over:
        return over[0]
    after = [i for i, b in enumerate(bases) if b.left >= mark.right - 0.01]
    return after[0] if after else len(bases) - 1


def _sorted_glyphs(chars: Sequence[PlacedChar], reading_order_drawn: bool) -> list[PlacedChar]:
    """Drawn glyphs from left to right, each letter with its combining marks after it."""
    kept = [c for c in chars if not c.generated and c.text not in "\r\n"]
    bases = sorted((c for c in kept if not _is_mark(c.text)), key=lambda c: c.left)
    marks: dict[int, str] = {}
    for mark in (c for c in kept if _is_mark(c.text)):
        index = _base_for(mark, bases, reading_order_drawn)
        if index is not None:
            marks[index] = marks.get(index, "") + mark.text
    return [PlacedChar(b.text + marks.get(i, ""), b.left, b.right) for i, b in enumerate(bases)]


def drawn_order(chars: Sequence[PlacedChar], reading_order_drawn: bool = True) -> str:
    """A line's text in the order its glyphs stand from left to right on the page.

    For a producer that drew reading order left to right, this is the reading order.
    Boxes are the glyphs' advance boxes (PDFium's loose boxes). When the line has no drawn
    space (the producer set words apart by position alone), a space goes wherever two
    neighbouring glyphs stand apart by more than half a typical glyph's width; a line with
    drawn spaces keeps exactly those (shaped Arabic leaves small gaps inside a word).
    """
    drawn = _sorted_glyphs(chars, reading_order_drawn)
    widths = sorted(c.right - c.left for c in drawn if c.right > c.left and not c.text.isspace())
    spaced = any(c.text.isspace() for c in drawn)
    gap = widths[len(widths) // 2] / 2 if widths and not spaced else 0.0
    out: list[str] = []
    previous: PlacedChar | None = None
    for char in drawn:
        if previous is not None and gap > 0 and char.left - previous.right > gap:
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
