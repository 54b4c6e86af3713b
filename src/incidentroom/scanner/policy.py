"""Risk policy: which exposed categories make an individual high, medium or low risk."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .detect.vocab import CATEGORIES

_DEFAULT_HIGH = frozenset(
    {
        "bank_account",
        "payment_card",
        "national_insurance_number",
        "passport_number",
        "driving_licence_number",
        "health",
        "ethnicity",
        "religion",
        "sexual_orientation",
        "criminal_offence",
    }
)
_DEFAULT_MEDIUM = frozenset({"date_of_birth", "nhs_number"})


@dataclass(frozen=True)
class RiskPolicy:
    """Categories that raise an individual's risk; everything else is low.

    The default follows the issue: any financial, government-identifier, special-category
    or criminal-offence data is high; a date of birth or NHS number is medium.
    """

    high: frozenset[str] = field(default=_DEFAULT_HIGH)
    medium: frozenset[str] = field(default=_DEFAULT_MEDIUM)

    def __post_init__(self) -> None:
        unknown = (self.high | self.medium) - set(CATEGORIES)
        if unknown:
            raise ValueError(f"RiskPolicy names unknown categories: {', '.join(sorted(unknown))}")

    def level(self, categories: Iterable[str]) -> str:
        """Return ``high``, ``medium`` or ``low`` for a set of exposed categories."""
        cats = set(categories)
        if cats & self.high:
            return "high"
        if cats & self.medium:
            return "medium"
        return "low"
