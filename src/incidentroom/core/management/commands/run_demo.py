"""``incidentroom run-demo``: the web server plus a background worker, stopped together."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from incidentroom.core.processes import die_with_parent


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


class Command(BaseCommand):
    """What ``make run`` starts after migrating and loading the scenario."""

    help = "Serve on 127.0.0.1:$PORT (8000) with a task worker alongside; Ctrl-C or SIGTERM stops both."

    def add_arguments(self, parser: CommandParser) -> None:
        """Bind address."""
        parser.add_argument("--bind", default=f"127.0.0.1:{settings.PORT}")

    def handle(self, *args: Any, **options: Any) -> None:
        """Start the worker, then the server; when either ends, stop the other."""
        cmd = [sys.executable, "-m", "incidentroom"]
        env = dict(os.environ)
        env.setdefault("SITE_URL", f"http://{options['bind']}")
        # Children die with this process even if it is killed outright (SIGKILL), so a demo
        # never leaves a server or worker holding the port and the database.
        worker = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [*cmd, "worker"], env=env, preexec_fn=die_with_parent
        )
        server = subprocess.Popen(  # noqa: S603
            [*cmd, "serve", "--bind", options["bind"]], env=env, preexec_fn=die_with_parent
        )
        self.stdout.write(
            f"Incident Room on http://{options['bind']}/ (worker pid {worker.pid}); Ctrl-C to stop."
        )
        # SIGTERM (kill, a service manager) stops both children the same way as Ctrl-C.
        signal.signal(signal.SIGTERM, _interrupt)
        try:
            server.wait()
        except KeyboardInterrupt:
            pass
        finally:
            for proc in (server, worker):
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)
            for name, proc in (("server", server), ("worker", worker)):
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    # Said out loud: a child that needs killing is a bug to fix, not routine.
                    self.stderr.write(f"The {name} did not stop within 10 s; killed it.")
                    proc.kill()
