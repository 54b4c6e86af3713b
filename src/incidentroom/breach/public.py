"""The public notice (Art 34(3)(c)): what happened, what kinds of data, what to do.

Built from the DPO's approved resident wording, the category counts and the fixed category
text only: it names no one and quotes nothing from the internal assessment, so it can be
served to anyone and cached.
"""

from __future__ import annotations

from typing import Any

from incidentroom.breach import categories as cat
from incidentroom.breach import resident
from incidentroom.breach.letters import ICO_COMPLAINTS, national_phone
from incidentroom.breach.models import Breach
from incidentroom.breach.reports.facts import scan_facts


def notice_content(breach: Breach) -> dict[str, Any]:
    """Title, paragraphs, the categories involved, advice (each kind once) and contacts."""
    org = breach.organisation
    words = resident.text_for(breach, public=True)
    helpline = national_phone(org.resident_helpline)
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
        "find_out": find_out(breach),
        # With a helpline, the DPO's desk phone and the switchboard are left out: both are on
        # the council's own lines, which the attack may have taken down.
        "contact": {
            "name": org.dpo_name or "Data Protection Officer",
            "email": org.dpo_email,
            "phone": "" if helpline else org.dpo_phone,
        },
        "council": {
            "address": org.postal_address.splitlines(),
            "phone": "" if helpline else org.main_phone,
            "helpline": helpline,
            "website": org.website,
        },
        "complaints": ICO_COMPLAINTS,
        "reference": breach.incident.reference,
    }


def find_out(breach: Breach) -> list[str]:
    """'How to find out if you are affected', for a reader nobody has written to: the notice
    is for the people a letter or an email does not reach (Art 34(3)(c)). It promises no
    letter: the DPO may write first to the people most at risk, and some have no address."""
    org = breach.organisation
    helpline = national_phone(org.resident_helpline)
    dpo = ", ".join(x for x in (org.dpo_name, org.dpo_email, "" if helpline else org.dpo_phone) if x)
    ask = (
        f"call our helpline for this incident on {helpline}"
        if helpline
        else f"contact our Data Protection Officer{f' ({dpo})' if dpo else ''}"
    )
    return [
        "We are writing to people whose information we have found in the copied files, starting with "
        "the people most at risk. Some people may not hear from us, for example if we do not have a "
        "current address for them.",
        f"If you are worried that information about you was taken, {ask}. We can check whether "
        "information about you was in the copied files.",
    ]
