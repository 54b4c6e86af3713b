"""Spellings of the same characters, folded before detection, with offsets kept.

People and systems write identifiers with characters that look like the ASCII ones the
detectors' rules are stated in: a no-break space inside a postcode (Word and web
forms), a narrow no-break, thin or figure space between digit groups (typeset
documents), full-width digits (East Asian input methods), a soft hyphen (copied from a
web page), HTML's ``&nbsp;`` left in extracted text, a Unicode hyphen or en dash
between groups. :func:`fold` rewrites those to ASCII (spaces to a space, full-width
forms to their ASCII letters, digits and signs, hyphens to ``-``, invisible characters
removed) and returns an :class:`OffsetMap`, so every finding can be reported at its
place in the ORIGINAL text, and its value taken from there.

Only text that holds one of these characters is copied: the check for them is one
``isascii()`` (and a search for ``&``) on plain ASCII text.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

# Every byte sequence folded, as one alternation the regex engine scans for by first byte.
_FOLDED = re.compile(
    rb"\xc2[\xa0\xad]"  # no-break space, soft hyphen
    rb"|\xe2\x80[\x80-\x8b\x90-\x93\xaf]"  # en quad..hair space, zero-width space, hyphens, en dash, narrow nbsp
    rb"|\xe2\x81[\x9f\xa0]"  # medium mathematical space, word joiner
    rb"|\xe2\x88\x92"  # minus sign
    rb"|\xe3\x80\x80"  # ideographic space
    rb"|\xef\xbb\xbf"  # zero-width no-break space (a BOM inside text)
    rb"|\xef\xbc[\x81-\xbf]|\xef\xbd[\x80-\x9e]"  # full-width ASCII forms U+FF01-U+FF5E
    rb"|&(?:nbsp|#160|#x0*a0);",
    re.IGNORECASE,
)
_REMOVED = frozenset({b"\xc2\xad", b"\xe2\x80\x8b", b"\xe2\x81\xa0", b"\xef\xbb\xbf"})
_HYPHENS = frozenset({b"\xe2\x80\x90", b"\xe2\x80\x91", b"\xe2\x80\x92", b"\xe2\x80\x93", b"\xe2\x88\x92"})


def _replacement(sequence: bytes) -> bytes:
    """The ASCII a folded sequence becomes (empty for invisible characters)."""
    if sequence in _REMOVED:
        return b""
    if sequence in _HYPHENS:
        return b"-"
    if sequence[:2] in (b"\xef\xbc", b"\xef\xbd"):
        # U+FF01..U+FF5E are U+0021..U+007E shifted by 0xFEE0.
        code = sequence.decode("utf-8")
        return chr(ord(code) - 0xFEE0).encode("ascii")
    return b" "


class OffsetMap:
    """Maps byte offsets between the folded text and the original.

    Each fold replaces one original sequence by zero or one byte, so the difference
    between the two offsets is constant between folds: a start maps past every fold
    that ends at or before it, an end past every fold that starts before it (so a
    removed soft hyphen just after a match stays outside it).
    """

    __slots__ = ("_end_keys", "_orig_ends", "_shifts", "_start_keys")

    def __init__(self) -> None:
        """An empty map (the identity)."""
        self._start_keys: list[int] = []  # folded offset where each fold's output ends
        self._end_keys: list[int] = []  # folded offset where each fold's output starts
        self._orig_ends: list[int] = []  # original offset where each fold's input ends
        self._shifts: list[int] = []  # original minus folded offset after each fold

    def _add(self, folded_at: int, folded_length: int, original_end: int, shift: int) -> None:
        self._start_keys.append(folded_at + folded_length)
        self._end_keys.append(folded_at)
        self._orig_ends.append(original_end)
        self._shifts.append(shift)

    def start(self, offset: int) -> int:
        """The original offset of a match starting at folded ``offset``."""
        i = bisect_right(self._start_keys, offset)
        return offset + (self._shifts[i - 1] if i else 0)

    def end(self, offset: int) -> int:
        """The original offset of a match ending (exclusive) at folded ``offset``."""
        i = bisect_left(self._end_keys, offset)
        return offset + (self._shifts[i - 1] if i else 0)

    def folded(self, original: int) -> int:
        """The folded offset of an original offset that is not inside a folded sequence."""
        i = bisect_right(self._orig_ends, original)
        return original - (self._shifts[i - 1] if i else 0)


def needs_folding(data: bytes) -> bool:
    """True when ``data`` holds a character :func:`fold` would rewrite."""
    if data.isascii():
        return b"&" in data and _FOLDED.search(data) is not None
    return _FOLDED.search(data) is not None


def fold(data: bytes) -> tuple[bytes, OffsetMap]:
    """``data`` with every look-alike character folded to ASCII, and the offset map back."""
    mapping = OffsetMap()
    out: list[bytes] = []
    last = 0
    folded_at = 0
    shift = 0
    for match in _FOLDED.finditer(data):
        s, e = match.span()
        out.append(data[last:s])
        folded_at += s - last
        replacement = _replacement(match.group().lower())
        out.append(replacement)
        shift += (e - s) - len(replacement)
        mapping._add(folded_at, len(replacement), e, shift)
        folded_at += len(replacement)
        last = e
    out.append(data[last:])
    return b"".join(out), mapping
