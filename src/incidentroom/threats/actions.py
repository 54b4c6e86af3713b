"""Every state change to indicators and host names. Atomic, role-checked and audited.

Sweeps and evidence have their own action modules (``sweeps.py``, ``evidence.py``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from incidentroom.core import audit, times
from incidentroom.core.access import require_writer
from incidentroom.core.errors import Conflict, InvalidInput
from incidentroom.core.models import Organisation
from incidentroom.estate.models import System
from incidentroom.incidents import actions as incident_actions
from incidentroom.incidents import queries as incident_queries
from incidentroom.incidents.models import EntryKind, Incident
from incidentroom.threats.exchange import Parsed, Skipped
from incidentroom.threats.models import HostAlias, Indicator, IndicatorType, SourceKind, Tlp
from incidentroom.threats.values import normalise

INDICATOR_FIELDS = (
    "type",
    "value",
    "source_kind",
    "source_name",
    "confidence",
    "first_seen",
    "last_seen",
    "tlp",
    "description",
    "staff_watch",
)
CHANGEABLE = ("source_name", "confidence", "first_seen", "last_seen", "tlp", "description", "staff_watch")


def _clean(fields: dict[str, Any]) -> dict[str, Any]:
    clean = dict(fields)
    if "type" in clean or "value" in clean:
        clean["value"] = normalise(clean["type"], clean["value"])
    if "confidence" in clean:
        confidence = clean["confidence"]
        if not isinstance(confidence, int) or isinstance(confidence, bool) or not 0 <= confidence <= 100:
            raise InvalidInput("confidence is a whole number from 0 to 100.", field="confidence")
    if "tlp" in clean and clean["tlp"] not in Tlp.values:
        raise InvalidInput(f"tlp must be one of {', '.join(Tlp.values)}.", field="tlp")
    if "source_kind" in clean and clean["source_kind"] not in SourceKind.values:
        raise InvalidInput(f"source_kind must be one of {', '.join(SourceKind.values)}.", field="source_kind")
    for name in ("first_seen", "last_seen"):
        if name in clean:
            clean[name] = times.not_future_optional(clean[name], name)
    for name, limit in (("source_name", 200), ("description", 5000)):
        if name in clean:
            clean[name] = (clean[name] or "").strip()
            if len(clean[name]) > limit:
                raise InvalidInput(f"{name} is at most {limit} characters.", field=name)
    return clean


def _check_seen(first: dt.datetime | None, last: dt.datetime | None) -> None:
    if first and last and last < first:
        raise InvalidInput("last_seen is before first_seen.", field="last_seen")


@transaction.atomic
def create_indicator(
    incident: Incident,
    *,
    actor: Any,
    organisation: Organisation,
    type: str,  # noqa: A002 - the domain's word
    value: str,
    tlp: str = Tlp.AMBER,
    source_kind: str = SourceKind.OWN,
    source_name: str = "",
    confidence: int = 50,
    first_seen: dt.datetime | None = None,
    last_seen: dt.datetime | None = None,
    description: str = "",
    staff_watch: bool = False,
    systems: Sequence[str] = (),
    stix_id: str | None = None,
) -> Indicator:
    """Record an indicator for ``organisation`` (which must be involved, and the actor a writer there)."""
    require_writer(actor, [organisation], "add indicators for this organisation")
    incident_queries.check_involved(incident, organisation)
    clean = _clean(
        {
            "type": type,
            "value": value,
            "tlp": tlp,
            "source_kind": source_kind,
            "source_name": source_name,
            "confidence": confidence,
            "first_seen": first_seen,
            "last_seen": last_seen,
            "description": description,
        }
    )
    _check_seen(clean["first_seen"], clean["last_seen"])
    if Indicator.objects.filter(
        incident=incident, organisation=organisation, type=type, value=clean["value"]
    ).exists():
        raise Conflict(
            f"{organisation.code} already has this {IndicatorType(type).label.lower()}.", field="value"
        )
    linked = incident_queries.systems_by_code(incident, systems)
    indicator = Indicator.objects.create(
        incident=incident,
        organisation=organisation,
        staff_watch=bool(staff_watch),
        stix_id=stix_id or f"indicator--{uuid.uuid4()}",
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        **clean,
    )
    if linked:
        indicator.systems.set(linked)
    audit.record(
        actor=actor,
        action="indicator.create",
        obj=indicator,
        after={**audit.snapshot(indicator, INDICATOR_FIELDS), "systems": [s.code for s in linked]},
        organisations=[organisation],
    )
    return indicator


@transaction.atomic
def update_indicator(
    indicator: Indicator, *, actor: Any, systems: Sequence[str] | None = None, **changes: Any
) -> Indicator:
    """Change an indicator's marking, confidence, times, notes or linked systems (its
    organisation's writers only; type and value are what it *is*, so they never change)."""
    require_writer(actor, [indicator.organisation], "change this indicator")
    unknown = set(changes) - set(CHANGEABLE)
    if unknown:
        raise InvalidInput(f"Cannot change {', '.join(sorted(unknown))}.", field=sorted(unknown)[0])
    clean = _clean(changes)
    if "staff_watch" in clean:
        clean["staff_watch"] = bool(clean["staff_watch"])
    _check_seen(clean.get("first_seen", indicator.first_seen), clean.get("last_seen", indicator.last_seen))
    before = {
        **audit.snapshot(indicator, CHANGEABLE),
        "systems": sorted(s.code for s in indicator.systems.all()),
    }
    for name, value in clean.items():
        setattr(indicator, name, value)
    indicator.save()
    if systems is not None:
        indicator.systems.set(incident_queries.systems_by_code(indicator.incident, systems))
    audit.record(
        actor=actor,
        action="indicator.update",
        obj=indicator,
        before=before,
        after={
            **audit.snapshot(indicator, CHANGEABLE),
            "systems": sorted(s.code for s in indicator.systems.all()),
        },
        organisations=[indicator.organisation],
    )
    return indicator


@dataclass
class ImportReport:
    """What an import did, item by item."""

    created: list[Indicator] = field(default_factory=list)
    widened: list[Indicator] = field(default_factory=list)
    unchanged: list[Indicator] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Counts and reasons, for the API, the page and the audit entry."""
        return {
            "created": len(self.created),
            "widened": len(self.widened),
            "unchanged": len(self.unchanged),
            "skipped": [{"item": s.where, "reason": s.reason} for s in self.skipped],
        }


@transaction.atomic
def import_indicators(
    incident: Incident,
    *,
    actor: Any,
    organisation: Organisation,
    parsed: Sequence[Parsed],
    skipped: Sequence[Skipped] = (),
    source_kind: str = SourceKind.OWN,
    source_name: str = "",
    default_tlp: str = Tlp.AMBER,
    format_name: str = "STIX",
) -> ImportReport:
    """Merge indicators read from a document. Nothing already recorded is lost: an existing
    indicator keeps its marking, confidence and notes, and only gains a wider first/last
    seen window or missing links; each item that cannot be taken is reported with why."""
    require_writer(actor, [organisation], "import indicators for this organisation")
    incident_queries.check_involved(incident, organisation)
    if source_kind not in SourceKind.values:
        raise InvalidInput(f"source_kind must be one of {', '.join(SourceKind.values)}.", field="source_kind")
    if default_tlp not in Tlp.values:
        raise InvalidInput(f"tlp must be one of {', '.join(Tlp.values)}.", field="tlp")
    report = ImportReport(skipped=list(skipped))
    seen_in_file: set[tuple[str, str]] = set()
    for item in parsed:
        try:
            value = normalise(item.type, item.value)
            confidence = item.confidence if item.confidence is not None else 50
            clean = _clean(
                {
                    "confidence": confidence,
                    "first_seen": item.first_seen,
                    "last_seen": item.last_seen,
                    "description": item.description,
                    "source_name": item.source_name or source_name,
                }
            )
            _check_seen(clean["first_seen"], clean["last_seen"])
            systems = incident_queries.systems_by_code(incident, item.systems) if item.systems else []
        except InvalidInput as exc:
            report.skipped.append(Skipped(item.where, exc.message))
            continue
        key = (item.type, value)
        existing = Indicator.objects.filter(
            incident=incident, organisation=organisation, type=item.type, value=value
        ).first()
        if existing is None:
            if key in seen_in_file:
                report.skipped.append(Skipped(item.where, "repeats an earlier item of this file"))
                continue
            stix_id = (
                item.stix_id
                if item.stix_id and not Indicator.objects.filter(stix_id=item.stix_id).exists()
                else None
            )
            indicator = Indicator.objects.create(
                incident=incident,
                organisation=organisation,
                type=item.type,
                value=value,
                tlp=item.tlp or default_tlp,
                source_kind=item.source_kind if item.source_kind in SourceKind.values else source_kind,
                staff_watch=bool(item.staff_watch),
                stix_id=stix_id or f"indicator--{uuid.uuid4()}",
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
                **clean,
            )
            if systems:
                indicator.systems.set(systems)
            report.created.append(indicator)
        else:
            changed = False
            if clean["first_seen"] and (
                existing.first_seen is None or clean["first_seen"] < existing.first_seen
            ):
                existing.first_seen = clean["first_seen"]
                changed = True
            if clean["last_seen"] and (existing.last_seen is None or clean["last_seen"] > existing.last_seen):
                existing.last_seen = clean["last_seen"]
                changed = True
            have = set(existing.systems.values_list("pk", flat=True))
            extra = [s for s in systems if s.pk not in have]
            if changed:
                existing.save(update_fields=["first_seen", "last_seen"])
            if extra:
                existing.systems.add(*extra)
                changed = True
            (report.widened if changed else report.unchanged).append(existing)
        seen_in_file.add(key)
    summary = report.as_dict()
    audit.record(
        actor=actor,
        action="indicator.import",
        obj=incident,
        after={"format": format_name, "source": source_name, "organisation": organisation.code, **summary},
        organisations=[organisation],
    )
    # The incident log is read by every organisation: counts only, never the values.
    incident_actions.add_log_entry(
        incident,
        actor=actor,
        kind=EntryKind.EVENT,
        text=f"{organisation.code} imported indicators ({format_name}"
        + (f" from {source_name}" if source_name else "")
        + f"): {summary['created']} new, {summary['widened']} updated, {summary['unchanged']} unchanged, "
        f"{len(summary['skipped'])} skipped.",
        organisations=[organisation],
    )
    return report


@transaction.atomic
def add_host_alias(system: System, *, actor: Any, hostname: str) -> HostAlias:
    """Say that ``hostname`` is (part of) ``system``, so sweep hits on it link to the system."""
    require_writer(actor, [system.owner], "name hosts of this system")
    name = normalise("host_name", hostname, field="hostname")
    if len(name) > 255:
        raise InvalidInput("A host name is at most 255 characters.", field="hostname")
    existing = HostAlias.objects.filter(hostname=name).select_related("system").first()
    if existing is not None:
        if existing.system_id == system.pk:
            return existing
        raise Conflict(f"{name} already belongs to {existing.system.name}.", field="hostname")
    alias = HostAlias.objects.create(system=system, hostname=name)
    audit.record(
        actor=actor,
        action="host_alias.create",
        obj=alias,
        after={"system": system.code, "hostname": name},
        organisations=[system.owner],
    )
    return alias
