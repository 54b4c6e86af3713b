"""Scoped look-ups shared by the API and the pages (absent and forbidden are both 404)."""

from __future__ import annotations

from typing import Any

from incidentroom.core.access import org_ids
from incidentroom.core.errors import InvalidInput
from incidentroom.core.models import Organisation
from incidentroom.core.scoping import get_scoped
from incidentroom.incidents.models import Incident

# The one rule for which incident a user means, offered here too so the threat pages and API
# read every look-up from this module.
from incidentroom.incidents.queries import incident_for as incident_for
from incidentroom.threats.models import EvidenceItem, Indicator, Sweep, SweepHit


def indicator_for(user: Any, indicator_id: int) -> Indicator:
    """An indicator the user may see under its TLP marking."""
    return get_scoped(
        Indicator.objects.for_user(user).select_related("incident", "organisation"),
        "indicator",
        pk=indicator_id,
    )


def sweep_for(user: Any, sweep_id: int) -> Sweep:
    """A sweep of one of the user's organisations' logs."""
    return get_scoped(
        Sweep.objects.for_user(user).select_related("incident", "organisation"), "sweep", pk=sweep_id
    )


def hit_for(user: Any, hit_id: int) -> SweepHit:
    """A hit of a sweep the user can see."""
    return get_scoped(
        SweepHit.objects.for_user(user).select_related(
            "sweep__incident", "sweep__organisation", "system", "indicator"
        ),
        "hit",
        pk=hit_id,
    )


def evidence_for(user: Any, item_id: int) -> EvidenceItem:
    """An evidence item of one of the user's organisations."""
    return get_scoped(
        EvidenceItem.objects.for_user(user).select_related("incident", "organisation"),
        "evidence item",
        pk=item_id,
    )


def acting_organisation(user: Any, incident: Incident, code: str | None) -> Organisation:
    """The organisation the user acts for in ``incident``: the one named, or their only one."""
    mine = Organisation.objects.filter(pk__in=org_ids(user), involvements__incident=incident).distinct()
    if code:
        org = mine.filter(code__iexact=code.strip()).first()
        if org is None:
            raise InvalidInput(f"You are not a member of {code} in this incident.", field="organisation")
        return org
    orgs = list(mine)
    if len(orgs) != 1:
        raise InvalidInput("Say which organisation you act for.", field="organisation")
    return orgs[0]


def indicators_in(user: Any, incident: Incident) -> Any:
    """The incident's indicators the user may see, with what export and lists need."""
    return (
        Indicator.objects.for_user(user)
        .filter(incident=incident)
        .select_related("incident", "organisation")
        .prefetch_related("systems")
        .order_by("type", "value", "organisation__code")
    )


def staff_watch_list(organisations: Any) -> dict[str, list[str]]:
    """What staff of ``organisations`` must watch for: sender addresses and domains, and link
    domains, from indicators marked for staff in their incidents. Only CLEAR and GREEN go
    to every member of staff; AMBER and stricter stay with the responders."""
    from urllib.parse import urlsplit

    from incidentroom.threats.models import STAFF_TLP

    rows = (
        Indicator.objects.filter(
            staff_watch=True,
            tlp__in=STAFF_TLP,
            type__in=["email_sender", "domain", "url"],
            incident__involvements__organisation__in=organisations,
        )
        .distinct()
        .values_list("type", "value")
    )
    senders: set[str] = set()
    links: set[str] = set()
    for kind, value in rows:
        if kind == "email_sender":
            senders.add(value)
            senders.add("@" + value.rsplit("@", 1)[-1])
        elif kind == "domain":
            links.add(value)
        else:
            links.add(urlsplit(value).hostname or value)
    return {"senders": sorted(senders), "links": sorted(links)}
