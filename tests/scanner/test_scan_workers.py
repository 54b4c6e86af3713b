"""When ``incidentroom scan`` is killed, its pool workers go too (issue 13 item 15).

A real CLI process with two workers is killed while it scans; its workers must not be left
running as orphans. The waits below are for an event (the workers appearing, then
exiting), with a generous ceiling so a loaded machine cannot make the test flaky.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

LINE = "Client: Margaret Hughes, DOB 14/07/1958, NI JK123456B, 12 Abbey Road, London W8 4AA\n"


def _workers(parent: psutil.Process) -> list[psutil.Process]:
    """The pool's workers: a spawned one runs multiprocessing's own command line, a forked one
    the CLI's; spawning also starts a resource tracker, which is not a worker."""
    found = []
    for child in parent.children(recursive=True):
        try:
            if "resource_tracker" not in " ".join(child.cmdline()):
                found.append(child)
        except psutil.NoSuchProcess:
            continue
    return found


@pytest.mark.parametrize("start", ["fork", "spawn"])
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_pool_workers_exit_when_the_cli_is_killed(tmp_path: Path, sig: signal.Signals, start: str) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    # Enough work that the scan is still running when its workers have started. Three
    # workers are the coordinator, which scans too, and a pool of two.
    for i in range(600):
        (folder / f"note-{i:04d}.txt").write_text(LINE * 2000, encoding="utf-8")
    cli = Path(sys.executable).parent / "incidentroom"
    proc = subprocess.Popen(  # noqa: S603 - our own console script
        [str(cli), "scan", str(folder), "--out", str(tmp_path / "out"), "--workers", "3"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "INCIDENTROOM_SCAN_START": start},
    )
    workers: list[psutil.Process] = []
    try:
        parent = psutil.Process(proc.pid)
        deadline = time.monotonic() + 120
        while len(workers) < 2 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
            workers = _workers(parent)
        assert len(workers) == 2, "the pool workers never started"
        assert proc.poll() is None, "the scan finished before it could be killed"
        proc.send_signal(sig)
        proc.wait(timeout=60)
        _, alive = psutil.wait_procs(workers, timeout=60)
        assert alive == [], f"workers outlived the killed CLI: {[p.pid for p in alive]}"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for worker in workers:  # never leave an orphan behind, even when the test fails
            if worker.is_running():
                worker.kill()
