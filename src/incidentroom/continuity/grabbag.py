"""The grab bag: a printable PDF of who to call, the continuity plans and where things stand,
for when the systems (and the screens) are down."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from incidentroom.continuity.models import Supplier
from incidentroom.continuity.queries import BoardRow, Contact, board, national_contacts, partner_contacts
from incidentroom.core import times
from incidentroom.core.models import Organisation
from incidentroom.core.pdf import pdf_text, render_pdf_template


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


def _cells(rows: list[list[object]]) -> list[list[str]]:
    return [[pdf_text(str(c or "")) for c in row] for row in rows]


def _table(
    heading: str, header: list[tuple[str, int]], rows: list[list[object]], *, new_page: bool = False
) -> dict[str, object]:
    return {"heading": heading, "header": header, "rows": _cells(rows), "new_page": new_page}


def render(organisation: Organisation, now: dt.datetime | None = None) -> bytes:
    """The grab-bag PDF for one organisation."""
    now = now or timezone.now()
    rows = board(organisation, now)
    suppliers: list[list[object]] = [
        [s.name, s.supplies, s.phone, s.email, " ".join(x for x in (s.contract_reference, s.notes) if x)]
        for s in Supplier.objects.filter(organisation=organisation)
    ]
    tables = [
        _table(
            "Regulators, police and government",
            [("Who", 20), ("Why", 30), ("Phone", 15), ("Email", 15), ("Web / notes", 20)],
            _contact_rows(national_contacts()),
        ),
        _table(
            "Partner councils",
            [("Council", 20), ("Why", 20), ("DPO phone", 12), ("DPO email", 18), ("Contacts", 30)],
            _contact_rows(partner_contacts(organisation)),
        ),
        _table(
            "Suppliers",
            [("Supplier", 20), ("Provides", 25), ("Phone", 15), ("Email", 18), ("Contract / notes", 22)],
            suppliers,
        ),
        _table(
            "Current status (vulnerable residents first)",
            [
                ("Service", 14),
                ("Priority", 6),
                ("Continuity state", 10),
                ("Public status", 8),
                ("RTO / MTPD", 8),
                ("Minimum service", 16),
                ("Workaround in use", 16),
                ("Owner", 10),
                ("Next update due", 12),
            ],
            _status_rows(rows),
            new_page=True,
        ),
    ]
    plans = [
        (pdf_text(r.service.name), pdf_text(r.plan.plan)) for r in rows if r.plan is not None and r.plan.plan
    ]
    return render_pdf_template(
        "continuity/pdf/grabbag.html",
        {
            "title": f"Grab bag - {organisation.name}",
            "organisation": organisation,
            "printed": _when(now),
            "tables": tables,
            "plans": plans,
            "numbered": True,
        },
    )
