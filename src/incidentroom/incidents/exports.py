"""Exports of the decision log: CSV for analysis, PDF for the inquiry bundle."""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from xml.sax.saxutils import escape  # noqa: S406 - escaping our own text for reportlab markup, not parsing XML

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from incidentroom import csvfile
from incidentroom.core import times
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
        )


def log_csv(entries: Iterable[LogEntry]) -> str:
    """CSV with the hashed values and the hashes, so the chain can be re-checked outside the system."""
    return csvfile.to_text(logcsv.COLUMNS, log_csv_rows(entries))


def log_pdf(incident: Incident, entries: Iterable[LogEntry], chain: ChainReport) -> bytes:
    """A landscape A4 PDF of the log with the chain check result on the first page."""
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=f"Decision log {incident.reference}",
        author="Incident Room",
    )
    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=8, leading=10)
    story = [
        Paragraph(
            f"Decision and event log - {escape(incident.reference)}: {escape(incident.title)}",
            styles["Title"],
        ),
        Paragraph(
            f"Exported {times.uk_time(timezone.now())}. Hash chain: "
            + (
                "intact"
                if chain.ok
                else "BROKEN at "
                + "; ".join(f"entry #{b.sequence} ({escape(b.problem)})" for b in chain.breaks)
            )
            + f"; {chain.entries} entries.",
            styles["Normal"],
        ),
        Spacer(1, 6 * mm),
    ]
    data = [
        [Paragraph(h, small) for h in ["#", "Kind", "Occurred", "Recorded", "By", "Organisations", "Entry"]]
    ]
    for e in entries:
        text = escape(e.text)
        if e.corrects:
            text = f"<i>Corrects #{e.corrects.sequence}.</i> " + text
        data.append(
            [
                Paragraph(str(e.sequence), small),
                Paragraph(e.kind, small),
                Paragraph(times.uk_time(e.occurred_at, "short"), small),
                Paragraph(times.uk_time(e.recorded_at, "short"), small),
                Paragraph(escape(e.author_label), small),
                Paragraph(", ".join(o.code for o in e.organisations.all()), small),
                Paragraph(text + f"<br/><font size=6 color='#505a5f'>{e.entry_hash}</font>", small),
            ]
        )
    table = Table(data, colWidths=[10 * mm, 22 * mm, 28 * mm, 28 * mm, 28 * mm, 28 * mm, None], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3f2f1")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story.append(table)
    doc.build(story)
    return buf.getvalue()
