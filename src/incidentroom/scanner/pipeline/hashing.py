"""Keyed hashing and masking, so detections never carry a raw value.

Both are memoised: a register repeats the same values on many rows. The caches live in
the worker process only and hold nothing that is not already in memory for the scan.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import string
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from _hashlib import HASH

KEY_FILE = "scan.key"


def load_or_create_key(out_dir: Path) -> bytes:
    """Return the per-scan HMAC key kept in ``out_dir``, creating it on first use.

    The key stays with the outputs so that hashes can be recomputed for a known value
    (for a subject-access request) but are useless to anyone who only has the Parquet file.
    """
    path = out_dir / KEY_FILE
    if path.exists():
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
    key = secrets.token_bytes(32)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key.hex())
    os.replace(tmp, path)
    return key


_BLOCK = hashlib.sha256().block_size
_INNER_PAD = bytes(x ^ 0x36 for x in range(256))
_OUTER_PAD = bytes(x ^ 0x5C for x in range(256))


@lru_cache(maxsize=8)
def _keyed(key: bytes) -> tuple[HASH, HASH]:
    """HMAC-SHA256's inner and outer hashes with the padded key already absorbed (RFC 2104),
    copied per value. ``hmac.HMAC.copy`` copies the same state inside a Python object whose
    methods cost more than the hashing: 0.8 rather than 1.3 µs a value, and most values of
    a register are new, so this runs for most detections. Checked against ``hmac`` by the
    tests (keys longer than a block included)."""
    if len(key) > _BLOCK:
        key = hashlib.sha256(key).digest()
    key = key.ljust(_BLOCK, b"\0")
    return hashlib.sha256(key.translate(_INNER_PAD)), hashlib.sha256(key.translate(_OUTER_PAD))


@lru_cache(maxsize=131072)
def keyed_hash(key: bytes, category: str, normalised: str) -> str:
    """HMAC-SHA256 of a normalised value, scoped by category, as 32 hex characters."""
    inner, outer = _keyed(key)
    inner = inner.copy()
    inner.update(f"{category}:{normalised}".encode())
    outer = outer.copy()
    outer.update(inner.digest())
    return outer.hexdigest()[:32]


# A letter or digit in any script: exactly what str.isalnum() accepts (\w less '_').
_ALNUM = re.compile(r"[^\W_]")
_ASCII_STARS = str.maketrans(dict.fromkeys(string.ascii_letters + string.digits, "*"))


@lru_cache(maxsize=131072)
def mask(category: str, value: str) -> str:
    """Return a masked form that lets a reviewer recognise a value without exposing it.

    Every letter and digit becomes '*' but the last two (none for values shorter than six
    characters); separators stay. Done with one pass of a translation table (ASCII) or of
    a regular expression rather than a Python loop over characters: a value that is seen
    once (most are) misses the cache.
    """
    if category == "email" and "@" in value:
        local, _, domain = value.partition("@")
        return f"{local[:1]}***@{domain}"
    if category == "name":
        # A list, not a generator, and no max(): split() gives no empty word.
        return " ".join([word[:1] + "*" * (len(word) - 1) for word in value.split()])
    # An ASCII value (most are) through a translation table, six times faster than the
    # expression; for ASCII the two star the same characters, [0-9A-Za-z] (tested).
    masked = value.translate(_ASCII_STARS) if value.isascii() else _ALNUM.sub("*", value)
    if len(value) < 6:
        return masked
    # Put back the last two letters or digits: everything from the second-last starred
    # character on is the value's own (the characters between were never starred).
    cut, shown = len(value), 0
    while shown < 2 and cut:
        cut -= 1
        if masked[cut] != value[cut]:
            shown += 1
    return masked[:cut] + value[cut:]
