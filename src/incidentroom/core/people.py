"""How a person is named to other people: their name, role and council, not a login name.

The decision log hashes the login name (it never changes); what people read next to an
entry is this description, so an inquiry reads "Priya Raman (Data Protection Officer, RBKC)"
rather than "persona.rbkc.dpo".
"""

from __future__ import annotations

from typing import Any

from incidentroom.core.models import Role

# Prefetch this on an author relation before describing many people (one query, not one each).
MEMBERSHIPS = "memberships__organisation"

# The role names people use out loud ("Gold", not "Gold (strategic)").
SHORT_ROLE = {
    Role.GOLD.value: "Gold",
    Role.SILVER.value: "Silver",
    Role.BRONZE.value: "Bronze",
    Role.RESPONDER.value: "IT and security responder",
    Role.DPO.value: "Data Protection Officer",
    Role.COMMS.value: "Communications officer",
    Role.SERVICE_MANAGER.value: "Service manager",
    Role.VIEWER.value: "Viewer",
}


def name_of(user: Any) -> str:
    """The person's full name, or their login name when no name is recorded."""
    full = str(user.get_full_name() or "").strip()
    return full or str(user.get_username())


def describe(user: Any) -> str:
    """'Priya Raman (Data Protection Officer, RBKC)'; several roles are each listed
    ('Sam Okafor (Gold, RBKC; Viewer, WCC)'); no memberships, the name alone."""
    roles: dict[str, list[str]] = {}
    for m in sorted(user.memberships.all(), key=lambda m: m.organisation.code):
        roles.setdefault(SHORT_ROLE.get(m.role, m.role), []).append(m.organisation.code)
    held = "; ".join(f"{role}, {', '.join(codes)}" for role, codes in roles.items())
    return f"{name_of(user)} ({held})" if held else name_of(user)
