"""Scale on paper from measured rates (issue 14 §7): a 1 TB file share on a 32-core Dask cluster.

Usage: .venv/bin/python bench/scan_scale.py [--people 600 1500] [--dask-workers 2] [--rounds 2]
           [--share-tb 1] [--cores 32] [--storage-mbps 1100] [--network-mbps 1100]

For each archive size it runs the ``--cluster`` path for real on this machine: a Dask
``LocalCluster`` of ``--dask-workers`` single-threaded worker processes, and
``run_scan(cluster=...)`` against it. It measures

* the workers' CPU seconds (each worker process's own ``getrusage``, asked through
  ``client.run`` before and after), hence the *per-core rate* in MB per CPU-second of the
  work that spreads over workers (extraction, detection, records, part files, checkpoints);
* the coordinator's *serial tail*: its CPU from the moment the last file is reported done to
  the end of the scan (aggregation, linkage, the outputs), which no number of workers
  shortens, per MB of input; and its CPU while the workers ran (launching and collecting
  tasks, reading checkpoints), which overlaps them;
* the baseline in the same run: the same archive's extract-only CPU (every extractor, no
  detection), i.e. the floor per core.

Then it models a share of ``--share-tb`` TB with the archive's mix on ``--cores`` worker
cores: the spread work at the measured per-core rate, the serial tail grown in proportion to
the input (checked for linearity between the two sizes), and reading the share at
``--storage-mbps`` (the share's storage) and ``--network-mbps`` (the link into the cluster),
whichever bound is largest. Storage and network are stated assumptions, not measured here:
this machine reads its archive from its page cache.
"""

from __future__ import annotations

import argparse
import importlib
import json
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from scan_common import OUT, archive

EXTRACT_CHILD = """
import json, resource, sys
sys.path.insert(0, {bench!r})
from pathlib import Path
from scan_common import extracted_texts
extracted_texts(Path(sys.argv[1]))
u = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({{"cpu": u.ru_utime + u.ru_stime}}))
"""


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _worker_cpu(client: Any) -> float:
    """The CPU seconds of every Dask worker process so far."""
    return float(sum(client.run(_cpu).values()))


def extract_only(root: Path) -> float:
    """CPU seconds of a fresh interpreter that only extracts ``root`` (the per-core floor)."""
    code = EXTRACT_CHILD.format(bench=str(Path(__file__).parent))
    done = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", code, str(root)], check=True, capture_output=True, text=True
    )
    return float(json.loads(done.stdout.strip().splitlines()[-1])["cpu"])


def cluster_scan(client: Any, address: str, root: Path, out: Path) -> dict[str, float]:
    """One ``--cluster`` scan of ``root``: worker CPU, coordinator CPU during and after."""
    from incidentroom.scanner import run_scan

    shutil.rmtree(out, ignore_errors=True)
    last_done: list[float] = []

    def progress(p: Any) -> None:
        if p.files_total and p.files_done == p.files_total and not last_done:
            last_done.append(_cpu())

    workers_before, mine_before, wall = _worker_cpu(client), _cpu(), time.perf_counter()
    summary = run_scan([root], out, cluster=address, progress=progress)
    wall = time.perf_counter() - wall
    mine_after, workers_after = _cpu(), _worker_cpu(client)
    tail_start = last_done[0] if last_done else mine_before
    return {
        "wall": wall,
        "workers": workers_after - workers_before,
        "coordinator_overlapped": tail_start - mine_before,
        "tail": mine_after - tail_start,
        "mb": summary.bytes_total / 1e6,
        "people": float(summary.individuals),
        "detections": float(summary.detections),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, nargs="+", default=[600, 1500])
    parser.add_argument("--dask-workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--share-tb", type=float, default=1.0)
    parser.add_argument("--cores", type=int, default=32)
    parser.add_argument("--storage-mbps", type=float, default=1100.0)
    parser.add_argument("--network-mbps", type=float, default=1100.0)
    args = parser.parse_args()
    if args.dask_workers < 1 or args.rounds < 1 or args.cores < 1 or args.share_tb <= 0:
        parser.error("--dask-workers, --rounds and --cores must be at least 1, --share-tb above 0")

    # distributed has no complete type hints; use it through an Any-typed module.
    distributed: Any = importlib.import_module("distributed")

    roots = {n: archive(n)[0] for n in args.people}
    runs: dict[int, list[dict[str, float]]] = {n: [] for n in args.people}
    floors: dict[int, list[float]] = {n: [] for n in args.people}
    cluster = distributed.LocalCluster(
        n_workers=args.dask_workers,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        host="127.0.0.1",
    )
    client = distributed.Client(cluster)
    try:
        # One unmeasured scan warms the workers (imports, the compiled patterns), as on a
        # long-running cluster.
        cluster_scan(client, cluster.scheduler_address, roots[args.people[0]], OUT / "scale-warm")
        for _ in range(args.rounds):
            for n, root in roots.items():
                floors[n].append(extract_only(root))
                runs[n].append(cluster_scan(client, cluster.scheduler_address, root, OUT / f"scale-{n}"))
    finally:
        client.close()
        cluster.close()

    def med(n: int, field: str) -> float:
        return statistics.median(r[field] for r in runs[n])

    print(
        f"--cluster on this machine: LocalCluster of {args.dask_workers} single-threaded workers; medians of {args.rounds}"
    )
    print(
        f"{'archive':>14} {'MB':>6} {'wall s':>7} {'workers CPU':>12} {'per-core MB/s':>14} "
        f"{'extract-only MB/s':>18} {'coord. overlapped':>18} {'serial tail':>12} {'tail s/GB':>10}"
    )
    for n in args.people:
        mb = med(n, "mb")
        floor = statistics.median(floors[n])
        print(
            f"{n:>7} people {mb:6.1f} {med(n, 'wall'):7.2f} {med(n, 'workers'):11.2f}s "
            f"{mb / med(n, 'workers'):14.2f} {mb / floor:18.2f} {med(n, 'coordinator_overlapped'):17.2f}s "
            f"{med(n, 'tail'):11.2f}s {1000 * med(n, 'tail') / mb:10.1f}"
        )
    big, small = max(args.people), min(args.people)
    mb_big = med(big, "mb")
    rate = mb_big / med(big, "workers")
    # The tail has a fixed part (writing five outputs, the report) and a part that grows with
    # the input: fitted as a line through the two sizes (with one size: all of it grows).
    if big != small and med(big, "mb") > med(small, "mb"):
        tail_per_mb = (med(big, "tail") - med(small, "tail")) / (mb_big - med(small, "mb"))
        tail_fixed = med(big, "tail") - tail_per_mb * mb_big
        fit = f"line through the {small}- and {big}-person runs: {tail_fixed:.2f} s + {tail_per_mb * 1000:.1f} s per GB"
    else:
        tail_per_mb, tail_fixed = med(big, "tail") / mb_big, 0.0
        fit = f"in proportion to the {big}-person run: {tail_per_mb * 1000:.1f} s per GB"
    share_mb = args.share_tb * 1e6
    spread = share_mb / (rate * args.cores)
    storage = share_mb / args.storage_mbps
    network = share_mb / args.network_mbps
    tail = tail_fixed + tail_per_mb * share_mb
    bound = max(("workers", spread), ("storage", storage), ("network", network), key=lambda x: x[1])
    hours = 3600.0
    print()
    print(f"Model: {args.share_tb:g} TB with this archive's mix, {args.cores} worker cores")
    print(
        f"  spread work  : {share_mb:,.0f} MB / ({rate:.2f} MB/s per core x {args.cores}) = {spread / hours:7.1f} h"
    )
    print(
        f"  storage read : {share_mb:,.0f} MB / {args.storage_mbps:,.0f} MB/s (assumed)      = {storage / hours:7.1f} h"
    )
    print(
        f"  network      : {share_mb:,.0f} MB / {args.network_mbps:,.0f} MB/s (assumed)      = {network / hours:7.1f} h"
    )
    print(f"  serial tail  : {fit}  = {tail / hours:7.1f} h")
    print(
        f"  bound while scanning: {bound[0]}; then the tail: about {(bound[1] + tail) / hours:.1f} h in all"
    )


if __name__ == "__main__":
    main()
