"""End to end on a generated mixed archive: MB/s, files/s and peak memory, 1 and 2 workers.

Usage: .venv/bin/python bench/scan_end_to_end.py [--people 1500] [--repeats 3]
       .venv/bin/python bench/scan_end_to_end.py --against REF [--people 600] [--dense-mb 1] [--repeats 3]

Baseline in the same run: 'extract only', the extractors reading every file (and every
container member) with no detection, linkage or output, i.e. the I/O and parsing floor.
Each scan runs in a fresh child process so peak RSS (the child and its workers) is its own.
Accuracy against the generator's ground truth is printed for the 1-worker scan.

With ``--against REF`` it compares this tree with the git revision REF instead (issue 14
§2 and §5): REF's ``src`` is exported under bench/out (the compiled core copied from this
tree, which refuses if REF's ``_fastdetect.pyx`` differs), then, round by round, each tree
in turn runs extract-only on the mixed archive, a 1-worker scan of it, and a 1-worker scan
of the name-dense register (``--dense-mb``, a register typed as prose). It prints medians
of CPU seconds (the steady figure on a shared machine), name-dense MB per CPU-second (per
worker), the mixed archive's scan/extract ratio and peak RSS, and checks that both trees
wrote the same ``individuals.csv`` from the same scan key.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import resource
import secrets
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from scan_common import OUT, ROOT, archive, name_dense

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


def run(
    mode: str, root: Path, out: Path, workers: int, src: Path | None = None, key: bytes | None = None
) -> dict[str, float]:
    """One measured run in a fresh interpreter, with ``src`` first on its path (default: the
    installed package) and ``key`` as the scan's hashing key (default: a new one)."""
    shutil.rmtree(out, ignore_errors=True)
    if key is not None:
        out.mkdir(parents=True)
        (out / "scan.key").write_text(key.hex(), encoding="ascii")
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(src), env.get("PYTHONPATH", "")) if p)
    code = CHILD.format(bench=str(ROOT / "bench"))
    done = subprocess.run(
        [sys.executable, "-c", code, mode, str(root), str(out), str(workers)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def exported_src(ref: str) -> Path:
    """REF's ``src`` folder, exported once under bench/out, with this tree's compiled core."""
    sha = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--verify", f"{ref}^{{commit}}"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    core = "src/incidentroom/scanner/detect/_fastdetect.pyx"
    if subprocess.run(["git", "-C", str(ROOT), "diff", "--quiet", sha, "--", core]).returncode:
        raise SystemExit(
            f"{ref}'s {core} differs from this tree's: build {ref} in a worktree and bench there"
        )
    folder = OUT / f"tree-{sha[:12]}"
    if not (folder / "done").exists():
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        archive_bytes = subprocess.run(
            ["git", "-C", str(ROOT), "archive", sha, "src"], capture_output=True, check=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(folder)], input=archive_bytes, check=True)
        for built in (ROOT / "src/incidentroom/scanner/detect").glob("_fastdetect*.so"):
            shutil.copy2(built, folder / "src/incidentroom/scanner/detect" / built.name)
        (folder / "done").write_text(sha, encoding="ascii")
    return folder / "src"


def compare(ref: str, people: int, dense_mb: float, repeats: int) -> None:
    """This tree against REF: extract-only and 1-worker scans, mixed and name-dense, interleaved."""
    mixed, _ = archive(people)
    dense = name_dense(dense_mb)
    mixed_mb = sum(p.stat().st_size for p in mixed.rglob("*") if p.is_file()) / 1e6
    dense_size = sum(p.stat().st_size for p in dense.rglob("*") if p.is_file()) / 1e6
    trees = {ref: exported_src(ref), "this tree": ROOT / "src"}
    key = secrets.token_bytes(32)  # one key for every scan, so the outputs can be compared
    configs = (
        ("extract", "extract", mixed),
        ("mixed", "scan", mixed),
        ("dense", "scan", dense),
    )
    runs: dict[tuple[str, str], list[dict[str, float]]] = {(t, c): [] for t in trees for c, _, _ in configs}
    print(
        f"mixed archive: {people} people, {mixed_mb:.1f} MB; name-dense register: {dense_size:.2f} MB; "
        f"1 worker; {repeats} rounds, trees and workloads interleaved, a fresh process each"
    )
    for round_ in range(repeats):
        for name, mode, root in configs:
            for tree, src in trees.items():
                out = OUT / f"e2e-against-{tree.replace(' ', '-').replace('/', '-')}-{name}"
                result = run(mode, root, out, 1, src=src, key=key)
                runs[(tree, name)].append(result)
                print(
                    f"  round {round_ + 1}: {tree:12s} {name:8s} CPU {result['cpu']:7.2f} s, wall "
                    f"{result['seconds']:7.2f} s, peak RSS {result['rss_mib']:6.0f} MiB",
                    file=sys.stderr,
                    flush=True,
                )

    def med(tree: str, name: str, field: str = "cpu") -> float:
        return statistics.median(r[field] for r in runs[(tree, name)])

    print(
        f"{'tree':14s} {'extract CPU':>11s} {'mixed scan CPU':>14s} {'scan/extract':>12s} "
        f"{'dense scan CPU':>14s} {'dense MB/s/worker':>17s} {'dense peak RSS':>14s}"
    )
    for tree in trees:
        dense_rss = max(r["rss_mib"] for r in runs[(tree, "dense")])
        print(
            f"{tree:14s} {med(tree, 'extract'):10.2f}s {med(tree, 'mixed'):13.2f}s "
            f"{med(tree, 'mixed') / med(tree, 'extract'):11.2f}x {med(tree, 'dense'):13.2f}s "
            f"{dense_size / med(tree, 'dense'):17.3f} {dense_rss:10.0f} MiB"
        )
    print(
        f"[CPU seconds of the scanning process, median of {repeats}; MB/s is MB per CPU-second; "
        f"this tree / {ref}: mixed {med('this tree', 'mixed') / med(ref, 'mixed'):.2f}x, "
        f"dense {med('this tree', 'dense') / med(ref, 'dense'):.2f}x the CPU]"
    )
    for name in ("mixed", "dense"):
        a, b = (
            OUT / f"e2e-against-{t.replace(' ', '-').replace('/', '-')}-{name}" / "individuals.csv"
            for t in trees
        )
        same = filecmp.cmp(a, b, shallow=False)
        print(f"individuals.csv of the {name} scan: {'identical' if same else 'DIFFERENT'} in both trees")


def main() -> None:
    """Print MB/s, files/s and peak memory for each configuration (medians)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=1500)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--against", metavar="REF", help="compare this tree with a git revision (see above)")
    parser.add_argument(
        "--dense-mb", type=float, default=1.0, help="size of the name-dense register (--against)"
    )
    args = parser.parse_args()
    if args.against:
        compare(args.against, args.people, args.dense_mb, args.repeats)
        return
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
