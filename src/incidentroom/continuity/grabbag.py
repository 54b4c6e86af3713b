"""The grab bag: a printable PDF of who to call, the continuity plans and where things stand,
for when the systems (and the screens) are down."""

from __future__ import annotations

import datetime as dt
import io
from xml.sax.saxutils import escape

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from incidentroom.continuity.models import Supplier
from incidentroom.continuity.queries import BoardRow, Contact, board, national_contacts, partner_contacts
from incidentroom.core import times
from incidentroom.core.models import Organisation

_STYLES = getSampleStyleSheet()
_CELL = ParagraphStyle("cell", parent=_STYLES["BodyText"], fontSize=8, leading=10)
_HEAD = ParagraphStyle("head", parent=_CELL, fontName="Helvetica-Bold")


def _p(text: object, style: ParagraphStyle = _CELL) -> Paragraph:
    # Paragraph parses markup: everything from the database is escaped first.
    return Paragraph(escape(str(text or "")).replace("\n", "<br/>"), style)


def _table(header: list[str], rows: list[list[object]], widths: list[float]) -> Table:
    data = [[_p(h, _HEAD) for h in header]] + [[_p(c) for c in row] for row in rows]
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dddddd")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _contact_rows(contacts: list[Contact]) -> list[list[object]]:
    return [[c.name, c.purpose, c.phone, c.email, c.web] for c in contacts]


def _when(value: dt.datetime | None) -> str:
    return times.uk_time(value, "short") if value else ""


def _status_rows(rows: list[BoardRow]) -> list[list[object]]:
    out: list[list[object]] = []
    for r in rows:
        plan = r.plan
        flags = [
            f
            for f, on in (
                ("UPDATE OVERDUE", r.update_overdue),
                ("RTO passed", r.rto_breached),
                ("MTPD passed", r.mtpd_breached),
            )
            if on
        ]
        out.append(
            [
                r.service.name + (" (vulnerable residents)" if r.service.vulnerable_residents else ""),
                r.service.priority,
                plan.get_state_display() if plan else "No plan recorded",
                r.public_status,
                f"{plan.rto_hours} h / {plan.mtpd_hours} h" if plan else f"{r.service.rto_hours} h / -",
                plan.minimum_service_level if plan else "",
                plan.workaround if plan else "",
                (plan.owner.get_full_name() or plan.owner.get_username()) if plan and plan.owner else "",
                (_when(plan.next_update_due) + (" " + " ".join(flags) if flags else "")) if plan else "",
            ]
        )
    return out


def render(organisation: Organisation, now: dt.datetime | None = None) -> bytes:
    """The grab-bag PDF for one organisation."""
    now = now or timezone.now()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=f"Grab bag - {organisation.name}",
        author="Incident Room",
    )
    width = landscape(A4)[0] - 24 * mm
    rows = board(organisation, now)
    story: list[object] = [
        Paragraph(escape(f"Grab bag: {organisation.name}"), _STYLES["Title"]),
        _p(
            f"Printed {_when(now)}. Contacts, continuity plans and the current status, for when the systems are "
            "down. Keep a printed copy with the incident team; it is out of date as soon as it is printed."
        ),
        Spacer(1, 4 * mm),
        Paragraph("Regulators, police and government", _STYLES["Heading2"]),
        _table(
            ["Who", "Why", "Phone", "Email", "Web / notes"],
            _contact_rows(national_contacts()),
            [0.2 * width, 0.3 * width, 0.15 * width, 0.15 * width, 0.2 * width],
        ),
        Paragraph("Partner councils", _STYLES["Heading2"]),
        _table(
            ["Council", "Why", "DPO phone", "DPO email", "Contacts"],
            _contact_rows(partner_contacts(organisation)),
            [0.2 * width, 0.2 * width, 0.12 * width, 0.18 * width, 0.3 * width],
        ),
        Paragraph("Suppliers", _STYLES["Heading2"]),
        _table(
            ["Supplier", "Provides", "Phone", "Email", "Contract / notes"],
            [
                [
                    s.name,
                    s.supplies,
                    s.phone,
                    s.email,
                    " ".join(x for x in (s.contract_reference, s.notes) if x),
                ]
                for s in Supplier.objects.filter(organisation=organisation)
            ],
            [0.2 * width, 0.25 * width, 0.15 * width, 0.18 * width, 0.22 * width],
        ),
        PageBreak(),
        Paragraph("Current status (vulnerable residents first)", _STYLES["Heading2"]),
        _table(
            [
                "Service",
                "Priority",
                "Continuity state",
                "Public status",
                "RTO / MTPD",
                "Minimum service",
                "Workaround in use",
                "Owner",
                "Next update due",
            ],
            _status_rows(rows),
            [
                0.14 * width,
                0.06 * width,
                0.1 * width,
                0.08 * width,
                0.08 * width,
                0.16 * width,
                0.16 * width,
                0.1 * width,
                0.12 * width,
            ],
        ),
        PageBreak(),
        Paragraph("Continuity plans", _STYLES["Heading2"]),
    ]
    planned = [(r.service, r.plan) for r in rows if r.plan is not None and r.plan.plan]
    for service, plan in planned:
        story += [Paragraph(escape(service.name), _STYLES["Heading3"]), _p(plan.plan), Spacer(1, 2 * mm)]
    if not planned:
        story.append(_p("No written continuity plans are recorded yet."))
    doc.build(story)
    return buffer.getvalue()
