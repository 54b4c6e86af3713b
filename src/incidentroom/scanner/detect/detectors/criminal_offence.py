"""Criminal offence data (UK GDPR Art 10): convictions, cautions, proceedings."""

from __future__ import annotations

import re
from typing import ClassVar

from ..terms import TermDetector


class CriminalOffenceDetector(TermDetector):
    """Legal phrases are specific enough to stand alone."""

    name = "criminal_offence_terms"
    category = "criminal_offence"
    header_words = ("offence", "conviction", "criminal", "caution", "police")
    strong_terms: ClassVar[tuple[str, ...]] = (
        "convicted of", "convicted", "sentenced to", "conviction for", "criminal record", "cautioned for", "pleaded guilty",
        "found guilty", "custodial sentence", "suspended sentence", "community order", "on probation",
        "arrested for", "charged with", "released on licence", "anti-social behaviour order",
        "criminal behaviour order", "restraining order", "sex offenders register", "unspent conviction",
    )  # fmt: skip
    weak_terms: ClassVar[tuple[str, ...]] = (
        "theft",
        "burglary",
        "assault",
        "fraud",
        "shoplifting",
        "drink driving",
    )
    context = re.compile(rb"offence|convicted|conviction|court|police|charged|sentence|caution")
