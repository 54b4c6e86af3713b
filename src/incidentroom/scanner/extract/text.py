"""Plain text, logs, JSON, XML and HTML: streamed in chunks, markup stripped."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import ClassVar

from ..model import Location, TextUnit
from .base import Blob, Extractor, Limits, Output, iter_text_chunks

_TAG = re.compile(r"<(?:script|style)[^>]*>.*?</(?:script|style)>|<[^>]{0,2000}>", re.S | re.I)
_JSON_PUNCT = re.compile(r'[{}\[\]"]')


def strip_markup(text: str) -> str:
    """Tags become line breaks (so table cells stay apart) and entities are decoded."""
    return html.unescape(_TAG.sub("\n", text))


class TextExtractor(Extractor):
    """Any text file, read in bounded chunks so a single huge line never sits in memory whole."""

    name = "text"
    extensions: ClassVar[tuple[str, ...]] = ("txt", "log", "text", "md", "ini", "cfg")

    def extract(self, blob: Blob, limits: Limits) -> Iterator[Output]:
        """Yield one text unit per chunk, located by its first line number."""
        with blob.open() as fh:
            for line, chunk in iter_text_chunks(fh, limits.text_chunk):
                yield TextUnit(self.clean(chunk), Location(line=line))

    def clean(self, chunk: str) -> str:
        """Hook for markup formats; plain text is used as it is."""
        return chunk


class MarkupExtractor(TextExtractor):
    """HTML and XML: tags dropped, entities decoded."""

    name = "markup"
    extensions: ClassVar[tuple[str, ...]] = ("html", "htm", "xml", "xhtml")

    def clean(self, chunk: str) -> str:
        """Strip tags and decode entities."""
        return strip_markup(chunk)


class JsonExtractor(TextExtractor):
    """JSON as text: quotes and brackets become spaces so 'key: value' context survives."""

    name = "json"
    extensions: ClassVar[tuple[str, ...]] = ("json", "jsonl", "ndjson")

    def clean(self, chunk: str) -> str:
        """Blank out JSON punctuation, keeping offsets unchanged."""
        return _JSON_PUNCT.sub(" ", chunk)
