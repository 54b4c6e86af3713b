"""A big MBOX and a big log, scanned whole and split, with 1 and 2 workers, next to a
stdlib read of the same file.

Usage: .venv/bin/python bench/scan_bigsplit.py [--mb 8] [--split-mb 2] [--rounds 3] [--kinds mbox log]

Issue 14 §4: an mbox or log above the size threshold is cut into byte ranges (at message
boundaries; where the text reader's pieces start) and scanned by every worker
(``pipeline/streams.py``). Each file is generated once under bench/out (never committed).
Each scan runs in a fresh child process (``scan_common.SCAN_CHILD``); its figures are that
process's and its pool workers' CPU seconds. The configurations are interleaved round by
round, and every split scan's individuals.csv, detections.parquet and manifest.parquet are
compared with the one-worker unsplit scan's (same scan.key). The named baselines, measured
in the same run: ``mailbox.mbox`` parsing every message of the mbox, and reading the log's
lines, with no detection. The planner's own cost (the coordinator reads the file once to
find the cuts; measured alone, plugins already imported) is printed too. The CPU critical
path shares the pool's CPU evenly among the workers: with ranges that do not divide
evenly among them, the real one is longer.
"""

from __future__ import annotations

import argparse
import base64
import random
import shutil
import statistics
from pathlib import Path

from scan_common import OUT, SCAN_CHILD, run

BASELINES = {
    "mbox": r"""
import json, mailbox, resource, sys
messages = sum(1 for _ in mailbox.mbox(sys.argv[1], create=False))
use = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"cpu": use.ru_utime + use.ru_stime, "items": messages}))
""",
    "log": r"""
import json, resource, sys
with open(sys.argv[1], "rb") as fh:
    lines = sum(1 for _ in fh)
use = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"cpu": use.ru_utime + use.ru_stime, "items": lines}))
""",
}
BASELINE_NAMES = {"mbox": "mailbox.mbox parse", "log": "read lines"}

PLAN = r"""
import json, resource, sys
from pathlib import Path
from incidentroom.scanner.extract import Limits
from incidentroom.scanner.pipeline import split
from incidentroom.scanner.pipeline.engine import plan
from incidentroom.scanner.extract import all_extractors
all_extractors()  # the extractor plugins are imported once per process, not per plan
limits = Limits(split_bytes=int(float(sys.argv[2]) * 2**20))
before = resource.getrusage(resource.RUSAGE_SELF)
ranges = split.expand(plan([Path(sys.argv[1])], limits), lambda t: False)
use = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"cpu": use.ru_utime + use.ru_stime - before.ru_utime - before.ru_stime, "items": len(ranges)}))
"""

FIRST = ["Olivia", "George", "Amelia", "Harry", "Isla", "Jack", "Ava", "Noah", "Mia", "Oscar", "Siân", "Zoë"]
LAST = ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Davies", "Patel", "Evans", "Hughes"]
FORM = b"Name,Date of birth,NI number\r\nJane Smith,01/02/1960,JA123456B\r\n"


def make_mbox(path: Path, megabytes: int) -> None:
    """Residents writing to a housing team: a sender, a body with their details, and every
    tenth message the council's form attached (the same content each time)."""
    rng = random.Random(14)
    form = base64.b64encode(FORM).decode()
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        n = 0
        while fh.tell() < megabytes << 20:
            n += 1
            first, last = rng.choice(FIRST), f"{rng.choice(LAST)}{n % 997}"
            mail = f"resident{n}@mail.example"  # mailbox.mbox reads separator lines as ASCII
            body = (
                f"Dear Housing Options,\nI am {first} {last}, born {rng.randint(1, 28):02d}/"
                f"{rng.randint(1, 12):02d}/{rng.randint(1930, 2005)}, of {rng.randint(1, 200)} Hill Road, "
                f"London W{rng.randint(1, 14)} {rng.randint(1, 9)}AB. My phone is 07700 900{n % 1000:03d}.\n"
                ">From next month my rent changes.\nRegards\n"
            )
            fh.write(f"From {mail} Mon Jan  1 00:00:00 2024\nFrom: {first} {last} <{mail}>\n")
            fh.write(f"To: Housing Options <housing@council.gov.uk>\nSubject: case {n}\n")
            if n % 10:
                fh.write(f"\n{body}\n")
                continue
            fh.write('MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="b"\n\n--b\n')
            fh.write(f"Content-Type: text/plain\n\n{body}--b\n")
            fh.write(
                'Content-Disposition: attachment; filename="form.csv"\nContent-Transfer-Encoding: base64\n\n'
            )
            fh.write(f"{form}\n--b--\n\n")


def make_log(path: Path, megabytes: int) -> None:
    """An application log: logins with names and emails, case notes with dates of birth and
    NI numbers, and many lines about nobody."""
    rng = random.Random(15)
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        n = 0
        while fh.tell() < megabytes << 20:
            lines = []
            for _ in range(1000):
                n += 1
                first, last = rng.choice(FIRST), f"{rng.choice(LAST)}{n % 997}"
                stamp = f"2024-01-01T{n // 3600 % 24:02d}:{n // 60 % 60:02d}:{n % 60:02d}"
                kind = n % 5
                if kind == 0:
                    lines.append(
                        f'{stamp} INFO login user={first.lower()}@mail.example name="{first} {last}"'
                    )
                elif kind == 1:
                    lines.append(
                        f"{stamp} WARN case note: {first} {last} DOB {rng.randint(1, 28):02d}/"
                        f"{rng.randint(1, 12):02d}/{rng.randint(1930, 2005)} NI JB{n % 1000000:06d}C"
                    )
                else:
                    lines.append(f"{stamp} DEBUG request id={n} took {rng.randint(1, 900)} ms")
            fh.write("\n".join(lines) + "\n")


def same_outputs(a: Path, b: Path) -> bool:
    """Whether two scans wrote the same individuals, detections and manifest."""
    import pyarrow.parquet as pq

    if (a / "individuals.csv").read_bytes() != (b / "individuals.csv").read_bytes():
        return False
    return all(
        pq.read_table(a / name).equals(pq.read_table(b / name))
        for name in ("detections.parquet", "manifest.parquet")
    )


def main() -> None:
    """Generate the files once, then per round: the baseline, the planner, and each scan."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=8)
    parser.add_argument("--split-mb", type=float, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--kinds", nargs="+", default=["mbox", "log"], choices=["mbox", "log"])
    args = parser.parse_args()
    configs = [(1, 0.0), (2, 0.0), (2, args.split_mb)]
    for kind in args.kinds:
        folder = OUT / f"bigsplit-{kind}-{args.mb}"
        target = folder / ("inbox.mbox" if kind == "mbox" else "app.log")
        if not target.exists():
            folder.mkdir(parents=True, exist_ok=True)
            (make_mbox if kind == "mbox" else make_log)(target, args.mb)
        mb = target.stat().st_size / 1e6
        print(f"{kind}: {target} ({mb:.1f} MB), --split-mb {args.split_mb:g}")
        bases: list[float] = []
        plans: list[float] = []
        runs: dict[tuple[int, float], list[dict[str, float]]] = {c: [] for c in configs}
        for _ in range(args.rounds):
            base = run(BASELINES[kind], str(target))
            bases.append(float(base["cpu"]))
            planned = run(PLAN, str(target), str(args.split_mb))
            plans.append(float(planned["cpu"]))
            reference = folder / "out-1-0"
            for workers, split_mb in configs:
                out = folder / f"out-{workers}-{split_mb:g}"
                if out != reference:
                    shutil.rmtree(out, ignore_errors=True)
                key = [] if out == reference else [str(reference / "scan.key")]
                if out == reference:
                    shutil.rmtree(out, ignore_errors=True)
                got = run(SCAN_CHILD, str(target), str(out), str(workers), str(split_mb), "", *key)
                same = out == reference or same_outputs(reference, out)
                figures = {k: float(got[k]) for k in ("seconds", "cpu", "cpu_coordinator", "cpu_pool")}
                runs[(workers, split_mb)].append(figures)
                print(
                    f"  --workers {workers} --split-mb {split_mb:g}: {figures['cpu']:6.2f} CPU s "
                    f"(coordinator {figures['cpu_coordinator']:5.2f}, pool {figures['cpu_pool']:5.2f}), "
                    f"{figures['seconds']:5.1f} s wall, {got['individuals']} individuals, "
                    f"{got['detections']} detections, outputs {'same as 1 worker unsplit' if same else 'DIFFER'}"
                )
                if not same:
                    raise SystemExit(f"{out} differs from {reference}")
        base_cpu, plan_cpu = statistics.median(bases), statistics.median(plans)
        print(
            f"medians of {args.rounds} round(s), {kind} {mb:.1f} MB: baseline {BASELINE_NAMES[kind]} "
            f"{base_cpu:.2f} CPU s ({mb / base_cpu:.1f} MB/s); planning the cuts {plan_cpu:.2f} CPU s"
        )
        for (workers, split_mb), measured in runs.items():
            med = {k: statistics.median(f[k] for f in measured) for k in measured[0]}
            # The wall time on an idle machine is about the coordinator's CPU plus the pool's
            # shared by the workers that had a range each (unsplit: the one file is one
            # worker's): the figure a shared machine's wall clock cannot give.
            shared = workers if split_mb else 1
            path = med["cpu_coordinator"] + med["cpu_pool"] / shared if workers > 1 else med["cpu"]
            print(
                f"  --workers {workers} --split-mb {split_mb:g}: {med['cpu']:6.2f} CPU s "
                f"({med['cpu'] / base_cpu:.0f}x the baseline; coordinator {med['cpu_coordinator']:5.2f}, "
                f"pool {med['cpu_pool']:5.2f}); CPU critical path {path:5.2f} s = {mb / path:.2f} MB/s; "
                f"{med['seconds']:5.1f} s wall"
            )


if __name__ == "__main__":
    main()
