"""``incidentroom verify-log REF``: check an incident's hash chain and its signed head.

Every broken entry is reported, not only the first; the exit status is 1 when any is.
``--csv FILE`` checks an exported log instead, with no database (the ``incidentroom``
command runs that without loading Django at all).
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from incidentroom.incidents import logchain, logcsv
from incidentroom.incidents.models import Incident


class Command(BaseCommand):
    """Verify the tamper-evident decision log."""

    help = "Check the decision log's hash chain of one incident (or --all), or of a CSV export (--csv FILE)."

    def add_arguments(self, parser: CommandParser) -> None:
        """REF, --all or --csv FILE."""
        parser.add_argument("reference", nargs="?", help="Incident reference, e.g. IR-2025-0001")
        parser.add_argument("--all", action="store_true", help="Check every incident")
        parser.add_argument("--csv", action="append", metavar="FILE", help="Check a log.csv export instead")

    def handle(self, *args: Any, **options: Any) -> None:
        """Print one line per broken entry (or one OK line per incident); fail if any is broken."""
        if options["csv"]:
            status = logcsv.main(options["csv"], write=self.stdout.write)
            if status:
                sys.exit(status)
            return
        if options["all"]:
            incidents = list(Incident.objects.order_by("reference"))
        elif options["reference"]:
            incidents = list(Incident.objects.filter(reference=options["reference"]))
            if not incidents:
                raise CommandError(f"No incident with reference {options['reference']!r}.")
        else:
            raise CommandError("Give an incident reference, --all or --csv FILE.")
        broken = 0
        for incident in incidents:
            report = logchain.verify(incident)
            if report.ok:
                anchored = (
                    f"head #{report.checkpoint_sequence} matches its signed checkpoint"
                    if report.checkpoint_sequence is not None
                    else "no entries yet"
                )
                self.stdout.write(
                    f"{report.incident}: OK, {report.entries} entries, chain intact, {anchored}"
                )
                continue
            broken += 1
            for b in report.breaks:
                where = f" (id {b.entry_id})" if b.entry_id is not None else ""
                self.stdout.write(f"{report.incident}: BROKEN at entry #{b.sequence}{where}: {b.problem}")
            self.stdout.write(
                f"{report.incident}: {len(report.broken_sequences)} broken entries of {report.entries}"
            )
        if broken:
            raise CommandError(f"{broken} incident log(s) failed verification.")
