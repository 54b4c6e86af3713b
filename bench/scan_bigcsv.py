"""A big CSV of ordinary register rows, scanned with 1 and 2 workers next to a csv-module read.

Usage: .venv/bin/python bench/scan_bigcsv.py [--mb 256] [--workers 1 2] [--split-mb 0 64] [--rounds 3] [--profile]

Issue 14 §4: a CSV above a size threshold is cut into byte ranges at row boundaries and
scanned by every worker; the target is 20 MB/s per worker on a 2 GB register, memory flat.
The file is generated once under bench/out (never committed). Each scan runs in a fresh
child process; the figures are that process's (and its pool workers') CPU seconds, wall
seconds and peak RSS. The named baseline, measured in the same run, is Python's csv module
reading every row of the same file with no detection: the fastest a scan that reads rows
in Python could go.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import time
from pathlib import Path

from scan_common import OUT, SCAN_CHILD, run

BASELINE = r"""
import csv, json, resource, sys, time
start = time.perf_counter()
rows = 0
with open(sys.argv[1], encoding="utf-8", newline="") as fh:
    for row in csv.reader(fh):
        rows += 1
use = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"seconds": time.perf_counter() - start, "cpu": use.ru_utime + use.ru_stime,
                  "rss_mib": use.ru_maxrss / 1024, "rows": rows}))
"""

FIRST = ["Olivia", "George", "Amelia", "Harry", "Isla", "Jack", "Ava", "Noah", "Mia", "Oscar",
         "Sophie", "Thomas", "Grace", "James", "Lily", "William", "Emily", "Owen", "Ruby", "Rhys"]  # fmt: skip
LAST = ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel", "Wright",
        "Evans", "Thomas", "Roberts", "Walker", "Hughes", "Price", "Green", "Hall", "Wood", "Clarke"]  # fmt: skip
STREETS = ["Hill Road", "Church Street", "Station Road", "Park Avenue", "Victoria Road", "Kings Road"]


def make_register(path: Path, megabytes: int) -> None:
    """An electoral-register-like export: one resident per row, addresses quoted (they hold
    commas), about 200,000 distinct people recurring, as councils' yearly extracts do."""
    rng = random.Random(14)
    people = []
    for i in range(200_000):
        first, last = FIRST[i % 20], f"{LAST[i // 20 % 20]}{i // 400}"
        people.append(
            f"{'Mr' if i % 2 else 'Ms'},{first},{last},"
            f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(1930, 2005)},"
            f'"{rng.randint(1, 200)} {rng.choice(STREETS)}, London",'
            f"W{rng.randint(1, 14)} {rng.randint(1, 9)}{rng.choice('ABDEFGHJ')}{rng.choice('LNPQRSTU')},"
            f"020 7{i // 10000:03d} {i % 10000:04d},{first.lower()}.{last.lower()}@example.net"
        )
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("Elector number,Title,Forename,Surname,Date of birth,Address,Postcode,Telephone,Email\r\n")
        n = 0
        while fh.tell() < megabytes << 20:
            lines = []
            for _ in range(1000):
                n += 1
                lines.append(f"KC{n:08d},{people[rng.randrange(200_000)]}\r\n")
            fh.write("".join(lines))


def main() -> None:
    """Generate the register once, read it with the csv module, scan it in each configuration
    (interleaved round by round), print each run and the medians."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=256)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument(
        "--split-mb",
        type=float,
        nargs="+",
        default=[-1],
        help="split sizes in MB (-1: the default; 0: never)",
    )
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--profile", action="store_true", help="write a cProfile of the coordinator")
    args = parser.parse_args()
    folder = OUT / f"bigcsv-{args.mb}"
    target = folder / "register.csv"
    if not target.exists():
        folder.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        make_register(target, args.mb)
        print(
            f"generated {target}: {target.stat().st_size / 2**20:.0f} MiB in {time.perf_counter() - started:.0f} s"
        )
    mb = target.stat().st_size / 1e6
    configs = [(w, split) for split in args.split_mb for w in args.workers]
    runs: dict[tuple[int, float], list[dict[str, float]]] = {c: [] for c in configs}
    bases: list[float] = []
    for _ in range(args.rounds):
        base = run(BASELINE, str(target))
        bases.append(float(base["cpu"]))
        print(
            f"baseline csv.reader {mb:5.0f} MB: {float(base['cpu']):5.2f} CPU s, {mb / float(base['cpu']):6.1f} MB/s per CPU s, peak RSS {base['rss_mib']:4.0f} MiB"
        )
        for workers, split_mb in configs:
            out = folder / f"out-{workers}-{split_mb:g}"
            shutil.rmtree(out, ignore_errors=True)
            profile = str(folder / f"profile-{workers}-{split_mb:g}.pstats") if args.profile else ""
            got = run(SCAN_CHILD, str(target), str(out), str(workers), str(split_mb), profile)
            figures = {
                k: float(got[k])
                for k in (
                    "seconds",
                    "cpu",
                    "cpu_coordinator",
                    "cpu_pool",
                    "rss_mib",
                    "rss_coordinator_mib",
                    "rss_pool_mib",
                )
            }
            runs[(workers, split_mb)].append(figures)
            print(
                f"  --workers {workers} --split-mb {split_mb:g}: {figures['seconds']:6.1f} s wall, {figures['cpu']:6.1f} CPU s "
                f"(coordinator {figures['cpu_coordinator']:5.1f}, pool {figures['cpu_pool']:5.1f}), peak RSS {figures['rss_mib']:4.0f} MiB, "
                f"{got['individuals']} individuals, {got['detections']} detections; phases {got['phases']}"
            )
    base_cpu = statistics.median(bases)
    print(f"medians of {args.rounds} round(s), {mb:.0f} MB; csv.reader {mb / base_cpu:.1f} MB/s per CPU s")
    for (workers, split_mb), measured in runs.items():
        med = {k: statistics.median(f[k] for f in measured) for k in measured[0]}
        # On an idle machine the wall time is about the coordinator's CPU plus the pool's
        # CPU shared by the workers (ranges of even size; unsplit, the one file is one
        # worker's): the figure the shared machine's wall clock cannot give.
        shared = workers if split_mb != 0 else 1
        path = med["cpu_coordinator"] + med["cpu_pool"] / shared if workers > 1 else med["cpu"]
        print(
            f"  --workers {workers} --split-mb {split_mb:g}: {med['seconds']:6.1f} s wall, {med['cpu']:6.1f} CPU s "
            f"(coordinator {med['cpu_coordinator']:5.1f}, pool {med['cpu_pool']:5.1f}); "
            f"{mb / med['cpu']:.2f} MB/s per CPU s ({med['cpu'] / base_cpu:.0f}x csv.reader's CPU); "
            f"CPU critical path {path:5.1f} s = {mb / path:.2f} MB/s, {mb / path / workers:.2f} MB/s per worker; "
            f"peak RSS {med['rss_mib']:4.0f} MiB (coordinator {med['rss_coordinator_mib']:4.0f}, largest pool worker {med['rss_pool_mib']:4.0f})"
        )


if __name__ == "__main__":
    main()
