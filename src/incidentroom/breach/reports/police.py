"""Summary for the crime report to Report Fraud (formerly Action Fraud)."""

from __future__ import annotations

from typing import Any

from incidentroom.breach.reports.common import contact_lines, figure, header_items, joined, text_or, when
from incidentroom.breach.reports.document import Document, Item, Section


def build(facts: dict[str, Any]) -> Document:
    """The report summary as a document."""
    org, inc, breach, scan = facts["organisation"], facts["incident"], facts["breach"], facts["scan"]
    sections = [
        Section("About the report", items=header_items(facts, "Crime reference number")),
        Section(
            "The offence",
            items=[
                Item("What happened", text_or(breach["description"])),
                Item("Unauthorised access detected", when(inc["detected_at"])),
                Item("Data copied out", joined(breach["data_sets"])),
                Item("People whose data was taken (approximately)", figure(scan.get("individuals"))),
                Item("Services disrupted", joined(facts.get("services_affected", []), "None recorded")),
            ],
        ),
        Section(
            "Victim organisation",
            items=[
                Item("Organisation", org["name"]),
                Item("Contact", contact_lines(org)),
            ],
        ),
        Section(
            "How to report",
            paragraphs=[
                "Report Fraud (formerly Action Fraud): 0300 123 2040, option 9, for organisations under live attack "
                "(24 hours). Record the crime reference number against this report in Incident Room."
            ],
        ),
    ]
    return Document(
        title="Crime report summary for Report Fraud",
        subtitle=f"{org['name']} - {inc['reference']} - prepared {when(facts['generated_at'])}",
        sections=sections,
    )
