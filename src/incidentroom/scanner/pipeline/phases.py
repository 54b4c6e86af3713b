"""Where a scan's time goes: wall-clock seconds per phase, for ``summary.json`` and the CLI.

The phases are extract (reading and parsing files, hashing them), detect (the detectors
over extracted text), records (grouping findings into people, masking and hashing
values), link (loading every file's result, de-duplicating and linking records into
individuals) and write (part files and checkpoints in the workers, the outputs in the
coordinator).

Each worker keeps one clock per task. Time is exclusive: entering a phase pauses the
one it interrupts (detection runs inside record building, which runs inside extraction),
so a task's phases add up to its wall time. The clock lives in a thread-local because a
Dask worker runs several tasks at once in threads of one process.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from time import perf_counter
from types import TracebackType

PHASES = ("extract", "detect", "records", "link", "write")

_local = threading.local()


class PhaseClock:
    """Exclusive seconds per phase for one task (or the coordinator)."""

    __slots__ = ("_mark", "_now", "_stack", "seconds")

    def __init__(self, now: Callable[[], float] = perf_counter) -> None:
        """Start with every phase at zero and no phase running (``now`` reads the time)."""
        self.seconds: dict[str, float] = dict.fromkeys(PHASES, 0.0)
        self._stack: list[str] = []
        self._now = now
        self._mark = now()

    def enter(self, name: str) -> None:
        """Charge time from now to ``name`` until :meth:`leave`, pausing the current phase."""
        now = self._now()
        if self._stack:
            self.seconds[self._stack[-1]] += now - self._mark
        self._stack.append(name)
        self._mark = now

    def leave(self) -> None:
        """End the innermost phase; the one it interrupted runs on."""
        now = self._now()
        self.seconds[self._stack.pop()] += now - self._mark
        self._mark = now


class phase:  # noqa: N801 - used like a function: ``with phase("detect"):``
    """Charge the time inside a ``with`` block to a phase of this thread's clock (if any)."""

    __slots__ = ("_clock", "_name")

    def __init__(self, name: str) -> None:
        """``name`` is one of :data:`PHASES`."""
        self._name = name
        self._clock: PhaseClock | None = getattr(_local, "clock", None)

    def __enter__(self) -> None:
        if self._clock is not None:
            self._clock.enter(self._name)

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._clock is not None:
            self._clock.leave()


def start() -> PhaseClock:
    """Give this thread a fresh clock (one per task)."""
    clock = PhaseClock()
    _local.clock = clock
    return clock


def stop() -> dict[str, float]:
    """Remove this thread's clock and return its seconds per phase."""
    clock: PhaseClock | None = getattr(_local, "clock", None)
    _local.clock = None
    return dict(clock.seconds) if clock is not None else dict.fromkeys(PHASES, 0.0)


def add(total: dict[str, float], seconds: dict[str, float] | None) -> None:
    """Add one task's seconds into a running total (phases unknown to this version ignored)."""
    for name, value in (seconds or {}).items():
        if name in total:
            total[name] += float(value)
