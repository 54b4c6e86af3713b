"""The printable chain-of-custody record of one evidence item (PDF, reportlab)."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape  # noqa: S406 - escaping our own text for reportlab markup, not parsing XML

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from incidentroom.threats.models import EvidenceItem


def _when(value: object) -> str:
    return timezone.localtime(value).strftime("%d %b %Y %H:%M %Z") if value else ""  # type: ignore[arg-type]


def custody_record_pdf(item: EvidenceItem) -> bytes:
    """One page (or more) a police officer can sign: the item, its hash, every hand-over and check."""
    styles = getSampleStyleSheet()
    cell = styles["BodyText"]
    cell.fontSize = 8
    cell.leading = 10
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=f"Chain of custody {item.reference}",
    )

    def p(text: str) -> Paragraph:
        return Paragraph(escape(text).replace("\n", "<br/>"), cell)

    def table(rows: list[list[Paragraph]], widths: list[float], header: bool = True) -> Table:
        t = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
        style = [("GRID", (0, 0), (-1, -1), 0.4, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP")]
        if header:
            style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3f2f1")))
        t.setStyle(TableStyle(style))
        return t

    story = [
        Paragraph(escape(f"Chain of custody record: {item.reference}"), styles["Title"]),
        Paragraph(escape(f"Incident {item.incident.reference}, {item.organisation.name}"), styles["Normal"]),
        Spacer(1, 4 * mm),
        table(
            [
                [p("Kind"), p(item.get_kind_display())],
                [p("Description"), p(item.description)],
                [p("SHA-256"), p(item.sha256)],
                [
                    p("Size"),
                    p(f"{item.size_bytes:,} bytes" if item.size_bytes is not None else "not recorded"),
                ],
                [p("Collected by"), p(item.collected_by)],
                [p("Collected at"), p(_when(item.collected_at))],
                [p("Collected from"), p(item.collected_where)],
                [p("Stored at"), p(item.storage_location)],
                [p("Current custodian"), p(item.custodian)],
            ],
            [40 * mm, 140 * mm],
            header=False,
        ),
        Spacer(1, 5 * mm),
        Paragraph("Hand-overs", styles["Heading2"]),
    ]
    custody = list(item.custody.select_related("recorded_by"))
    rows = [[p("When"), p("From"), p("To"), p("Purpose"), p("Recorded by"), p("Signature")]]
    rows += [
        [
            p(_when(c.at)),
            p(c.from_party),
            p(c.to_party),
            p(c.purpose),
            p(c.recorded_by.username if c.recorded_by else ""),
            p(""),
        ]
        for c in custody
    ]
    if not custody:
        rows.append([p("None recorded"), p(""), p(""), p(""), p(""), p("")])
    story.append(table(rows, [28 * mm, 30 * mm, 30 * mm, 42 * mm, 25 * mm, 25 * mm]))
    story += [Spacer(1, 5 * mm), Paragraph("Hash re-verifications", styles["Heading2"])]
    checks = list(item.hash_checks.select_related("checked_by"))
    rows = [[p("When"), p("Result"), p("Observed SHA-256"), p("How"), p("By")]]
    rows += [
        [
            p(_when(c.at)),
            p("match" if c.matches else "MISMATCH"),
            p(c.observed_sha256),
            p(c.method),
            p(c.checked_by.username if c.checked_by else ""),
        ]
        for c in checks
    ]
    if not checks:
        rows.append([p("None yet"), p(""), p(""), p(""), p("")])
    story.append(table(rows, [28 * mm, 20 * mm, 60 * mm, 50 * mm, 22 * mm]))
    story += [
        Spacer(1, 5 * mm),
        Paragraph(
            escape(
                f"Printed {_when(timezone.now())} from Incident Room. The item itself is not held by Incident Room."
            ),
            cell,
        ),
    ]
    doc.build(story)
    return out.getvalue()
