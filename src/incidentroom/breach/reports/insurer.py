"""Notice of a cyber incident to the organisation's insurer, within the policy's notice period."""

from __future__ import annotations

from typing import Any

from incidentroom.breach.reports.common import (
    NOT_YET_KNOWN,
    contact_lines,
    figure,
    header_items,
    joined,
    text_or,
    when,
)
from incidentroom.breach.reports.document import Document, Item, Section
from incidentroom.breach.reports.facts import told_others


def build(facts: dict[str, Any]) -> Document:
    """The notice as a document."""
    org, inc, breach, scan = facts["organisation"], facts["incident"], facts["breach"], facts["scan"]
    deadline = facts.get("obligations", {}).get("insurer", {}).get("deadline_at")
    sections = [
        Section(
            "About the notice",
            items=[
                *header_items(facts, "Claim reference"),
                Item("Insurer", text_or(org.get("insurer_name"), "Not recorded")),
                Item("Notice due by (policy condition)", when(deadline)),
            ],
        ),
        Section(
            "The incident",
            items=[
                Item("Detected", when(inc["detected_at"])),
                Item("Summary", text_or(inc["summary"] or breach["description"])),
                Item(
                    "Personal data breach",
                    f"Yes: about {figure(scan.get('individuals'))} people, "
                    f"{figure(scan.get('by_risk', {}).get('high'))} at high risk"
                    if scan.get("individuals") is not None
                    else f"Yes: number of people affected {NOT_YET_KNOWN.lower()} (the stolen data is "
                    "still being examined)",
                ),
                Item("Services affected", joined(facts.get("services_affected", []), "None recorded")),
                Item("Measures taken", text_or(breach["measures_taken"])),
            ],
        ),
        Section("Authorities told", bullets=told_others(facts, exclude="insurer") or ["None yet."]),
        Section("Contact", items=[Item("Data Protection Officer", contact_lines(org))]),
    ]
    return Document(
        title="Notice of a cyber incident to the insurer",
        subtitle=f"{org['name']} - {inc['reference']} - prepared {when(facts['generated_at'])}",
        sections=sections,
    )
