"""End to end on a generated mixed archive: MB/s, files/s and peak memory, 1 and 2 workers.

Usage: .venv/bin/python bench/scan_end_to_end.py [--people 1500] [--repeats 3]

Baseline in the same run: 'extract only', the extractors reading every file (and every
container member) with no detection, linkage or output, i.e. the I/O and parsing floor.
Each scan runs in a fresh child process so peak RSS (the child and its workers) is its own.
Accuracy against the generator's ground truth is printed for the 1-worker scan.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from scan_common import OUT, ROOT, archive

CHILD = """
import json, resource, sys, time
from pathlib import Path
sys.path.insert(0, {bench!r})
mode, root, out, workers = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4])
start = time.perf_counter()
if mode == "extract":
    from scan_common import extracted_texts
    extracted_texts(root)
else:
    from incidentroom.scanner import run_scan
    run_scan([root], out, workers=workers)
elapsed = time.perf_counter() - start
# VmHWM, not ru_maxrss: Linux carries the parent's high-water mark across fork and exec
# into ru_maxrss, so every child reported at least the bench's own size.
try:
    status = Path("/proc/self/status").read_text()
    me = int(next(l.split()[1] for l in status.splitlines() if l.startswith("VmHWM:")))
except (OSError, StopIteration):
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
# CPU seconds of this process and its workers: steadier than wall time on a shared machine.
cpu = sum(
    getattr(resource.getrusage(who), field)
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    for field in ("ru_utime", "ru_stime")
)
print(json.dumps({{"seconds": elapsed, "cpu": cpu, "rss_mib": me / 1024, "worker_rss_mib": kids / 1024}}))
"""


def run(mode: str, root: Path, out: Path, workers: int) -> dict[str, float]:
    """One measured run in a fresh interpreter."""
    shutil.rmtree(out, ignore_errors=True)
    code = CHILD.format(bench=str(ROOT / "bench"))
    done = subprocess.run(
        [sys.executable, "-c", code, mode, str(root), str(out), str(workers)],
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    """Print MB/s, files/s and peak memory for each configuration (medians)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=1500)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    root, _ = archive(args.people)
    files = [p for p in root.rglob("*") if p.is_file()]
    size_mb = sum(p.stat().st_size for p in files) / 1e6
    out = OUT / "e2e-scan"
    print(
        f"archive: {len(files)} files, {size_mb:.1f} MB on disk, {args.people} generated people, machine: {resource.getpagesize()}B pages"
    )
    rows = []
    for label, mode, workers in (
        ("extract only (baseline)", "extract", 1),
        ("scan, 1 worker", "scan", 1),
        ("scan, 2 workers", "scan", 2),
    ):
        results = [run(mode, root, out, workers) for _ in range(args.repeats)]
        seconds = statistics.median(r["seconds"] for r in results)
        cpu = statistics.median(r["cpu"] for r in results)
        rss = max(r["rss_mib"] for r in results)
        worker_rss = max(r["worker_rss_mib"] for r in results)
        rows.append((label, seconds, cpu))
        print(
            f"{label:26s}: {seconds:7.2f} s (CPU {cpu:6.2f} s)  {size_mb / seconds:6.2f} MB/s  {len(files) / seconds:7.1f} files/s  "
            f"peak RSS {rss:6.0f} MiB (largest worker {worker_rss:5.0f} MiB)  [median of {args.repeats}]"
        )
    base, base_cpu = rows[0][1], rows[0][2]
    print(
        f"scan/extract time: 1 worker {rows[1][1] / base:.2f}x (CPU {rows[1][2] / base_cpu:.2f}x), "
        f"2 workers {rows[2][1] / base:.2f}x; 2-worker speed-up {rows[1][1] / rows[2][1]:.2f}x"
    )
    spent = json.loads((out / "summary.json").read_text(encoding="utf-8"))["phase_seconds"]
    print("phases of the last 2-worker scan (worker phases summed over workers):", spent)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    print(f"files by status: {summary['files_by_status']}; individuals: {summary['individuals']}")
    from tests.helpers.scangen import evaluate  # scan_common put the repository root on the path

    started = time.perf_counter()
    truth = json.loads((root.parent / f"{root.name}.truth.json").read_text(encoding="utf-8"))
    metrics = evaluate(truth, out / "individuals.csv")
    print(
        f"accuracy: person recall {metrics.person_recall:.4f}, precision {metrics.person_precision:.4f}, "
        f"split {metrics.split_share:.4f}, category micro-F1 {metrics.category_micro_f1:.4f} "
        f"({metrics.true_people} true people, {metrics.predicted_people} found; scored in {time.perf_counter() - started:.1f}s)"
    )
    for category, (precision, recall) in metrics.per_category.items():
        print(f"  {category:26s} precision {precision:.3f} recall {recall:.3f}")


if __name__ == "__main__":
    main()
