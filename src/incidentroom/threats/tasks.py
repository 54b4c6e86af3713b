"""Background tasks (django-tasks, database backend): the sweep.

The task loads the indicators the sweeping organisation may use (its own, and the
incident's shareable ones), runs the Django-free engine with progress written at most
twice a second, and hands the result to ``sweeps.complete_sweep``.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from django_tasks import task

from incidentroom.threats import sweeps
from incidentroom.threats.models import Indicator
from incidentroom.threats.sweep import IndicatorSpec, run_sweep
from incidentroom.threats.sweep.engine import Progress
from incidentroom.threats.sweep.sigma import RuleSet

logger = logging.getLogger(__name__)
PROGRESS_INTERVAL = 0.5


@task()
def run_sweep_job(sweep_id: int, token: str) -> str:
    """Run one sweep and record its hits."""
    sweep = sweeps.sweep_started(sweep_id, token)
    if sweep is None:
        return "skipped"
    indicators = [
        IndicatorSpec(i.pk, i.type, i.value)
        for i in Indicator.objects.for_organisation(sweep.organisation, sweep.incident).only(
            "pk", "type", "value"
        )
    ]
    last = [0.0]

    def progress(p: Progress) -> None:
        now = time.monotonic()
        if now - last[0] >= PROGRESS_INTERVAL:
            last[0] = now
            sweeps.sweep_progress(
                sweep_id, token, bytes_done=p.bytes_done, bytes_total=p.bytes_total, events=p.events
            )

    try:
        rules = RuleSet.load()
        from incidentroom.threats.models import Sweep

        Sweep.objects.filter(pk=sweep_id, run_token=token).update(
            indicator_count=len(indicators), rule_count=rules.count
        )
        paths = [Path(p) for p in sweep.paths]
        root = paths[0] if len(paths) == 1 and paths[0].is_dir() else None
        result = run_sweep(paths, indicators, rules, progress=progress, display_root=root)
        sweeps.complete_sweep(sweep_id, token, result)
    except Exception as exc:
        logger.exception("Sweep %s failed", sweep_id)
        sweeps.fail_sweep(sweep_id, token, f"{type(exc).__name__}: {exc}")
        return "failed"
    return "succeeded"
