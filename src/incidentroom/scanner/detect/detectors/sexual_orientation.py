"""Sexual orientation (UK GDPR Art 9)."""

from __future__ import annotations

import re
from typing import ClassVar

from ..terms import TermDetector


class SexualOrientationDetector(TermDetector):
    """Orientation words count with an orientation label, phrase or column."""

    name = "sexual_orientation_terms"
    category = "sexual_orientation"
    header_words = ("orientation", "sexuality")
    strong_terms: ClassVar[tuple[str, ...]] = ("same-sex partner", "same sex partner")
    weak_terms: ClassVar[tuple[str, ...]] = (
        "gay",
        "lesbian",
        "bisexual",
        "heterosexual",
        "straight",
        "queer",
        "pansexual",
        "asexual",
    )
    context = re.compile(rb"orientation|sexuality|identifies as|is openly|came out as|\bas\b")
