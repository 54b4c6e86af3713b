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
from incidentroom.incidents.models import DOWN_STATES, Containment, Incident, Phase
from incidentroom.incidents.queries import affected_service_rows


@dataclass(frozen=True)
class BoardRow:
    """One service on the board, with its plan (None when no plan is recorded yet).

    ``down_since`` is the service's own state, apart from the plan's: when it was lost in an
    open incident (its system went down, or its council shut its network) or, failing that,
    when its owner reported it disrupted. ``rto_breached`` compares that with the plan's RTO,
    or the service's own RTO when no plan is recorded, so a lost service with no plan is still
    flagged once it is past its recovery time (issue 15: the LBHF out-of-hours line, 1 hour
    RTO, down 4 h 40 min, showed only "No plan recorded")."""

    service: Service
    plan: ContinuityPlan | None
    public_status: str
    update_overdue: bool
    rto_breached: bool
    mtpd_breached: bool
    latest_update: ContinuityUpdate | None = None
    down_since: dt.datetime | None = None
    down_for: dt.timedelta | None = None

    @property
    def rto_hours(self) -> int:
        """The recovery time objective that applies: the plan's, else the service's."""
        return self.plan.rto_hours if self.plan else self.service.rto_hours

    @property
    def down_for_text(self) -> str:
        """How long it has been down ("4 h 40 min"), or "" when it is not down."""
        return duration(self.down_for) if self.down_for is not None else ""

    @property
    def past_recovery_time(self) -> str:
        """ "Past its recovery time: 1 hour target, down 4 h 40 min", or "" when it is not."""
        if not self.rto_breached or self.down_for is None:
            return ""
        target = f"{self.rto_hours} hour{'' if self.rto_hours == 1 else 's'} target"
        return f"Past its recovery time: {target}, down {duration(self.down_for)}"


def duration(span: dt.timedelta) -> str:
    """A down time as staff say it: "4 h 40 min", "2 d 3 h", "25 min"."""
    minutes = max(int(span.total_seconds()) // 60, 0)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {mins} min"
    return f"{mins} min"


def services_down_since(organisation: Organisation) -> dict[int, dt.datetime]:
    """When each of the organisation's services was lost in an incident still open: the time
    the down system at the end of its dependency chain changed state, or the time its council
    shut its network down. The earliest across open incidents wins."""
    since: dict[int, dt.datetime] = {}
    open_incidents = Incident.objects.filter(involvements__organisation=organisation).exclude(
        phase=Phase.CLOSED
    )
    for incident in open_incidents:
        changed = {
            a.system_id: a.state_changed_at for a in incident.affected_systems.filter(state__in=DOWN_STATES)
        }
        shut_at = {
            inv.organisation_id: inv.containment_changed_at
            for inv in incident.involvements.filter(containment=Containment.SHUT_DOWN)
        }
        for row in affected_service_rows(incident, [organisation.pk]):
            at = changed.get(row.path[-1].pk) if row.path else shut_at.get(row.service.organisation_id)
            if at is not None and (row.service.pk not in since or at < since[row.service.pk]):
                since[row.service.pk] = at
    return since


def board(organisation: Organisation, now: dt.datetime | None = None) -> list[BoardRow]:
    """The organisation's services: those past their recovery time first, then vulnerable
    residents, then priority, then name."""
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
    lost = services_down_since(organisation)
    rows = []
    for service in services:
        plan = getattr(service, "continuity_plan", None)
        public = getattr(service, "public_status", None)
        lost_at = lost.get(service.pk)
        if plan and plan.state == ContinuityState.RECOVERED and lost_at and plan.last_update_at:
            # Its owner reported it recovered after it was lost (running again on other
            # systems): the owner's word stands over the estate's.
            lost_at = None if plan.last_update_at >= lost_at else lost_at
        disrupted_at = plan.disrupted_since if plan and plan.is_disrupted() else None
        starts = [t for t in (lost_at, disrupted_at) if t is not None]
        down_since = min(starts) if starts else None
        down_for = now - down_since if down_since is not None else None
        rto = plan.rto_hours if plan else service.rto_hours
        rows.append(
            BoardRow(
                service=service,
                plan=plan,
                public_status=public.get_status_display() if public else "Not yet confirmed",
                update_overdue=bool(plan and plan.update_overdue(now)),
                rto_breached=down_for is not None and down_for > dt.timedelta(hours=rto),
                mtpd_breached=bool(
                    plan and down_for is not None and down_for > dt.timedelta(hours=plan.mtpd_hours)
                ),
                latest_update=latest.get(plan.pk) if plan else None,
                down_since=down_since,
                down_for=down_for,
            )
        )
    # Past its recovery time first (stable: within each group the order above holds).
    rows.sort(key=lambda r: not r.rto_breached)
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
