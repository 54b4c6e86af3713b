"""Extractor registry: every :class:`Extractor` in this package, chosen by extension or magic.

Adding a format is adding one module here with an ``Extractor`` subclass.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from functools import cache

from .base import (
    Blob,
    ExtractError,
    Extractor,
    Limits,
    MemberIssue,
    NeedsOcr,
    Output,
    OwnedText,
    Partial,
    detect_encoding,
    looks_binary,
)

__all__ = [
    "Blob",
    "ExtractError",
    "Extractor",
    "Limits",
    "MemberIssue",
    "NeedsOcr",
    "Output",
    "OwnedText",
    "Partial",
    "all_extractors",
    "choose",
]

_NOT_PLUGINS = {"base", "ole"}


@cache
def all_extractors() -> tuple[Extractor, ...]:
    """One instance of every extractor plugin, sorted by name."""
    found: dict[str, Extractor] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name in _NOT_PLUGINS:
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(obj, Extractor)
                and not inspect.isabstract(obj)
                and obj.__module__ == module.__name__
            ):
                found[obj.name] = obj()
    return tuple(found[name] for name in sorted(found))


@cache
def _by_extension() -> dict[str, Extractor]:
    table: dict[str, Extractor] = {}
    for extractor in all_extractors():
        for ext in extractor.extensions:
            table.setdefault(ext, extractor)
    return table


def choose(extension: str, head: bytes) -> Extractor | None:
    """The extractor for a file: by extension, else by its first bytes, else ``None``."""
    extractor = _by_extension().get(extension)
    if extractor is not None:
        return extractor
    for candidate in all_extractors():
        if candidate.sniff(head):
            return candidate
    encoding = detect_encoding(head)
    if head and not looks_binary(head[:8192], encoding):
        # An unknown or missing extension holding text ('notes', 'export.dat'): read it as text.
        return _by_extension()["txt"]
    return None
