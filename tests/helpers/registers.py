"""A council register export as CSV, with the edge cases real exports have (for the
split-CSV tests: ``tests/scanner/test_scan_split.py`` and the Dask test)."""

from __future__ import annotations

import random
from pathlib import Path

FIRST = ["Jane", "Owen", "Bethan", "Rhys", "Amelia", "George", "Siân", "Zoë"]
LAST = ["Smith", "Price", "Roberts", "Hughes", "Brontë-Hughes", "Patel", "Davies", "Walker"]


def _ni(n: int) -> str:
    return f"J{'ABCEGHJKLMNPRSTWXYZ'[n % 19]}{n % 1000000:06d}{'ABCD'[n % 4]}"


def write_register(
    path: Path, rows: int, *, notes_every: int = 0, blank_at: int = -1, sep: bool = False
) -> None:
    """A register export with the edge cases above (deterministic)."""
    rng = random.Random(7)
    out = ["sep=,"] if sep else []
    out += ["Royal Borough housing register export,,,,,,", ",,,,,,"]
    out.append("Reference,Name,Date of birth,Address,Postcode,NI number,Notes")
    for n in range(1, rows + 1):
        if n == blank_at:
            out.append(",,,,,,")
        i = rng.randrange(60)  # 60 residents over many rows: repeats across ranges
        name = f"{['Mr', 'Mrs', 'Ms'][i % 3]} {FIRST[i % 8]} {LAST[i // 8 % 8]}"
        note = "Rent account in arrears"
        if notes_every and n % notes_every == 0:
            note = f'"Called on 12/03/2015.\r\nSpoke to {FIRST[(i + 1) % 8]} {LAST[i % 8]}, her son.\r\nFollow up"'
        out.append(
            f'HR{n:06d},{name},{1 + i % 28:02d}/{1 + i % 12:02d}/{1940 + i},"{1 + i} Hill Road, London",'
            f"W{1 + i % 14} {1 + i % 9}AB,{_ni(i)},{note}"
        )
    data = "\ufeff" + "\r\n".join(out) + "\r\n"
    raw = data.encode("utf-8")
    # A cp1252 'é' inside the UTF-8 file, far from the start (decoded stretch by stretch).
    at = raw.find(b"Rent account", len(raw) // 2)
    at = at if at != -1 else raw.index(b"Follow up", len(raw) // 2)
    raw = raw[:at] + b"Rent d\xe9bit " + raw[at:]
    path.write_bytes(raw)
