"""``incidentroom run-demo``: the web server plus a background worker, stopped together."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    """What ``make run`` starts after migrating and loading the scenario."""

    help = "Serve on 127.0.0.1:8000 with a task worker alongside; Ctrl-C stops both."

    def add_arguments(self, parser: CommandParser) -> None:
        """Bind address."""
        parser.add_argument("--bind", default="127.0.0.1:8000")

    def handle(self, *args: Any, **options: Any) -> None:
        """Start the worker, then the server; when either ends, stop the other."""
        cmd = [sys.executable, "-m", "incidentroom"]
        env = dict(os.environ)
        worker = subprocess.Popen([*cmd, "worker"], env=env)  # noqa: S603 - our own interpreter and module
        server = subprocess.Popen([*cmd, "serve", "--bind", options["bind"]], env=env)  # noqa: S603
        self.stdout.write(
            f"Incident Room on http://{options['bind']}/ (worker pid {worker.pid}); Ctrl-C to stop."
        )
        try:
            server.wait()
        except KeyboardInterrupt:
            pass
        finally:
            for proc in (server, worker):
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)
            for proc in (server, worker):
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
