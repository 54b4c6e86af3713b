"""``incidentroom load-scenario FILE``: load organisations, people, estate and incidents."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from incidentroom import scenario
from incidentroom.core.errors import DomainError


class Command(BaseCommand):
    """Load a scenario file in one transaction; a bad file loads nothing."""

    help = "Load a scenario YAML file (see scenarios/west_london.yaml)."

    def add_arguments(self, parser: CommandParser) -> None:
        """FILE and options."""
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--if-absent",
            action="store_true",
            help="Do nothing if the scenario's organisations already exist (safe to repeat)",
        )
        parser.add_argument(
            "--as-recorded",
            action="store_true",
            help="Keep the file's own times instead of moving them so that as_of is now",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        """Validate, load, and print the personas' logins."""
        path: Path = options["file"]
        try:
            if options["if_absent"] and scenario.already_loaded(path):
                self.stdout.write(f"Scenario from {path} is already loaded; nothing to do.")
            else:
                counts = scenario.load_file(path, shift_to=None if options["as_recorded"] else timezone.now())
                self.stdout.write(
                    "Loaded " + ", ".join(f"{n} {k}" for k, n in counts.items()) + f" from {path}."
                )
            parsed = scenario.parse(path.read_text(encoding="utf-8"), source=str(path))
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            f"Demo personas (password for all unless the file sets one: {scenario.DEMO_PASSWORD}):"
        )
        for p in parsed.people:
            roles = ", ".join(f"{role.value} at {org}" for org, role in p.memberships.items())
            self.stdout.write(f"  {p.username:<22} {p.name} - {roles}")
