"""Run a scan: plan the files, run them locally or on Dask, checkpoint, then aggregate.

Each top-level file's result is checkpointed as JSON under ``OUT/.state/results`` the
moment it arrives (write to a temporary name, then rename), so a scan killed at any
point resumes with ``--resume`` by skipping files already done; aggregation always
runs over all checkpoints in path order, so the outputs of a resumed scan are the
same as those of an uninterrupted one.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import hashlib
import importlib
import json
import logging
import os
import shutil
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import asdict, dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from ..detect.matcher import preload, serialized_database
from ..errors import ScanError
from ..extract import Limits
from ..model import FileResult
from ..output import outputs, report
from ..pathnames import printable_name
from ..people import aggregate
from ..policy import RiskPolicy
from . import phases
from .collector import fewer_collections, paused_collections
from .hashing import load_or_create_key
from .walk import Task, scan_task

log = logging.getLogger("incidentroom.scanner")
STATE_DIR = ".state"


@dataclass(frozen=True)
class ScanProgress:
    """Progress so far, reported after each top-level file."""

    files_done: int
    files_total: int
    bytes_done: int
    bytes_total: int
    elapsed_seconds: float
    current: str = ""


@dataclass(frozen=True)
class ScanSummary:
    """The scan's headline figures; ``summary.json`` holds exactly these fields."""

    out_dir: str
    roots: list[str]
    complete: bool
    started_at: str
    finished_at: str
    duration_seconds: float
    workers: int
    cluster: str
    files_total: int = 0
    bytes_total: int = 0
    files_by_status: dict[str, int] = field(default_factory=dict)
    files_by_type: dict[str, int] = field(default_factory=dict)
    individuals: int = 0
    individuals_by_risk: dict[str, int] = field(default_factory=dict)
    individuals_by_category: dict[str, int] = field(default_factory=dict)
    individuals_by_source_root: dict[str, int] = field(default_factory=dict)
    individuals_by_document_year: dict[str, int] = field(default_factory=dict)
    records: int = 0
    detections: int = 0
    detections_by_category: dict[str, int] = field(default_factory=dict)
    organisation_values_excluded: dict[str, int] = field(default_factory=dict)
    ico: dict[str, Any] = field(default_factory=dict)
    #: Seconds per phase (see ``phases.py``) for the files scanned by this run. Worker
    #: phases (extract, detect, records, their part of write) are summed over workers, so
    #: with several workers they can add up to more than ``duration_seconds``.
    phase_seconds: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The JSON-ready form written to ``summary.json``."""
        return asdict(self)


def plan(paths: list[Path], limits: Limits, parts_dir: str = "") -> list[Task]:
    """Every top-level file under the roots, in a stable order (never follows symlinks)."""
    tasks: list[Task] = []
    for index, root in enumerate(paths):
        root_str = os.fspath(root)
        if not os.path.lexists(root_str):
            raise ScanError("path_not_found", f"input path does not exist: {root_str}")
        if os.path.isfile(root_str):
            tasks.append(_task(index, root_str, "", limits, parts_dir))
            continue
        for directory, dirnames, filenames in os.walk(root_str, followlinks=False):
            dirnames.sort(key=os.fsencode)
            # os.walk lists a link to a folder among the folders and, not following it, would
            # drop it silently: it becomes a task of its own, which the manifest lists as skipped.
            links = [d for d in dirnames if os.path.islink(os.path.join(directory, d))]
            dirnames[:] = [d for d in dirnames if d not in links]
            for name in sorted([*filenames, *links], key=os.fsencode):
                relative = os.path.relpath(os.path.join(directory, name), root_str)
                tasks.append(_task(index, root_str, relative, limits, parts_dir))
    return tasks


def _task(index: int, root: str, relative: str, limits: Limits, parts_dir: str) -> Task:
    full = root if relative == "" else os.path.join(root, relative)
    try:
        size = os.lstat(full).st_size
    except OSError:
        size = 0
    key = hashlib.sha256(
        f"{index}\0".encode() + os.fsencode(root) + b"\0" + os.fsencode(relative)
    ).hexdigest()[:24]
    return Task(key, index, root, relative, size, limits, parts_dir)


PARENT_POLL_SECONDS = 1.0
_PR_SET_PDEATHSIG = 1


def _exit_with_parent(parent: int) -> None:
    """End this worker when the coordinator ``parent`` dies, however it dies.

    A coordinator killed with SIGKILL (or SIGTERM, whose default action runs no Python
    code) cannot shut its pool down, and an orphaned worker would go on reading evidence.
    On Linux the kernel sends SIGKILL to the worker the moment the coordinator's thread
    that started it ends (that thread owns the pool until the scan ends); everywhere, a
    daemon thread also notices the worker being re-parented.
    """
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # no prctl: the watch thread below still works
            log.debug("prctl(PR_SET_PDEATHSIG) unavailable")

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_POLL_SECONDS)
        os._exit(1)

    # Checked once now too: the coordinator may have died while this worker started.
    if os.getppid() != parent:
        os._exit(1)
    threading.Thread(target=watch, name="incidentroom-parent-watch", daemon=True).start()


def _worker_init(database: bytes, parent: int) -> None:
    """Workers leave Ctrl-C to the coordinator, die with it, and reuse its compiled patterns."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _exit_with_parent(parent)
    preload(database)


@fewer_collections()
def run_task_json(task: Task, key: bytes) -> dict[str, Any]:
    """Entry point for pool and Dask workers: JSON-ready so it crosses any boundary.

    A task with a parts folder (every task of :func:`run_scan`) writes its own checkpoint
    beside it and returns only its key: writing checkpoints one by one in the coordinator
    was the largest serial step of a multi-worker scan.
    """
    phases.start()
    try:
        result = scan_task(task, key)
        with phases.phase("write"):
            data = result.to_json()
            if task.parts_dir:
                write_checkpoint(Path(task.parts_dir).parent / "results", data)
    finally:
        seconds = phases.stop()
    if task.parts_dir:
        return {"task_key": data["task_key"], "saved": True, "phases": seconds}
    data["phases"] = seconds
    return data


def write_checkpoint(folder: Path, data: dict[str, Any]) -> None:
    """Write one task's result atomically (a temporary name, then a rename)."""
    final = folder / f"{data['task_key']}.json"
    tmp = final.with_suffix(".tmp")
    tmp.write_text(json.dumps(data), encoding="utf-8")
    os.replace(tmp, final)


class _Checkpoints:
    """Per-file results on disk, written atomically."""

    def __init__(self, out_dir: Path, resume: bool) -> None:
        self.dir = out_dir / STATE_DIR / "results"
        self.parts = out_dir / STATE_DIR / "parts"
        for folder in (self.dir, self.parts):
            if not resume and folder.exists():
                shutil.rmtree(folder)
            folder.mkdir(parents=True, exist_ok=True)

    def done(self, task: Task) -> bool:
        """Whether ``task`` has a checkpoint."""
        return (self.dir / f"{task.key}.json").exists()

    def save(self, data: dict[str, Any]) -> None:
        """Write one task's result, unless its worker already did."""
        if not data.get("saved"):
            write_checkpoint(self.dir, data)

    def load(self, task: Task) -> FileResult:
        """Read one task's result back."""
        return FileResult.from_json(json.loads((self.dir / f"{task.key}.json").read_text(encoding="utf-8")))


def _run_local(
    tasks: list[Task], key: bytes, workers: int, stop: Callable[[], bool]
) -> Iterator[tuple[Task, dict[str, Any]]]:
    if workers <= 1:
        for task in tasks:
            if stop():
                return
            yield task, run_task_json(task, key)
        return
    # initargs hands every worker the coordinator's compiled patterns.
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=get_context("spawn"),
        initializer=_worker_init,
        initargs=(serialized_database(), os.getpid()),
    ) as pool:
        pending: dict[Future[dict[str, Any]], Task] = {}
        queue = list(reversed(tasks))
        try:
            while queue or pending:
                # Keep a short queue per worker so a stop request leaves little work behind.
                while queue and len(pending) < workers * 4 and not stop():
                    task = queue.pop()
                    pending[pool.submit(run_task_json, task, key)] = task
                if not pending:
                    return
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in sorted(finished, key=lambda f: pending[f].key):
                    yield pending.pop(future), future.result()
                if stop():
                    queue.clear()
        finally:
            for future in pending:
                future.cancel()


def _run_dask(
    tasks: list[Task], key: bytes, address: str, stop: Callable[[], bool]
) -> Iterator[tuple[Task, dict[str, Any]]]:
    # distributed has no complete type hints; use it through an Any-typed module.
    distributed: Any = importlib.import_module("distributed")
    try:
        client = distributed.Client(address, timeout="20s", set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise ScanError("cluster_unreachable", f"cannot reach Dask scheduler at {address}: {exc}") from exc
    try:
        by_key = {task.key: task for task in tasks}
        futures = [
            client.submit(run_task_json, task, key, key=f"incidentroom-scan-{task.key}", pure=False)
            for task in tasks
        ]
        completed = distributed.as_completed(futures, loop=client.loop)
        for future in completed:
            task_key = str(future.key).removeprefix("incidentroom-scan-")
            yield by_key[task_key], future.result()
            if stop():
                for other in futures:
                    other.cancel()
                return
    finally:
        client.close()


def run_scan(
    paths: list[Path],
    out_dir: Path,
    *,
    workers: int = 1,
    cluster: str | None = None,
    resume: bool = False,
    progress: Callable[[ScanProgress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    policy: RiskPolicy | None = None,
    limits: Limits | None = None,
) -> ScanSummary:
    """Scan ``paths`` (folders or archives, read only) and write the five outputs to ``out_dir``.

    When ``should_stop`` turns true the scan stops after the files in flight, writes an
    incomplete ``summary.json`` and leaves checkpoints for ``resume=True``.
    """
    if not paths:
        raise ScanError("no_input", "give at least one folder or archive to scan")
    if workers < 1:
        raise ScanError("bad_workers", "--workers must be at least 1")
    started = time.monotonic()
    started_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    limits = limits or Limits()
    policy = policy or RiskPolicy()
    stop = should_stop or (lambda: False)
    out_dir.mkdir(parents=True, exist_ok=True)
    roots = [printable_name(os.fspath(p)) for p in paths]
    key = load_or_create_key(out_dir)
    checkpoints = _Checkpoints(out_dir, resume)
    tasks = plan(paths, limits, str(checkpoints.parts.resolve()))
    todo = [t for t in tasks if not checkpoints.done(t)]
    bytes_total = sum(t.size for t in tasks)
    files_done = len(tasks) - len(todo)
    bytes_done = sum(t.size for t in tasks if checkpoints.done(t))
    log.info("planned %d files (%d bytes); %d already done", len(tasks), bytes_total, files_done)

    def report_progress(current: str) -> None:
        """Tell the caller how far the scan has got."""
        if progress is not None:
            progress(
                ScanProgress(
                    files_done, len(tasks), bytes_done, bytes_total, time.monotonic() - started, current
                )
            )

    report_progress("")
    spent = dict.fromkeys(phases.PHASES, 0.0)
    runner = _run_dask(todo, key, cluster, stop) if cluster else _run_local(todo, key, workers, stop)
    for task, data in runner:
        phases.add(spent, data.pop("phases", None))
        checkpoints.save(data)
        files_done += 1
        bytes_done += task.size
        report_progress(task.relative or task.root)
    complete = files_done == len(tasks)

    def summary(figures: dict[str, Any]) -> ScanSummary:
        """The summary with this run's timings and settings."""
        return ScanSummary(
            out_dir=str(out_dir),
            roots=roots,
            complete=complete,
            started_at=started_at,
            finished_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            duration_seconds=round(time.monotonic() - started, 3),
            workers=workers,
            cluster=cluster or "",
            phase_seconds={name: round(value, 3) for name, value in spent.items()},
            **figures,
        )

    if not complete:
        result = summary({"files_total": len(tasks), "bytes_total": bytes_total})
        outputs.write_json(result.as_dict(), out_dir)
        log.warning(
            "scan stopped after %d of %d files; rerun with --resume to finish", files_done, len(tasks)
        )
        return result
    clock = phases.PhaseClock()
    with paused_collections():
        clock.enter("link")
        results = [checkpoints.load(t) for t in tasks]
        agg = aggregate.build(results, roots, policy)
        clock.enter("write")
        outputs.write_individuals(agg, out_dir)
        outputs.write_detections(
            agg, roots, out_dir, [(t.root_index, checkpoints.parts / f"{t.key}.arrow") for t in tasks]
        )
        outputs.write_manifest(agg, roots, out_dir)
        figures = outputs.summary_figures(agg, roots)
        clock.leave()
        clock.leave()
    # The summary and the report are written last, with the time they took so far.
    phases.add(spent, clock.seconds)
    result = summary(figures)
    outputs.write_json(result.as_dict(), out_dir)
    report.write_report(result.as_dict(), out_dir)
    return result
