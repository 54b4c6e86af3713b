"""OCR's look-alike misreadings, put right where the field's own rules say what was meant.

Tesseract reading a 150 dpi office scan confuses shapes: 0 and O, 2 and Z, 5 and S, 8 and
B, a J with a bracket ('E17 7H)'), a lower-case l with i ('Walters' as 'Waiters'), 'rn'
with 'm'. Text read from paper is repaired only where the result can be checked:

- a postcode: an upper-case outward and inward code that fails Royal Mail's format and
  passes it with one or two look-alikes swapped, and in only one way;
- a surname straight after a title or a known given name, when it is not a known name and
  exactly one look-alike swap makes it one ('Rhys Waiters' -> 'Rhys Walters'); a part of
  a hyphenated or apostrophed name is left alone.

Anything else is left as read: a repair that cannot be checked would invent data. Only
OCR text comes here (the extractors hand it in through ``extract.base.Judges``).
"""

from __future__ import annotations

import itertools
import re

from .detectors.postcode import UkPostcodeDetector
from .gazetteer import first_names, surnames

# What each character may have been on paper (both ways where both are plausible).
_LOOKALIKES: dict[str, str] = {
    "0": "O", "O": "0", "D": "0", "Q": "0",
    "1": "I", "I": "1", "L": "1", "|": "1",
    "2": "Z", "Z": "2",
    "5": "S", "S": "5",
    "6": "G", "G": "6",
    "8": "B", "B": "8",
    "7": "T", "T": "7",
    ")": "J", "]": "J", "}": "J",
}  # fmt: skip
_POSTCODE = re.compile(UkPostcodeDetector.patterns[0].removeprefix("(?i)").replace(r"[ ]?", " "))
# Two upper-case groups shaped like an outward and an inward code, OCR's brackets allowed.
# Standing alone (after a space or a line start, before a space, a line end or a comma
# or full stop): '10:00 BST' and '1,500 SHA' are not postcodes.
_POSTCODE_SHAPED = re.compile(r"(?<!\S)([A-Z0-9|]{2,4}) ([A-Z0-9|)\]}]{3})(?=$|[\s,.;])", re.M)
_MAX_SWAPS = 2

# Letter groups OCR reads one for the other inside a word.
_WORD_SWAPS = (("i", "l"), ("l", "i"), ("rn", "m"), ("m", "rn"), ("cl", "d"), ("vv", "w"), ("ii", "u"))
_TITLES = frozenset({"Mr", "Mrs", "Ms", "Miss", "Mx", "Dr"})


def _postcode(match: re.Match[str]) -> str:
    token = f"{match.group(1)} {match.group(2)}"
    if _POSTCODE.fullmatch(token):
        return token
    places = [i for i, c in enumerate(token) if c in _LOOKALIKES]
    outward, inward = match.group(1), match.group(2)
    if not places or len(places) > 8 or not any(c.isdigit() for c in token):
        # Words in capitals ('TO LET') have no digit; every postcode has two.
        return token
    if not any(c.isalpha() for c in outward) or not any(c.isalpha() for c in inward):
        # Every postcode has a letter on each side; '500 SHA' has none before the space.
        return token
    best: list[str] = []
    for count in range(1, _MAX_SWAPS + 1):
        for chosen in itertools.combinations(places, count):
            chars = list(token)
            for i in chosen:
                chars[i] = _LOOKALIKES[chars[i]]
            candidate = "".join(chars)
            if _POSTCODE.fullmatch(candidate):
                best.append(candidate)
        if best:
            break
    return best[0] if len(best) == 1 else token


# A capitalised word after another (overlapping: 'Mr Rhys Waiters' gives two pairs).
_NAME_PAIR = re.compile(r"\b(?=([A-Z][a-z]+)\.? ([A-Z][a-z]+)\b(?![-'\u2019]))")


def _surname_for(before: str, word: str) -> str | None:
    """The known surname ``word`` was misread from, when it follows a title or given name."""
    if before not in _TITLES and before not in first_names():
        return None
    known = surnames()
    if word in known or word in first_names():
        return None
    found = set()
    for wrong, right in _WORD_SWAPS:
        start = word.find(wrong, 1)  # never the capital
        while start != -1:
            candidate = word[:start] + right + word[start + len(wrong) :]
            if candidate in known:
                found.add(candidate)
            start = word.find(wrong, start + 1)
    return found.pop() if len(found) == 1 else None


def repair_ocr(text: str) -> str:
    """OCR text with checkable look-alike misreadings in postcodes and surnames put right."""
    text = _POSTCODE_SHAPED.sub(_postcode, text)
    fixes = [
        (m.start(2), m.end(2), fixed)
        for m in _NAME_PAIR.finditer(text)
        if (fixed := _surname_for(m.group(1), m.group(2))) is not None
    ]
    for start, end, fixed in reversed(fixes):
        text = text[:start] + fixed + text[end:]
    return text
