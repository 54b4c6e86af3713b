"""The fixed vocabulary of personal-data categories used in every scanner output."""

from __future__ import annotations

from typing import Final

#: Every output (detections, individuals, summary, report) uses exactly these names.
CATEGORIES: Final[tuple[str, ...]] = (
    "name",
    "address",
    "email",
    "phone",
    "date_of_birth",
    "national_insurance_number",
    "nhs_number",
    "bank_account",
    "payment_card",
    "vehicle_registration",
    "passport_number",
    "driving_licence_number",
    "health",
    "ethnicity",
    "religion",
    "sexual_orientation",
    "criminal_offence",
)

#: UK GDPR Art 9 special categories, reported separately on the ICO form.
SPECIAL_CATEGORIES: Final[frozenset[str]] = frozenset(
    {"health", "ethnicity", "religion", "sexual_orientation"}
)

#: Identifiers that single out one person wherever they appear, so they drive linkage.
STRONG_IDENTIFIERS: Final[frozenset[str]] = frozenset(
    {"national_insurance_number", "nhs_number", "passport_number", "driving_licence_number"}
)


def category_order(category: str) -> int:
    """Return the position of ``category`` in the vocabulary, for stable sorting."""
    return CATEGORIES.index(category)
