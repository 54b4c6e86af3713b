"""A big CSV of ordinary register rows, scanned with 1 and 2 workers next to a csv-module read.

Usage: .venv/bin/python bench/scan_bigcsv.py [--mb 256] [--workers 1 2] [--split-mb 64] [--profile]

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
import json
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

from scan_common import OUT

CHILD = r"""
import cProfile, json, os, resource, sys, time
from pathlib import Path
target, out, workers, split_mb, profile = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
if split_mb >= 0:
    os.environ["INCIDENTROOM_SPLIT_MB"] = str(split_mb)
from incidentroom.scanner import run_scan
start = time.perf_counter()
if profile:
    prof = cProfile.Profile()
    prof.enable()
summary = run_scan([target], out, workers=workers)
if profile:
    prof.disable()
    prof.dump_stats(profile)
self_ = resource.getrusage(resource.RUSAGE_SELF)
kids = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"seconds": time.perf_counter() - start,
                  "cpu": self_.ru_utime + self_.ru_stime + kids.ru_utime + kids.ru_stime,
                  "rss_mib": max(self_.ru_maxrss, kids.ru_maxrss) / 1024,
                  "individuals": summary.individuals, "detections": summary.detections,
                  "phases": summary.phase_seconds, "status": summary.files_by_status}))
"""

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


def run(code: str, *args: str) -> dict[str, object]:
    """One child process; its JSON line."""
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=False
    )
    if done.returncode:
        sys.exit(done.stderr)
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    """Generate the register once, read it with the csv module, scan it with each worker count."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=256)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--split-mb", type=int, default=-1, help="split threshold (MB); 0 never splits")
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
    base = run(BASELINE, str(target))
    print(
        f"baseline csv.reader   {mb:7.0f} MB: {mb / base['cpu']:6.1f} MB/s per CPU second, "  # type: ignore[operator]
        f"peak RSS {base['rss_mib']:5.0f} MiB, {base['rows']} rows"
    )
    for workers in args.workers:
        out = folder / f"out-{workers}"
        shutil.rmtree(out, ignore_errors=True)
        profile = str(folder / f"profile-{workers}.pstats") if args.profile else ""
        got = run(CHILD, str(target), str(out), str(workers), str(args.split_mb), profile)
        cpu, wall = float(got["cpu"]), float(got["seconds"])  # type: ignore[arg-type]
        print(
            f"scan --workers {workers}     {mb:7.0f} MB: {mb / wall:6.1f} MB/s wall, {mb / wall / workers:6.1f} MB/s per worker, "
            f"{mb / cpu:6.1f} MB/s per CPU second ({cpu / float(base['cpu']):.1f}x the baseline's CPU), "  # type: ignore[arg-type]
            f"peak RSS {got['rss_mib']:5.0f} MiB, {got['individuals']} individuals, {got['detections']} detections"
        )
        print(f"    phases {got['phases']} status {got['status']}")


if __name__ == "__main__":
    main()
