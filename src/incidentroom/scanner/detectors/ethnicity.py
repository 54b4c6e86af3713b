"""Ethnicity (UK GDPR Art 9), using the ONS 2021 census groups."""

from __future__ import annotations

import re
from typing import ClassVar

from ..terms import TermDetector
from .base import Candidate, Hit


class EthnicityDetector(TermDetector):
    """ONS group phrases stand alone; single words need an ethnicity label or column."""

    name = "ethnicity_terms"
    category = "ethnicity"
    header_words = ("ethnic",)
    strong_terms: ClassVar[tuple[str, ...]] = (
        "White British", "White Irish", "Gypsy or Irish Traveller", "Roma", "Any other White background",
        "White and Black Caribbean", "White and Black African", "White and Asian",
        "Asian British", "Indian", "Pakistani", "Bangladeshi", "Chinese", "Black British", "Black Caribbean",
        "Black African", "Arab", "Mixed ethnicity", "Irish Traveller",
    )  # fmt: skip
    weak_terms: ClassVar[tuple[str, ...]] = ("White", "Black", "Asian", "Mixed", "Other ethnic group")
    context = re.compile(r"ethnic|race|heritage|origin")
    weak_confidence = 0.85

    def validate(self, cand: Candidate) -> Hit | None:
        """Nationality-like words ('Indian') count only with context, like weak terms."""
        hit = super().validate(cand)
        if hit is None:
            return None
        if " " not in hit.normalised and not (
            self.header_matches(cand.header) or self.context.search(cand.before(60))
        ):
            return None
        return hit
