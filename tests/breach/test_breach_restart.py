"""A real worker process killed mid-batch (SIGKILL) never sends anyone the same email twice.

The test runs the product's own worker in a subprocess on its own SQLite database, with a
real SMTP server that holds the second message's reply, so the worker dies after the
message reached the server and before it could record that.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.nodb]
# The repository root: the subprocess runs the setup script as ``python -m tests.breach...``.
ROOT = Path(__file__).resolve().parents[2]


class HoldingSmtp:
    """An SMTP server that receives the second message but never answers it."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        self.received: list[str] = []
        self.hold = True
        outer = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd API
                outer.received.extend(envelope.rcpt_tos)
                if outer.hold and len(outer.received) == 2:
                    await asyncio.sleep(120)  # the worker waits for this reply and is killed meanwhile
                return "250 OK"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)


@pytest.fixture
def smtp() -> Iterator[HoldingSmtp]:
    """The holding SMTP server, running."""
    server = HoldingSmtp()
    server.controller.start()
    try:
        yield server
    finally:
        server.controller.stop()


def _wait(condition: Any, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_worker_killed_mid_batch_then_restarted_sends_each_person_once(
    tmp_path: Path, smtp: HoldingSmtp
) -> None:
    db = tmp_path / "restart.sqlite3"
    (tmp_path / "evidence").mkdir()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db}",
        "INCIDENTROOM_VAR": str(tmp_path / "var"),
        "BREACH_SCAN_ROOTS": str(tmp_path / "evidence"),
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp.port),
        "BREACH_EMAIL_RATE_PER_MINUTE": "0",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)

    def run(*args: str) -> None:
        done = subprocess.run(
            [sys.executable, *args],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-3000:]

    def deliveries() -> dict[str, str]:
        with sqlite3.connect(db) as conn:
            return dict(conn.execute("SELECT address, status FROM breach_emaildelivery").fetchall())

    run("-m", "incidentroom", "migrate", "--no-input", "-v0")
    run("-m", "tests.breach.restart_script", "setup")
    assert set(deliveries().values()) == {"pending"} and len(deliveries()) == 3

    worker = subprocess.Popen(
        [sys.executable, "-m", "incidentroom", "worker", "--interval", "0.1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait(lambda: len(smtp.received) == 2, "the second message to reach the server")
        os.kill(worker.pid, signal.SIGKILL)  # the worker dies mid-conversation
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
    states = deliveries()
    assert sorted(states.values()) == ["pending", "sending", "sent"], states

    smtp.hold = False
    run("-m", "tests.breach.restart_script", "resume")
    worker = subprocess.Popen(
        [sys.executable, "-m", "incidentroom", "worker", "--interval", "0.1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait(lambda: "pending" not in deliveries().values(), "the resumed batch to finish")
    finally:
        worker.terminate()
        worker.wait(timeout=10)
    received = Counter(smtp.received)
    assert received == {"alice@example.org": 1, "bashir@example.org": 1, "dev@example.org": 1}, received
    assert deliveries() == {
        "alice@example.org": "sent",
        "bashir@example.org": "uncertain",
        "dev@example.org": "sent",
    }
