"""Shipped name lists (no download at run time): given names, surnames, nicknames, stop words."""

from __future__ import annotations

from functools import cache
from importlib import resources


def _words(filename: str, soft: bool = True) -> list[str]:
    """Words of a shipped list; with ``soft=False``, only those before a '# soft' line."""
    text = (
        resources.files("incidentroom.scanner.detect")
        .joinpath("data")
        .joinpath(filename)
        .read_text(encoding="utf-8")
    )
    words: list[str] = []
    for line in text.splitlines():
        if line.startswith("# soft"):
            if not soft:
                break
            continue
        if line.startswith("#"):
            continue
        words.extend(line.split())
    return words


@cache
def first_names() -> frozenset[str]:
    """Given names, title case."""
    return frozenset(_words("first_names.txt"))


@cache
def surnames() -> frozenset[str]:
    """Surnames, title case."""
    return frozenset(_words("surnames.txt"))


@cache
def stopwords() -> frozenset[str]:
    """Capitalised words that end a name ('Street', 'Council').

    Words that are also given names or surnames ('Chelsea', 'June', 'Hall') are left
    out, because a person called Chelsea Holland matters more than a place called Chelsea.
    """
    return frozenset(_words("name_stopwords.txt")) - first_names() - surnames()


@cache
def hard_stopwords() -> frozenset[str]:
    """Stop words that end a name even in a labelled field (street types, organisations)."""
    return frozenset(_words("name_stopwords.txt", soft=False)) - first_names() - surnames()


@cache
def nickname_canons() -> dict[str, frozenset[str]]:
    """Map each lower-case variant to every canonical given name it may stand for.

    'sam' is short for Samantha and for Samuel: both, so 'Sam Brown' can be either.
    """
    canons: dict[str, set[str]] = {}
    for line in _nickname_lines():
        head, *variants = line.split()
        canons.setdefault(head, set()).add(head)
        for variant in variants:
            canons.setdefault(variant, set()).add(head)
    return {name: frozenset(heads) for name, heads in canons.items()}


def _nickname_lines() -> list[str]:
    text = (
        resources.files("incidentroom.scanner.detect")
        .joinpath("data")
        .joinpath("nicknames.txt")
        .read_text(encoding="utf-8")
    )
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


@cache
def nickname_canon() -> dict[str, str]:
    """Map each lower-case variant (and canonical name) to one canonical given name (a grouping key)."""
    canon: dict[str, str] = {}
    for line in _nickname_lines():
        head, *variants = line.split()
        canon.setdefault(head, head)
        for variant in variants:
            canon.setdefault(variant, head)
    return canon
