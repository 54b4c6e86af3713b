"""The public notice (Art 34(3)(c)): what happened, what kinds of data, what to do.

Built from the breach facts and category counts only; it names no one, so it can be
served to anyone and cached.
"""

from __future__ import annotations

from typing import Any

from incidentroom.breach import categories as cat
from incidentroom.breach.letters import GENERAL_ADVICE, ICO_COMPLAINTS
from incidentroom.breach.models import Breach
from incidentroom.breach.reports.facts import scan_facts
from incidentroom.core import times


def notice_content(breach: Breach) -> dict[str, Any]:
    """Title, paragraphs, the categories involved with advice for each, and contacts."""
    org = breach.organisation
    facts = scan_facts(breach)
    found = facts["categories"]
    aware = times.uk_time(breach.became_aware_at, "date")
    data_sets = breach.data_set_list()
    happened = [
        f"On {aware} {org.name} found that criminals had copied information from its systems during a cyber "
        "attack on IT shared with neighbouring councils"
        + (f", including {', '.join(data_sets)}." if data_sets else "."),
    ]
    if breach.description.strip():
        happened.append(breach.description.strip())
    categories = [
        {"label": cat.TEXT[c].label, "risk": cat.TEXT[c].risk, "advice": list(cat.TEXT[c].advice)}
        for c in found
    ]
    return {
        "title": f"{org.name}: information taken in a cyber attack",
        "organisation": org.name,
        "happened": happened,
        "people": facts["individuals"],
        "categories": categories,
        "doing": breach.measures_taken.strip()
        or "We have secured our systems and reported the attack to the police, the National Cyber Security "
        "Centre and the Information Commissioner's Office.",
        "general_advice": list(GENERAL_ADVICE),
        "contact": {
            "name": org.dpo_name or "Data Protection Officer",
            "email": org.dpo_email,
            "phone": org.dpo_phone,
        },
        "complaints": ICO_COMPLAINTS,
        "reference": breach.incident.reference,
    }
