"""Personal names: labels and titles first, then the given-name gazetteer in running text."""

from __future__ import annotations

import re
from typing import ClassVar

from ..gazetteer import first_names, stopwords, surnames
from .base import Candidate, Detector, Hit

TITLES = ("Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Rev", "Prof")
LABELS = (
    "name|full name|client|client name|tenant|applicant|resident|patient|claimant|service user|customer"
    "|next of kin|emergency contact|contact name|permit holder|account holder|cardholder|complainant"
    "|witness|parent|guardian|carer|landlord|attn|attention|addressee|subject|child|pupil|employee"
)
_TOKEN = r"[A-Z][A-Za-z'’-]*\.?"
_BODY = re.compile(rf"(?:(?P<title>{'|'.join(TITLES)})\.?[ ]+)?(?P<body>{_TOKEN}(?:[ ]+{_TOKEN}){{0,3}})")
_COMMA = re.compile(rf"(?P<sur>[A-Z][A-Za-z'’-]+),[ ]*(?:(?P<title>{'|'.join(TITLES)})\.?[ ]+)?(?P<given>{_TOKEN}(?:[ ]+{_TOKEN})?)")
_LABEL = re.compile(rf"(?i)(?:{LABELS})[ \t]*:[ \t]*$")


def parse_name_at(text: str, labelled: bool) -> tuple[str, int] | None:
    """Parse a name at the start of ``text``; return (display value, length) or ``None``.

    Trailing capitalised words that are never names ('Street', 'Council') are trimmed,
    and a bare name needs two words unless a title or a label vouches for it.
    """
    comma = _COMMA.match(text)
    if comma and labelled:
        given_tokens = comma["given"].split()
        if comma["sur"] not in stopwords() and not any(t.strip(".") in stopwords() for t in given_tokens):
            title = f"{comma['title']} " if comma["title"] else ""
            return f"{title}{comma['given']} {comma['sur']}", comma.end()
    match = _BODY.match(text)
    if not match:
        return None
    tokens = match["body"].split()
    stops = stopwords()
    kept: list[str] = []
    for token in tokens:
        if token.strip(".").title() in stops or token.strip(".") in stops:
            break
        kept.append(token)
    if not kept or (len(kept) == 1 and not match["title"]):
        return None
    if kept[-1].endswith(".") and len(kept[-1]) <= 2:
        # 'Mr J.' alone: an initial is not a surname.
        return None
    title = f"{match['title']} " if match["title"] else ""
    value = title + " ".join(kept)
    end = text.find(kept[-1], match.start("body")) + len(kept[-1])
    return value, end


class NameDetector(Detector):
    """Names after labels ('Client:'), after titles ('Mrs'), or starting with a known given name."""

    name = "person_name"
    category = "name"
    header_words = ("name", "client", "tenant", "applicant", "claimant", "resident", "holder")

    @property
    def patterns(self) -> tuple[str, ...]:  # type: ignore[override]
        """Label, title and gazetteer expressions (the gazetteer is one alternation)."""
        given = "|".join(sorted(first_names()))
        return (
            rf"(?i)\b(?:{LABELS})[ \t]*:[ \t]*[A-Za-z]",
            rf"\b(?:{'|'.join(TITLES)})\.?[ ]+[A-Z]",
            rf"\b(?:{given})[ ]+[A-Z]",
        )

    def validate(self, cand: Candidate) -> Hit | None:
        """Parse the full name from the hit onwards and reject non-names."""
        window = cand.data[cand.start : cand.start + 120].decode("utf-8", "ignore").split("\n", 1)[0]
        labelled = False
        offset = 0
        colon = window.find(":")
        if colon != -1 and _LABEL.search(window[: colon + 1]):
            labelled = True
            offset = colon + 1
            while offset < len(window) and window[offset] in " \t":
                offset += 1
        parsed = parse_name_at(window[offset:], labelled)
        if parsed is None:
            return None
        value, length = parsed
        tokens = [t.strip(".") for t in value.split() if t.strip(".") not in TITLES]
        if not labelled and not value.startswith(TITLES):
            # Running text: the given name is in the gazetteer by construction; the last
            # word must look like a surname rather than a place or an organisation.
            if tokens[-1].title() not in surnames() and tokens[-1] in first_names():
                return None
        start = cand.start + len(window[:offset].encode())
        end = start + len(window[offset : offset + length].encode())
        normalised = " ".join(t.lower() for t in tokens)
        confidence = 0.95 if labelled else 0.9 if value.startswith(TITLES) else 0.8
        return Hit(value, normalised, confidence, start=start, end=end)
