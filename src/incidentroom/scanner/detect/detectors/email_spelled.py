"""Email addresses spelled out to defeat harvesters: 'jane.smith at example dot co dot uk'."""

from __future__ import annotations

import re
from typing import ClassVar

from .base import Candidate, Detector, Hit
from .email import is_role_or_test

_AT = rb"(?:[ ]at[ ]|[ ]?\(at\)[ ]?|[ ]?\[at\][ ]?)"
_DOT = rb"(?:[ ]dot[ ]|[ ]?\(dot\)[ ]?|[ ]?\[dot\][ ]?)"
# Top-level domains people spell out; a closed list, since 'at the office dot' is prose.
TOP_LEVEL = "com org net uk gov ac nhs co edu info io eu me biz scot wales cymru london ie fr de es it nl pl in".split()
# Everything before the final ' dot TLD': a local part, 'at', then labels joined by 'dot'.
_BEFORE = re.compile(
    rb"(?i)([a-z0-9][a-z0-9._%+'!#$&*?^`{}~-]*)" + _AT + rb"([a-z0-9-]+(?:" + _DOT + rb"[a-z0-9-]+)*)$"
)
_DOT_RE = re.compile(rb"(?i)" + _DOT)
_TLD = re.compile(rb"(?i)" + _DOT + rb"([a-z]+)$")
#: How far before the final ' dot TLD' the address may start.
WINDOW = 120


class SpelledEmailDetector(Detector):
    """An address written with 'at' and 'dot' (RFC 5322 local part, a known top-level domain).

    The expression is only the final ' dot com' (rare, so cheap for the multi-pattern
    pass); the rest is read backwards from there.
    """

    name = "email_spelled_out"
    category = "email"
    patterns: ClassVar[tuple[str, ...]] = (rf"(?i){_DOT.decode()}(?:{'|'.join(TOP_LEVEL)})\b",)
    header_words = ("email", "e-mail")

    def validate(self, cand: Candidate) -> Hit | None:
        """The labels and the local part before the final ' dot TLD', walked back from it."""
        data = cand.data
        low = max(0, cand.start - WINDOW)
        match = _BEFORE.search(data, low, cand.start)
        tld = _TLD.search(data, cand.start, cand.end)
        if match is None or tld is None:
            return None
        labels = [*_DOT_RE.split(match[2]), tld[1]]
        address = (match[1] + b"@" + b".".join(labels)).decode("ascii").lower()
        if is_role_or_test(address):
            return None
        start = match.start(1)
        return Hit(data[start : cand.end].decode("ascii"), address, 0.85, start=start, end=cand.end)
