"""The real product in subprocesses, and a real SMTP server: what browser and end-to-end
tests talk to."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path


def free_port() -> int:
    """A TCP port nothing is listening on right now."""
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class SmtpSink:
    """Messages received by the local aiosmtpd server."""

    host: str
    port: int
    messages: list[Message] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)


@dataclass
class LiveApp:
    """A running ``incidentroom serve`` plus worker on its own fresh database."""

    url: str
    env: dict[str, str]
    var_dir: Path

    def python(self, code: str) -> subprocess.CompletedProcess[str]:
        """Run Python with Django set up against this app's database (to inspect or tamper)."""
        prelude = "import django, os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'incidentroom.settings')\ndjango.setup()\n"
        return subprocess.run(
            [sys.executable, "-c", prelude + code],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    def manage(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run an ``incidentroom`` command against this app's database."""
        return subprocess.run(
            [sys.executable, "-m", "incidentroom", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
