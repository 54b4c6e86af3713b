"""Scoped lookups shared by the pages and the API, so both refuse the same people the same way."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from incidentroom.breach.access import controller_org_ids
from incidentroom.breach.models import (
    Breach,
    ContactStatus,
    EmailNotice,
    Individual,
    IndividualQuerySet,
    LetterBatch,
    Report,
    ScanJob,
    ScanStatus,
)
from incidentroom.breach.reports.facts import counted_individuals
from incidentroom.core.scoping import get_scoped
from incidentroom.incidents.models import Incident, Involvement

# The one rule for which incident a user means, offered here too so breach pages and the API
# read every look-up from this module.
from incidentroom.incidents.queries import incident_for as incident_for


def breach_for(user: Any, breach_id: int) -> Breach:
    """A breach the user may handle: DPO or Gold of its controller (404 otherwise)."""
    qs = Breach.objects.for_user(user).select_related("incident", "organisation")
    return get_scoped(qs, "breach", pk=breach_id)


def scan_for(user: Any, scan_id: int) -> ScanJob:
    """A scan job of a breach the user may handle."""
    return get_scoped(
        ScanJob.objects.for_user(user).select_related("breach__organisation", "breach__incident"),
        "scan",
        pk=scan_id,
    )


def individual_for(user: Any, individual_id: int) -> Individual:
    """A person attributed to an organisation where the user is DPO or Gold."""
    qs = Individual.objects.for_user(user).select_related(
        "breach__organisation", "breach__incident", "merged_into"
    )
    return get_scoped(qs, "person", pk=individual_id)


def report_for(user: Any, report_id: int) -> Report:
    """A report version of a breach the user may handle."""
    return get_scoped(
        Report.objects.for_user(user).select_related("breach__organisation", "breach__incident"),
        "report",
        pk=report_id,
    )


def batch_for(user: Any, batch_id: int) -> LetterBatch:
    """A letter batch of a breach the user may handle."""
    return get_scoped(
        LetterBatch.objects.for_user(user).select_related("breach__organisation"), "letter batch", pk=batch_id
    )


def notice_for(user: Any, notice_id: int) -> EmailNotice:
    """An email notice of a breach the user may handle."""
    return get_scoped(
        EmailNotice.objects.for_user(user).select_related("breach__organisation", "breach__incident"),
        "email notice",
        pk=notice_id,
    )


@dataclass(frozen=True)
class PeopleFilter:
    """The individuals page's search and filters."""

    q: str = ""
    category: str = ""
    risk: str = ""
    organisation: str = ""
    status: str = ""


def individuals_for(user: Any, breach: Breach, filters: PeopleFilter) -> IndividualQuerySet:
    """People found for this breach's incident that the user may see, filtered."""
    qs = Individual.objects.for_user(user).filter(
        breach__incident_id=breach.incident_id, scan__status=ScanStatus.SUCCEEDED
    )
    # By default the breach's own controller; another organisation's people when asked
    # (still only those the user may see: shared archives hold several controllers' data).
    if filters.organisation:
        qs = qs.filter(organisations__code=filters.organisation)
    else:
        qs = qs.filter(organisations=breach.organisation)
    qs = qs.active()
    q = filters.q.strip()
    if q:
        qs = qs.filter(
            Q(full_name__icontains=q)
            | Q(postcode__icontains=q)
            | Q(email__icontains=q)
            | Q(address__icontains=q)
            | Q(person_id=q)
        )
    if filters.category:
        qs = qs.filter(category_index__contains=f";{filters.category};")
    if filters.risk:
        qs = qs.filter(risk=filters.risk)
    if filters.status:
        qs = qs.filter(contact_status=filters.status)
    return qs.distinct()


def people_to_tell(breach: Breach, risks: Sequence[str]) -> Any:
    """Counted individuals at the chosen risk levels still waiting to be told."""
    return counted_individuals(breach).filter(risk__in=list(risks), contact_status=ContactStatus.TO_NOTIFY)


def unrecorded_involvements(user: Any) -> QuerySet[Involvement]:
    """Involvements of the user's controllers (DPO or Gold) in incidents the user can see that
    have no breach record yet, declared ones first.

    The test is per organisation: a breach recorded for one of the user's councils in an
    incident must not hide another of their councils in the same incident. Anyone else
    (a viewer, comms, another council) gets nothing, exactly as ``Breach.objects.for_user``."""
    recorded = Breach.objects.filter(
        incident_id=OuterRef("incident_id"), organisation_id=OuterRef("organisation_id")
    )
    return (
        Involvement.objects.filter(
            organisation_id__in=controller_org_ids(user), incident__in=Incident.objects.for_user(user)
        )
        .exclude(Exists(recorded))
        .select_related("incident", "organisation")
        .order_by("-personal_data_breach", "-incident__detected_at", "organisation__code")
    )
