"""Every indicator in one hyperscan pass (the scanner's multi-pattern engine).

Every indicator becomes one or more literal patterns compiled into a single hyperscan
database; a block of events is scanned once and only the places hyperscan reports are
checked in Python:

* domains, URLs, email senders, host names and accounts must sit on a boundary
  (``evil.example`` matches ``mail.evil.example`` and ``https://evil.example/x`` but not
  ``notevil.example`` or ``evil.example.org``);
* IPv4 addresses and ranges: a range becomes the literal prefixes of its octet-aligned
  blocks (``203.0.113.0/20`` -> sixteen ``203.0.11x.`` prefixes); each candidate address is
  then read whole and checked against the ranges with ``ipaddress``;
* IPv6 addresses, which have many spellings, are found by one candidate pattern (only when
  an IPv6 indicator exists) and compared as integers;
* hashes exactly (not inside a longer hexadecimal string); subjects, file names, registry
  keys and command-line fragments as case-insensitive substrings.

Values with a backslash or slash also get their JSON-escaped spelling, because M365, Entra
and EVTX records are JSON and we scan them as exported, without decoding every record.
"""

from __future__ import annotations

import ipaddress
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

import hyperscan

from incidentroom.threats.sweep.iprange import ip_bounds

_WORD = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_DOMAIN_CHARS = _WORD | frozenset(b"-_")
_HEX = frozenset(b"0123456789abcdefABCDEF")
_ACCOUNT_CHARS = _WORD | frozenset(b"-_.$")
_EMAIL_LOCAL = _WORD | frozenset(b"._%+-")
_URL_TAIL = _WORD | frozenset(b"-._~%")
_DIGITS = frozenset(b"0123456789")
_IPV4_BODY = _DIGITS | frozenset(b".")
_HIVES = (
    "hkey_local_machine",
    "hklm",
    "hkey_current_user",
    "hkcu",
    "hkey_users",
    "hku",
    "hkey_classes_root",
    "hkcr",
)
_IPV6_CANDIDATE = rb"[0-9A-Fa-f]{0,4}(:[0-9A-Fa-f]{0,4}){2,7}(%[0-9A-Za-z]+)?"


@dataclass(frozen=True)
class IndicatorSpec:
    """What the matcher needs of an indicator: its id, type and normalised value."""

    id: int
    type: str
    value: str


@dataclass(frozen=True)
class Match:
    """An indicator found at ``start:end`` of the scanned block."""

    indicator_id: int
    start: int
    end: int
    text: str


@dataclass
class _Pattern:
    literal: bytes
    check: str
    ids: list[int]


def _escape(literal: bytes) -> bytes:
    return b"".join(bytes([c]) if c in _WORD else b"\\x%02x" % c for c in literal)


def _json_escaped(value: str) -> str:
    return value.replace("\\", "\\\\").replace("/", "\\/")


class IndicatorMatcher:
    """Compiled once per sweep; ``scan(block)`` returns every indicator match in the block."""

    def __init__(self, indicators: Sequence[IndicatorSpec]) -> None:
        self.patterns: list[_Pattern] = []
        self._by_key: dict[tuple[bytes, str], _Pattern] = {}
        # IPv4: exact addresses by integer; ranges as sorted (first, last, id) with a running
        # maximum of 'last' so the search can stop early.
        self._v4_exact: dict[int, list[int]] = {}
        self._v4_ranges: list[tuple[int, int, int]] = []
        self._v6_exact: dict[int, list[int]] = {}
        self._v6_ranges: list[tuple[int, int, int]] = []
        self._v6_pattern = -1
        for ind in indicators:
            self._add(ind)
        self._v4_ranges.sort()
        self._v4_starts = [r[0] for r in self._v4_ranges]
        self._v4_reach = _running_max(self._v4_ranges)
        self._v6_ranges.sort()
        self._v6_starts = [r[0] for r in self._v6_ranges]
        self._v6_reach = _running_max(self._v6_ranges)
        self.indicator_count = len(indicators)
        self._db: hyperscan.Database | None = None
        expressions = [_escape(p.literal) for p in self.patterns]
        flags = [hyperscan.HS_FLAG_CASELESS] * len(expressions)
        if self._v6_exact or self._v6_ranges:
            self._v6_pattern = len(expressions)
            expressions.append(_IPV6_CANDIDATE)
            flags.append(hyperscan.HS_FLAG_SOM_LEFTMOST)
        if expressions:
            db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
            db.compile(
                expressions=expressions,
                ids=list(range(len(expressions))),
                elements=len(expressions),
                flags=flags,
            )
            self._db = db

    # -- building ---------------------------------------------------------------------------

    def _literal(self, text: str, check: str, indicator_id: int) -> None:
        literal = text.encode("utf-8").lower()
        key = (literal, check)
        pattern = self._by_key.get(key)
        if pattern is None:
            pattern = self._by_key[key] = _Pattern(literal, check, [])
            self.patterns.append(pattern)
        if indicator_id not in pattern.ids:
            pattern.ids.append(indicator_id)

    def _add(self, ind: IndicatorSpec) -> None:
        t, v = ind.type, ind.value
        if t == "ipv4":
            self._add_ipv4(ind)
            return
        if t == "ipv6":
            _, first, last = ip_bounds(v)
            if first == last:
                self._v6_exact.setdefault(first, []).append(ind.id)
            else:
                self._v6_ranges.append((first, last, ind.id))
            return
        check = {
            "domain": "domain",
            "url": "url",
            "email_sender": "email",
            "md5": "hex",
            "sha1": "hex",
            "sha256": "hex",
            "user_account": "account",
            "host_name": "account",
            "file_name": "file",
        }.get(t, "substring")
        texts = {v}
        if t == "registry_key":
            # Logs spell hives differently (HKLM, HKEY_LOCAL_MACHINE, \REGISTRY\MACHINE):
            # match the path below the hive, starting at a backslash.
            head, _, rest = v.partition("\\")
            if head.lower() in _HIVES and rest:
                texts = {"\\" + rest}
        for text in list(texts):
            if "\\" in text or "/" in text:
                texts.add(_json_escaped(text))
        for text in texts:
            self._literal(text, check, ind.id)

    def _add_ipv4(self, ind: IndicatorSpec) -> None:
        _, first, last = ip_bounds(ind.value)
        if first == last:
            self._v4_exact.setdefault(first, []).append(ind.id)
            self._literal(str(ipaddress.IPv4Address(first)), "ipv4", ind.id)
            return
        self._v4_ranges.append((first, last, ind.id))
        # Literal prefixes of the octet-aligned blocks covering the range: at most 256 per
        # range, and for ranges of a /8 or wider a bare first octet (checked like the rest).
        for net in ipaddress.summarize_address_range(
            ipaddress.IPv4Address(first), ipaddress.IPv4Address(last)
        ):
            aligned = max(8, (net.prefixlen // 8) * 8)
            for block in (
                net.subnets(new_prefix=aligned)
                if aligned > net.prefixlen
                else [net.supernet(new_prefix=aligned)]
            ):
                octets = str(block.network_address).split(".")[: aligned // 8]
                self._literal(".".join(octets) + ".", "ipv4", ind.id)

    # -- matching -------------------------------------------------------------------------

    def scan(self, block: bytes) -> list[Match]:
        """Every match in ``block`` (one or many records joined by newlines)."""
        if self._db is None:
            return []
        raw: list[tuple[int, int, int]] = []

        def on_match(pattern_id: int, start: int, end: int, flags: int, context: object) -> None:
            raw.append((pattern_id, start, end))

        self._db.scan(block, match_event_handler=on_match)
        found: list[Match] = []
        seen: set[tuple[int, int]] = set()
        v6_best: dict[int, int] = {}
        for pattern_id, start, end in raw:
            if pattern_id == self._v6_pattern:
                if end > v6_best.get(start, -1):
                    v6_best[start] = end
                continue
            pattern = self.patterns[pattern_id]
            start = end - len(pattern.literal)
            for m in self._verify(pattern, block, start, end):
                if (m.indicator_id, m.start) not in seen:
                    seen.add((m.indicator_id, m.start))
                    found.append(m)
        for start, end in v6_best.items():
            for m in self._verify_v6(block, start, end):
                if (m.indicator_id, m.start) not in seen:
                    seen.add((m.indicator_id, m.start))
                    found.append(m)
        found.sort(key=lambda m: (m.start, m.indicator_id))
        return found

    def _verify(self, p: _Pattern, block: bytes, start: int, end: int) -> list[Match]:
        before = block[start - 1] if start > 0 else None
        after = block[end] if end < len(block) else None
        after2 = block[end + 1] if end + 1 < len(block) else None
        check = p.check
        if check == "ipv4":
            return self._verify_v4(p, block, start)
        ok = True
        if check == "domain":
            ok = (before is None or before not in _DOMAIN_CHARS) and not _continues_domain(after, after2)
        elif check == "email":
            ok = (before is None or before not in _EMAIL_LOCAL) and not _continues_domain(after, after2)
        elif check == "url":
            ok = (before is None or before not in _WORD) and not (
                after is not None
                and after in _URL_TAIL
                and not (after == 0x2E and (after2 is None or after2 not in _WORD))
            )
        elif check == "hex":
            ok = (before is None or before not in _HEX) and (after is None or after not in _HEX)
        elif check == "account":
            ok = (before is None or before not in _ACCOUNT_CHARS) and (
                after is None
                or after not in _ACCOUNT_CHARS
                or (after == 0x2E and after2 is not None and after2 in _WORD)
            )
        elif check == "file":
            ok = (before is None or before not in _DOMAIN_CHARS) and not _continues_domain(after, after2)
        if not ok:
            return []
        text = block[start:end].decode("utf-8", "replace")
        return [Match(i, start, end, text) for i in p.ids]

    def _verify_v4(self, p: _Pattern, block: bytes, start: int) -> list[Match]:
        if start > 0 and block[start - 1] in _IPV4_BODY:
            return []
        end = start
        limit = min(len(block), start + 16)
        while end < limit and block[end] in _IPV4_BODY:
            end += 1
        # A sentence may end with the address: 'from 203.0.113.5.'
        while end > start and block[end - 1] == 0x2E:
            end -= 1
        if end < len(block) and block[end] in _IPV4_BODY:
            return []
        text = block[start:end].decode("ascii")
        value = _ipv4_int(text)
        if value is None:
            return []
        ids = self._lookup(value, self._v4_exact, self._v4_ranges, self._v4_starts, self._v4_reach)
        return [Match(i, start, end, text) for i in ids]

    def _verify_v6(self, block: bytes, start: int, end: int) -> list[Match]:
        if start > 0 and (block[start - 1] in _HEX or block[start - 1] == 0x3A):
            return []
        text = block[start:end].decode("ascii").split("%", 1)[0]
        try:
            value = int(ipaddress.IPv6Address(text))
        except ValueError:
            return []
        ids = self._lookup(value, self._v6_exact, self._v6_ranges, self._v6_starts, self._v6_reach)
        return [Match(i, start, end, text) for i in ids]

    @staticmethod
    def _lookup(
        value: int,
        exact: dict[int, list[int]],
        ranges: list[tuple[int, int, int]],
        starts: list[int],
        reach: list[int],
    ) -> list[int]:
        ids = list(exact.get(value, ()))
        # Walk back from the last range starting at or before the value while some range
        # that far back still reaches it (``reach`` is the running maximum of the ends), so
        # disjoint ranges cost one step, not one per range.
        index = bisect_right(starts, value) - 1
        while index >= 0 and reach[index] >= value:
            first, last, ident = ranges[index]
            if first <= value <= last and ident not in ids:
                ids.append(ident)
            index -= 1
        return ids


def _ipv4_int(text: str) -> int | None:
    """A dotted quad as an integer, with ``ipaddress``'s rules (no leading zeros, each part
    at most 255), without building an address object per candidate."""
    parts = text.split(".")
    if len(parts) != 4:
        return None
    value = 0
    for part in parts:
        if not part.isdigit() or len(part) > 3 or (len(part) > 1 and part[0] == "0"):
            return None
        octet = int(part)
        if octet > 255:
            return None
        value = value * 256 + octet
    return value


def _running_max(ranges: list[tuple[int, int, int]]) -> list[int]:
    out: list[int] = []
    top = -1
    for _, last, _ in ranges:
        top = max(top, last)
        out.append(top)
    return out


def _continues_domain(after: int | None, after2: int | None) -> bool:
    """Whether the name goes on past the match (``evil.example`` inside ``evil.example.org``)."""
    if after is None:
        return False
    if after in _DOMAIN_CHARS:
        return True
    return after == 0x2E and after2 is not None and after2 in _WORD
