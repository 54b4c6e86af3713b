"""RTF through striprtf."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any, ClassVar

from ..model import Location
from .base import Blob, ExtractError, Extractor, Limits, Output, paragraph_units

# striprtf ships no type hints; reach it through an Any-typed module.
_striprtf: Any = importlib.import_module("striprtf.striprtf")


class RtfExtractor(Extractor):
    """Rich Text Format; control words dropped, text kept."""

    name = "rtf"
    extensions: ClassVar[tuple[str, ...]] = ("rtf",)

    def sniff(self, head: bytes) -> bool:
        """RTF files start with '{\\rtf'."""
        return head.startswith(b"{\\rtf")

    def extract(self, blob: Blob, limits: Limits) -> Iterator[Output]:
        """Yield the document's paragraphs."""
        raw = blob.read_all(limits)
        if not raw.lstrip().startswith(b"{\\rtf"):
            raise ExtractError("failed", "not an RTF document")
        try:
            text: str = _striprtf.rtf_to_text(raw.decode("cp1252", "replace"), errors="ignore")
        except (ValueError, IndexError) as exc:
            raise ExtractError("failed", f"unreadable RTF: {exc}") from exc
        yield from paragraph_units(text.split("\n"), Location())
