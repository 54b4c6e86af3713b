"""Helpers shared by the recipient modules: dates, yes/no, and marking follow-up changes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from incidentroom.breach.reports.document import Document, Item, Section
from incidentroom.core import times

NOT_YET_KNOWN = "Not yet known"


def when(value: str | None) -> str:
    """An ISO time from the frozen facts, written by the one UK-time function, or 'Not known'."""
    if not value:
        return "Not known"
    return times.uk_time(dt.datetime.fromisoformat(value))


def figure(value: int | None) -> str:
    """A count, or 'Not yet known' when nobody knows it yet (no scan has finished): never 0."""
    return NOT_YET_KNOWN if value is None else f"{value:,}"


def yes_no(value: Any) -> str:
    """'Yes' or 'No'."""
    return "Yes" if value else "No"


def text_or(value: str | None, fallback: str = "Not yet recorded") -> str:
    """The text, or a clear placeholder the reviewer will notice."""
    return value.strip() if value and value.strip() else fallback


def joined(values: list[str], fallback: str = "None recorded") -> str:
    """Comma-separated, or a placeholder."""
    return ", ".join(values) if values else fallback


def contact_lines(org: dict[str, Any]) -> str:
    """The DPO's contact details on one line each."""
    parts = [
        org.get("dpo_name") or "Data Protection Officer",
        org.get("dpo_email") or "",
        org.get("dpo_phone") or "",
    ]
    return "\n".join(p for p in parts if p)


def mark_changes(doc: Document, previous: Document) -> list[str]:
    """Flag every answer that differs from the previous version; return 'Section: label' for each."""
    before = {(s.heading, i.label): i.value for s in previous.sections for i in s.items}
    changed = []
    for section in doc.sections:
        if section.heading.startswith("About the"):
            continue  # report type and references change by design; they are not news
        for item in section.items:
            old = before.get((section.heading, item.label))
            if old is not None and old != item.value:
                item.changed = True
                changed.append(f"{item.label}: was '{old}', now '{item.value}'")
            elif old is None:
                item.changed = True
                changed.append(f"{item.label}: new, '{item.value}'")
    return changed


def changes_section(changed: list[str], previous_version: int | None) -> Section:
    """The 'what changed' section a follow-up report opens with."""
    heading = f"What has changed since version {previous_version}" if previous_version else "What has changed"
    if not changed:
        return Section(heading, paragraphs=["No answers have changed since the previous report."])
    return Section(heading, bullets=changed)


def header_items(facts: dict[str, Any], reference_label: str) -> list[Item]:
    """Report type, references and the organisation."""
    org = facts["organisation"]
    items = [
        Item("Report type", "Follow-up report" if facts.get("follow_up") else "Initial report"),
        Item("Organisation", f"{org['name']} ({org['code']})"),
        Item("Incident reference", facts["incident"]["reference"]),
    ]
    if facts.get("case_reference"):
        items.append(Item(reference_label, facts["case_reference"]))
    return items
