"""Email addresses spelled out to defeat harvesters: 'jane.smith at example dot co dot uk'."""

from __future__ import annotations

import re
from typing import ClassVar

from .base import Candidate, Detector, Hit
from .email import LOCAL_PART_BYTES, is_role_or_test

_AT = r"(?:[ ]at[ ]|[ ]?\(at\)[ ]?|[ ]?\[at\][ ]?)"
_DOT = r"(?:[ ]dot[ ]|[ ]?\(dot\)[ ]?|[ ]?\[dot\][ ]?)"
_PARTS = re.compile(rf"(?i){_AT}([a-z0-9-]+(?:{_DOT}[a-z0-9-]+)+)$")
_DOT_RE = re.compile(rf"(?i){_DOT}")
# Top-level domains people spell out; a closed list, since 'at the office dot' is prose.
TOP_LEVEL = frozenset(
    "com org net uk gov ac nhs co edu info io eu me biz scot wales cymru london ie fr de es it nl pl in".split()
)


class SpelledEmailDetector(Detector):
    """An address written with 'at' and 'dot' (RFC 5322 local part, a known top-level domain)."""

    name = "email_spelled_out"
    category = "email"
    patterns: ClassVar[tuple[str, ...]] = (rf"(?i){_AT}[a-z0-9-]+(?:{_DOT}[a-z0-9-]+)+\b",)
    header_words = ("email", "e-mail")

    def validate(self, cand: Candidate) -> Hit | None:
        """The local part before 'at' (walked back), the domain's labels, a known top-level domain."""
        data, start = cand.data, cand.start
        local_start = start
        while local_start > 0 and data[local_start - 1] in LOCAL_PART_BYTES:
            local_start -= 1
        if local_start == start or not chr(data[local_start]).isalnum():
            return None
        match = _PARTS.match(cand.value)
        if match is None:
            return None
        labels = _DOT_RE.split(match[1])
        if labels[-1].lower() not in TOP_LEVEL:
            return None
        address = f"{data[local_start:start].decode('ascii')}@{'.'.join(labels)}".lower()
        if is_role_or_test(address):
            return None
        value = data[local_start : cand.end].decode("utf-8", "replace")
        return Hit(value, address, 0.85, start=local_start, end=cand.end)
