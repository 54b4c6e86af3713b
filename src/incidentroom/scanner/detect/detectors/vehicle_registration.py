"""UK vehicle registration marks: current, prefix, suffix and Northern Ireland formats.

The rules followed are DVLA's registration number formats (INF104, "Vehicle
registration numbers and number plates"): the current format since September 2001 is
two area letters, a two-digit age identifier (the year for plates issued from 1 March,
the year plus 50 from 1 September: 02 in March 2002, 51 in September 2001, 26 and 76 in
2026, 00 and 50 in 2050) and three random letters, never I, O or Q (nor I, Q or Z in the area
letters). An age identifier counts only once it has been issued, as of the day the scan
runs, so next year's plates are found next year without a change here.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import ClassVar, Final

from .base import WORD_BYTES, Candidate, Context, Detector, Hit, context, has_context, scan_date

_CONTEXT = context(r"\breg\b|registration|vehicle|\bvrm\b|\bvrn\b|\bcar\b|permit|number ?plate|\bpcn\b")
# Current format (2001-): two area letters, an age identifier (two digits; which ones
# have been issued is checked against the date in judge_mark), three random letters
# that never include I or Q. Any letter case; a space or hyphen before the letters.
_CURRENT = r"(?i)\b[A-HJ-PR-Y][A-HJ-PR-Y]\d{2}[ -]?[A-HJ-NPR-Z]{3}\b"
_PREFIX = r"\b[A-HJ-NP-Y]\d{1,3}[ -]?[A-HJ-PR-Y]{3}\b"
# No leading \b: with it, hyperscan's start-of-match tracking for this expression costs
# more than all the others together on running text. validate() checks the boundary
# (three letters then digits leave one possible start per match, so this is exact).
_SUFFIX = r"[A-HJ-PR-Y]{3}[ -]?\d{1,3}[A-HJ-NP-Y]\b"
# Northern Ireland: an optional letter then a two-letter area code that contains I or Z.
_NORTHERN_IRELAND = r"\b[A-Z]?(?:[A-Z][IZ]|[IZ][A-Z]) ?\d{1,4}\b"
_CURRENT_RE, _PREFIX_RE, _SUFFIX_RE, _NORTHERN_IRELAND_RE = (
    re.compile(p.replace(r"\b", "")) for p in (_CURRENT, _PREFIX, _SUFFIX, _NORTHERN_IRELAND)
)


CURRENT, OLDER, NORTHERN_IRELAND = 0, 1, 2
CONTEXT_WIDTH = 50
# A Northern Ireland mark followed by three letters is a malformed current-format mark
# ('IB51 ABC'), not a Northern Ireland one.
_LETTERS_AFTER = re.compile(rb"[ -]?[A-Z]{3}(?![A-Za-z0-9_])")


def age_issue(code: int) -> int | None:
    """When an age identifier was first issued, as ``year * 2 + half`` (half 1 from September).

    02-49 are March plates of 2002-2049, 51-99 September plates of 2001-2049, 00 and 50
    the March and September plates of 2050; 01 was never issued.
    """
    if code == 1:
        return None
    if code == 0:
        return 2050 * 2
    if code == 50:
        return 2050 * 2 + 1
    if code < 50:
        return (2000 + code) * 2
    return (2000 + code - 50) * 2 + 1


def latest_age_issue(today: dt.date | None = None) -> int:
    """The :func:`age_issue` of the newest age identifier on sale on ``today`` (default: now)."""
    today = today or scan_date()
    if today.month < 3:
        return (today.year - 1) * 2 + 1
    return today.year * 2 + (1 if today.month >= 9 else 0)


@lru_cache(maxsize=65536)
def judge_mark(value: str, latest: int) -> tuple[str, int] | None:
    """(compact mark, format) for a candidate that fits a format, else ``None``; memoised.

    The format is :data:`CURRENT` (stands alone), :data:`OLDER` (prefix or suffix) or
    :data:`NORTHERN_IRELAND`; the last two need vehicle context. ``latest`` is
    :func:`latest_age_issue` of the scan date: later age identifiers are not issued yet.
    """
    upper = value.upper()
    compact = upper.replace(" ", "").replace("-", "")
    if _CURRENT_RE.fullmatch(upper):
        issued = age_issue(int(compact[2:4]))
        if issued is not None and issued <= latest:
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

    # The rule's constants, public for other modules and the tests.
    CONTEXT: Final[Context] = _CONTEXT
    LETTERS_AFTER: Final[re.Pattern[bytes]] = _LETTERS_AFTER

    name = "uk_vehicle_registration"
    category = "vehicle_registration"
    kernel = "vehicle_registration"
    patterns: ClassVar[tuple[str, ...]] = (_CURRENT, _PREFIX, _SUFFIX, _NORTHERN_IRELAND)
    header_words = ("registration", "vrm", "vehicle", "reg no", "reg number")

    def validate(self, cand: Candidate) -> Hit | None:
        """Current marks pass on shape; the rest need context; NI marks need an I or Z."""
        if cand.start and cand.data[cand.start - 1] in WORD_BYTES:
            return None
        judged = judge_mark(cand.value, latest_age_issue())
        if judged is None:
            return None
        compact, kind = judged
        if kind == NORTHERN_IRELAND and _LETTERS_AFTER.match(cand.data, cand.end):
            return None
        in_context = has_context(cand, _CONTEXT, CONTEXT_WIDTH)
        if kind == CURRENT:
            return Hit(cand.value, compact, 0.95 if in_context else 0.85)
        if not in_context:
            return None
        return Hit(cand.value, compact, 0.85 if kind == OLDER else 0.8)
