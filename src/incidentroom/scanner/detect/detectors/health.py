"""Health data (UK GDPR Art 9): diagnoses, conditions, treatment."""

from __future__ import annotations

import re
from typing import ClassVar

from ..terms import TermDetector


class HealthDetector(TermDetector):
    """Named conditions stand alone; generic words need a health context."""

    name = "health_terms"
    category = "health"
    header_words = ("health", "medical", "condition", "disability", "diagnosis", "medication", "impairment")
    strong_terms: ClassVar[tuple[str, ...]] = (
        "diabetes", "type 1 diabetes", "type 2 diabetes", "asthma", "epilepsy", "dementia", "alzheimer's",
        "schizophrenia", "bipolar disorder", "depression", "anxiety disorder", "psychosis", "autism",
        "multiple sclerosis", "parkinson's", "cancer", "leukaemia", "HIV", "hepatitis C", "COPD",
        "heart failure", "stroke", "cerebral palsy", "learning disability", "mental health", "PTSD",
        "chronic kidney disease", "dialysis", "chemotherapy", "insulin", "pregnant", "pregnancy",
        "substance misuse", "alcohol dependency", "wheelchair user", "visually impaired", "hearing impaired",
    )  # fmt: skip
    weak_terms: ClassVar[tuple[str, ...]] = ("disabled", "disability", "medication", "unwell", "mobility")
    context = re.compile(rb"health|medical|condition|diagnos|suffers|gp\b|treatment|care plan|needs")
