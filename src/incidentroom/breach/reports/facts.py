"""Gather the facts a report states, from the incident, the breach and the scan results.

A report version freezes these facts as JSON when it is drafted, so what was filed can
always be re-rendered exactly, and a follow-up can show what changed since.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.db.models import Count
from django.utils import timezone

from incidentroom.breach.models import (
    Appearance,
    Breach,
    Individual,
    IndividualQuerySet,
    PeopleCategory,
    Report,
    ScanStatus,
)
from incidentroom.core import times
from incidentroom.incidents.models import Obligation, ObligationStatus
from incidentroom.incidents.queries import affected_service_rows, down_system_ids
from incidentroom.scanner.detect.vocab import CATEGORIES, SPECIAL_CATEGORIES

ICO_HOURS = 72


def _iso(value: dt.datetime | None) -> str | None:
    # Frozen facts hold UTC instants; they are written for people only through uk_time.
    return value.astimezone(dt.UTC).isoformat() if value else None


def counted_individuals(breach: Breach) -> IndividualQuerySet:
    """The people this controller must count: found by any finished scan in the incident,
    attributed to this organisation, and not merged into another record."""
    return Individual.objects.filter(
        breach__incident_id=breach.incident_id,
        organisations=breach.organisation,
        scan__status=ScanStatus.SUCCEEDED,
    ).active()


def _records_figure(breach: Breach, people: IndividualQuerySet) -> int:
    # The scanner counts records (rows, letters, emails) across everything it read. That is
    # this controller's figure only when every folder scanned held this controller's data;
    # otherwise the number of its people's document appearances is the honest approximation.
    figures = []
    for scan in breach.scans.filter(status=ScanStatus.SUCCEEDED):
        own = all(s.get("organisation") == breach.organisation.code for s in scan.sources)
        value = scan.summary.get("records") if isinstance(scan.summary, dict) else None
        if not own or not isinstance(value, int):
            return Appearance.objects.filter(individual__in=people).count()
        figures.append(value)
    return sum(figures) if figures else Appearance.objects.filter(individual__in=people).count()


def scan_facts(breach: Breach) -> dict[str, Any]:
    """Numbers and categories from the scans, for this controller only."""
    people = counted_individuals(breach)
    by_category: Counter[str] = Counter()
    for cats in people.values_list("categories", flat=True):
        by_category.update(str(c) for c in cats)
    by_risk = dict(people.values_list("risk").annotate(n=Count("id")).values_list("risk", "n"))
    scans = list(breach.scans.filter(status=ScanStatus.SUCCEEDED).order_by("finished_at"))
    # Before any scan has finished nobody knows how many people are affected: the figures
    # are None ("Not yet known" on every page and document), never a misleading 0.
    # (A scan of a shared archive under another controller's breach counts too.)
    known = bool(scans) or people.exists()
    files: Counter[str] = Counter()
    for scan in scans:
        for status, n in (scan.manifest.get("by_status") or {}).items():
            files[str(status)] += int(n)
    categories = [c for c in CATEGORIES if by_category.get(c)]
    return {
        "scans": [s.pk for s in scans],
        "known": known,
        "individuals": people.count() if known else None,
        "records": _records_figure(breach, people) if known else None,
        "by_category": {c: by_category[c] for c in categories},
        "categories": categories,
        "special_categories": [c for c in categories if c in SPECIAL_CATEGORIES],
        "criminal_offence_data": "criminal_offence" in categories,
        "by_risk": {r: int(by_risk.get(r, 0)) if known else None for r in ("high", "medium", "low")},
        "files_by_status": dict(files),
        "notified": people.filter(contact_status="notified").count(),
    }


def _obligations(breach: Breach) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for ob in Obligation.objects.filter(
        incident_id=breach.incident_id, organisation_id=breach.organisation_id
    ):
        out[ob.code] = {
            "title": ob.title,
            "recipient": ob.recipient,
            "status": ob.status,
            "deadline_at": _iso(ob.deadline_at),
            "submitted_at": _iso(ob.submitted_at),
            "external_reference": ob.external_reference,
            "reference_label": ob.reference_label,
        }
    return out


def _service_impact(breach: Breach) -> list[str]:
    rows = [
        r
        for r in affected_service_rows(breach.incident)
        if r.service.organisation_id == breach.organisation_id
    ]
    return sorted({r.service.name for r in rows})


def gather(breach: Breach, kind: str, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """Everything a report of ``kind`` may state, as JSON-safe values."""
    now = now or timezone.now()
    incident = breach.incident
    org = breach.organisation
    previous = Report.objects.filter(breach=breach, kind=kind).order_by("-version").first()
    obligations = _obligations(breach)
    own = obligations.get(kind, {})
    submitted_before = previous is not None and previous.submitted_at is not None
    case_reference = own.get("external_reference") or (previous.external_reference if previous else "")
    aware = breach.became_aware_at
    # The page shows the ICO obligation's deadline: the report states the same instant.
    ico_deadline = obligations.get("ico", {}).get("deadline_at")
    ico_due = (
        dt.datetime.fromisoformat(ico_deadline)
        if ico_deadline
        else times.after(aware, times.hours(ICO_HOURS))
    )
    ico_filed = obligations.get("ico", {}).get("submitted_at")
    late = (dt.datetime.fromisoformat(ico_filed) if ico_filed else now) > ico_due
    involvement = incident.involvements.filter(organisation=org).first()
    people_labels = dict(PeopleCategory.choices)
    return {
        "kind": kind,
        "generated_at": _iso(now),
        "follow_up": submitted_before,
        "previous_version": previous.version if previous else None,
        "case_reference": case_reference,
        "organisation": {
            "name": org.name,
            "code": org.code,
            "ico_registration": org.ico_registration,
            "dpo_name": org.dpo_name,
            "dpo_email": org.dpo_email,
            "dpo_phone": org.dpo_phone,
            "insurer_name": org.insurer_name,
        },
        "incident": {
            "reference": incident.reference,
            "title": incident.title,
            "summary": incident.summary,
            "ncsc_category": incident.get_ncsc_category_display(),
            "severity": incident.get_severity_display(),
            "phase": incident.get_phase_display(),
            "detected_at": _iso(incident.detected_at),
            "origin": incident.origin.name,
            "organisations": [
                i.organisation.name for i in incident.involvements.select_related("organisation")
            ],
            "containment": involvement.get_containment_display() if involvement else "",
            "systems_down": len(down_system_ids(incident)),
        },
        "breach": {
            "description": breach.description,
            "data_sets": breach.data_set_list(),
            "occurred_at": _iso(breach.occurred_at),
            "became_aware_at": _iso(aware),
            "discovery": breach.discovery,
            "cyber_incident": breach.cyber_incident,
            "confidentiality": breach.confidentiality,
            "integrity": breach.integrity,
            "availability": breach.availability,
            "people_categories": [people_labels.get(c, c) for c in breach.people_categories],
            "likely_consequences": breach.likely_consequences,
            "measures_taken": breach.measures_taken,
            "measures_proposed": breach.measures_proposed,
            "delay_reason": breach.delay_reason,
            "ico_due_at": _iso(ico_due),
            "late": late,
        },
        "scan": scan_facts(breach),
        "services_affected": _service_impact(breach),
        "obligations": obligations,
        "log": [
            {"at": _iso(e.occurred_at), "kind": e.kind, "text": e.text}
            for e in incident.log_entries.filter(kind__in=["decision", "event"]).order_by("-sequence")[:15]
        ],
    }


def told_others(facts: dict[str, Any], *, exclude: str) -> list[str]:
    """Recipients already told (reports marked submitted), for 'who else has been told'."""
    told = []
    for code, ob in sorted(facts.get("obligations", {}).items()):
        if code != exclude and ob.get("status") == ObligationStatus.SUBMITTED:
            ref = (
                f" ({ob['reference_label']} {ob['external_reference']})"
                if ob.get("external_reference")
                else ""
            )
            told.append(f"{ob['recipient']}{ref}")
    return told
