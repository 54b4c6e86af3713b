"""A sweep split into parts (one per input file, and a large line-based log in byte ranges
that begin and end at line boundaries), run on a local process pool or a Dask
cluster like the breach scanner, and merged back into exactly the single-process result.

Each part returns plain JSON (its hits, file reports, record count and the observations
its Sigma correlations collected), so the coordinator can keep it as a checkpoint and a
resumed sweep reads finished parts back instead of sweeping them again. Correlations are
decided only at the merge, over every part's observations in input order, so a window
that spans two files holds just as it does in one process.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
import secrets
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import asdict, dataclass, replace
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from incidentroom.threats.sweep.engine import (
    EXCERPT,
    FileReport,
    Progress,
    SweepResult,
    _format_of,
    _inputs,
    _rule_hit,
    _sweep_blocks,
    shown_name,
    sweep_file,
)
from incidentroom.threats.sweep.formats import LogFormat, detect_format
from incidentroom.threats.sweep.matcher import IndicatorMatcher, IndicatorSpec
from incidentroom.threats.sweep.model import Event, Hit
from incidentroom.threats.sweep.sigma import RuleSet, _Observation


class SweepClusterError(Exception):
    """The Dask scheduler named for sweeps cannot be reached."""

    code = "sweep_cluster_unreachable"


# How often the coordinator wakes while parts run elsewhere, to check for a cancel.
WAKE_SECONDS = 15
# Large line-based logs are cut into ranges of about this size (on line boundaries).
SPLIT_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True)
class Part:
    """One unit of work: an input file, or the byte range ``[start, end)`` of one (then
    ``end`` is set), with the name it is reported under."""

    key: str
    path: str
    shown: str
    size: int
    start: int = 0
    end: int | None = None


def _cuts(path: Path, size: int, split_bytes: int) -> list[int]:
    """Offsets just after a newline, about ``split_bytes`` apart (0 and ``size`` included)."""
    cuts = [0]
    with path.open("rb") as handle:
        target = split_bytes
        while target < size:
            handle.seek(target)
            # Read on to the end of the line the target falls in.
            while True:
                chunk = handle.read(64 * 1024)
                at = chunk.find(b"\n")
                if at >= 0:
                    cut = handle.tell() - len(chunk) + at + 1
                    break
                if not chunk:
                    cut = size
                    break
            if cut >= size:
                break
            cuts.append(cut)
            target = cut + split_bytes
    cuts.append(size)
    return cuts


def _splittable(path: Path, shown: str, rules: RuleSet) -> LogFormat | None:
    """The format of a log the engine would scan in raw blocks (line-based, no rule reads
    it): only those can be cut into ranges and give the same hits."""
    with path.open("rb") as handle:
        head = handle.read(64 * 1024)
    if head[:2] == b"\x1f\x8b" or head[:4] == b"PK\x03\x04":
        return None
    fmt = detect_format(shown.split("!")[-1], head)
    if fmt is None or fmt.line_products is None or rules.covers(fmt.line_products):
        return None
    return fmt


def plan(
    paths: Sequence[Path],
    display_root: Path | None = None,
    *,
    rules: RuleSet | None = None,
    split_bytes: int = SPLIT_BYTES,
) -> list[Part]:
    """The parts of a sweep over ``paths``, in the order the single-process sweep reads them:
    one per file, and a large line-based log (as ``rules`` leave it to the block scan) in
    ranges of about ``split_bytes``."""
    ruleset = rules if rules is not None else RuleSet()
    parts = []
    for index, path in enumerate(_inputs(paths)):
        size = path.stat().st_size
        shown = shown_name(path, display_root)
        if size > split_bytes and _splittable(path, shown, ruleset) is not None:
            cuts = _cuts(path, size, split_bytes)
            for start, end in zip(cuts, cuts[1:], strict=False):
                parts.append(Part(f"{index:06d}@{start}-{end}", str(path), shown, end - start, start, end))
            continue
        parts.append(Part(f"{index:06d}", str(path), shown, size))
    return parts


def fingerprint(indicators: Sequence[IndicatorSpec], rules: RuleSet) -> str:
    """What a part's result depends on besides its file: a checkpoint made with other
    indicators or rules is not reused."""
    digest = hashlib.sha256()
    for spec in sorted(indicators, key=lambda s: (s.id, s.type, s.value)):
        digest.update(f"{spec.id}\x00{spec.type}\x00{spec.value}\x01".encode("utf-8", "surrogateescape"))
    digest.update(repr([(r.name, r.generate) for r in rules.rules]).encode())
    digest.update(repr([c.info.id for c in rules.correlations]).encode())
    return digest.hexdigest()


# -- one part, in a worker ------------------------------------------------------------------


def _time(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _untime(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def _hit_json(hit: Hit) -> dict[str, Any]:
    data = asdict(hit)
    data["time"] = _time(hit.time)
    return data


def _hit_from(data: dict[str, Any]) -> Hit:
    return Hit(**{**data, "time": _untime(data["time"])})


def sweep_part(
    part: Part,
    indicators: Sequence[IndicatorSpec],
    rule_paths: Sequence[str] | None = None,
    progress: Callable[[Progress], None] | None = None,
) -> dict[str, Any]:
    """Sweep one part and return its result as JSON-ready data (runs in any process)."""
    rules = RuleSet.load([Path(p) for p in rule_paths] if rule_paths is not None else None)
    matcher = IndicatorMatcher(indicators)
    result = SweepResult()
    if part.end is None:
        sweep_file(Path(part.path), part.shown, matcher, rules, result, progress, 0, part.size)
    else:
        _sweep_range(part, matcher, rules, result, progress)
    observed = [
        {
            "index": index,
            "group": list(group),
            "time": _time(obs.time),
            # Correlations compare values by repr only, so the repr is all a checkpoint needs.
            "value": repr(obs.value),
            "event": {
                "log": obs.event.log,
                "line": obs.event.line,
                "text": obs.event.text[: EXCERPT + 1],
                "time": _time(obs.event.time),
                "host": obs.event.host,
                "account": obs.event.account,
            },
        }
        for (index, group), observations in rules._observed.items()
        for obs in observations
    ]
    return {
        "range": part.end is not None,
        "path": part.path,
        "hits": [_hit_json(h) for h in result.hits],
        "files": [asdict(f) for f in result.files],
        "events": result.events,
        "bytes": part.size,
        "observed": observed,
    }


def _sweep_range(
    part: Part,
    matcher: IndicatorMatcher,
    rules: RuleSet,
    result: SweepResult,
    progress: Callable[[Progress], None] | None,
) -> None:
    report = FileReport(part.shown)
    result.files.append(report)
    fmt = _splittable(Path(part.path), part.shown, rules)
    if fmt is None:  # the file changed since the plan
        report.status = "failed"
        report.reason = "changed while it was being swept"
        return
    report.format = fmt.name
    try:
        _sweep_blocks(
            fmt,
            part.shown,
            Path(part.path),
            matcher,
            result,
            report,
            progress,
            0,
            part.size,
            part.start,
            part.end,
        )
    except Exception as exc:  # noqa: BLE001 - as the whole-file sweep: reported, the sweep goes on
        report.status = "failed"
        report.reason = f"{type(exc).__name__}: {exc}"[:500]


def merge(results: Sequence[dict[str, Any]], rules: RuleSet) -> SweepResult:
    """The parts' results (in plan order) as one sweep's result, correlations decided last.

    The ranges of one log become one file report again, their line numbers counted on from
    the lines of the ranges before them.
    """
    merged = SweepResult(rules_skipped=list(rules.skipped))
    rules._observed.clear()
    previous: tuple[str, FileReport] | None = None
    for data in results:
        if not data.get("range"):
            previous = None
            merged.hits.extend(_hit_from(h) for h in data["hits"])
            merged.files.extend(FileReport(**f) for f in data["files"])
        else:
            (piece,) = (FileReport(**f) for f in data["files"])
            if previous is not None and previous[0] == data["path"]:
                report = previous[1]
                offset = report.events
                report.events += piece.events
                report.hits += piece.hits
                if piece.status != "read" and report.status == "read":
                    report.status, report.reason = piece.status, piece.reason
            else:
                report, offset = piece, 0
                merged.files.append(report)
                previous = (data["path"], report)
            for h in data["hits"]:
                hit = _hit_from(h)
                merged.hits.append(replace(hit, line=hit.line + offset))
        merged.events += int(data["events"])
        merged.bytes_read += int(data["bytes"])
        for obs in data["observed"]:
            e = obs["event"]
            event = Event(
                log=e["log"],
                line=e["line"],
                text=e["text"],
                time=_untime(e["time"]),
                host=e["host"],
                account=e["account"],
            )
            time = dt.datetime.fromisoformat(obs["time"])  # only timed events are observed
            key = (int(obs["index"]), tuple(obs["group"]))
            rules._observed.setdefault(key, []).append(_Observation(time, obs["value"], event))
    for rule_hit in rules.finish():
        merged.hits.append(_rule_hit(rule_hit, _format_of(merged, rule_hit.event.log)))
    return merged


# -- running parts: inline, a local process pool, or a Dask cluster ---------------------------


def run_parts(
    parts: Sequence[Part],
    indicators: Sequence[IndicatorSpec],
    *,
    workers: int = 1,
    cluster: str | None = None,
    stop: Callable[[], bool] = lambda: False,
    progress: Callable[[Progress], None] | None = None,
) -> Iterator[tuple[Part, dict[str, Any]]]:
    """Each part with its result, as parts finish (not necessarily in order).

    Stops handing out work as soon as ``stop()`` says so; parts already yielded are done.
    """
    if not parts:
        return
    if cluster:
        yield from _run_dask(parts, indicators, cluster, stop)
    elif workers <= 1 or len(parts) == 1:
        for part in parts:
            if stop():
                return
            yield part, sweep_part(part, indicators, progress=progress)
    else:
        yield from _run_pool(parts, indicators, workers, stop)


def _run_pool(
    parts: Sequence[Part], indicators: Sequence[IndicatorSpec], workers: int, stop: Callable[[], bool]
) -> Iterator[tuple[Part, dict[str, Any]]]:
    # spawn, not fork: the coordinator is a Django worker with open database connections.
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        pending: dict[Future[dict[str, Any]], Part] = {}
        queue = list(reversed(parts))
        try:
            while queue or pending:
                # A short queue per worker, so a cancel leaves little work behind.
                while queue and len(pending) < workers * 2 and not stop():
                    part = queue.pop()
                    pending[pool.submit(sweep_part, part, list(indicators))] = part
                if not pending:
                    return
                # Wake up now and then even while a long part runs, so ``stop()`` (which
                # also tells the coordinator's database the worker is alive) is called.
                finished, _ = wait(pending, timeout=WAKE_SECONDS, return_when=FIRST_COMPLETED)
                for future in sorted(finished, key=lambda f: pending[f].key):
                    yield pending.pop(future), future.result()
                if stop():
                    return
        finally:
            for future in pending:
                future.cancel()


def _run_dask(
    parts: Sequence[Part], indicators: Sequence[IndicatorSpec], address: str, stop: Callable[[], bool]
) -> Iterator[tuple[Part, dict[str, Any]]]:
    # distributed has no complete type hints; use it through an Any-typed module.
    distributed: Any = importlib.import_module("distributed")
    try:
        client = distributed.Client(address, timeout="20s", set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise SweepClusterError(f"cannot reach Dask scheduler at {address}: {exc}") from exc
    try:
        # A key per run, so two sweeps sharing a cluster never share a task.
        run = secrets.token_hex(6)
        by_key = {f"incidentroom-sweep-{run}-{part.key}": part for part in parts}
        specs = list(indicators)
        futures = [
            client.submit(sweep_part, part, specs, key=key, pure=False) for key, part in by_key.items()
        ]
        completed = distributed.as_completed(futures, loop=client.loop)
        woke = time.monotonic()
        while not completed.is_empty():
            # As with the pool: wake now and then, so a cancel is seen during a long part.
            batch = completed.next_batch(block=False)
            if not batch:
                time.sleep(0.2)
            for future in sorted(batch, key=lambda f: str(f.key)):
                yield by_key[str(future.key)], future.result()
            if batch or time.monotonic() - woke >= WAKE_SECONDS:
                woke = time.monotonic()
                if stop():
                    for other in futures:
                        other.cancel()
                    return
    finally:
        client.close()
