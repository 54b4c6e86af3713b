"""Detector registry: every :class:`Detector` subclass in this package, found at import.

Adding a detector is adding one module here; the registry imports each module and
collects the concrete subclasses, ordered by their stable name.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from functools import cache

from .base import Candidate, Detector, Hit

__all__ = ["Candidate", "Detector", "Hit", "all_detectors"]


@cache
def all_detectors() -> tuple[Detector, ...]:
    """One instance of every detector plugin, sorted by name (stable pattern ids)."""
    found: dict[str, Detector] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name == "base" or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(obj, Detector)
                and not inspect.isabstract(obj)
                and obj.__module__ == module.__name__
            ):
                if obj.name in found:
                    raise RuntimeError(f"two detectors share the name {obj.name!r}")
                found[obj.name] = obj()
    return tuple(found[name] for name in sorted(found))
