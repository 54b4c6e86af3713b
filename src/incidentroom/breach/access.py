"""Who may see and handle breach data: only the DPO and Gold of the controller organisation.

The individuals found in stolen data, the reports that count them and the letters that
name them are personal data of one controller; incident membership alone is not enough.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from incidentroom.core.access import roles_by_org
from incidentroom.core.errors import Forbidden
from incidentroom.core.models import BREACH_ROLES, Organisation


def controller_org_ids(user: Any) -> set[int]:
    """Organisations where the user is DPO or Gold."""
    return {org_id for org_id, role in roles_by_org(user).items() if role in BREACH_ROLES}


def require_controller_role(user: Any, organisations: Iterable[Organisation], doing: str) -> None:
    """Refuse unless the user is DPO or Gold in one of ``organisations``."""
    mine = controller_org_ids(user)
    if not any(o.pk in mine for o in organisations):
        raise Forbidden(f"Only the DPO or Gold of the controller organisation may {doing}.")
