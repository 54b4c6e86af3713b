"""The people found: record how they were told, exclude them, merge or split records.

Audit entries about individuals carry ids and statuses, never names or addresses: the
audit trail is readable by Silver, who may not see the notification list."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from incidentroom.breach.access import require_controller_role
from incidentroom.breach.models import (
    Appearance,
    ContactStatus,
    Individual,
    Risk,
)
from incidentroom.core import audit, times
from incidentroom.core.errors import Conflict, InvalidInput
from incidentroom.core.models import Organisation
from incidentroom.scanner.detect.vocab import CATEGORIES
from incidentroom.scanner.policy import RiskPolicy

# What the audit trail may hold about a person (no names, addresses or contact details).
INDIVIDUAL_AUDIT_FIELDS = (
    "person_id",
    "risk",
    "categories",
    "document_count",
    "contact_status",
    "notified_at",
    "notified_how",
    "do_not_contact_reason",
    "merged_into_id",
)
RISK_ORDER = {Risk.LOW.value: 0, Risk.MEDIUM.value: 1, Risk.HIGH.value: 2}


def _orgs(individual: Individual) -> list[Organisation]:
    return list(individual.organisations.all())


def _require_person(actor: Any, individual: Individual, doing: str) -> None:
    require_controller_role(actor, _orgs(individual), doing)
    if individual.contact_status == ContactStatus.MERGED:
        raise Conflict("This record was merged into another; change that one instead.")


@transaction.atomic
def mark_notified(
    individual: Individual, *, actor: Any, how: str = "letter", at: dt.datetime | None = None
) -> Individual:
    """Record that the person has been told (letter, email, phone, in person)."""
    _require_person(actor, individual, "record that this person was notified")
    how = (how or "").strip()[:100]
    if not how:
        raise InvalidInput("Say how the person was told (letter, email, phone...).", field="how")
    before = audit.snapshot(individual, INDIVIDUAL_AUDIT_FIELDS)
    individual.contact_status = ContactStatus.NOTIFIED
    individual.notified_at = times.not_future_optional(at, "at") or timezone.now()
    individual.notified_how = how
    individual.do_not_contact_reason = ""
    return _save_audited(individual, actor, "individual.notified", before)


@transaction.atomic
def set_do_not_contact(individual: Individual, *, actor: Any, reason: str) -> Individual:
    """Exclude the person from letters and emails, with the reason (deceased, already informed...)."""
    _require_person(actor, individual, "change whether this person is contacted")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(
            "Give the reason not to contact this person; it is kept for the record.", field="reason"
        )
    before = audit.snapshot(individual, INDIVIDUAL_AUDIT_FIELDS)
    individual.contact_status = ContactStatus.DO_NOT_CONTACT
    individual.do_not_contact_reason = reason[:300]
    return _save_audited(individual, actor, "individual.do_not_contact", before)


@transaction.atomic
def reset_contact(individual: Individual, *, actor: Any) -> Individual:
    """Put the person back on the list to notify (a do-not-contact decision reversed)."""
    _require_person(actor, individual, "change whether this person is contacted")
    before = audit.snapshot(individual, INDIVIDUAL_AUDIT_FIELDS)
    individual.contact_status = ContactStatus.TO_NOTIFY
    individual.do_not_contact_reason = ""
    individual.notified_at = None
    individual.notified_how = ""
    return _save_audited(individual, actor, "individual.reset_contact", before)


def _save_audited(individual: Individual, actor: Any, action: str, before: dict[str, Any]) -> Individual:
    """Save a change to a person and audit it, before and after (fields in INDIVIDUAL_AUDIT_FIELDS only)."""
    individual.save()
    audit.record(
        actor=actor,
        action=action,
        obj=individual,
        before=before,
        after=audit.snapshot(individual, INDIVIDUAL_AUDIT_FIELDS),
        organisations=_orgs(individual),
    )
    return individual


def _recount(individual: Individual) -> None:
    individual.document_count = individual.appearances.values("path").distinct().count()


@transaction.atomic
def merge_individuals(keep: Individual, *, actor: Any, others: Sequence[Individual]) -> Individual:
    """Merge records of the same person by hand: ``keep`` gains their documents, categories and
    organisations; the others stay (marked merged) so the change can be traced."""
    _require_person(actor, keep, "merge records")
    others = [o for o in others if o.pk != keep.pk]
    if not others:
        raise InvalidInput("Choose at least one other record to merge into this one.", field="others")
    for other in others:
        _require_person(actor, other, "merge records")
        if other.breach_id != keep.breach_id:
            raise InvalidInput("Only records found for the same breach can be merged.", field="others")
    before = audit.snapshot(keep, INDIVIDUAL_AUDIT_FIELDS)
    cats = set(keep.category_list())
    for other in others:
        other_before = audit.snapshot(other, INDIVIDUAL_AUDIT_FIELDS)
        cats |= set(other.category_list())
        keep.organisations.add(*other.organisations.all())
        Appearance.objects.filter(individual=other).update(individual=keep)
        if RISK_ORDER.get(other.risk, 0) > RISK_ORDER.get(keep.risk, 0):
            keep.risk = other.risk
        for field in ("date_of_birth", "address", "postcode", "email", "phone"):
            if not getattr(keep, field) and getattr(other, field):
                setattr(keep, field, getattr(other, field))
        other.contact_status = ContactStatus.MERGED
        other.merged_into = keep
        other.save(update_fields=["contact_status", "merged_into"])
        audit.record(
            actor=actor,
            action="individual.merged_into",
            obj=other,
            before=other_before,
            after=audit.snapshot(other, INDIVIDUAL_AUDIT_FIELDS),
            organisations=_orgs(other),
        )
    keep.set_categories([c for c in CATEGORIES if c in cats])
    _recount(keep)
    keep.save()
    audit.record(
        actor=actor,
        action="individual.merge",
        obj=keep,
        before=before,
        after={**audit.snapshot(keep, INDIVIDUAL_AUDIT_FIELDS), "merged": [o.pk for o in others]},
        organisations=_orgs(keep),
    )
    return keep


@transaction.atomic
def split_individual(
    individual: Individual,
    *,
    actor: Any,
    appearance_ids: Sequence[int],
    full_name: str,
    categories: Sequence[str] | None = None,
) -> Individual:
    """Split a record the scanner joined wrongly: the chosen documents go to a new record."""
    _require_person(actor, individual, "split records")
    full_name = (full_name or "").strip()
    if not full_name:
        raise InvalidInput("Give the name of the person the chosen documents are about.", field="full_name")
    moving = list(individual.appearances.filter(pk__in=list(appearance_ids)))
    if not moving or len(moving) != len(set(appearance_ids)):
        raise InvalidInput("Choose documents of this record to move to the new one.", field="appearance_ids")
    if len(moving) == individual.appearances.count():
        raise InvalidInput("Leave at least one document with the original record.", field="appearance_ids")
    cats = list(categories) if categories is not None else individual.category_list()
    bad = [c for c in cats if c not in CATEGORIES]
    if bad:
        raise InvalidInput(f"Unknown categories: {', '.join(bad)}.", field="categories")
    cats = [c for c in CATEGORIES if c in set(cats)]
    before = audit.snapshot(individual, INDIVIDUAL_AUDIT_FIELDS)
    n = Individual.objects.filter(
        scan=individual.scan, person_id__startswith=f"{individual.person_id}-split-"
    ).count()
    new = Individual.objects.create(
        scan=individual.scan,
        breach=individual.breach,
        person_id=f"{individual.person_id}-split-{n + 1}"[:64],
        full_name=full_name[:300],
        categories=cats,
        risk=RiskPolicy().level(cats),  # save() indexes categories
    )
    new.organisations.set(individual.organisations.all())
    Appearance.objects.filter(pk__in=[a.pk for a in moving]).update(individual=new)
    _recount(new)
    new.save(update_fields=["document_count"])
    _recount(individual)
    individual.save(update_fields=["document_count"])
    audit.record(
        actor=actor,
        action="individual.split",
        obj=individual,
        before=before,
        after={
            **audit.snapshot(individual, INDIVIDUAL_AUDIT_FIELDS),
            "new_record": new.pk,
            "moved_documents": len(moving),
        },
        organisations=_orgs(individual),
    )
    audit.record(
        actor=actor,
        action="individual.split_from",
        obj=new,
        after={**audit.snapshot(new, INDIVIDUAL_AUDIT_FIELDS), "split_from": individual.pk},
        organisations=_orgs(new),
    )
    return new
