"""The garbage collector's settings during a scan are put back afterwards (pipeline/collector.py)."""

from __future__ import annotations

import gc
import threading

from incidentroom.scanner.pipeline.collector import GEN0_THRESHOLD, fewer_collections, paused_collections


def test_fewer_collections_raises_the_first_threshold_and_restores_it_after_the_outermost_block() -> None:
    before = gc.get_threshold()
    with fewer_collections():
        assert gc.get_threshold() == (max(before[0], GEN0_THRESHOLD), before[1], before[2])
        with fewer_collections():
            assert gc.get_threshold()[0] == max(before[0], GEN0_THRESHOLD)
        assert gc.get_threshold()[0] == max(before[0], GEN0_THRESHOLD)  # the outer block still runs
    assert gc.get_threshold() == before


def test_fewer_collections_restores_the_threshold_when_the_block_raises() -> None:
    before = gc.get_threshold()
    try:
        with fewer_collections():
            raise ValueError("a task failed")
    except ValueError:
        pass
    assert gc.get_threshold() == before


def test_tasks_in_threads_leave_the_thresholds_as_they_found_them() -> None:
    """Dask runs tasks in threads of one process: overlapping blocks must not leave 50,000 behind."""
    before = gc.get_threshold()
    inside = threading.Barrier(4)

    def task() -> None:
        with fewer_collections():
            inside.wait(timeout=10)  # all four blocks open at once

    threads = [threading.Thread(target=task) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert gc.get_threshold() == before


def test_paused_collections_turn_the_collector_back_on_only_if_it_was_on() -> None:
    assert gc.isenabled()
    with paused_collections():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with paused_collections():
            assert not gc.isenabled()
        assert not gc.isenabled()  # someone else turned it off: left off
    finally:
        gc.enable()
