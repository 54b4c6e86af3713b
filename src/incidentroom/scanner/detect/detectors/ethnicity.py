"""Ethnicity (UK GDPR Art 9), using the ONS 2021 census groups."""

from __future__ import annotations

import re
from typing import ClassVar

from ..terms import TermDetector


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
    context = re.compile(rb"ethnic|race|heritage|origin")
    weak_confidence = 0.85
    # Nationality-like words ('Indian') count only with context, like weak terms.
    single_words_need_context = True
