"""Run a scan: plan the files, run them locally or on Dask, checkpoint, then aggregate.

Top-level files (and the ranges of a big CSV, see ``split.py``) are scanned in chunks of
consecutive tasks (:func:`chunked`). Each chunk's results are checkpointed as JSON under
``OUT/.state/results`` the moment it is done (write to a temporary name, then rename),
beside one part file of its detections, so a scan killed at any point resumes with
``--resume`` by skipping the files already done; aggregation always runs over every file's
result in path order, so the outputs of a resumed scan are the same as those of an
uninterrupted one.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import gc
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
from multiprocessing import get_all_start_methods, get_context
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Any, NamedTuple

import orjson

from ..detect.matcher import preload, serialized_database, warm
from ..errors import ScanError
from ..extract import Limits
from ..model import FileResult
from ..output import outputs, report
from ..pathnames import printable_name
from ..people import aggregate
from ..policy import RiskPolicy
from . import phases, split
from .collector import fewer_collections, paused_collections
from .hashing import load_or_create_key
from .parts import DetectionSink
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


def _worker_init(database: bytes | None, parent: int) -> None:
    """Workers leave Ctrl-C to the coordinator, die with it, and reuse its compiled patterns
    (a forked worker has them already: ``database`` is then ``None``)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _exit_with_parent(parent)
    if database is not None:
        preload(database)


def _pool_context() -> BaseContext:
    """How the local pool starts its workers: forked where that is safe, else spawned.

    A spawned worker is a fresh interpreter that imports the scanner and loads the patterns
    (about 0.6 CPU s, against a 2.3 s scan of the 1,500-person bench archive), while a forked
    one starts in milliseconds with everything the coordinator has loaded. Forking is only safe in a process with one
    thread (a lock another thread holds at the fork stays held in the child forever), and
    only exists on POSIX; the web app's task worker, or a test runner, may have more, and
    those spawn as before. ``INCIDENTROOM_SCAN_START`` (``fork`` or ``spawn``) overrides the
    choice, for tests and for an operator who wants the old behaviour.
    """
    wanted = os.environ.get("INCIDENTROOM_SCAN_START", "")
    if wanted not in ("", "fork", "spawn"):
        raise ScanError("bad_start_method", f"INCIDENTROOM_SCAN_START must be fork or spawn, not {wanted!r}")
    can_fork = "fork" in get_all_start_methods()
    if wanted == "fork" and not can_fork:
        raise ScanError("bad_start_method", "INCIDENTROOM_SCAN_START=fork: this platform cannot fork")
    if wanted == "fork" or (not wanted and can_fork and threading.active_count() == 1):
        return get_context("fork")
    return get_context("spawn")


# Small files are scanned in chunks: one checkpoint and one part file per chunk rather than
# per file. Opening, writing and renaming those two files cost more than scanning a short
# letter, and were a quarter of a scan of a council archive. A chunk holds at most
# CHUNK_FILES files and CHUNK_BYTES bytes (a bigger file is a chunk of its own), and there
# are about CHUNKS_PER_WORKER chunks per worker, so every worker stays busy to the end and
# progress moves often enough to watch.
CHUNK_FILES = 32
CHUNK_BYTES = 16 << 20
CHUNKS_PER_WORKER = 32


@dataclass(frozen=True)
class Chunk:
    """Consecutive tasks scanned together, with one checkpoint and one part file."""

    key: str
    tasks: tuple[Task, ...]
    parts_dir: str


def chunked(tasks: list[Task], workers: int, parts_dir: str) -> list[Chunk]:
    """``tasks`` in order, cut into chunks (see :data:`CHUNK_FILES`)."""
    most = max(1, min(CHUNK_FILES, len(tasks) // (max(1, workers) * CHUNKS_PER_WORKER)))
    chunks: list[Chunk] = []
    current: list[Task] = []
    size = 0
    for task in tasks:
        if current and (len(current) >= most or size + task.size > CHUNK_BYTES):
            chunks.append(_chunk(current, parts_dir))
            current, size = [], 0
        current.append(task)
        size += task.size
    if current:
        chunks.append(_chunk(current, parts_dir))
    return chunks


def _chunk(tasks: list[Task], parts_dir: str) -> Chunk:
    key = hashlib.sha256("\0".join(t.key for t in tasks).encode()).hexdigest()[:24]
    return Chunk(key, tuple(tasks), parts_dir)


def run_chunk_json(chunk: Chunk, key: bytes, *, keep: bool = False) -> dict[str, Any]:
    """Entry point for pool and Dask workers: scan a chunk, checkpoint it, say it is done.

    The worker writes the checkpoint itself, beside the chunk's part file, and returns only
    the chunk's key and phase times: writing checkpoints in the coordinator was the largest
    serial step of a multi-worker scan.

    With ``keep`` (the coordinator scanning a chunk itself) the results also come back as
    ``"kept"``, a :class:`Kept`: the coordinator takes them as they are rather than reading
    back the checkpoint it has just written (parsing the JSON and rebuilding every record
    was about 3 % of a one-worker scan). The checkpoint is still written, for ``--resume``.
    """
    phases.start()
    kept = Kept(chunk.key, "", [])
    try:
        with fewer_collections():
            sink = DetectionSink(Path(chunk.parts_dir) / f"{chunk.key}.arrow")
            results = []
            for task in chunk.tasks:
                result = scan_task(task, key, sink)
                with phases.phase("write"):
                    data = result.to_json()
                    rows = sink.mark()
                    data["rows"] = rows
                    results.append(data)
                    if keep:
                        kept.results.append((result, rows))
            with phases.phase("write"):
                sink.close()
                part = f"{chunk.key}.arrow" if sink.count else ""
                write_checkpoint(
                    Path(chunk.parts_dir).parent / "results", chunk.key, {"part": part, "results": results}
                )
    finally:
        seconds = phases.stop()
    if keep:
        return {"chunk": chunk.key, "phases": seconds, "kept": kept._replace(part=part)}
    return {"chunk": chunk.key, "phases": seconds}


class Kept(NamedTuple):
    """A chunk the coordinator scanned itself: its part file's name ('' if none) and, per
    file, the result with its rows in that part (first row, count)."""

    chunk: str
    part: str
    results: list[tuple[FileResult, tuple[int, int]]]


def write_checkpoint(folder: Path, name: str, data: dict[str, Any]) -> None:
    """Write one checkpoint atomically (a temporary name, then a rename).

    orjson writes it (8 times faster than ``json``, whose encoding was the largest part of
    a chunk's write phase). Strings orjson refuses, a file name's undecodable bytes kept as
    lone surrogates, go through ``json``, which escapes them; both read back the same.
    """
    final = folder / f"{name}.json"
    tmp = final.with_suffix(".tmp")
    try:
        encoded = orjson.dumps(data)
    except orjson.JSONEncodeError:
        encoded = json.dumps(data).encode()
    tmp.write_bytes(encoded)
    os.replace(tmp, final)


def read_checkpoint(path: Path) -> Any:
    """A checkpoint's data, read by orjson (twice as fast as ``json``), or by ``json`` when
    it holds escaped lone surrogates, which only ``json`` reads back (see
    :func:`write_checkpoint`)."""
    raw = path.read_bytes()
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return json.loads(raw)


@dataclass(frozen=True)
class Done:
    """One task's checkpointed result, and where its detections are (``None``: it has none)."""

    result: FileResult
    part: outputs.PartFile | None


class _Checkpoints:
    """Per-chunk results on disk, written atomically, read back once each."""

    def __init__(self, out_dir: Path, resume: bool) -> None:
        self.dir = out_dir / STATE_DIR / "results"
        self.parts = out_dir / STATE_DIR / "parts"
        for folder in (self.dir, self.parts):
            if not resume and folder.exists():
                shutil.rmtree(folder)
            folder.mkdir(parents=True, exist_ok=True)
        self._found: dict[str, Done] = {}
        self._read: set[str] = set()

    def refresh(self) -> None:
        """Read the checkpoints written since the last call."""
        for path in sorted(self.dir.glob("*.json")):
            self.read(path.name)

    def read(self, name: str) -> None:
        """Read the checkpoint ``name`` (a chunk's key plus ``.json``), unless already read.

        Each chunk's checkpoint is read as soon as the chunk is done, while the workers are
        still scanning, rather than all of them after the last chunk, when nothing else runs.
        Reading is plain data with no cycles, while the heap holds every result read so far:
        with the collector running, its collections walked all of them again and again (on a
        4 MB register 2.3 CPU s against 0.7 s paused).
        """
        if name in self._read:
            return
        self._read.add(name)
        with paused_collections():
            data = read_checkpoint(self.dir / name)
            if "results" not in data:
                return  # a file's own checkpoint, from before chunks: the file is scanned again
            if any("rows" not in item for item in data["results"]):
                # Batch ranges, from before files shared batches: the chunk is scanned again,
                # and its new checkpoint (same name, if it is chunked alike) read when done.
                self._read.discard(name)
                return
            self._add(
                data["part"], [(FileResult.from_json(item), item.pop("rows")) for item in data["results"]]
            )

    def adopt(self, kept: Kept) -> None:
        """Take the results of a chunk the coordinator scanned itself, as :meth:`read` would
        from its checkpoint (which is then never read back)."""
        self._read.add(f"{kept.chunk}.json")
        self._add(kept.part, kept.results)

    def _add(self, part_name: str, results: list[tuple[FileResult, tuple[int, int]]]) -> None:
        part = self.parts / part_name if part_name else None
        for result, (first, count) in results:
            located = outputs.PartFile(-1, part, first_row=first, row_count=count) if part and count else None
            self._found[result.task_key] = Done(result, located)

    def done(self, task: Task) -> bool:
        """Whether ``task`` has a checkpoint (as of the last :meth:`refresh`)."""
        return task.key in self._found

    def load(self, task: Task) -> Done:
        """``task``'s result and where its detections are."""
        return self._found[task.key]


def chunk_size(chunk: Chunk) -> int:
    """The bytes of a chunk's files: how long it will take, roughly."""
    return sum(t.size for t in chunk.tasks)


def by_size(chunks: list[Chunk]) -> list[Chunk]:
    """``chunks`` smallest first (in path order among equals): the pool takes from the end,
    the coordinator from the start (see :func:`_run_local`)."""
    return sorted(chunks, key=chunk_size)


def _run_local(
    chunks: list[Chunk], key: bytes, workers: int, stop: Callable[[], bool], context: BaseContext
) -> Iterator[tuple[Chunk, dict[str, Any]]]:
    """Scan ``chunks`` with ``workers`` processes in all: this one and ``workers - 1`` in a pool.

    The coordinator scans too. It has nothing else to do until the last chunk is in, and it
    starts at once, with its patterns already compiled. The pool's workers are forked where
    that is safe (see :func:`_pool_context`): a spawned one spends about 0.6 CPU s starting.

    The pool takes the largest chunks first and the coordinator the smallest: a big file
    started last would leave every other process waiting for it (largest-first is the classic
    remedy), and the coordinator's short chunks let it come back often to keep the pool fed.
    Outputs do not depend on the order: aggregation reads results in path order.
    """
    if workers <= 1:
        for chunk in chunks:
            if stop():
                return
            yield chunk, run_chunk_json(chunk, key, keep=True)
        return
    pool_workers = workers - 1
    queue = by_size(chunks)
    forking = context.get_start_method() == "fork"
    if forking:
        # Loaded before the fork, so that every worker inherits them rather than loading its own.
        warm()
        database = None
        # What the workers inherit stays shared with the coordinator only while nobody writes
        # to it, and the cyclic collector writes to every object it walks: frozen, the
        # coordinator's heap is never walked in a worker (Python's advice for gc.freeze()).
        gc.freeze()
    else:
        # initargs hands every spawned worker the coordinator's compiled patterns.
        database = serialized_database()
    with ProcessPoolExecutor(
        max_workers=pool_workers,
        mp_context=context,
        initializer=_worker_init,
        initargs=(database, os.getpid()),
    ) as pool:
        pending: dict[Future[dict[str, Any]], Chunk] = {}
        try:
            while queue or pending:
                # A short queue per worker, so a stop request leaves little work behind.
                while queue and len(pending) < pool_workers * 2 and not stop():
                    chunk = queue.pop()
                    pending[pool.submit(run_chunk_json, chunk, key)] = chunk
                if forking:  # the first submit forked every worker (3.11 never forks more)
                    gc.unfreeze()
                    forking = False
                finished = [f for f in pending if f.done()]
                if not finished and queue and not stop():
                    chunk = queue.pop(0)
                    yield chunk, run_chunk_json(chunk, key, keep=True)
                    continue
                if not finished:
                    if not pending:
                        return
                    finished = list(wait(pending, return_when=FIRST_COMPLETED).done)
                for future in sorted(finished, key=lambda f: pending[f].key):
                    yield pending.pop(future), future.result()
                if stop():
                    queue.clear()
        finally:
            if forking:
                gc.unfreeze()
            for future in pending:
                future.cancel()


def _run_dask(
    chunks: list[Chunk], key: bytes, address: str, stop: Callable[[], bool]
) -> Iterator[tuple[Chunk, dict[str, Any]]]:
    # distributed has no complete type hints; use it through an Any-typed module.
    distributed: Any = importlib.import_module("distributed")
    try:
        client = distributed.Client(address, timeout="20s", set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise ScanError("cluster_unreachable", f"cannot reach Dask scheduler at {address}: {exc}") from exc
    try:
        by_key = {chunk.key: chunk for chunk in chunks}
        # Largest first, as in the local pool, so a big file does not start last: Dask runs
        # a higher priority first.
        futures = [
            client.submit(
                run_chunk_json,
                chunk,
                key,
                key=f"incidentroom-scan-{chunk.key}",
                pure=False,
                priority=chunk_size(chunk),
            )
            for chunk in chunks
        ]
        completed = distributed.as_completed(futures, loop=client.loop)
        for future in completed:
            chunk_key = str(future.key).removeprefix("incidentroom-scan-")
            yield by_key[chunk_key], future.result()
            if stop():
                for other in futures:
                    other.cancel()
                return
    finally:
        client.close()


def _join_ranges(
    tasks: list[Task], units: list[Task], checkpoints: _Checkpoints
) -> tuple[dict[str, tuple[FileResult, list[outputs.PartFile]]], list[Task]]:
    """Each split file's ranges joined into its result (by file key), and the files whose
    ranges did not join up, to be scanned whole (see ``split.py``)."""
    by_file: dict[str, list[Task]] = {}
    for unit in units:
        if unit.file_key:
            by_file.setdefault(unit.file_key, []).append(unit)
    joined: dict[str, tuple[FileResult, list[outputs.PartFile]]] = {}
    whole: list[Task] = []
    for task in tasks:
        ranges = by_file.get(task.key)
        if not ranges:
            continue
        loaded = [checkpoints.load(r) for r in ranges]
        done = split.join(
            task,
            ranges,
            [d.result for d in loaded],
            [
                d.part._replace(root=r.root_index) if d.part else None
                for d, r in zip(loaded, ranges, strict=True)
            ],
        )
        if done is None:
            whole.append(task)
        else:
            joined[task.key] = done
    return joined, whole


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
    context = _pool_context()  # refuses a bad INCIDENTROOM_SCAN_START before anything is written
    started = time.monotonic()
    started_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    limits = limits or Limits()
    policy = policy or RiskPolicy()
    stop = should_stop or (lambda: False)
    out_dir.mkdir(parents=True, exist_ok=True)
    roots = [printable_name(os.fspath(p)) for p in paths]
    key = load_or_create_key(out_dir)
    checkpoints = _Checkpoints(out_dir, resume)
    checkpoints.refresh()
    parts_dir = str(checkpoints.parts.resolve())
    tasks = plan(paths, limits, parts_dir)
    # A big CSV becomes one task per byte range (split.py) when there are workers to share
    # it: one worker would only pay for the join (about a tenth more CPU on a register).
    # Progress still counts files.
    units = split.expand(tasks, checkpoints.done) if cluster or workers > 1 else list(tasks)
    todo = [t for t in units if not checkpoints.done(t)]
    ranges_left: dict[str, int] = {}
    for unit in todo:
        if unit.file_key:
            ranges_left[unit.file_key] = ranges_left.get(unit.file_key, 0) + 1
    bytes_total = sum(t.size for t in tasks)
    bytes_done = sum(t.size for t in units if checkpoints.done(t))
    files_done = len(tasks) - len({t.file_key or t.key for t in todo})
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

    def run(batch: list[Task]) -> None:
        """Run tasks in chunks on the pool or cluster; their workers checkpoint them."""
        nonlocal files_done, bytes_done
        chunks = chunked(batch, workers, parts_dir)
        runner = (
            _run_dask(chunks, key, cluster, stop)
            if cluster
            else _run_local(chunks, key, workers, stop, context)
        )
        for chunk, data in runner:
            phases.add(spent, data.pop("phases", None))
            kept = data.pop("kept", None)
            if kept is not None:
                checkpoints.adopt(kept)
            else:
                checkpoints.read(f"{chunk.key}.json")
            for task in chunk.tasks:
                bytes_done += task.size
                if task.file_key:
                    ranges_left[task.file_key] -= 1
                    if ranges_left[task.file_key]:
                        continue
                files_done += 1
            last = chunk.tasks[-1]
            report_progress(last.relative or last.root)
        checkpoints.refresh()

    run(todo)
    joined: dict[str, tuple[FileResult, list[outputs.PartFile]]] = {}
    if all(left == 0 for left in ranges_left.values()):
        # Joining reads the ranges' checkpoints: the coordinator's 'link' time, like loading.
        joining = phases.PhaseClock()
        joining.enter("link")
        joined, whole = _join_ranges(tasks, units, checkpoints)
        joining.leave()
        phases.add(spent, joining.seconds)
        if whole:
            log.info("%d split file(s) did not join up at their cuts; scanning them whole", len(whole))
            files_done -= len(whole)
            run(whole)
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
        results: list[FileResult] = []
        part_files: list[outputs.PartFile] = []
        for task in tasks:
            if task.key in joined:
                file_result, pieces = joined[task.key]
                results.append(file_result)
                part_files.extend(pieces)
            else:
                done = checkpoints.load(task)
                results.append(done.result)
                if done.part is not None:
                    part_files.append(done.part._replace(root=task.root_index))
        agg = aggregate.build(results, roots, policy)
        clock.enter("write")
        outputs.write_individuals(agg, out_dir)
        outputs.write_detections(agg, roots, out_dir, part_files)
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
