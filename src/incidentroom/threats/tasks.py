"""Background tasks (django-tasks, database backend): the sweep.

The task loads the indicators the sweeping organisation may use (its own, and the
incident's shareable ones), splits the inputs into parts (one per file) and runs them like
the scanner: on a local process pool, or on the Dask cluster ``THREAT_SWEEP_CLUSTER`` names.
Each finished part is kept as a checkpoint, so a cancelled or interrupted sweep resumes
where it stopped; when every part is in, the merged result goes to ``sweeps.complete_sweep``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django_tasks import task

from incidentroom.threats import sweeps
from incidentroom.threats.models import Indicator, Sweep, SweepPart
from incidentroom.threats.sweep import IndicatorSpec
from incidentroom.threats.sweep.engine import Progress
from incidentroom.threats.sweep.parts import Part, fingerprint, merge, plan, run_parts
from incidentroom.threats.sweep.sigma import RuleSet

logger = logging.getLogger(__name__)
PROGRESS_INTERVAL = 0.5


@task()
def run_sweep_job(sweep_id: int, token: str) -> str:
    """Run (or resume) one sweep and record its hits."""
    return sweep_in_worker(sweep_id, token)


def sweep_in_worker(sweep_id: int, token: str, *, after_part: Callable[[Part], None] | None = None) -> str:
    """The task's body: ``after_part`` is called once each part is checkpointed (the worker's
    own hook point; a test stops a run there the way a cancel or a killed worker would)."""
    sweep = sweeps.sweep_started(sweep_id, token)
    if sweep is None:
        return "skipped"
    indicators = [
        IndicatorSpec(i.pk, i.type, i.value)
        for i in Indicator.objects.for_organisation(sweep.organisation, sweep.incident).only(
            "pk", "type", "value"
        )
    ]
    try:
        rules = RuleSet.load()
        Sweep.objects.filter(pk=sweep_id, run_token=token).update(
            indicator_count=len(indicators), rule_count=rules.count
        )
        paths = [Path(p) for p in sweep.paths]
        root = paths[0] if len(paths) == 1 and paths[0].is_dir() else None
        parts = plan(paths, root, rules=rules, split_bytes=settings.THREAT_SWEEP_SPLIT_BYTES)
        total = sum(p.size for p in parts)
        mark = fingerprint(indicators, rules)
        # Checkpoints from an earlier run, if they were made with the same indicators and rules
        # and the file (and byte range) is the same one in the same place of the plan.
        done: dict[str, dict[str, object]] = {
            cp.key: cp.result
            for cp in SweepPart.objects.filter(sweep_id=sweep_id, fingerprint=mark)
            if any(p.key == cp.key and p.path == cp.path for p in parts)
        }
        todo = [p for p in parts if p.key not in done]
        bytes_done = sum(p.size for p in parts if p.key in done)
        events = sum(int(str(r["events"])) for r in done.values())
        sweeps.sweep_progress(sweep_id, token, bytes_done=bytes_done, bytes_total=total, events=events)
        last = [time.monotonic()]

        def progress(p: Progress) -> None:
            # Within a part swept in this process: its own offset on top of the finished parts.
            now = time.monotonic()
            if now - last[0] >= PROGRESS_INTERVAL:
                last[0] = now
                sweeps.sweep_progress(
                    sweep_id,
                    token,
                    bytes_done=bytes_done + p.bytes_done,
                    bytes_total=total,
                    events=events + p.events,
                )

        for part, result in run_parts(
            todo,
            indicators,
            workers=settings.THREAT_SWEEP_WORKERS,
            cluster=settings.THREAT_SWEEP_CLUSTER,
            stop=lambda: not sweeps.still_running(sweep_id, token),
            progress=progress,
        ):
            if not sweeps.record_part(
                sweep_id, token, key=part.key, path=part.path, fingerprint=mark, result=result
            ):
                return "cancelled"
            done[part.key] = result
            bytes_done += part.size
            events += int(result["events"])
            sweeps.sweep_progress(sweep_id, token, bytes_done=bytes_done, bytes_total=total, events=events)
            if after_part is not None:
                after_part(part)
        if not sweeps.still_running(sweep_id, token):
            return "cancelled"
        merged = merge([done[p.key] for p in parts], rules)
        if sweeps.complete_sweep(sweep_id, token, merged) is None:
            return "cancelled"
    except Exception as exc:
        logger.exception("Sweep %s failed", sweep_id)
        sweeps.fail_sweep(sweep_id, token, f"{type(exc).__name__}: {exc}")
        return "failed"
    return "succeeded"
