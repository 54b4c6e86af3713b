"""Shared helpers for the scanner benchmarks: a generated archive and its extracted text."""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The repository root, so the test suite's archive generator imports as tests.helpers.scangen.
sys.path.insert(0, str(ROOT))

from incidentroom.scanner.model import TextUnit  # noqa: E402

OUT = ROOT / "bench" / "out"


def archive(n_people: int, seed: int = 2025) -> tuple[Path, object]:
    """Generate (once per size and seed) an archive under bench/out and return it."""
    from tests.helpers.scangen import Truth, generate_archive  # the generator is only needed here

    root = OUT / f"archive-{n_people}-{seed}" / "rbkc"
    marker = root.parent / "done"
    if not marker.exists():
        import shutil

        shutil.rmtree(root.parent, ignore_errors=True)
        truth = generate_archive(root, n_people=n_people, seed=seed)
        marker.write_text("ok", encoding="utf-8")
        return root, truth
    return root, Truth()


def extracted_texts(root: Path) -> list[str]:
    """The text the detectors see: every text unit, and each row as 'header: value' pairs."""
    from tests.helpers.scanhelp import extracted_units

    return [
        unit.text
        if isinstance(unit, TextUnit)
        else "; ".join(f"{h}: {c}" for h, c in zip(unit.headers, unit.cells, strict=False))
        for unit in extracted_units(root)
    ]


def chunks(texts: list[str], size: int = 64 * 1024) -> list[bytes]:
    """Join texts into ~``size``-byte UTF-8 pieces (the scanner detects per text unit)."""
    out: list[bytes] = []
    buf: list[str] = []
    length = 0
    for text in texts:
        buf.append(text)
        length += len(text) + 1
        if length >= size:
            out.append("\n".join(buf).encode())
            buf, length = [], 0
    if buf:
        out.append("\n".join(buf).encode())
    return out


def median_seconds(fn: Callable[[], object], repeats: int) -> float:
    """Median wall time of ``repeats`` calls (after one warm-up call)."""
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)
