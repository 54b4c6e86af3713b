"""Shipped name lists (no download at run time): given names, surnames, nicknames, stop words."""

from __future__ import annotations

from functools import cache
from importlib import resources


def _words(filename: str) -> list[str]:
    text = resources.files("incidentroom.scanner").joinpath("data").joinpath(filename).read_text(encoding="utf-8")
    words: list[str] = []
    for line in text.splitlines():
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
    """Capitalised words that are never part of a person's name."""
    return frozenset(_words("name_stopwords.txt"))


@cache
def nickname_canon() -> dict[str, str]:
    """Map each lower-case variant (and canonical name) to its canonical given name."""
    text = resources.files("incidentroom.scanner").joinpath("data").joinpath("nicknames.txt").read_text(encoding="utf-8")
    canon: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        head, *variants = line.split()
        canon.setdefault(head, head)
        for variant in variants:
            canon.setdefault(variant, head)
    return canon
