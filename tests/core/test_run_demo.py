"""``make run`` on another port: links follow the address, and stopping the demo stops its
server and worker too (issue 15, item 2)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(tmp: Path, db_url: str, port: int, *, own_group: bool = False) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "INCIDENTROOM_VAR": str(tmp / "var"),
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "PORT": str(port),
    }
    for name in ("DJANGO_SETTINGS_MODULE", "SITE_URL", "STATUS_BASE_URL"):
        env.pop(name, None)
    with (tmp / "demo.log").open("wb") as log:  # the child keeps its own copy of the descriptor
        demo = subprocess.Popen(
            [sys.executable, "-m", "incidentroom", "run-demo"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            # As in a terminal: the demo leads a process group that Ctrl-C signals as a whole.
            process_group=0 if own_group else None,
        )
    # Waits for the event (the login page answering), with a ceiling generous enough for a
    # loaded 2-core machine: 300 quick refusals were only 30 s, and granian's workers once
    # took longer than that to start there.
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and demo.poll() is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2) as r:  # noqa: S310
                if r.status == 200:
                    return demo
        except OSError:
            time.sleep(0.1)
    demo.kill()
    demo.wait(timeout=60)  # reaped here, not left to a later test's garbage collection
    raise RuntimeError((tmp / "demo.log").read_text())


def _gone(pids: list[int], seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not any(psutil.pid_exists(p) and psutil.Process(p).status() != psutil.STATUS_ZOMBIE for p in pids):
            return True
        time.sleep(0.2)
    return False


@pytest.fixture
def demo_db(tmp_path: Path, live_database_template: Any) -> Iterator[str]:
    url, drop = live_database_template.copy(tmp_path)
    try:
        yield url
    finally:
        drop()


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL])
def test_stopping_the_demo_stops_its_server_and_worker(tmp_path: Path, demo_db: str, how: Any) -> None:
    port = free_port()
    demo = _start(tmp_path, demo_db, port)
    children = [c.pid for c in psutil.Process(demo.pid).children(recursive=True)]
    assert len(children) >= 2  # granian (and its workers) and the task worker
    try:
        # Links that leave the app follow the port it is served on.
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/status/") as r:  # noqa: S310
            page = r.read().decode()
        assert f'action="http://127.0.0.1:{port}/status/subscribe/"' in page
        assert "127.0.0.1:8000" not in page
    finally:
        demo.send_signal(how)
        demo.wait(timeout=30)
    assert _gone(children), [psutil.Process(p).cmdline() for p in children if psutil.pid_exists(p)]


def test_ctrl_c_stops_the_demo_cleanly(tmp_path: Path, demo_db: str) -> None:
    """Ctrl-C signals the terminal's whole foreground process group at once."""
    port = free_port()
    demo = _start(tmp_path, demo_db, port, own_group=True)
    children = [c.pid for c in psutil.Process(demo.pid).children(recursive=True)]
    try:
        os.killpg(demo.pid, signal.SIGINT)
        demo.wait(timeout=30)
    finally:
        if demo.poll() is None:
            os.killpg(demo.pid, signal.SIGKILL)
            demo.wait()
    assert _gone(children), [psutil.Process(p).cmdline() for p in children if psutil.pid_exists(p)]
    # granian's workers, signalled directly alongside their parent, used to hang until they
    # were killed; in a process group of their own they stop when their parent asks.
    log = (tmp_path / "demo.log").read_text()
    assert "did not stop" not in log and "refused to gracefully stop" not in log, log
