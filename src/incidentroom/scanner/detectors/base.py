"""The detector plugin contract.

A detector is a small class with a stable ``name``, the ``category`` it reports, the
multi-pattern expressions that find its candidates, and a pure :meth:`Detector.validate`
that accepts or rejects one candidate. The regex engine (hyperscan) finds every candidate
of every detector in one pass; Python only validates candidates, never scans text.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from typing import ClassVar, NamedTuple


class Candidate(NamedTuple):
    """One pattern hit handed to a detector, with enough context to judge it.

    ``data`` is the UTF-8 text being scanned and ``start``/``end`` are byte offsets into
    it. ``header`` is the lower-cased column header when the hit lies in a table cell.
    """

    data: bytes
    start: int
    end: int
    header: str = ""

    @property
    def value(self) -> str:
        """The matched text."""
        return self.data[self.start : self.end].decode("utf-8", "replace")

    def before(self, width: int = 40) -> str:
        """Up to ``width`` bytes of text before the hit, lower-cased."""
        return self.data[max(0, self.start - width) : self.start].decode("utf-8", "replace").lower()

    def after(self, width: int = 40) -> str:
        """Up to ``width`` bytes of text after the hit."""
        return self.data[self.end : self.end + width].decode("utf-8", "replace")


class Hit(NamedTuple):
    """A validated candidate. ``start``/``end`` override the span when the value is wider."""

    value: str
    normalised: str
    confidence: float
    start: int | None = None
    end: int | None = None


class Detector(ABC):
    """Base class of every detector plugin (one subclass per file in this package)."""

    #: Stable identifier written to ``detections.parquet``; never rename.
    name: ClassVar[str]
    #: One of :data:`incidentroom.scanner.vocab.CATEGORIES`.
    category: ClassVar[str]
    #: Hyperscan expressions (PCRE subset; ``(?i)`` allowed) that find candidates.
    patterns: ClassVar[tuple[str, ...]]
    #: Header words that tell us a table cell holds this category.
    header_words: ClassVar[tuple[str, ...]] = ()
    #: True when validate() looks only at the matched bytes (and the byte before them),
    #: so results can be memoised by value: the same postcode or phone number recurs
    #: across thousands of rows of a register.
    context_free: ClassVar[bool] = False

    @abstractmethod
    def validate(self, cand: Candidate) -> Hit | None:
        """Accept (return a :class:`Hit`) or reject (``None``) one candidate. Pure."""

    def header_matches(self, header: str) -> bool:
        """True when a lower-cased column header says the cell holds this category."""
        return any(word in header for word in self.header_words)


def has_context(cand: Candidate, pattern: re.Pattern[str], width: int = 40) -> bool:
    """True when ``pattern`` occurs in the header or in the text just before the hit."""
    return bool(pattern.search(cand.header) or pattern.search(cand.before(width)))


def digits(value: str) -> str:
    """Only the ASCII digits of ``value``."""
    return "".join(ch for ch in value if "0" <= ch <= "9")
