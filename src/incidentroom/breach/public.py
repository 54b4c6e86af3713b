"""The public notice (Art 34(3)(c)): what happened, what kinds of data, what to do.

Built from the DPO's approved resident wording, the category counts and the fixed category
text only: it names no one and quotes nothing from the internal assessment, so it can be
served to anyone and cached.
"""

from __future__ import annotations

from typing import Any

from incidentroom.breach import categories as cat
from incidentroom.breach import resident
from incidentroom.breach.letters import ICO_COMPLAINTS
from incidentroom.breach.models import Breach
from incidentroom.breach.reports.facts import scan_facts


def notice_content(breach: Breach) -> dict[str, Any]:
    """Title, paragraphs, the categories involved, advice (each kind once) and contacts."""
    org = breach.organisation
    words = resident.text_for(breach)
    facts = scan_facts(breach)
    found = facts["categories"]
    categories = [{"label": cat.TEXT[c].label, "risk": cat.TEXT[c].risk} for c in found]
    # Each risk once, with the kinds of information it comes from (special categories share one).
    risks: dict[str, list[str]] = {}
    for c in found:
        if cat.TEXT[c].risk:
            risks.setdefault(cat.TEXT[c].risk, []).append(cat.TEXT[c].label)
    return {
        "title": f"{org.name}: information taken in a cyber attack",
        "organisation": org.name,
        "happened": words.what_happened,
        "people": facts["individuals"],
        "categories": categories,
        "means": words.what_it_means,
        "risks": [{"text": text, "labels": labels} for text, labels in risks.items()],
        "doing": words.what_we_are_doing,
        "own_advice": words.what_you_can_do,
        "advice": cat.advice_for(found),
        "contact": {
            "name": org.dpo_name or "Data Protection Officer",
            "email": org.dpo_email,
            "phone": org.dpo_phone,
        },
        "council": {
            "address": org.postal_address.splitlines(),
            "phone": org.main_phone,
            "website": org.website,
        },
        "complaints": ICO_COMPLAINTS,
        "reference": breach.incident.reference,
    }
