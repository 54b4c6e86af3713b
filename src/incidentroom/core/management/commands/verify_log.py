"""``incidentroom verify-log REF``: check an incident's hash chain; exit 1 naming the first broken entry."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from incidentroom.incidents import logchain
from incidentroom.incidents.models import Incident


class Command(BaseCommand):
    """Verify the tamper-evident decision log."""

    help = "Check the decision log's hash chain of one incident (or --all)."

    def add_arguments(self, parser: CommandParser) -> None:
        """REF or --all."""
        parser.add_argument("reference", nargs="?", help="Incident reference, e.g. IR-2025-0001")
        parser.add_argument("--all", action="store_true", help="Check every incident")

    def handle(self, *args: Any, **options: Any) -> None:
        """Print one line per incident; fail if any chain is broken."""
        if options["all"]:
            incidents = list(Incident.objects.order_by("reference"))
        elif options["reference"]:
            incidents = list(Incident.objects.filter(reference=options["reference"]))
            if not incidents:
                raise CommandError(f"No incident with reference {options['reference']!r}.")
        else:
            raise CommandError("Give an incident reference or --all.")
        broken = 0
        for incident in incidents:
            report = logchain.verify(incident)
            if report.ok:
                self.stdout.write(f"{report.incident}: OK, {report.entries} entries, chain intact")
            else:
                broken += 1
                self.stdout.write(
                    f"{report.incident}: BROKEN at entry #{report.first_broken_sequence} "
                    f"(id {report.first_broken_id}): {report.problem}"
                )
        if broken:
            raise CommandError(f"{broken} incident log(s) failed verification.")
