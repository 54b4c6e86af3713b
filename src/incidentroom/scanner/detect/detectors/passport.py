"""UK passport numbers: nine digits, only with passport context."""

from __future__ import annotations

from typing import ClassVar, Final

from .base import Candidate, Context, Detector, Hit, context, has_context

_CONTEXT = context(r"passport")


class PassportDetector(Detector):
    """Nine digits are everywhere; beside 'passport' (text or column) they are a passport."""

    # The rule's constants, public for other modules and the tests.
    CONTEXT: Final[Context] = _CONTEXT

    name = "uk_passport"
    category = "passport_number"
    kernel = "passport"
    patterns: ClassVar[tuple[str, ...]] = (r"\b\d{9}\b",)
    header_words = ("passport",)

    def validate(self, cand: Candidate) -> Hit | None:
        """Require passport context within the preceding 40 characters or the header."""
        if not has_context(cand, _CONTEXT):
            return None
        return Hit(cand.value, cand.value, 0.9)
