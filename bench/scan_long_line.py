"""A CSV that is a single enormous line: peak memory next to the same bytes as ``.txt``.

Usage: .venv/bin/python bench/scan_long_line.py [--mb 150] [--stage scan|extract]

Issue 13 item 9: a 150 MB one-line CSV peaked at 1.1 GB RSS while the same bytes as
``.txt`` took 113 MB. The file is generated once under bench/out; each run is a fresh
child process. ``scan`` runs the whole scanner (what the issue measured); ``extract`` only
reads the file through its extractor, which is quick and isolates the reader. The
baseline is the ``.txt`` run of the same bytes (a hard link), measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

from scan_common import OUT

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
stage, target, out = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
start = time.perf_counter()
if stage == "scan":
    from incidentroom.scanner import run_scan
    summary = run_scan([target], out)
    found = summary.individuals
else:
    from incidentroom.scanner.extract import choose
    from incidentroom.scanner.extract.base import Blob, Limits
    blob = Blob(target.name, lambda: target.open("rb"), target.stat().st_size)
    found = sum(1 for _ in choose(blob.extension, b"").extract(blob, Limits()))
print(json.dumps({"seconds": time.perf_counter() - start,
                  "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "found": found}))
"""


def make_one_line(path: Path, megabytes: int) -> None:
    """Comma-separated values with no line break: a resident every 64 KB among routine notes
    (denser data makes the scan measure the people it holds, not the reader)."""
    notes = b"service request closed,ward meeting notes,boiler repair booked," * 1000
    with path.open("wb") as fh:
        n = 0
        while fh.tell() < megabytes << 20:
            n += 1
            fh.write(b"Resident %d,JK%06dB,W8 4AA," % (n, n % 1000000) + notes)


def main() -> None:
    """Generate the file once, scan it as .csv and as .txt, print both figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=150)
    parser.add_argument("--stage", choices=["scan", "extract"], default="scan")
    args = parser.parse_args()
    folder = OUT / f"long-line-{args.mb}"
    csv_file = folder / "one-line.csv"
    if not csv_file.exists():
        folder.mkdir(parents=True, exist_ok=True)
        make_one_line(csv_file, args.mb)
    txt_file = folder / "one-line.txt"
    if not txt_file.exists():
        txt_file.hardlink_to(csv_file)
    mib = csv_file.stat().st_size / 2**20
    figures = {}
    for target in (txt_file, csv_file):
        out = folder / f"out-{target.suffix[1:]}"
        shutil.rmtree(out, ignore_errors=True)
        done = subprocess.run(  # noqa: S603 - our own interpreter and script
            [sys.executable, "-c", CHILD, args.stage, str(target), str(out)],
            capture_output=True,
            text=True,
            check=True,
        )
        figures[target.suffix] = result = json.loads(done.stdout.strip().splitlines()[-1])
        print(
            f"{args.stage:7s} {target.suffix:4s} {mib:6.0f} MiB one line: peak RSS {result['rss_mib']:6.0f} MiB "
            f"({result['rss_mib'] / mib:.2f}x the file), {mib / result['seconds']:.1f} MiB/s, found {result['found']}"
        )
    ratio = figures[".csv"]["rss_mib"] / figures[".txt"]["rss_mib"]
    print(f"peak RSS .csv / .txt baseline: {ratio:.2f}x (issue 13: 1.1 GB vs 113 MB, 9.7x, before the fix)")


if __name__ == "__main__":
    main()
