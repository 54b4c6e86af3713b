"""Reports to the ICO and others: draft a version from the facts, record its filing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from incidentroom.breach.access import require_controller_role
from incidentroom.breach.actions._common import log
from incidentroom.breach.models import (
    Breach,
    Report,
    ReportKind,
)
from incidentroom.breach.reports.facts import gather
from incidentroom.core import audit, times
from incidentroom.core.errors import Conflict, InvalidInput
from incidentroom.incidents import actions as incident_actions
from incidentroom.incidents.models import EntryKind, ObligationStatus


@transaction.atomic
def draft_report(breach: Breach, *, actor: Any, kind: str) -> Report:
    """Draft the next version of a report from the current facts; its clock shows 'drafted'."""
    require_controller_role(actor, [breach.organisation], "draft reports for this breach")
    if kind not in ReportKind.values:
        raise InvalidInput(f"kind must be one of {', '.join(ReportKind.values)}; got {kind!r}.", field="kind")
    last = Report.objects.select_for_update().filter(breach=breach, kind=kind).order_by("-version").first()
    if last is not None and last.submitted_at is None:
        # Replace an unsent draft's facts rather than piling up versions nobody filed.
        before = {"version": last.version, "generated_at": last.facts.get("generated_at")}
        last.facts = gather(breach, kind)
        last.created_by = actor
        last.created_at = timezone.now()
        last.save()
        report = last
    else:
        before = None
        report = Report.objects.create(
            breach=breach,
            kind=kind,
            version=(last.version + 1) if last else 1,
            facts=gather(breach, kind),
            created_by=actor,
        )
    audit.record(
        actor=actor,
        action="report.draft",
        obj=report,
        before=before,
        after={"kind": kind, "version": report.version, "follow_up": report.is_follow_up},
        organisations=[breach.organisation],
    )
    obligation = breach.obligation(kind)
    if obligation is not None and obligation.status == ObligationStatus.DUE:
        incident_actions.update_obligation(obligation, actor=actor, status=ObligationStatus.DRAFTED)
    return report


@transaction.atomic
def submit_report(
    report: Report, *, actor: Any, external_reference: str = "", submitted_at: dt.datetime | None = None
) -> Report:
    """Record that a report was filed; the first filing stops that obligation's clock."""
    breach = report.breach
    require_controller_role(actor, [breach.organisation], "submit reports for this breach")
    if report.submitted_at is not None:
        raise Conflict(f"Version {report.version} was already submitted; draft a follow-up instead.")
    latest = Report.objects.filter(breach=breach, kind=report.kind).order_by("-version").first()
    if latest is not None and latest.pk != report.pk:
        raise Conflict("A later version of this report exists; submit that one.")
    submitted_at = times.not_future_optional(submitted_at, "submitted_at") or timezone.now()
    reference = (external_reference or "").strip()[:100]
    report.submitted_at = submitted_at
    report.external_reference = reference or report.facts.get("case_reference", "")
    report.save(update_fields=["submitted_at", "external_reference"])
    audit.record(
        actor=actor,
        action="report.submit",
        obj=report,
        after={
            "version": report.version,
            "submitted_at": submitted_at,
            "external_reference": report.external_reference,
        },
        organisations=[breach.organisation],
    )
    obligation = breach.obligation(report.kind)
    if obligation is not None and obligation.status != ObligationStatus.SUBMITTED:
        incident_actions.update_obligation(
            obligation,
            actor=actor,
            status=ObligationStatus.SUBMITTED,
            submitted_at=submitted_at,
            external_reference=reference,
        )
    elif obligation is not None:
        # A follow-up: the clock stopped at the first filing; the log still records it.
        if reference and not obligation.external_reference:
            incident_actions.update_obligation(
                obligation,
                actor=actor,
                status=ObligationStatus.SUBMITTED,
                submitted_at=obligation.submitted_at,
                external_reference=reference,
            )
        log(
            breach.incident,
            actor,
            f"{report.get_kind_display()} follow-up (version {report.version}) submitted "
            f"for {breach.organisation.code}.",
            breach.organisation,
            kind=EntryKind.COMMUNICATION,
        )
    return report
