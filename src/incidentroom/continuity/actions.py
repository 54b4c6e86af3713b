"""Every change to continuity plans, updates and suppliers. Views and the API only call these."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from incidentroom.continuity.models import (
    DISRUPTED_STATES,
    ContinuityPlan,
    ContinuityState,
    ContinuityUpdate,
    Supplier,
)
from incidentroom.core import audit, people, times
from incidentroom.core.access import require_role
from incidentroom.core.emailaddr import normalise_email
from incidentroom.core.errors import InvalidInput
from incidentroom.core.models import CONTINUITY_ROLES, Organisation
from incidentroom.estate.models import Service

# Who runs continuity for an organisation's services.
PLAN_FIELDS = (
    "rto_hours",
    "mtpd_hours",
    "minimum_service_level",
    "plan",
    "workaround",
    "owner_id",
    "update_interval_hours",
)
TEXT_MAX = 10000
HOURS_MAX = 24 * 365


# Each plan field as the board's forms label it, so a refusal names the box in words
# ("Recovery time objective must be ...", not "rto hours must be ...").
FIELD_LABELS = {
    "rto_hours": "Recovery time objective",
    "mtpd_hours": "Maximum tolerable period of disruption",
    "update_interval_hours": "How often to report while disrupted",
    "minimum_service_level": "Minimum service level",
    "plan": "Continuity plan",
    "workaround": "Workaround in use",
    "note": "What has changed",
}


def _hours(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= HOURS_MAX:
        raise InvalidInput(
            f"{FIELD_LABELS.get(field, field)} must be a whole number of hours from 1 to {HOURS_MAX}, "
            "for example 4.",
            field=field,
        )
    return value


def _text(value: Any, field: str) -> str:
    text = str(value or "").strip()
    if len(text) > TEXT_MAX:
        raise InvalidInput(
            f"{FIELD_LABELS.get(field, field)} must be {TEXT_MAX:,} characters or fewer.", field=field
        )
    return text


@transaction.atomic
def save_plan(service: Service, *, actor: Any, **fields: Any) -> ContinuityPlan:
    """Create or change a service's plan: RTO, MTPD, minimum service level, plan, owner..."""
    require_role(
        actor,
        [service.organisation],
        CONTINUITY_ROLES,
        f"change continuity plans for {service.organisation.code}",
    )
    unknown = set(fields) - {
        "rto_hours",
        "mtpd_hours",
        "minimum_service_level",
        "plan",
        "workaround",
        "owner",
        "update_interval_hours",
    }
    if unknown:
        raise InvalidInput(f"Cannot set {', '.join(sorted(unknown))}.", field=sorted(unknown)[0])
    plan = ContinuityPlan.objects.filter(service=service).first()
    before = audit.snapshot(plan, PLAN_FIELDS) if plan else None
    if plan is None:
        plan = ContinuityPlan(
            service=service, rto_hours=service.rto_hours, mtpd_hours=max(service.rto_hours * 2, 1)
        )
    for name in ("rto_hours", "mtpd_hours", "update_interval_hours"):
        if name in fields:
            setattr(plan, name, _hours(fields[name], name))
    for name in ("minimum_service_level", "plan", "workaround"):
        if name in fields:
            setattr(plan, name, _text(fields[name], name))
    if "owner" in fields:
        owner = fields["owner"]
        if owner is not None and not owner.memberships.filter(organisation=service.organisation).exists():
            raise InvalidInput(f"The owner must work for {service.organisation.code}.", field="owner")
        plan.owner = owner
    if plan.mtpd_hours < plan.rto_hours:
        raise InvalidInput(
            "The maximum tolerable period of disruption cannot be shorter than the recovery time objective.",
            field="mtpd_hours",
        )
    plan.save()
    audit.record(
        actor=actor,
        action="continuity.plan",
        obj=plan,
        before=before,
        after=audit.snapshot(plan, PLAN_FIELDS),
        organisations=[service.organisation],
    )
    return plan


@transaction.atomic
def record_update(
    plan: ContinuityPlan,
    *,
    actor: Any,
    state: str,
    note: str,
    workaround: str | None = None,
    next_update_due: dt.datetime | None = None,
) -> ContinuityUpdate:
    """Report how the service is coping; sets when the next report is due."""
    org = plan.service.organisation
    require_role(actor, [org], CONTINUITY_ROLES, f"report on continuity for {org.code}")
    if state not in ContinuityState.values:
        raise InvalidInput(
            f"Choose the service's state ({', '.join(str(label) for label in ContinuityState.labels)}).",
            field="state",
        )
    text = _text(note, "note")
    if not text:
        raise InvalidInput("Say what has changed, even if it is 'no change'.", field="note")
    now = timezone.now()
    if next_update_due is not None:
        next_update_due = times.check_datetime(next_update_due, "next_update_due")
        if next_update_due <= now:
            raise InvalidInput("The next update must be due in the future.", field="next_update_due")
    before = audit.snapshot(plan, ["state", "workaround", "disrupted_since", "next_update_due"])
    disrupted = state in DISRUPTED_STATES
    if disrupted and plan.disrupted_since is None:
        plan.disrupted_since = now
    if not disrupted:
        plan.disrupted_since = None
    plan.state = state
    if workaround is not None:
        plan.workaround = _text(workaround, "workaround")
    plan.last_update_at = now
    plan.next_update_due = (
        (next_update_due or times.after(now, times.hours(plan.update_interval_hours))) if disrupted else None
    )
    plan.save()
    update = ContinuityUpdate.objects.create(
        plan=plan, author=actor, author_label=people.describe(actor)[:150], state=state, note=text
    )
    audit.record(
        actor=actor,
        action="continuity.update",
        obj=plan,
        before=before,
        after={
            **audit.snapshot(plan, ["state", "workaround", "disrupted_since", "next_update_due"]),
            "note": text,
        },
        organisations=[org],
    )
    return update


@transaction.atomic
def add_supplier(
    organisation: Organisation,
    *,
    actor: Any,
    name: str,
    supplies: str,
    phone: str = "",
    email: str = "",
    contract_reference: str = "",
    notes: str = "",
) -> Supplier:
    """Record a supplier to call when systems are down."""
    require_role(actor, [organisation], CONTINUITY_ROLES, f"change suppliers for {organisation.code}")
    name, supplies = (name or "").strip(), (supplies or "").strip()
    if not name or len(name) > 200:
        raise InvalidInput("A supplier needs a name of up to 200 characters.", field="name")
    if not supplies or len(supplies) > 300:
        raise InvalidInput("Say what the supplier provides (up to 300 characters).", field="supplies")
    email = normalise_email(email) if (email or "").strip() else ""
    supplier = Supplier.objects.create(
        organisation=organisation,
        name=name,
        supplies=supplies,
        phone=(phone or "").strip()[:40],
        email=email,
        contract_reference=(contract_reference or "").strip()[:100],
        notes=_text(notes, "notes"),
    )
    audit.record(
        actor=actor,
        action="continuity.supplier.add",
        obj=supplier,
        after=audit.snapshot(supplier),
        organisations=[organisation],
    )
    return supplier


@transaction.atomic
def remove_supplier(supplier: Supplier, *, actor: Any) -> None:
    """Remove a supplier who no longer serves the organisation."""
    require_role(
        actor, [supplier.organisation], CONTINUITY_ROLES, f"change suppliers for {supplier.organisation.code}"
    )
    audit.record(
        actor=actor,
        action="continuity.supplier.remove",
        obj=supplier,
        before=audit.snapshot(supplier),
        organisations=[supplier.organisation],
    )
    supplier.delete()
