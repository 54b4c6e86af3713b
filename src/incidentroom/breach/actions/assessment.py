"""The breach record: the controller's assessment, which starts and moves the ICO clock."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from incidentroom.breach.access import require_controller_role
from incidentroom.breach.actions._common import log
from incidentroom.breach.models import (
    Breach,
    PeopleCategory,
)
from incidentroom.core import audit, times
from incidentroom.core.errors import Conflict, InvalidInput
from incidentroom.core.models import Organisation
from incidentroom.incidents import actions as incident_actions
from incidentroom.incidents.models import Incident, Involvement

BREACH_FIELDS = (
    "description",
    "data_sets",
    "occurred_at",
    "became_aware_at",
    "discovery",
    "cyber_incident",
    "confidentiality",
    "integrity",
    "availability",
    "people_categories",
    "likely_consequences",
    "measures_taken",
    "measures_proposed",
    "delay_reason",
)
TEXT_FIELDS = (
    "description",
    "data_sets",
    "discovery",
    "likely_consequences",
    "measures_taken",
    "measures_proposed",
    "delay_reason",
)


def _clean_breach_fields(changes: dict[str, Any]) -> dict[str, Any]:
    unknown = set(changes) - set(BREACH_FIELDS)
    if unknown:
        raise InvalidInput(f"Cannot change {', '.join(sorted(unknown))}.", field=sorted(unknown)[0])
    clean = dict(changes)
    for field in TEXT_FIELDS:
        if field in clean:
            clean[field] = str(clean[field] or "").strip()
            if len(clean[field]) > 20000:
                raise InvalidInput(f"{field} is at most 20,000 characters.", field=field)
    if "description" in clean and not clean["description"]:
        raise InvalidInput("Say what happened: the description is required.", field="description")
    for field in ("occurred_at", "became_aware_at"):
        if field in clean:
            clean[field] = times.not_future_optional(clean[field], field)
    if "became_aware_at" in clean and clean["became_aware_at"] is None:
        raise InvalidInput("became_aware_at is required: it starts the ICO clock.", field="became_aware_at")
    if "people_categories" in clean:
        cats = list(dict.fromkeys(clean["people_categories"] or []))
        bad = [c for c in cats if c not in PeopleCategory.values]
        if bad:
            raise InvalidInput(
                f"Unknown categories of people: {', '.join(bad)}; use {', '.join(PeopleCategory.values)}.",
                field="people_categories",
            )
        clean["people_categories"] = cats
    return clean


@transaction.atomic
def record_breach(
    incident: Incident,
    *,
    actor: Any,
    organisation: Organisation,
    description: str,
    became_aware_at: dt.datetime,
    **details: Any,
) -> Breach:
    """Record a controller's personal data breach; declares it on the incident (starting the
    ICO clock) if that has not been done, or moves the clock to the awareness time given."""
    require_controller_role(actor, [organisation], "record a personal data breach")
    inv = Involvement.objects.filter(incident=incident, organisation=organisation).first()
    if inv is None:
        raise InvalidInput(
            f"{organisation.code} is not involved in {incident.reference}.", field="organisation"
        )
    if Breach.objects.filter(incident=incident, organisation=organisation).exists():
        raise Conflict(
            f"A breach is already recorded for {organisation.code} in this incident; update it instead."
        )
    fields = _clean_breach_fields({"description": description, "became_aware_at": became_aware_at, **details})
    occurred = fields.get("occurred_at")
    if occurred is not None and occurred > fields["became_aware_at"]:
        raise InvalidInput(
            "The breach cannot have happened after you became aware of it.", field="occurred_at"
        )
    if not inv.personal_data_breach:
        incident_actions.flag_personal_data_breach(
            incident, actor=actor, organisation=organisation, became_aware_at=fields["became_aware_at"]
        )
    elif inv.became_aware_at != fields["became_aware_at"]:
        incident_actions.set_became_aware(
            incident, actor=actor, organisation=organisation, became_aware_at=fields["became_aware_at"]
        )
    breach = Breach.objects.create(incident=incident, organisation=organisation, created_by=actor, **fields)
    audit.record(
        actor=actor,
        action="breach.record",
        obj=breach,
        after=audit.snapshot(breach),
        organisations=[organisation],
    )
    data_sets = breach.data_set_list()
    log(
        incident,
        actor,
        f"Breach assessment recorded for {organisation.code}"
        + (f"; data sets: {', '.join(data_sets)}." if data_sets else "."),
        organisation,
    )
    return breach


@transaction.atomic
def update_breach(breach: Breach, *, actor: Any, **changes: Any) -> Breach:
    """Change the assessment; a new awareness time moves the ICO clock (unless already reported)."""
    require_controller_role(actor, [breach.organisation], "update this breach")
    fields = _clean_breach_fields(changes)
    occurred = fields.get("occurred_at", breach.occurred_at)
    aware = fields.get("became_aware_at", breach.became_aware_at)
    if occurred is not None and occurred > aware:
        raise InvalidInput(
            "The breach cannot have happened after you became aware of it.", field="occurred_at"
        )
    before = audit.snapshot(breach, BREACH_FIELDS)
    if "became_aware_at" in fields and fields["became_aware_at"] != breach.became_aware_at:
        incident_actions.set_became_aware(
            breach.incident,
            actor=actor,
            organisation=breach.organisation,
            became_aware_at=fields["became_aware_at"],
        )
    for name, value in fields.items():
        setattr(breach, name, value)
    breach.updated_at = timezone.now()
    breach.save()
    audit.record(
        actor=actor,
        action="breach.update",
        obj=breach,
        before=before,
        after=audit.snapshot(breach, BREACH_FIELDS),
        organisations=[breach.organisation],
    )
    return breach
