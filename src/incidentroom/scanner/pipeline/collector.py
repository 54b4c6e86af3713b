"""Run Python's cyclic garbage collector less often while a scan builds records and people.

A scan allocates millions of small objects that live until its end (findings, detection
rows, records, name parses) and makes almost no reference cycles. With the default
thresholds the collector runs every 700 allocations and its older generations walk the
whole growing heap again and again: on a name-dense register that was about a quarter
of the scan's CPU time (bench/scan_end_to_end.py --dense-mb). Inside :func:`fewer_collections`
the youngest generation is collected every 50,000 allocations instead, so cycles (an
extractor's exception and its traceback) are still freed, just in bigger batches.

The coordinator's aggregation (loading every checkpoint, linkage, the outputs) is plain
data with no cycles to free, and it holds the scan's whole population of records at once,
so every collection there walks all of it: inside :func:`paused_collections` the
collector does not run at all, and runs again as before once the block ends.

The thresholds are process-wide and Dask runs tasks in threads, so the first block to
enter sets them and the last to leave puts back what was there before.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

#: Allocations between two collections of the youngest generation inside the block.
GEN0_THRESHOLD = 50_000

_lock = threading.Lock()
_depth = 0
_saved: tuple[int, int, int] = gc.get_threshold()


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Collect the youngest generation every :data:`GEN0_THRESHOLD` allocations in the block."""
    global _depth, _saved
    with _lock:
        if _depth == 0:
            _saved = gc.get_threshold()
            gen0, gen1, gen2 = _saved
            if gen0:  # a threshold of 0 means the collector is off: leave it so
                gc.set_threshold(max(gen0, GEN0_THRESHOLD), gen1, gen2)
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                gc.set_threshold(*_saved)


@contextmanager
def paused_collections() -> Iterator[None]:
    """Do not run the cyclic collector inside the block (it runs again after, if it was on)."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()
