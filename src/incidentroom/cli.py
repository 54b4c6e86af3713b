"""The ``incidentroom`` command.

``incidentroom scan ...`` runs the breach-impact scanner without loading Django (it is a
pure library and may run on a machine with no database); so does ``incidentroom verify-log
--csv FILE``, which checks an exported log with no database. Every other subcommand is a
Django management command (``load-scenario``, ``verify-log``, ``serve``, ``worker``,
``run-demo``, ``migrate``...), run with the audit channel set to 'cli'.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    """Dispatch to the scanner or to Django's management commands."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "scan":
        from incidentroom.scanner.cli import main as scan_main

        return scan_main(args[1:])
    if args and args[0] in ("verify-log", "verify_log") and "--csv" in args:
        # Checking an exported log needs no Django and no database: only the hashing code.
        return _verify_csv(args[1:])
    if args and not args[0].startswith("-"):
        # Our commands are spelt with dashes (verify-log); Django's modules use underscores.
        args[0] = args[0].replace("-", "_")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "incidentroom.settings")
    import django
    from django.core.management import execute_from_command_line

    django.setup()
    from incidentroom.core import audit

    with audit.channel("cli"):
        execute_from_command_line(["incidentroom", *args])
    return 0


def _verify_csv(args: list[str]) -> int:
    import argparse

    from incidentroom.incidents import logcsv

    parser = argparse.ArgumentParser(
        prog="incidentroom verify-log --csv",
        description="Check a decision log CSV export's hash chain with no database.",
    )
    parser.add_argument("--csv", action="append", required=True, metavar="FILE", help="A log.csv export")
    return logcsv.main(parser.parse_args(args).csv)


if __name__ == "__main__":
    sys.exit(main())
