"""Exports of the decision log: CSV for analysis, PDF for the inquiry bundle."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.utils import timezone

from incidentroom import csvfile
from incidentroom.core import times
from incidentroom.core.pdf import pdf_text, render_pdf_template
from incidentroom.incidents import logchain, logcsv
from incidentroom.incidents.logchain import ChainReport
from incidentroom.incidents.models import Incident, LogEntry


def log_csv_rows(entries: Iterable[LogEntry]) -> Iterator[list[object]]:
    """Rows of the log export: what was hashed (verifiable offline), then readable labels."""
    for e in entries:
        yield logcsv.row(
            logchain.record_for(e),
            organisations=sorted(o.code for o in e.organisations.all()),
            systems=sorted(s.code for s in e.systems.all()),
            corrects_sequence=e.corrects.sequence if e.corrects else None,
            author_name=e.author_display,
        )


def log_csv(entries: Iterable[LogEntry]) -> str:
    """CSV with the hashed values and the hashes, so the chain can be re-checked outside the system."""
    return csvfile.to_text(logcsv.COLUMNS, log_csv_rows(entries))


def log_pdf(incident: Incident, entries: Iterable[LogEntry], chain: ChainReport) -> bytes:
    """A landscape A4 PDF of the log with the chain check result on the first page. Entries
    keep their line breaks and flow across pages at any length (an entry cannot be removed,
    so one that could not be printed would break the export for good)."""
    rows = [
        {
            "sequence": e.sequence,
            "kind": e.kind,
            "occurred": times.uk_time(e.occurred_at, "short"),
            "recorded": times.uk_time(e.recorded_at, "short"),
            "author": pdf_text(e.author_display),
            "organisations": ", ".join(o.code for o in e.organisations.all()),
            "text": pdf_text(e.text),
            "corrects": e.corrects.sequence if e.corrects else None,
            "entry_hash": e.entry_hash,
        }
        for e in entries
    ]
    return render_pdf_template(
        "incidents/pdf/log.html",
        {
            "title": f"Decision log {incident.reference}",
            "incident": incident,
            "chain": chain,
            "exported": times.uk_time(timezone.now()),
            "rows": rows,
            "numbered": True,
        },
    )
