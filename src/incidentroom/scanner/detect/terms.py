"""Shared machinery for term-list detectors (special-category and criminal-offence data)."""

from __future__ import annotations

import re
from typing import ClassVar

from .detectors.base import Candidate, Detector, Hit

NEGATION = re.compile(rb"\b(?:no|not|never|without|denies|none)\b[^.]{0,20}$")


class TermDetector(Detector):
    """A curated list of terms; some count alone, the rest only with context.

    ``strong_terms`` are specific enough to stand alone ('schizophrenia'); ``weak_terms``
    ('Muslim', 'gay') count only after a context word or in a matching column, because on
    their own they also name organisations, places and people.
    """

    strong_terms: ClassVar[tuple[str, ...]] = ()
    weak_terms: ClassVar[tuple[str, ...]] = ()
    #: Context words (ASCII, lower case) searched in the 60 bytes before a weak term.
    context: ClassVar[re.Pattern[bytes]] = re.compile(rb"$^")
    weak_confidence: ClassVar[float] = 0.8
    #: When true, a one-word strong term ('Indian') also needs context, like a weak term.
    single_words_need_context: ClassVar[bool] = False
    kernel = "terms"
    _strong_cache: ClassVar[frozenset[str] | None] = None

    @property
    def patterns(self) -> tuple[str, ...]:  # type: ignore[override]
        """One caseless alternation per strength, so one pattern id tells them apart."""
        out = []
        for terms in (self.strong_terms, self.weak_terms):
            if terms:
                alternation = "|".join(re.escape(t).replace("\\ ", "[ ]") for t in terms)
                out.append(rf"(?i)\b(?:{alternation})\b")
        return tuple(out)

    @classmethod
    def _strong_lower(cls) -> frozenset[str]:
        """The strong terms, lower case (built once per class)."""
        cached: frozenset[str] | None = cls.__dict__.get("_strong_cache")
        if cached is None:
            cached = frozenset(t.lower() for t in cls.strong_terms)
            cls._strong_cache = cached
        return cached

    def validate(self, cand: Candidate) -> Hit | None:
        """Strong terms unless negated; weak terms only with context or a matching column."""
        value = cand.value
        lower = value.lower()
        before = cand.before(60)
        if NEGATION.search(before):
            return None
        if lower in self._strong_lower() and not (self.single_words_need_context and " " not in lower):
            return Hit(value, lower, 0.9)
        if self.header_matches(cand.header) or self.context.search(before):
            return Hit(value, lower, 0.9 if lower in self._strong_lower() else self.weak_confidence)
        return None
