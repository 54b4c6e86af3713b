"""Memory stays bounded on huge inputs: a large CSV and a large mbox are streamed.

Usage: .venv/bin/python bench/scan_memory.py [--csv-mb 512] [--mbox-mb 256]

Each scan runs in a fresh child process; its peak RSS is printed next to the input
size (the baseline: what loading the file whole would at least cost). The issue's
2 GB CSV / 1 GB mbox behave the same way; pass --csv-mb 2048 --mbox-mb 1024 to check.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time

from scan_common import OUT

CHILD = """
import json, resource, sys, time
from pathlib import Path
from incidentroom.scanner import run_scan
start = time.perf_counter()
summary = run_scan([Path(sys.argv[1])], Path(sys.argv[2]))
print(json.dumps({"seconds": time.perf_counter() - start, "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "individuals": summary.individuals, "status": summary.files_by_status}))
"""

FIRST = ["Olivia", "George", "Amelia", "Harry", "Isla", "Jack", "Ava", "Noah", "Mia", "Oscar"]
LAST = ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel", "Wright"]


def make_csv(path, megabytes: int) -> None:  # type: ignore[no-untyped-def]
    """Rows of residents with a few thousand distinct people recurring."""
    rng = random.Random(1)
    with path.open("w", encoding="utf-8") as fh:
        fh.write("Name,Date of birth,Postcode,Notes\n")
        filler = "Permit renewed at the counter; proof of address seen and copied to file. " * 3
        while fh.tell() < megabytes << 20:
            i = rng.randrange(3000)
            fh.write(
                f"{FIRST[i % 10]} {LAST[i // 10 % 10]}{i // 100},{1 + i % 28:02d}/{1 + i % 12:02d}/19{50 + i % 50},SW1A {1 + i % 9}AA,{filler}\n"
            )


def make_mbox(path, megabytes: int) -> None:  # type: ignore[no-untyped-def]
    """Many small messages, each from a resident."""
    rng = random.Random(2)
    body = ("Please renew my parking permit. " * 40 + "\n") * 4
    with path.open("w", encoding="utf-8") as fh:
        n = 0
        while fh.tell() < megabytes << 20:
            i = rng.randrange(3000)
            n += 1
            fh.write(
                f"From resident{i}@example.net Mon Jan  1 00:00:00 2015\nFrom: {FIRST[i % 10]} {LAST[i // 10 % 10]} <r{i}.{LAST[i // 10 % 10].lower()}@gmail.com>\n"
                f"To: parking@rbkc.example.gov.uk\nSubject: Permit {n}\n\n{body}\n"
            )


def main() -> None:
    """Generate the inputs once, scan each in a child process, print peak RSS."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--csv-mb", type=int, default=512)
    parser.add_argument("--mbox-mb", type=int, default=256)
    args = parser.parse_args()
    base = OUT / "memory"
    for kind, size, maker in (("csv", args.csv_mb, make_csv), ("mbox", args.mbox_mb, make_mbox)):
        folder = base / f"{kind}-{size}"
        target = folder / f"big.{kind}"
        if not target.exists():
            folder.mkdir(parents=True, exist_ok=True)
            started = time.perf_counter()
            maker(target, size)
            print(
                f"generated {target.name}: {target.stat().st_size / 2**20:.0f} MiB in {time.perf_counter() - started:.0f}s"
            )
        out = base / f"{kind}-{size}-out"
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(folder), str(out)], capture_output=True, text=True, check=True
        )
        result = json.loads(done.stdout.strip().splitlines()[-1])
        mib = target.stat().st_size / 2**20
        print(
            f"{kind:5s} {mib:7.0f} MiB input: peak RSS {result['rss_mib']:6.0f} MiB ({result['rss_mib'] / mib:.2f}x the file), "
            f"{mib / result['seconds']:.1f} MiB/s, {result['individuals']} individuals, {result['status']}"
        )


if __name__ == "__main__":
    main()
