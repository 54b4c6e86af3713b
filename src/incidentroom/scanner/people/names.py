"""Parsing and comparing personal names ('Mr J. SMITH', 'Smith, John', 'Jon Smith')."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import JaroWinkler

from ..detect.detectors.name import TITLES
from ..detect.gazetteer import nickname_canon, nickname_canons

#: The titles (one list, the name detector's) as words of a folded name.
TITLE_WORDS = frozenset(t.lower() for t in TITLES)
#: Words that open a surname of several words ('Ó Dálaigh', 'van der Berg', 'ap Rhys').
SURNAME_PARTICLES = frozenset(
    {"ó", "ní", "nic", "mac", "van", "von", "der", "den", "de", "da", "di", "du", "del", "della", "le", "la",
     "ap", "ab", "bin", "bint", "al", "el", "st", "ter", "ten"}
)  # fmt: skip


@dataclass(frozen=True)
class ParsedName:
    """A name split into parts, lower case; ``first`` may be a single initial or empty."""

    title: str
    first: str
    last: str

    @property
    def canonical_first(self) -> str:
        """The given name with nicknames folded ('bob' -> 'robert')."""
        return nickname_canon().get(self.first, self.first)


def _fold(word: str) -> str:
    """A name word for comparison: lower case, accents dropped ('Zoë' and 'Zoe' are one person).

    Letters that do not decompose (ł, ø, ı) and other scripts stay as they are.
    """
    lowered = word.lower()
    if lowered.isascii():
        return lowered
    return "".join(ch for ch in unicodedata.normalize("NFKD", lowered) if not unicodedata.combining(ch))


@lru_cache(maxsize=65536)
def parse_name(value: str) -> ParsedName:
    """Split a display name; handles 'Surname, Given' and titles with or without dots.

    The parts are folded for comparison (lower case, accents dropped), in any script.
    """
    text = value.strip()
    if "," in text:
        surname, _, given = text.partition(",")
        text = f"{given} {surname}"
    tokens = [_fold(t.strip(".,'’")) for t in text.replace(".", ". ").split()]
    tokens = [t for t in tokens if t]
    title = ""
    if tokens and tokens[0] in TITLE_WORDS:
        title = tokens.pop(0)
    tokens = [t for t in tokens if t not in TITLE_WORDS]
    if not tokens:
        return ParsedName(title, "", "")
    if len(tokens) == 1:
        return ParsedName(title, "", tokens[0])
    if len(tokens) >= 3 and tokens[-2] in SURNAME_PARTICLES:
        # 'Siân Ó Dálaigh', 'Anne van der Berg': the particle is part of the surname.
        cut = len(tokens) - 2
        while cut > 1 and tokens[cut - 1] in SURNAME_PARTICLES:
            cut -= 1
        return ParsedName(title, tokens[0], " ".join(tokens[cut:]))
    return ParsedName(title, tokens[0], tokens[-1])


def name_key(value: str) -> tuple[str, str]:
    """(given name, surname) of a display name, folded, titles dropped: how records compare names."""
    parsed = parse_name(value)
    return parsed.first, parsed.last


# Remembered: linkage and record building ask about the same few thousand names again
# and again (every draft with a surname, every record pair at one postcode).
@lru_cache(maxsize=1 << 18)
def first_names_compatible(a: str, b: str) -> bool:
    """Given names that may be the same person: equal, initial of, nickname of, or a typo."""
    if not a or not b:
        return True
    if len(a) == 1 or len(b) == 1:
        return a[0] == b[0]
    # Each name's canonical forms (itself when it is no nickname) share one. Written out
    # case by case: most names of a register are in no nickname group, and building a
    # one-name set for each of them cost more than the comparison (a miss of the cache
    # above, which is most calls when a name-dense text compares every name of a surname).
    canons = nickname_canons()
    ca, cb = canons.get(a), canons.get(b)
    if ca is None:
        if a == b if cb is None else a in cb:
            return True
    elif b in ca if cb is None else not ca.isdisjoint(cb):
        return True
    # No score_cutoff: with it, rapidfuzz scores 'julia'/'julie' (0.92 exactly) as 0.
    return bool(JaroWinkler.normalized_similarity(a, b) >= 0.92)


def first_names_conflict(a: str, b: str) -> bool:
    """Two full given names that cannot be the same person (an initial never conflicts)."""
    return not first_names_compatible(a, b)


@lru_cache(maxsize=1 << 18)
def surnames_similar(a: str, b: str) -> bool:
    """Equal, or one small typo apart ('Smith'/'Smyth'), by Jaro-Winkler."""
    if not a or not b:
        return False
    if a == b:
        return True
    return bool(JaroWinkler.normalized_similarity(a, b) >= 0.9)
