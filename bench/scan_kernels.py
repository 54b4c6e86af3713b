"""What each part of the compiled detection core pays, END TO END: a scan with and without it.

Usage: .venv/bin/python bench/scan_kernels.py [--people 1500] [--dense-mb 2] [--repeats 3] [--parts a,b;c]

Each part of ``_fastdetect`` (a kernel, a switch of the core, the start recovery of the
word-list expressions, the whole core) is left out in turn with
``matcher.leave_out``: a kernel left out is replaced by its detector's own ``validate``
(the Python implementation of the same rule), a switch by the plain way of doing the
same thing, the whole core by the pure-Python reference path (``detect_python``).

Two workloads, each scanned with 1 worker (in the scanning process itself) in a fresh
interpreter per run, timed around ``run_scan`` only (the pattern database is loaded
before the clock starts: a scan of any size pays it once):
- the generated mixed archive (bench/scan_end_to_end.py's), where extraction dominates;
- a name-dense register typed as prose (issue 14 target 5), where detection dominates.
The runs are interleaved repeat by repeat (baseline, part 1, part 2, ..., then part 1,
part 2, ..., baseline: each repeat starts one configuration further on) so that the shared
machine's drift and any first-run cost hit every configuration alike; medians are printed.

Times are CPU seconds of the scanning process (``time.process_time``): on a shared,
oversubscribed machine wall time is mostly waiting for a core, and varied by half
between identical runs; wall time is printed too.

Columns:
- e2e with / e2e without: median scan CPU seconds with everything compiled, and without the part;
- share of scan: (without - with) / with, what the part saves of a whole scan;
- detect delta: the same difference measured on detection alone (the CPU time the same
  scans spent inside ``detect``, medians), divided by the scan's time with everything:
  a quieter estimate of the same share, since it is not buried in extraction's noise;
- wall share: the share of scan by wall clock.
The verdict keeps a part in C where it saves more than --threshold (3%) of a scan, by
the smaller of the two CPU estimates, on either workload; everything else is Python.

The baseline spread (slowest/fastest baseline run) is printed: a share smaller than the
spread is noise.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

from scan_common import OUT, ROOT, archive, name_dense

CHILD = """
import json, sys, time
from pathlib import Path
sys.path.insert(0, {bench!r})
parts, root, out = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
from incidentroom.scanner import run_scan
from incidentroom.scanner.detect import matcher
matcher.leave_out([p for p in parts.split(",") if p])
# The database is loaded (or compiled, when leaving out the start recovery or the core
# asks for another one) before the clock starts.
matcher.compiled() if matcher.engine() is None else None
# Detection's own share of this scan: every module that imported matcher.detect calls
# it through a timer.
spent = [0.0]
real = matcher.detect
def timed(*args, **kwargs):
    began = time.process_time()
    try:
        return real(*args, **kwargs)
    finally:
        spent[0] += time.process_time() - began
for name, module in list(sys.modules.items()):
    if name.startswith("incidentroom.") and getattr(module, "detect", None) is real:
        module.detect = timed
start, cpu = time.perf_counter(), time.process_time()
run_scan([root], out, workers=1)
print(json.dumps({{"wall": time.perf_counter() - start, "cpu": time.process_time() - cpu, "detect": spent[0]}}))
"""

#: The parts measured, in the order printed; '' is the baseline (everything compiled).
DEFAULT_PARTS = (
    "",
    "name",
    "terms",
    "date_of_birth",
    "postcode",
    "email",
    "phone",
    "vehicle_registration",
    "nhs_number",
    "national_insurance",
    "payment_card",
    "sort_code",
    "passport",
    "start_recovery",
    "context_hyperscan",
    "untracked_tuples",
    "gc_pause",
)
#: Groups left out together (every validator kernel at once; the whole core).
GROUPS = {
    "all validator kernels": (
        "name,terms,date_of_birth,postcode,email,phone,vehicle_registration,nhs_number,"
        "national_insurance,payment_card,sort_code,passport"
    ),
    "whole core (reference path)": "core",
}


class Run(NamedTuple):
    """One scan's seconds: wall clock, CPU of the scanning process, CPU inside ``detect``."""

    wall: float
    cpu: float
    detect: float


def scan_once(parts: str, root: Path, out: Path) -> Run:
    """One scan of ``root`` with ``parts`` left out, in a fresh interpreter."""
    shutil.rmtree(out, ignore_errors=True)
    code = CHILD.format(bench=str(ROOT / "bench"))
    done = subprocess.run(
        [sys.executable, "-c", code, parts, str(root), str(out)], capture_output=True, text=True, check=True
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return Run(float(result["wall"]), float(result["cpu"]), float(result["detect"]))


def measure(label: str, root: Path, configs: list[tuple[str, str]], repeats: int) -> dict[str, float]:
    """Run every configuration on ``root``, print its table, return each part's share of scan."""
    out = OUT / f"kernels-scan-{os.getpid()}"  # concurrent runs of this bench must not share it
    runs: dict[str, list[Run]] = {parts: [] for _, parts in configs}
    for repeat in range(repeats):
        # Each repeat starts one configuration further on: on 1 December the configuration
        # run first in every repeat (then always the baseline) was the slowest by 20-30 %.
        shift = repeat % len(configs)
        for name, parts in configs[shift:] + configs[:shift]:
            run = scan_once(parts, root, out)
            runs[parts].append(run)
            print(
                f"  {label}, repeat {repeat + 1}: {name:32s} wall {run.wall:7.2f} s, CPU {run.cpu:7.2f} s, "
                f"detect CPU {run.detect:6.2f} s",
                file=sys.stderr,
                flush=True,
            )

    shutil.rmtree(out, ignore_errors=True)

    def median(parts: str, field: str) -> float:
        return statistics.median(getattr(r, field) for r in runs[parts])

    base, base_wall, base_detect = median("", "cpu"), median("", "wall"), median("", "detect")
    cpus = [r.cpu for r in runs[""]]
    print(f"\n{label}")
    print(
        f"baseline: scan {base:.2f} CPU s (runs {', '.join(f'{c:.2f}' for c in cpus)}; spread "
        f"{max(cpus) / min(cpus) - 1:.1%}), wall {base_wall:.2f} s; detection {base_detect:.2f} CPU s = "
        f"{base_detect / base:.1%} of the scan"
    )
    print(
        f"{'part left out':32s} {'e2e with':>9s} {'e2e without':>12s} {'share of scan':>14s} "
        f"{'detect delta':>13s} {'wall share':>11s}"
    )
    shares: dict[str, float] = {}
    for name, parts in configs[1:]:
        without = median(parts, "cpu")
        share = without / base - 1
        detect_share = (median(parts, "detect") - base_detect) / base
        wall_share = median(parts, "wall") / base_wall - 1
        shares[parts] = min(share, detect_share)
        print(
            f"{name:32s} {base:8.2f}s {without:11.2f}s {share:13.1%} {detect_share:13.1%} {wall_share:10.1%}"
        )
    print(f"[CPU seconds of the scanning process, median of {repeats} interleaved runs each]")
    return shares


def main() -> None:
    """Print a table per workload, then the verdict per part."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=1500)
    parser.add_argument("--dense-mb", type=float, default=2.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workloads", default="mixed,dense", help="mixed, dense or both (comma-separated)")
    parser.add_argument("--threshold", type=float, default=0.03)
    parser.add_argument(
        "--parts",
        default="",
        help="configurations to measure, ';'-separated, each a ','-separated list of parts (default: each part alone)",
    )
    args = parser.parse_args()
    root, _ = archive(args.people)
    files = [p for p in root.rglob("*") if p.is_file()]
    size_mb = sum(p.stat().st_size for p in files) / 1e6
    dense = name_dense(args.dense_mb)
    print(
        f"mixed archive: {len(files)} files, {size_mb:.1f} MB, {args.people} generated people; "
        f"name-dense register: {args.dense_mb:g} MB; 1 worker"
    )

    from incidentroom.scanner.detect import matcher

    def accepted(part: str) -> bool:
        """Whether this code's core still has ``part`` (leave_out refuses what it does not know)."""
        try:
            matcher.leave_out([part])
        except ValueError:
            return False
        finally:
            matcher._LEFT_OUT.clear()
        return True

    known = {p for p in (*DEFAULT_PARTS[1:], "core") if accepted(p)}
    if args.parts:
        configs = [("everything compiled (baseline)", "")] + [(p, p) for p in args.parts.split(";")]
    else:
        # Only what the core still has: a kernel moved back to Python is no longer measurable.
        configs = [("everything compiled (baseline)", "")]
        configs += [(p, p) for p in DEFAULT_PARTS[1:] if p in known]
        configs += [(name, parts) for name, parts in GROUPS.items() if set(parts.split(",")) <= known]

    shares: dict[str, dict[str, float]] = {}
    for workload in args.workloads.split(","):
        if workload == "mixed":
            shares[workload] = measure(f"mixed archive ({args.people} people)", root, configs, args.repeats)
        elif workload == "dense":
            shares[workload] = measure(
                f"name-dense register ({args.dense_mb:g} MB)", dense, configs, args.repeats
            )
        else:
            raise SystemExit(f"unknown workload {workload!r}: mixed or dense")
    print(
        f"\nverdict (keep in C where the part saves more than {args.threshold:.0%} of a scan on a workload)"
    )
    for name, parts in configs[1:]:
        keep = max(share[parts] for share in shares.values()) > args.threshold
        measured = "  ".join(f"{workload} {share[parts]:6.1%}" for workload, share in shares.items())
        print(f"{name:32s} {measured}  -> {'keep' if keep else 'Python'}")


if __name__ == "__main__":
    main()
