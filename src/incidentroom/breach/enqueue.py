"""Queue the breach app's background work without importing the tasks that do it.

``breach.tasks`` imports the worker side (``breach.jobs``, ``breach.emails``), and both the
user commands and the worker queue more work (a scan, a letter batch, an email run and its
retries). Importing the tasks here would close a circle, so a request for work is a typed,
frozen value announced on ``work_queued``; ``breach.tasks`` listens (connected by the app's
``ready()``) and enqueues the matching task. Callers announce from ``transaction.on_commit``
so a worker never picks up a job whose row is not yet committed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.dispatch import Signal


@dataclass(frozen=True)
class ScanRun:
    """Run ``token`` of scan job ``job_id``, from its checkpoints when ``resume``."""

    job_id: int
    token: str
    resume: bool


@dataclass(frozen=True)
class EmailRun:
    """Run ``token`` of email notice ``notice_id``, now or once ``run_after`` has passed."""

    notice_id: int
    token: str
    run_after: dt.datetime | None = None


@dataclass(frozen=True)
class LetterRender:
    """Render letter batch ``batch_id``."""

    batch_id: int


Work = ScanRun | EmailRun | LetterRender

# sender=the request's class, work=the request (a ScanRun, EmailRun or LetterRender)
work_queued = Signal()


def enqueue(work: Work) -> None:
    """Hand ``work`` to the task queue."""
    if not work_queued.send(sender=type(work), work=work):
        # Nobody listening means the work would silently never run: say so instead.
        raise RuntimeError(f"Cannot queue {work!r}: breach.tasks is not connected (BreachConfig.ready).")
