"""The ICO personal data breach report: Art 33(3) content in the order of the ICO's form."""

from __future__ import annotations

from typing import Any

from incidentroom.breach import categories as cat
from incidentroom.breach.reports.common import (
    contact_lines,
    figure,
    header_items,
    joined,
    text_or,
    when,
    yes_no,
)
from incidentroom.breach.reports.document import Document, Item, Section


def build(facts: dict[str, Any]) -> Document:
    """The report as a document."""
    org, breach, scan = facts["organisation"], facts["breach"], facts["scan"]
    by_cat = scan.get("by_category", {})
    category_lines = [f"{cat.label(c)}: {by_cat.get(c, 0):,} people" for c in scan.get("categories", [])]
    special = [cat.label(c) for c in scan.get("special_categories", [])]
    impact = [
        n
        for n, flag in (
            ("confidentiality", breach["confidentiality"]),
            ("integrity", breach["integrity"]),
            ("availability", breach["availability"]),
        )
        if flag
    ]
    sections = [
        Section(
            "About the report",
            items=[
                *header_items(facts, "ICO case reference"),
                Item("ICO registration number", text_or(org.get("ico_registration"), "Not recorded")),
            ],
        ),
        Section(
            "What happened",
            items=[
                Item("Description", text_or(breach["description"])),
                Item("Data sets involved", joined(breach["data_sets"])),
                Item("Cyber incident", yes_no(breach["cyber_incident"])),
                Item("Security properties affected", joined(impact, "None")),
                Item("How the breach was discovered", text_or(breach["discovery"])),
            ],
        ),
        Section(
            "Timing",
            items=[
                Item("When the breach happened", when(breach["occurred_at"])),
                Item("When you discovered it (became aware)", when(breach["became_aware_at"])),
                Item("72-hour deadline", when(breach["ico_due_at"])),
                Item(
                    "Reasons for reporting after 72 hours",
                    text_or(breach["delay_reason"], "Not yet recorded: required because this report is late")
                    if breach["late"]
                    else "Not applicable: reported within 72 hours",
                ),
            ],
        ),
        Section(
            "Personal data involved",
            items=[
                Item(
                    "Categories of personal data",
                    joined([cat.label(c) for c in scan.get("categories", [])], "No scan results yet"),
                ),
                Item("Special category data", joined(special, "None found")),
                Item("Criminal offence data", yes_no(scan.get("criminal_offence_data"))),
                Item("Approximate number of people affected", figure(scan.get("individuals"))),
                Item("Approximate number of records", figure(scan.get("records"))),
                Item("People at high risk", figure(scan.get("by_risk", {}).get("high"))),
                Item("Categories of people", joined(breach["people_categories"], "Not yet recorded")),
            ],
            bullets=category_lines,
        ),
        Section(
            "Consequences and measures",
            items=[
                Item("Likely consequences", text_or(breach["likely_consequences"])),
                Item("Measures taken", text_or(breach["measures_taken"])),
                Item("Measures proposed", text_or(breach["measures_proposed"])),
                Item("People told so far", f"{scan.get('notified', 0):,}"),
            ],
        ),
        Section("Contact", items=[Item("Data Protection Officer", contact_lines(org))]),
    ]
    return Document(
        title="Personal data breach report to the Information Commissioner's Office",
        subtitle=f"{org['name']} - UK GDPR Article 33 - prepared {when(facts['generated_at'])}",
        sections=sections,
        footer="Drafted by Incident Room from the incident record and the scan of the stolen data; "
        "review before submitting at ico.org.uk/report-a-breach.",
    )
