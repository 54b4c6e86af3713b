"""Keyed hashing and masking, so detections never carry a raw value.

Both are memoised: a register repeats the same values on many rows. The caches live in
the worker process only and hold nothing that is not already in memory for the scan.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from functools import lru_cache
from pathlib import Path

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


@lru_cache(maxsize=131072)
def keyed_hash(key: bytes, category: str, normalised: str) -> str:
    """HMAC-SHA256 of a normalised value, scoped by category, as 32 hex characters."""
    return hmac.new(key, f"{category}:{normalised}".encode(), hashlib.sha256).hexdigest()[:32]


@lru_cache(maxsize=131072)
def mask(category: str, value: str) -> str:
    """Return a masked form that lets a reviewer recognise a value without exposing it."""
    if category == "email" and "@" in value:
        local, _, domain = value.partition("@")
        return f"{local[:1]}***@{domain}"
    if category == "name":
        return " ".join(tok[:1] + "*" * max(len(tok) - 1, 0) for tok in value.split())
    visible = 2 if len(value) >= 6 else 0
    out = []
    alnum_seen = sum(ch.isalnum() for ch in value)
    for ch in value:
        if ch.isalnum():
            alnum_seen -= 1
            out.append(ch if alnum_seen < visible else "*")
        else:
            out.append(ch)
    return "".join(out)
