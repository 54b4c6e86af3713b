"""The detector plugin contract.

A detector is a small class with a stable ``name``, the ``category`` it reports, the
multi-pattern expressions that find its candidates, and a pure :meth:`Detector.validate`
that accepts or rejects one candidate. The regex engine (hyperscan) finds every candidate
of every detector in one pass; Python only validates candidates, never scans text.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from abc import ABC, abstractmethod
from typing import ClassVar, NamedTuple
from zoneinfo import ZoneInfo


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

    def before(self, width: int = 40) -> bytes:
        """Up to ``width`` bytes of text before the hit, ASCII lower-cased.

        Bytes, not text: context words are ASCII, and the compiled detection core
        (``_fastdetect``) checks the same bytes with the same patterns, so the two
        paths agree exactly.
        """
        return self.data[max(0, self.start - width) : self.start].lower()

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
    #: One of :data:`incidentroom.scanner.detect.vocab.CATEGORIES`.
    category: ClassVar[str]
    #: Hyperscan expressions (PCRE subset; ``(?i)`` allowed) that find candidates.
    patterns: ClassVar[tuple[str, ...]]
    #: Header words that tell us a table cell holds this category.
    header_words: ClassVar[tuple[str, ...]] = ()
    #: True when validate() looks only at the matched bytes (and the byte before them),
    #: so results can be memoised by value: the same postcode or phone number recurs
    #: across thousands of rows of a register.
    context_free: ClassVar[bool] = False
    #: Name of a kernel in the compiled detection core that implements exactly this
    #: detector's :meth:`validate` (a test checks that they agree); empty for none.
    kernel: ClassVar[str] = ""

    @abstractmethod
    def validate(self, cand: Candidate) -> Hit | None:
        """Accept (return a :class:`Hit`) or reject (``None``) one candidate. Pure."""

    def header_matches(self, header: str) -> bool:
        """True when a lower-cased column header says the cell holds this category."""
        return any(word in header for word in self.header_words)


class Context(NamedTuple):
    """One context expression compiled twice: for column headers (text) and running text (bytes)."""

    header: re.Pattern[str]
    text: re.Pattern[bytes]


def context(expression: str) -> Context:
    """Compile an ASCII, lower-case context expression for headers and for text."""
    return Context(re.compile(expression), re.compile(expression.encode("ascii")))


def has_context(cand: Candidate, ctx: Context, width: int = 40) -> bool:
    """True when the context occurs in the header or in the ``width`` bytes before the hit."""
    return bool(ctx.header.search(cand.header) or ctx.text.search(cand.before(width)))


#: Bytes that are word characters to hyperscan's (ASCII) \b.
WORD_BYTES = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")

_NOT_ASCII_DIGIT = re.compile(r"[^0-9]+")


def digits(value: str) -> str:
    """Only the ASCII digits of ``value``."""
    return _NOT_ASCII_DIGIT.sub("", value)


_UK = ZoneInfo("Europe/London")
# (the UK date, the epoch second of the UK midnight that ends it): asked for every date
# and plate candidate, and a time zone lookup costs more than the rest of the rule.
_TODAY: list[tuple[dt.date, float]] = [(dt.date.min, 0.0)]


def scan_date() -> dt.date:
    """Today in the UK: the date a scan runs, which bounds dates of birth and plates' age identifiers.

    Read at run time, so a plate issued next year or a child born next month is judged
    on that day's date without a change to the code; a scan running over midnight
    judges the candidates after it by the new day.
    """
    today, until = _TODAY[0]
    if time.time() < until:
        return today
    today = dt.datetime.now(_UK).date()
    midnight = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(), tzinfo=_UK)
    _TODAY[0] = (today, midnight.timestamp())
    return today
