"""``incidentroom serve``: the production server (gunicorn, static files by whitenoise)."""

from __future__ import annotations

import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    """Run gunicorn on the WSGI application."""

    help = "Serve Incident Room with gunicorn (use behind a TLS-terminating proxy in production)."

    def add_arguments(self, parser: CommandParser) -> None:
        """Bind address and worker count."""
        parser.add_argument("--bind", default=os.environ.get("BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))
        parser.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", "4")))

    def handle(self, *args: Any, **options: Any) -> None:
        """Replace this process with gunicorn so signals reach it directly."""
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "incidentroom.wsgi:application",
            "--bind",
            options["bind"],
            "--workers",
            str(options["workers"]),
            "--threads",
            str(options["threads"]),
            "--access-logfile",
            "-",
            "--forwarded-allow-ips",
            os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
        ]
        os.execv(sys.executable, argv)  # noqa: S606 - fixed argv, our own interpreter
