"""``incidentroom worker``: run background tasks (django-tasks database backend)."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    """Thin wrapper so operators need not know the backend's command name."""

    help = "Run the background task worker (scans, emails, publishing)."

    def add_arguments(self, parser: CommandParser) -> None:
        """Pass-through options."""
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls when idle")
        parser.add_argument("--batch", action="store_true", help="Exit when the queue is empty")

    def handle(self, *args: Any, **options: Any) -> None:
        """Run db_worker."""
        extra = ["--batch"] if options["batch"] else []
        call_command("db_worker", "--interval", str(options["interval"]), *extra)
