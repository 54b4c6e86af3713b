"""UK vehicle registration marks: current, prefix, suffix and Northern Ireland formats."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import ClassVar

from .base import WORD_BYTES, Candidate, Detector, Hit, context, has_context

_CONTEXT = context(r"\breg\b|registration|vehicle|\bvrm\b|\bvrn\b|\bcar\b|permit|number ?plate|\bpcn\b")
# Current format (2001-): two area letters, an age identifier (March 02-25 or
# September 51-75), three random letters that never include I or Q.
_CURRENT = r"\b[A-HJ-PR-Y][A-HJ-PR-Y](?:0[2-9]|1\d|2[0-5]|5[1-9]|6\d|7[0-5]) ?[A-HJ-NPR-Z]{3}\b"
_PREFIX = r"\b[A-HJ-NP-Y]\d{1,3} ?[A-HJ-PR-Y]{3}\b"
# No leading \b: with it, hyperscan's start-of-match tracking for this expression costs
# more than all the others together on running text. validate() checks the boundary
# (three letters then digits leave one possible start per match, so this is exact).
_SUFFIX = r"[A-HJ-PR-Y]{3} ?\d{1,3}[A-HJ-NP-Y]\b"
# Northern Ireland: an optional letter then a two-letter area code that contains I or Z.
_NORTHERN_IRELAND = r"\b[A-Z]?(?:[A-Z][IZ]|[IZ][A-Z]) ?\d{1,4}\b"
_CURRENT_RE, _PREFIX_RE, _SUFFIX_RE, _NORTHERN_IRELAND_RE = (
    re.compile(p.replace(r"\b", "")) for p in (_CURRENT, _PREFIX, _SUFFIX, _NORTHERN_IRELAND)
)


CURRENT, OLDER, NORTHERN_IRELAND = 0, 1, 2
CONTEXT_WIDTH = 50


@lru_cache(maxsize=65536)
def judge_mark(value: str) -> tuple[str, int] | None:
    """(compact mark, format) for a candidate that fits a format, else ``None``; memoised.

    The format is :data:`CURRENT` (stands alone), :data:`OLDER` (prefix or suffix) or
    :data:`NORTHERN_IRELAND`; the last two need vehicle context.
    """
    upper = value.upper()
    compact = upper.replace(" ", "")
    if _CURRENT_RE.fullmatch(upper):
        return compact, CURRENT
    if _PREFIX_RE.fullmatch(upper) or _SUFFIX_RE.fullmatch(upper):
        return compact, OLDER
    letters = "".join(ch for ch in compact if ch.isalpha())
    if _NORTHERN_IRELAND_RE.fullmatch(upper) and ("I" in letters or "Z" in letters) and len(letters) >= 2:
        return compact, NORTHERN_IRELAND
    return None


class VehicleRegistrationDetector(Detector):
    """The current format stands alone; older and NI formats need vehicle context.

    Prefix, suffix and NI marks are short letter-digit runs that also look like form
    references, so they count only beside words such as 'reg', 'vehicle' or 'permit'.
    """

    name = "uk_vehicle_registration"
    category = "vehicle_registration"
    kernel = "vehicle_registration"
    patterns: ClassVar[tuple[str, ...]] = (_CURRENT, _PREFIX, _SUFFIX, _NORTHERN_IRELAND)
    header_words = ("registration", "vrm", "vehicle", "reg no", "reg number")

    def validate(self, cand: Candidate) -> Hit | None:
        """Current marks pass on shape; the rest need context; NI marks need an I or Z."""
        if cand.start and cand.data[cand.start - 1] in WORD_BYTES:
            return None
        judged = judge_mark(cand.value)
        if judged is None:
            return None
        compact, kind = judged
        in_context = has_context(cand, _CONTEXT, CONTEXT_WIDTH)
        if kind == CURRENT:
            return Hit(cand.value, compact, 0.95 if in_context else 0.85)
        if not in_context:
            return None
        return Hit(cand.value, compact, 0.85 if kind == OLDER else 0.8)
