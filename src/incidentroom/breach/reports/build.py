"""Turn a stored report version into a document, marking what changed since the last one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from incidentroom.breach.models import Report
from incidentroom.breach.reports import ico, insurer, ncsc, police
from incidentroom.breach.reports.common import changes_section, mark_changes
from incidentroom.breach.reports.document import Document

BUILDERS: dict[str, Callable[[dict[str, Any]], Document]] = {
    "ico": ico.build,
    "ncsc": ncsc.build,
    "police": police.build,
    "insurer": insurer.build,
}


# What each report is called on buttons and headings ("Draft police report", not "Draft POLICE").
SHORT_NAMES: dict[str, str] = {
    "ico": "ICO report",
    "ncsc": "NCSC report",
    "police": "police report",
    "insurer": "insurer notice",
}


def document_for(report: Report) -> Document:
    """The document for one report version (a follow-up opens with what changed)."""
    doc = BUILDERS[report.kind](report.facts)
    previous = (
        Report.objects.filter(breach_id=report.breach_id, kind=report.kind, version__lt=report.version)
        .order_by("-version")
        .first()
    )
    if previous is not None:
        changed = mark_changes(doc, BUILDERS[report.kind](previous.facts))
        doc.sections.insert(1, changes_section(changed, previous.version))
    doc.subtitle += f" - version {report.version}"
    # Until it is recorded as filed, every page says it is a draft (PDF margin, DOCX header).
    doc.draft = report.submitted_at is None
    return doc
