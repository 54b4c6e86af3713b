"""Personal names: labels and titles first, then the given-name gazetteer in running text."""

from __future__ import annotations

import re

from ..gazetteer import first_names, hard_stopwords, stopwords, surnames
from .base import Candidate, Detector, Hit

TITLES = ("Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Rev", "Prof")
LABELS = (
    "name|full name|client|client name|tenant|applicant|resident|patient|claimant|service user|customer"
    "|next of kin|emergency contact|contact name|permit holder|account holder|cardholder|complainant"
    "|witness|parent|guardian|carer|landlord|attn|attention|addressee|subject|child|pupil|employee"
)
_TOKEN = r"[A-Z][A-Za-z'’-]*\.?"  # noqa: S105 - a regex for one name word, not a secret
_BODY = re.compile(rf"(?:(?P<title>{'|'.join(TITLES)})\.?[ ]+)?(?P<body>{_TOKEN}(?:[ ]+{_TOKEN}){{0,3}})")
_COMMA = re.compile(
    rf"(?P<sur>[A-Z][A-Za-z'’-]+),[ ]*(?:(?P<title>{'|'.join(TITLES)})\.?[ ]+)?(?P<given>{_TOKEN}(?:[ ]+{_TOKEN})?)"
)
_HOUSE_NUMBER_BEFORE = re.compile(r"(?:\d+[a-z]?,?|flat|house|apartment)[ \t]*$")
_LABEL = re.compile(rf"(?i)(?:{LABELS})[ \t]*:[ \t]*$")


def parse_name_at(text: str, labelled: bool) -> tuple[str, int] | None:
    """Parse a name at the start of ``text``; return (display value, length) or ``None``.

    Trailing capitalised words that are never names ('Street', 'Council') are trimmed,
    and a bare name needs two words unless a title or a label vouches for it.
    """
    stops = hard_stopwords() if labelled else stopwords()
    comma = _COMMA.match(text)
    if comma and labelled:
        given_tokens = comma["given"].split()
        if comma["sur"] not in stops and not any(t.strip(".") in stops for t in given_tokens):
            title = f"{comma['title']} " if comma["title"] else ""
            return f"{title}{comma['given']} {comma['sur']}", comma.end()
    match = _BODY.match(text)
    if not match:
        return None
    if match["title"]:
        stops = hard_stopwords()
    tokens = match["body"].split()
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
        raw = cand.data[cand.start : cand.start + 120]
        newline = raw.find(b"\n")
        window = (raw if newline == -1 else raw[:newline]).decode("utf-8", "ignore")
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
            # Running text without a title or label: the given name is in the gazetteer
            # by construction and the surname must be too, or street names such as
            # 'Thomas Squares' would become people.
            if tokens[-1].title() not in surnames():
                return None
            if _HOUSE_NUMBER_BEFORE.search(cand.before(12)):
                # '91 Charlotte Green': a street named after someone, not a person.
                return None
        start = cand.start + len(window[:offset].encode())
        end = start + len(window[offset : offset + length].encode())
        normalised = " ".join(t.lower() for t in tokens)
        confidence = 0.95 if labelled else 0.9 if value.startswith(TITLES) else 0.8
        return Hit(value, normalised, confidence, start=start, end=end)
