"""The continuity board: every service of an organisation, vulnerable residents first."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from incidentroom.continuity.models import ContinuityPlan, ContinuityState, ContinuityUpdate
from incidentroom.core.models import Membership, Organisation, Role
from incidentroom.estate.models import Service, System


@dataclass(frozen=True)
class BoardRow:
    """One service on the board, with its plan (None when no plan is recorded yet)."""

    service: Service
    plan: ContinuityPlan | None
    public_status: str
    update_overdue: bool
    rto_breached: bool
    mtpd_breached: bool
    latest_update: ContinuityUpdate | None = None


def board(organisation: Organisation, now: dt.datetime | None = None) -> list[BoardRow]:
    """The organisation's services: vulnerable residents first, then priority, then name."""
    now = now or timezone.now()
    services = (
        Service.objects.filter(organisation=organisation)
        .select_related("organisation", "continuity_plan__owner", "public_status")
        .order_by("-vulnerable_residents", "priority", "name")
    )
    latest: dict[int, ContinuityUpdate] = {}
    # Newest first, so the first seen per plan is its latest (one query for the whole board).
    for update in ContinuityUpdate.objects.filter(plan__service__organisation=organisation).order_by(
        "-at", "-id"
    ):
        latest.setdefault(update.plan_id, update)
    rows = []
    for service in services:
        plan = getattr(service, "continuity_plan", None)
        public = getattr(service, "public_status", None)
        rows.append(
            BoardRow(
                service=service,
                plan=plan,
                public_status=public.get_status_display() if public else "Not yet confirmed",
                update_overdue=bool(plan and plan.update_overdue(now)),
                rto_breached=bool(plan and plan.rto_breached(now)),
                mtpd_breached=bool(plan and plan.mtpd_breached(now)),
                latest_update=latest.get(plan.pk) if plan else None,
            )
        )
    return rows


@dataclass(frozen=True)
class Contact:
    """A contact line in the grab bag."""

    name: str
    purpose: str
    phone: str
    email: str
    web: str


def national_contacts() -> list[Contact]:
    """Regulators, police and government, from the contacts data file."""
    path = Path(settings.CONTINUITY_CONTACTS_FILE or Path(__file__).with_name("contacts.yaml"))
    items: list[dict[str, Any]] = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return [
        Contact(
            name=str(i["name"]),
            purpose=str(i.get("purpose", "")),
            phone=str(i.get("phone", "")),
            email=str(i.get("email", "")),
            web=str(i.get("web", "")),
        )
        for i in items
    ]


def partner_contacts(organisation: Organisation) -> list[Contact]:
    """Councils sharing IT with this one: their DPO and Gold commanders."""
    shared = System.objects.filter(Q(owner=organisation) | Q(served=organisation))
    partner_ids = set(shared.values_list("owner_id", flat=True)) | set(
        shared.values_list("served__id", flat=True)
    )
    partner_ids.discard(organisation.pk)
    partner_ids.discard(None)
    contacts = []
    for partner in Organisation.objects.filter(pk__in=partner_ids).order_by("name"):
        golds = Membership.objects.filter(organisation=partner, role=Role.GOLD).select_related("user")
        gold_text = "; ".join(
            f"Gold: {m.user.get_full_name() or m.user.get_username()} {m.user.email}".strip() for m in golds
        )
        contacts.append(
            Contact(
                name=partner.name,
                purpose=f"Partner council sharing IT ({partner.code})",
                phone=partner.dpo_phone,
                email=partner.dpo_email,
                web="; ".join(
                    x for x in (f"DPO: {partner.dpo_name}" if partner.dpo_name else "", gold_text) if x
                ),
            )
        )
    return contacts


def continuity_note(plan: ContinuityPlan) -> str:
    """How a lost service is being kept going, for staff ('workaround in place: paper referral
    forms ...'); empty when it runs normally, has recovered, or is simply suspended. This is
    internal wording: the public status page shows only what comms confirmed publicly."""
    if plan.state == ContinuityState.WORKAROUND:
        return "workaround in place" + (f": {plan.workaround}" if plan.workaround else "")
    if plan.state == ContinuityState.MINIMUM:
        detail = plan.minimum_service_level or plan.workaround
        return "minimum service only" + (f": {detail}" if detail else "")
    return ""


def continuity_notes(user: Any, service_ids: Iterable[int]) -> dict[int, str]:
    """:func:`continuity_note` for each of these services whose plan the user may read (their
    own councils' plans: a partner's workaround stays on that partner's board), in one query."""
    return {
        plan.service_id: note
        for plan in ContinuityPlan.objects.for_user(user).filter(service_id__in=list(service_ids))
        if (note := continuity_note(plan))
    }
