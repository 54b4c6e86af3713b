"""Shared helpers for the scanner benchmarks: a generated archive and its extracted text,
and one scan in a child process with its CPU seconds."""

from __future__ import annotations

import json
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# The repository root, so the test suite's archive generator imports as tests.helpers.scangen.
sys.path.insert(0, str(ROOT))

from incidentroom.scanner.model import TextUnit  # noqa: E402

OUT = ROOT / "bench" / "out"

# One scan in a child process: ARGS target out workers split_mb profile [key file to use];
# prints its CPU seconds (its own and its pool workers'), wall seconds, peak RSS, figures.
SCAN_CHILD = r"""
import cProfile, json, resource, sys, time
from pathlib import Path
target, out, workers, split_mb, profile = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
from incidentroom.scanner import run_scan
from incidentroom.scanner.extract import Limits
limits = Limits(split_bytes=int(split_mb * 2**20)) if split_mb >= 0 else Limits()
if len(sys.argv) > 6:  # the same hashing key as another scan, so the outputs compare
    out.mkdir(parents=True, exist_ok=True)
    (out / "scan.key").write_bytes(Path(sys.argv[6]).read_bytes())
start = time.perf_counter()
if profile:
    prof = cProfile.Profile()
    prof.enable()
summary = run_scan([target], out, workers=workers, limits=limits)
if profile:
    prof.disable()
    prof.dump_stats(profile)
self_ = resource.getrusage(resource.RUSAGE_SELF)
kids = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"seconds": time.perf_counter() - start,
                  "cpu": self_.ru_utime + self_.ru_stime + kids.ru_utime + kids.ru_stime,
                  "cpu_coordinator": self_.ru_utime + self_.ru_stime, "cpu_pool": kids.ru_utime + kids.ru_stime,
                  "duration": summary.duration_seconds,
                  "rss_mib": max(self_.ru_maxrss, kids.ru_maxrss) / 1024,
                  "rss_coordinator_mib": self_.ru_maxrss / 1024, "rss_pool_mib": kids.ru_maxrss / 1024,
                  "individuals": summary.individuals, "detections": summary.detections,
                  "phases": summary.phase_seconds, "status": summary.files_by_status}))
"""


def run(code: str, *args: str) -> dict[str, Any]:
    """One child process; its JSON line."""
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=False
    )
    if done.returncode:
        sys.exit(done.stderr)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


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


def name_dense(megabytes: float, seed: int = 2025) -> Path:
    """A register typed as prose (issue 14 target 5), generated once under bench/out.

    One person a line, as 'Mr Owen Price, 14 Hill Rd, London W2 1JB, date of birth
    03/04/1961, tel 020 7946 0123.', names drawn from the gazetteer's given names and
    surnames.
    """
    folder = OUT / f"name-dense-{megabytes:g}mb-{seed}"
    target = folder / "register.txt"
    if target.exists():
        return folder
    from incidentroom.scanner.detect import gazetteer

    rng = random.Random(seed)
    given = sorted(gazetteer.first_names())
    surnames = sorted(gazetteer.surnames())
    streets = ["Hill Rd", "Church Street", "Station Road", "Park Lane", "High Street", "Mill Close"]
    towns = [("London", "W2 1JB"), ("Leeds", "LS1 4AP"), ("Bristol", "BS1 5TR"), ("Hull", "HU1 2AA")]
    lines: list[str] = []
    size = 0
    while size < megabytes * 1e6:
        town, postcode = rng.choice(towns)
        line = (
            f"{rng.choice(['Mr', 'Mrs', 'Ms', 'Miss', 'Dr'])} {rng.choice(given).title()} "
            f"{rng.choice(surnames).title()}, {rng.randint(1, 240)} {rng.choice(streets)}, {town} {postcode}, "
            f"date of birth {rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(1930, 2005)}, "
            f"tel 020 7946 {rng.randint(0, 9999):04d}."
        )
        lines.append(line)
        size += len(line) + 1
    folder.mkdir(parents=True, exist_ok=True)
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder
