"""``incidentroom publish-status``: write the static status site now (to STATUS_PUBLISH_DIR or --to)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from incidentroom.status import site


class Command(BaseCommand):
    """Write the public status site as static files."""

    help = "Write the public status site (HTML, JSON, Atom) as static files, e.g. after restoring a server."

    def add_arguments(self, parser: CommandParser) -> None:
        """Optional other folder (a copy for another host or an object-store sync)."""
        parser.add_argument(
            "--to", type=Path, default=None, help="Folder to write to (default STATUS_PUBLISH_DIR)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        """Publish and say where."""
        report = site.publish(options["to"])
        self.stdout.write(f"Status site written to {report.directory}")
        for scope, why in sorted(report.failures.items()):
            self.stderr.write(f"Could not write the {scope} part: {why}")
        if report.failures:
            raise CommandError(f"{len(report.failures)} part(s) of the status site could not be written.")
