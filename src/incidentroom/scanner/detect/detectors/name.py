"""Personal names: labels and titles first, then the given-name gazetteer in running text."""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
from typing import Final, NamedTuple

from ..gazetteer import first_names, hard_stopwords, stopwords, surnames
from .base import Candidate, Detector, Hit

#: The one list of titles: the name expressions start a name after one, and people.names
#: drops them when names are compared.
TITLES: Final[tuple[str, ...]] = ("Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Rev", "Prof", "Sir", "Lady")
_TITLE_SET = frozenset(TITLES)
LABELS = (
    "name|full name|client|client name|tenant|applicant|resident|patient|claimant|service user|customer"
    "|next of kin|emergency contact|contact name|permit holder|account holder|cardholder|complainant"
    "|witness|parent|guardian|carer|landlord|attn|attention|addressee|subject|child|pupil|employee"
)


# The Basic Multilingual Plane holds the letters of every script in use for names;
# classifying all 1.1 million code points would cost seconds at every process start.
_LAST = 0xFFFF


@cache
def _category_runs() -> tuple[tuple[int, int, str], ...]:
    """(first, last, category) for each run of neighbouring code points past ASCII with one category.

    Classified once per process: every character class below (and people.mentions') is
    made from these runs, and asking unicodedata about every code point for each of
    them was about half the cost of importing this module in every worker.
    """
    runs: list[tuple[int, int, str]] = []
    first, current = 0x80, unicodedata.category(chr(0x80))
    for code in range(0x81, _LAST + 1):
        category = unicodedata.category(chr(code))
        if category != current:
            runs.append((first, code - 1, current))
            first, current = code, category
    runs.append((first, _LAST, current))
    return tuple(runs)


def _range(start: int, end: int) -> str:
    return f"\\u{start:04x}-\\u{end:04x}" if end > start else f"\\u{start:04x}"


def char_class(categories: tuple[str, ...]) -> str:
    """A regex character class body for the non-ASCII characters whose category starts with one of ``categories``."""
    ranges: list[str] = []
    start = end = -1
    for first, last, category in _category_runs():
        if category[:2] in categories:
            if start < 0:
                start = first
            end = last
        elif start >= 0:
            ranges.append(_range(start, end))
            start = -1
    if start >= 0:
        ranges.append(_range(start, end))
    return "".join(ranges)


# Names are written in every script: a name word starts with a capital or with a letter
# of a script that has no case (Arabic, Hebrew, Chinese...), and goes on with letters,
# combining marks (diacritics in decomposed text), apostrophes and hyphens. On ASCII
# these are exactly [A-Z] and [A-Za-z'’-].
_NON_ASCII_INITIAL = char_class(("Lu", "Lt", "Lo"))
_NON_ASCII_LETTER = char_class(("Lu", "Ll", "Lt", "Lo", "Lm", "Mn", "Mc"))
_INITIAL = f"[A-Z{_NON_ASCII_INITIAL}]"
_LETTER = f"[A-Za-z{_NON_ASCII_LETTER}'’-]"
_TOKEN = rf"{_INITIAL}{_LETTER}*\.?"  # noqa: S105 - a regex for one name word, not a secret
_BODY = re.compile(rf"(?:(?P<title>{'|'.join(TITLES)})\.?[ ]+)?(?P<body>{_TOKEN}(?:[ ]+{_TOKEN}){{0,3}})")
_COMMA = re.compile(
    rf"(?P<sur>{_INITIAL}{_LETTER}+),[ ]*(?:(?P<title>{'|'.join(TITLES)})\.?[ ]+)?(?P<given>{_TOKEN}(?:[ ]+{_TOKEN})?)"
)
_LABEL_WORDS = tuple(label.encode() for label in LABELS.split("|"))
_DWELLING_WORDS = (b"flat", b"house", b"apartment")


def label_before(data: bytes, start: int, colon: int) -> bool:
    """True when a label ('Client', 'next of kin') ends just before the colon at ``colon``.

    The same as searching ``(?i)(?:LABELS)[ \t]*:`` in ``data[start:colon + 1]``, without
    a regex: this runs for every name candidate with a colon later on its line.
    """
    return data[start:colon].rstrip(b" \t").lower().endswith(_LABEL_WORDS)


def house_number_before(before: bytes) -> bool:
    """True when lower-cased ``before`` ends in a house number or 'flat'/'house'/'apartment'.

    The same as ``(?:\\d+[a-z]?,?|flat|house|apartment)[ \\t]*$``, without a regex.
    """
    tail = before.rstrip(b" \t")
    if tail.endswith(_DWELLING_WORDS):
        return True
    tail = tail.removesuffix(b",")
    if tail[-1:].isalpha():
        tail = tail[:-1]
    return tail[-1:].isdigit()


# Every character the name expressions below can consume (letters, apostrophes, hyphens,
# dots, commas, spaces): a name's parse depends only on this run.
_NAME_RUN = re.compile(rb"(?:[A-Za-z'., -]|\xe2\x80\x99)*")
_NAME_RUN_TEXT = re.compile(rf"[A-Za-z{_NON_ASCII_LETTER}'., \-’]*")
_INITIAL_TEXT = re.compile(_INITIAL)


def name_run(data: bytes, offset: int, stop: int) -> bytes:
    """The run of name characters (:data:`_NAME_RUN`, and letters of any script) at ``offset``."""
    run = _NAME_RUN.match(data, offset, stop)
    end = run.end() if run else offset
    if (
        end < stop
        and data[end] >= 0x80
        and continues_name(data, end)
        # 'Mrs Jane.é...': the sentence ended at the full stop.
        and not sentence_ends(data[offset:end].rsplit(b" ", 1)[-1])
    ):
        text = data[offset:stop].decode("utf-8", "ignore")
        match = _NAME_RUN_TEXT.match(text)
        return match.group().encode() if match else b""
    return data[offset:end]


def continues_name(data: bytes, at: int) -> bool:
    """True when the non-ASCII character starting at byte ``at`` is a letter or mark a name run takes.

    The byte-level name run reads ASCII; a run goes on into the character after it
    when that character answers true here.
    """
    ch = data[at : at + 4].decode("utf-8", "ignore")[:1]
    return bool(ch) and _NAME_RUN_TEXT.match(ch).end() == 1  # type: ignore[union-attr]


#: The name expressions consume at most five space-separated words.
MAX_NAME_WORDS = 6


def reachable_run(run: bytes) -> bytes:
    """The part of a run the name expressions can reach, the key :func:`parse_name_run` is memoised by.

    Every name word starts with a capital, so the run ends before the first later word
    that does not ('Mr John Smith visited the flat' -> 'Mr John Smith'), at a gap of three
    or more spaces (a form's next field on the same line, as OCR and fixed-width exports
    write it: 'Name: Brandon Ellis    Nationality: GBR'), and after at most
    :data:`MAX_NAME_WORDS` words. Cutting there changes no parse and lets the same
    name in different sentences share one cache entry.
    """
    end = i = words = 0
    n = len(run)
    while i < n:
        gap = i
        while i < n and run[i] == 0x20:
            i += 1
        if i == n or words == MAX_NAME_WORDS or (words and (not _capital_at(run, i) or i - gap > 2)):
            break
        word = i
        while i < n and run[i] != 0x20:
            i += 1
        end = i
        words += 1
        if sentence_ends(run[word:end]):
            # 'Mr Owain Pritchard. NI number ...': the name ends with its sentence.
            return run[: end - 1]
    return run[:end]


_TITLES_LOWER = frozenset(t.lower().encode() for t in TITLES)


def sentence_ends(word: bytes) -> bool:
    """True for a word that ends a sentence: a full stop after two or more letters, not a title or initials."""
    bare = word[:-1]
    return word[-1:] == b"." and len(bare) >= 2 and b"." not in bare and bare.lower() not in _TITLES_LOWER


def _capital_at(run: bytes, i: int) -> bool:
    """True when the character at byte ``i`` can start a name word (see :data:`_INITIAL`)."""
    if run[i] < 0x80:
        return 0x41 <= run[i] <= 0x5A
    return _INITIAL_TEXT.match(run[i : i + 4].decode("utf-8", "ignore")[:1]) is not None


#: How far past a hit a name (with its label) may reach.
WINDOW = 120


def parse_name_at(text: str, labelled: bool) -> tuple[str, int] | None:
    """Parse a name at the start of ``text``; return (display value, length) or ``None``.

    Trailing capitalised words that are never names ('Street', 'Council') are trimmed,
    and a bare name needs two words unless a title or a label vouches for it.
    """
    stops = hard_stopwords() if labelled else stopwords()
    comma = _COMMA.match(text) if labelled else None
    if comma:
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
        bare = token.strip(".")
        if bare in stops or bare.title() in stops:
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


class NameParse(NamedTuple):
    """A parsed name: display value, matching key, its length in bytes, confidence.

    ``running_text`` is true for a name with neither label nor title, which is rejected
    when a house number stands just before it ('91 Charlotte Green').
    """

    value: str
    normalised: str
    length: int
    confidence: float
    running_text: bool


@lru_cache(maxsize=65536)
def parse_name_run(run: bytes, labelled: bool) -> NameParse | None:
    """Parse the name at the start of ``run`` (see :data:`_NAME_RUN`); memoised.

    The same names recur across a council's documents, so most hits are a cache lookup.
    """
    text = run.decode("utf-8")
    parsed = parse_name_at(text, labelled)
    if parsed is None:
        return None
    value, length = parsed
    titled = value.startswith(TITLES)
    tokens = [t for t in (word.strip(".") for word in value.split()) if t not in _TITLE_SET]
    running_text = not labelled and not titled
    if running_text and tokens[-1].title() not in surnames():
        # Running text without a title or label: the given name is in the gazetteer
        # by construction and the surname must be too, or street names such as
        # 'Thomas Squares' would become people.
        return None
    confidence = 0.95 if labelled else 0.9 if titled else 0.8
    length_bytes = length if text.isascii() else len(text[:length].encode())
    return NameParse(value, " ".join(tokens).lower(), length_bytes, confidence, running_text)


class NameDetector(Detector):
    """Names after labels ('Client:'), after titles ('Mrs'), or starting with a known given name.

    Names are written in any script: a name word starts with a capital letter or a
    letter of a script without case (Arabic, Hebrew...), and goes on with letters,
    combining marks, apostrophes and hyphens (Łukasz Wiśniewski, Nguyễn Thị Hương,
    محمد علي, Ιωάννης Παπαδόπουλος, Zoë Brontë-Hughes). The running-text gazetteer
    is of given names in ASCII spellings; names in other spellings are found after a
    title or a label, and in name columns.
    """

    # The rule's constants, public for other modules and the tests.
    LABEL_WORDS: Final[tuple[bytes, ...]] = _LABEL_WORDS

    name = "person_name"
    category = "name"
    kernel = "name"
    header_words = ("name", "client", "tenant", "applicant", "claimant", "resident", "holder")

    @property
    def patterns(self) -> tuple[str, ...]:  # type: ignore[override]
        """Label, title and gazetteer expressions (the gazetteer is one alternation)."""
        given = "|".join(sorted(first_names()))
        return (
            # Bounded gaps: open-ended ones make this the slowest expression of all.
            rf"(?i)\b(?:{LABELS})[ \t]{{0,8}}:[ \t]{{0,8}}(?:[A-Za-z]|[\xc2-\xf4])",
            rf"\b(?:{'|'.join(TITLES)})\.?[ ]+(?:[A-Z]|[\xc2-\xf4])",
            rf"\b(?:{given})[ ]+(?:[A-Z]|[\xc2-\xf4])",
        )

    def validate(self, cand: Candidate) -> Hit | None:
        """Parse the full name from the hit onwards (past a label) and reject non-names."""
        data, start = cand.data, cand.start
        stop = min(len(data), start + WINDOW)
        newline = data.find(b"\n", start, stop)
        if newline != -1:
            stop = newline
        offset, labelled = start, False
        colon = data.find(b":", start, stop)
        if colon != -1 and label_before(data, start, colon):
            labelled, offset = True, colon + 1
            while offset < stop and data[offset] in b" \t":
                offset += 1
        text = name_run(data, offset, stop)
        if text and offset + len(text) < stop and data[offset + len(text)] == 0x3A:
            # 'Name: Brandon James Nationality: GBR' (OCR closes the gap between two
            # fields): the word just before a colon is the next field's label.
            text = text[: text.rstrip(b" ").rfind(b" ") + 1]
        parsed = parse_name_run(reachable_run(text), labelled)
        if parsed is None:
            return None
        if parsed.running_text and house_number_before(cand.before(12)):
            # '91 Charlotte Green': a street named after someone, not a person.
            return None
        return Hit(
            parsed.value, parsed.normalised, parsed.confidence, start=offset, end=offset + parsed.length
        )
