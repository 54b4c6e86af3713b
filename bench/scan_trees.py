"""One scan, several source trees: the end-to-end cost of a change, measured in one run.

Usage:
    .venv/bin/python bench/scan_trees.py --tree before=/path/to/old/checkout --tree after=. \
        [--people 1500] [--rounds 3] [--workers 1] [--stage scan|detect] [--target PATH] [--dense-mb MB]

Each ``--tree LABEL=PATH`` is a checkout of this repository with its compiled core built in
place (``PATH/src`` goes first on ``PYTHONPATH``). Every tree scans the same generated archive
(this checkout's generator) in a fresh interpreter; the trees take turns round by round, so
a change in the machine's load falls on all of them alike. Printed per tree: the median CPU
seconds of the scan (the process and its workers, user plus system: steadier than wall time
on a shared machine), the median wall seconds, the people found, and each tree's CPU median
against the first tree's. This is how a change is held to a budget such as "the end-to-end
benchmark does not get slower by more than 5 %".

Every scan uses the same ``scan.key``, so the outputs compare: after the rounds each tree's last
outputs are checked against the first tree's (``individuals.csv`` byte for byte,
``detections.parquet`` and ``manifest.parquet`` with ``Table.equals``). ``--target`` scans
that file or folder instead of the generated archive (``bench/out/bigcsv-8/register.csv`` of
``bench/scan_bigcsv.py``); for a CSV, ``csv.reader`` reading it is timed each round as the
named baseline, and MB per CPU-second is printed.

``--dense-mb MB`` scans the name-dense register of issue 14 target 5 (``scan_common.name_dense``:
one person a line, typed as prose) instead of the archive, and prints its MB per CPU-second;
with ``--stage detect`` it times detection alone over that register in 64 KB pieces.

``--stage detect`` times detection alone the way ``bench/scan_detect.py`` does (a cold pass:
the memos emptied first), on the same 64 KB pieces of the archive's extracted text for every
tree (extracted once, by this checkout), in CPU seconds, with the findings each tree reports.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq

from scan_common import OUT, archive, chunks, extracted_texts, name_dense

CHILD = """
import json, resource, sys, time
from pathlib import Path
root, out, workers = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
from incidentroom.scanner import run_scan
start = time.perf_counter()
run_scan([root], out, workers=workers)
elapsed = time.perf_counter() - start
cpu = sum(
    getattr(resource.getrusage(who), field)
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    for field in ("ru_utime", "ru_stime")
)
print(json.dumps({"seconds": elapsed, "cpu": cpu}))
"""

# Detection alone. The module moved when the scanner was grouped by stage; either home works.
DETECT_CHILD = """
import json, pickle, sys, time
try:
    from incidentroom.scanner.detect.matcher import compiled, detect, reset_caches
except ImportError:
    from incidentroom.scanner.detect import compiled, detect, reset_caches
from incidentroom.scanner.model import Location
pieces = pickle.loads(open(sys.argv[1], "rb").read())
compiled()
location = Location()
reset_caches()
start, cpu0 = time.perf_counter(), time.process_time()
findings = sum(len(detect(p, location)) for p in pieces)
print(json.dumps({"seconds": time.perf_counter() - start, "cpu": time.process_time() - cpu0, "found": findings}))
"""


def tree_arg(value: str) -> tuple[str, Path]:
    """``LABEL=PATH`` with PATH a checkout that has ``src/incidentroom``."""
    label, sep, path = value.partition("=")
    root = Path(path).resolve()
    if not sep or not label or not (root / "src" / "incidentroom").is_dir():
        raise argparse.ArgumentTypeError(
            f"--tree wants LABEL=PATH to a checkout with src/incidentroom, got {value!r}"
        )
    return label, root


# Fixed, so that every tree's detections carry the same keyed hashes and compare.
KEY = bytes(range(32)).hex()
BASELINE = """
import csv, json, sys, time
cpu0 = time.process_time()
with open(sys.argv[1], encoding="utf-8", newline="") as fh:
    rows = sum(1 for _ in csv.reader(fh))
print(json.dumps({"cpu": time.process_time() - cpu0, "rows": rows}))
"""


def scan_once(tree: Path, root: Path, out: Path, workers: int) -> tuple[dict[str, float], int]:
    """One scan of ``root`` with ``tree``'s code in a fresh interpreter; (times, people found)."""
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    (out / "scan.key").write_text(KEY, encoding="ascii")
    env = {**os.environ, "PYTHONPATH": str(tree / "src")}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(root), str(out), str(workers)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=tree,
    )
    times = dict(json.loads(done.stdout.strip().splitlines()[-1]))
    people = json.loads((out / "summary.json").read_text(encoding="utf-8"))["individuals"]
    return times, int(people)


def detect_once(tree: Path, corpus: Path) -> tuple[dict[str, float], int]:
    """One cold detection pass over the pickled pieces with ``tree``'s code; (times, findings)."""
    env = {**os.environ, "PYTHONPATH": str(tree / "src")}
    done = subprocess.run(
        [sys.executable, "-c", DETECT_CHILD, str(corpus)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=tree,
    )
    result = dict(json.loads(done.stdout.strip().splitlines()[-1]))
    return {"seconds": result["seconds"], "cpu": result["cpu"]}, int(result["found"])


def baseline_cpu(target: Path) -> float:
    """CPU seconds of ``csv.reader`` reading every row of ``target``, in a fresh interpreter."""
    done = subprocess.run(
        [sys.executable, "-c", BASELINE, str(target)], capture_output=True, text=True, check=True
    )
    return float(json.loads(done.stdout.strip().splitlines()[-1])["cpu"])


def same_outputs(a: Path, b: Path) -> list[str]:
    """The outputs in which scan folder ``b`` differs from ``a`` (none: identical)."""
    differ = []
    if (a / "individuals.csv").read_bytes() != (b / "individuals.csv").read_bytes():
        differ.append("individuals.csv")
    for name in ("detections.parquet", "manifest.parquet"):
        if not pq.read_table(a / name).equals(pq.read_table(b / name)):
            differ.append(name)
    return differ


def main() -> None:
    """Interleave the trees' scans and print medians and ratios."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--tree", type=tree_arg, action="append", required=True)
    parser.add_argument("--people", type=int, default=1500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--stage", choices=("scan", "detect"), default="scan")
    parser.add_argument("--target", type=Path, help="scan this file or folder, not the generated archive")
    parser.add_argument("--dense-mb", type=float, default=0.0, help="scan the name-dense register instead")
    args = parser.parse_args()
    if args.target is not None and args.dense_mb:
        parser.error("give --target or --dense-mb, not both")
    if args.dense_mb:
        root = name_dense(args.dense_mb)
    elif args.target is not None:
        root = args.target.resolve()
        if not root.exists():
            parser.error(f"--target {args.target}: no such file or folder")
    else:
        root, _ = archive(args.people)
    files = [p for p in root.rglob("*") if p.is_file()] if root.is_dir() else [root]
    megabytes = sum(p.stat().st_size for p in files) / 1e6
    print(
        f"target {root}: {len(files)} files, {megabytes:.1f} MB"
        + ("" if args.target or args.dense_mb else f", {args.people} people")
    )
    is_csv = root.is_file() and root.suffix.lower() == ".csv" and args.stage == "scan"
    bases: list[float] = []
    corpus = OUT / (
        f"trees-corpus-dense-{args.dense_mb:g}.pickle"
        if args.dense_mb
        else f"trees-corpus-{args.people}.pickle"
    )
    if args.stage == "detect":
        if args.dense_mb:
            pieces = chunks((root / "register.txt").read_text(encoding="utf-8").splitlines())
        else:
            pieces = chunks(extracted_texts(root))
        corpus.write_bytes(pickle.dumps(pieces))
        print(
            f"detection corpus: {sum(len(p) for p in pieces) / 1e6:.2f} MB of extracted text in {len(pieces)} pieces"
        )
    runs: dict[str, list[dict[str, float]]] = {label: [] for label, _ in args.tree}
    found: dict[str, set[int]] = {label: set() for label, _ in args.tree}
    for round_no in range(args.rounds):
        if is_csv:
            bases.append(baseline_cpu(root))
            print(f"  round {round_no + 1} {'csv.reader':12s} CPU {bases[-1]:7.2f} s", flush=True)
        for label, tree in args.tree:
            if args.stage == "detect":
                times, people = detect_once(tree, corpus)
            else:
                times, people = scan_once(tree, root, OUT / f"trees-{label}", args.workers)
            runs[label].append(times)
            found[label].add(people)
            print(
                f"  round {round_no + 1} {label:12s} CPU {times['cpu']:7.2f} s  wall {times['seconds']:7.2f} s",
                flush=True,
            )
    first = statistics.median(r["cpu"] for r in runs[args.tree[0][0]])
    for label, _ in args.tree:
        cpu = statistics.median(r["cpu"] for r in runs[label])
        wall = statistics.median(r["seconds"] for r in runs[label])
        what = "detect, cold" if args.stage == "detect" else f"scan, {args.workers} worker(s)"
        counted = "findings" if args.stage == "detect" else "people found"
        print(
            f"{label:12s}: {what}: CPU {cpu:7.2f} s, wall {wall:7.2f} s (medians of {args.rounds}); "
            f"{counted} {sorted(found[label])}; CPU vs {args.tree[0][0]}: {cpu / first:.3f}x"
            + (
                f"; {megabytes / cpu:.3f} MB per CPU s per worker ({cpu / statistics.median(bases):.0f}x csv.reader's CPU)"
                if is_csv and args.workers == 1
                else ""
            )
            + (f"; {megabytes / cpu:.3f} MB per CPU-second" if args.dense_mb and args.stage == "scan" else "")
        )
    if is_csv:
        base = statistics.median(bases)
        print(
            f"{'csv.reader':12s}: CPU {base:7.2f} s (median of {args.rounds}); {megabytes / base:.1f} MB per CPU s"
        )
    if args.stage == "scan":
        (first_label, _), *others = args.tree
        for label, _ in others:
            differ = same_outputs(OUT / f"trees-{first_label}", OUT / f"trees-{label}")
            verdict = "identical" if not differ else "DIFFER: " + ", ".join(differ)
            print(f"outputs of {label} against {first_label}: {verdict}")


if __name__ == "__main__":
    main()
