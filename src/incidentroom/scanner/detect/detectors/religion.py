"""Religion or belief (UK GDPR Art 9)."""

from __future__ import annotations

import re
from typing import ClassVar

from ..terms import TermDetector


class ReligionDetector(TermDetector):
    """Faith words are also first names and place names, so they always need context."""

    name = "religion_terms"
    category = "religion"
    header_words = ("religion", "faith", "belief")
    weak_terms: ClassVar[tuple[str, ...]] = (
        "Christian", "Catholic", "Roman Catholic", "Anglican", "Church of England", "Methodist", "Baptist",
        "Muslim", "Islam", "Jewish", "Judaism", "Hindu", "Sikh", "Buddhist", "Jehovah's Witness",
        "atheist", "agnostic", "no religion",
    )  # fmt: skip
    # 'is a Sikh', and the adjective said of a person right after a verb: 'He is Jewish',
    # 'they are Muslim', 'was raised Catholic' ('Christian Smith called' has no verb before).
    # 'faith' but not 'faithful' ('Yours faithfully'): what faith(?!ful) says, spelled
    # without the lookahead, which hyperscan lacks, so that the compiled core scans it in
    # hyperscan like every other context (searched by re, it was some 40 % of what issue 12
    # added to a detection pass, in instructions).
    context = re.compile(
        rb"religio|faith(?:[^f]|f[^u]|fu[^l]|(?:fu?)?$)|belief|practising|observant|worships|attends"
        rb"|is a |identifies as"
        rb"|\b(?:is|are|was|were|am|i'm|raised|brought up)[ \t]+(?:(?:a|devout|lapsed|strict|strictly)[ \t]+)?$"
    )
