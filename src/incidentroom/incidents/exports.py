"""Exports of the decision log: CSV for analysis, PDF for the inquiry bundle."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from django.utils import timezone

from incidentroom.core.pdf import pdf_text, render_pdf_template
from incidentroom.incidents.logchain import ChainReport
from incidentroom.incidents.models import Incident, LogEntry

COLUMNS = [
    "sequence",
    "kind",
    "occurred_at",
    "recorded_at",
    "author",
    "organisations",
    "systems",
    "text",
    "corrects",
    "previous_hash",
    "entry_hash",
]


def _row(e: LogEntry) -> list[str]:
    return [
        str(e.sequence),
        e.kind,
        e.occurred_at.isoformat(),
        e.recorded_at.isoformat(),
        e.author_label,
        ";".join(o.code for o in e.organisations.all()),
        ";".join(s.code for s in e.systems.all()),
        e.text,
        str(e.corrects.sequence) if e.corrects else "",
        e.previous_hash,
        e.entry_hash,
    ]


def _safe_cell(value: str) -> str:
    # Spreadsheet formula injection: a log text starting with = + - @ would run in Excel.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def log_csv(entries: Iterable[LogEntry]) -> str:
    """CSV with the hashes, so the chain can be re-checked outside the system."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for e in entries:
        writer.writerow([_safe_cell(v) for v in _row(e)])
    return out.getvalue()


def log_pdf(incident: Incident, entries: Iterable[LogEntry], chain: ChainReport) -> bytes:
    """A landscape A4 PDF of the log with the chain check result on the first page. Entries
    keep their line breaks and flow across pages at any length (an entry cannot be removed,
    so one that could not be printed would break the export for good)."""
    rows = [
        {
            "sequence": e.sequence,
            "kind": e.kind,
            "occurred": f"{timezone.localtime(e.occurred_at):%d %b %Y %H:%M}",
            "recorded": f"{timezone.localtime(e.recorded_at):%d %b %Y %H:%M}",
            "author": pdf_text(e.author_label),
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
            "exported": f"{timezone.localtime():%d %B %Y %H:%M %Z}",
            "rows": rows,
            "numbered": True,
        },
    )
