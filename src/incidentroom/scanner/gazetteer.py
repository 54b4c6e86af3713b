"""Shipped name lists (no download at run time): given names, surnames, nicknames, stop words."""

from __future__ import annotations

from functools import cache
from importlib import resources


def _words(filename: str, soft: bool = True) -> list[str]:
    """Words of a shipped list; with ``soft=False``, only those before a '# soft' line."""
    text = (
        resources.files("incidentroom.scanner")
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
def nickname_canon() -> dict[str, str]:
    """Map each lower-case variant (and canonical name) to its canonical given name."""
    text = (
        resources.files("incidentroom.scanner")
        .joinpath("data")
        .joinpath("nicknames.txt")
        .read_text(encoding="utf-8")
    )
    canon: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        head, *variants = line.split()
        canon.setdefault(head, head)
        for variant in variants:
            canon.setdefault(variant, head)
    return canon
