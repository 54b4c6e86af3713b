"""The NCSC incident report: who we are, how to reach us safely, impact, and what next."""

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
    """The report as a document."""
    org, inc, breach = facts["organisation"], facts["incident"], facts["breach"]
    analysis = [f"{when(e['at'])}: {e['text']}" for e in reversed(facts.get("log", []))]
    sections = [
        Section("About the report", items=header_items(facts, "NCSC incident reference")),
        Section(
            "Organisation",
            items=[
                Item("Organisation", org["name"]),
                Item(
                    "Role in the incident",
                    "Origin of the incident"
                    if inc["origin"] == org["name"]
                    else "Affected through shared services",
                ),
                Item("Organisations involved", joined(inc["organisations"])),
                Item("Contact on an uncompromised channel", contact_lines(org)),
            ],
        ),
        Section(
            "Summary and impact",
            items=[
                Item("Summary", text_or(inc["summary"] or breach["description"])),
                Item("Detected", when(inc["detected_at"])),
                Item("NCSC category (our assessment)", inc["ncsc_category"]),
                Item("Containment", inc["containment"] or "Not recorded"),
                Item("Systems compromised or switched off", str(inc["systems_down"])),
                Item("Services affected", joined(facts.get("services_affected", []), "None recorded")),
                Item(
                    "Personal data copied",
                    f"Yes: about {figure(facts['scan'].get('individuals'))} people"
                    if facts["scan"].get("individuals") is not None
                    else f"{NOT_YET_KNOWN}: assessment in progress",
                ),
            ],
        ),
        Section("Mitigations", items=[Item("Measures taken", text_or(breach["measures_taken"]))]),
        Section("Analysis so far", paragraphs=analysis or ["No events recorded yet."]),
        Section(
            "Who else has been told",
            bullets=told_others(facts, exclude="ncsc") or ["No other reports filed yet."],
        ),
        Section("Next steps", items=[Item("Planned", text_or(breach["measures_proposed"]))]),
    ]
    return Document(
        title="Cyber incident report to the National Cyber Security Centre",
        subtitle=f"{org['name']} - {inc['reference']} - prepared {when(facts['generated_at'])}",
        sections=sections,
        footer="Submit at report.ncsc.gov.uk from an uncompromised device.",
    )
