"""What each part of the compiled detection core pays, END TO END: a scan with and without it.

Usage: .venv/bin/python bench/scan_kernels.py [--people 1500] [--repeats 3] [--parts a,b,...]

Each part of ``_fastdetect`` (a kernel, a switch of the core, the start recovery of the
word-list expressions, the whole core) is left out in turn with
``matcher.leave_out``: a kernel left out is replaced by its detector's own ``validate``
(the Python implementation of the same rule), a switch by the plain way of doing the
same thing, the whole core by the pure-Python reference path (``detect_python``).

Every configuration scans the generated mixed archive (bench/scan_end_to_end.py's) with
1 worker, in a fresh interpreter, timed around ``run_scan`` only (the pattern database
is loaded before the clock starts: a scan of any size pays it once). The runs are
interleaved repeat by repeat (baseline, part 1, part 2, ..., baseline, part 1, ...) so
that the shared machine's drift hits every configuration alike; medians are printed.

Columns:
- e2e with / e2e without: median scan seconds with everything compiled, and without the part;
- share of scan: (without - with) / with, what the part saves of a whole scan;
- detect delta: the same difference measured on detection alone (the time the same
  scans spent inside ``detect``, medians), divided by the e2e time with everything: a
  quieter estimate of the same share, since it is not buried in extraction's noise;
- verdict: "keep" where the part saves more than --threshold (3%) of a scan by both
  estimates, else "Python".

The baseline spread (slowest/fastest baseline run) is printed: a share smaller than the
spread is noise.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

from scan_common import OUT, ROOT, archive

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
    began = time.perf_counter()
    try:
        return real(*args, **kwargs)
    finally:
        spent[0] += time.perf_counter() - began
for name, module in list(sys.modules.items()):
    if name.startswith("incidentroom.") and getattr(module, "detect", None) is real:
        module.detect = timed
start = time.perf_counter()
run_scan([root], out, workers=1)
print(json.dumps({{"seconds": time.perf_counter() - start, "detect": spent[0]}}))
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


def scan_seconds(parts: str, root: Path, out: Path) -> tuple[float, float]:
    """One scan of ``root`` with ``parts`` left out, in a fresh interpreter: (scan, detection) seconds."""
    shutil.rmtree(out, ignore_errors=True)
    code = CHILD.format(bench=str(ROOT / "bench"))
    done = subprocess.run(
        [sys.executable, "-c", code, parts, str(root), str(out)], capture_output=True, text=True, check=True
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return float(result["seconds"]), float(result["detect"])


def main() -> None:
    """Print the table: part, e2e with, e2e without, share of scan, detect delta, verdict."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=1500)
    parser.add_argument("--repeats", type=int, default=3)
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
    print(f"archive: {len(files)} files, {size_mb:.1f} MB, {args.people} generated people; 1 worker")

    from incidentroom.scanner.detect import _fastdetect

    if args.parts:
        wanted = args.parts.split(";")
        configs = [("everything compiled (baseline)", "")] + [(p, p) for p in wanted]
    else:
        # Only what the core still has: a kernel moved back to Python is no longer measurable.
        known = set(_fastdetect.KERNELS) | set(_fastdetect.SWITCHES) | {"start_recovery"}
        present = [p for p in DEFAULT_PARTS[1:] if p in known]
        configs = [("everything compiled (baseline)", "")] + [(p, p) for p in present]
        configs += [
            (label, parts)
            for label, parts in GROUPS.items()
            if all(p in known | {"core"} for p in parts.split(","))
        ]

    out = OUT / "kernels-scan"
    e2e: dict[str, list[float]] = {parts: [] for _, parts in configs}
    det: dict[str, list[float]] = {parts: [] for _, parts in configs}
    for repeat in range(args.repeats):
        for label, parts in configs:
            seconds, detecting = scan_seconds(parts, root, out)
            e2e[parts].append(seconds)
            det[parts].append(detecting)
            print(
                f"  repeat {repeat + 1}: {label:32s} scan {seconds:7.2f} s, detection {detecting:6.2f} s",
                file=sys.stderr,
                flush=True,
            )

    base = statistics.median(e2e[""])
    base_detect = statistics.median(det[""])
    spread = max(e2e[""]) / min(e2e[""]) - 1
    print(
        f"baseline: scan {base:.2f} s (runs {', '.join(f'{s:.2f}' for s in e2e[''])}; spread {spread:.1%}), "
        f"detection {base_detect:.2f} s = {base_detect / base:.1%} of the scan"
    )
    print(
        f"{'part left out':32s} {'e2e with':>9s} {'e2e without':>12s} {'share of scan':>14s} "
        f"{'detect delta':>13s}  verdict"
    )
    for label, parts in configs[1:]:
        without = statistics.median(e2e[parts])
        share = without / base - 1
        detect_share = (statistics.median(det[parts]) - base_detect) / base
        verdict = "keep" if min(share, detect_share) > args.threshold else "Python"
        print(f"{label:32s} {base:8.2f}s {without:11.2f}s {share:13.1%} {detect_share:13.1%}  {verdict}")
    print(f"[median of {args.repeats} interleaved runs each; threshold {args.threshold:.0%} of a scan]")


if __name__ == "__main__":
    main()
