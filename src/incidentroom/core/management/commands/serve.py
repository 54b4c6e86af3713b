"""``incidentroom serve``: the production server (granian, static files by whitenoise).

granian (BSD-3-Clause) parses HTTP in Rust and calls the WSGI application only for the
request itself. gunicorn parsed HTTP in Python, and that, not the app, was what held the
public status page to a small share of a static web server's throughput during a surge
(docs/benchmarks.md, "Status page under load").
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from incidentroom.core.processes import die_with_parent


def bind_arguments(bind: str) -> list[str]:
    """granian's arguments for ``HOST:PORT``, ``[IPv6]:PORT`` or ``unix:PATH``."""
    if bind.startswith("unix:"):
        path = bind.removeprefix("unix:")
        if not path:
            raise CommandError("--bind: unix: needs a socket path, as in unix:/run/incidentroom.sock")
        return ["--uds", path]
    host, colon, port = bind.rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if not colon or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise CommandError(f"--bind: expected HOST:PORT (or unix:PATH), not {bind!r}")
    return ["--host", host, "--port", port]


def granian_argv(bind: str, *, workers: int, threads: int, access_log: bool) -> list[str]:
    """The full command line ``serve`` replaces itself with."""
    if workers < 1:
        raise CommandError(f"--workers: at least 1, not {workers}")
    if threads < 1:
        raise CommandError(f"--threads: at least 1, not {threads}")
    return [
        sys.executable,
        "-m",
        "granian",
        "--interface",
        "wsgi",
        "--no-ws",
        *bind_arguments(bind),
        "--workers",
        str(workers),
        # Python threads per worker for the app. As with gunicorn's --threads, a few let a
        # slow page (a PDF, a database wait) not hold up the rest; many only fight over the GIL.
        "--blocking-threads",
        str(threads),
        # gunicorn replaced a worker that died; granian only does when asked.
        "--respawn-failed-workers",
        # A worker stuck in a request must not stop a restart or `make run`'s Ctrl-C for ever.
        "--workers-kill-timeout",
        "20",
        "--access-log" if access_log else "--no-access-log",
        "incidentroom.wsgi:application",
    ]


class Command(BaseCommand):
    """Run granian on the WSGI application."""

    help = "Serve Incident Room with granian (use behind a TLS-terminating proxy in production)."

    def add_arguments(self, parser: CommandParser) -> None:
        """Bind address, worker processes, threads per worker, access log."""
        parser.add_argument("--bind", default=os.environ.get("BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))
        parser.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", "4")))
        # Off by default: the TLS-terminating proxy in front already logs every request, and
        # granian's log line costs more CPU than serving a status page (docs/benchmarks.md).
        parser.add_argument(
            "--access-log",
            action=argparse.BooleanOptionalAction,
            default=os.environ.get("WEB_ACCESS_LOG", "false").lower() in ("1", "true", "yes", "on"),
            help="log every request to stdout (default off; WEB_ACCESS_LOG=true turns it on)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        """Run granian in its own process group and pass it the signals this process gets.

        A terminal's Ctrl-C goes to the whole foreground process group. granian's workers,
        hit by SIGINT directly while their parent also stops them, hang until the kill
        timeout (20 s, measured with granian 2.8.9). In a group of its own only granian's
        main process gets the signal, from here, and stops its workers cleanly in well under
        a second.
        """
        argv = granian_argv(
            options["bind"],
            workers=options["workers"],
            threads=options["threads"],
            access_log=options["access_log"],
        )
        server = subprocess.Popen(  # noqa: S603 - fixed argv, our own interpreter
            argv, process_group=0, preexec_fn=die_with_parent
        )

        def forward(signum: int, frame: Any) -> None:
            server.send_signal(signum)

        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):  # SIGHUP: granian reloads
            signal.signal(signum, forward)
        code = server.wait()
        if code:
            raise SystemExit(code)
