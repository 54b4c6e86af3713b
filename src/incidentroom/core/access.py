"""Who may do what: role checks shared by every app.

Reads are scoped by each model's ``for_user`` queryset; this module answers the second
question, whether the user's role in an organisation lets them *change* something there.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from incidentroom.core.errors import Forbidden
from incidentroom.core.models import WRITER_ROLES, Membership, Organisation


def roles_by_org(user: Any) -> dict[int, str]:
    """Organisation id -> the user's role there (cached on the user object per request)."""
    if not getattr(user, "is_authenticated", False):
        return {}
    cached: dict[int, str] | None = getattr(user, "_ir_roles", None)
    if cached is None:
        cached = dict(Membership.objects.filter(user=user).values_list("organisation_id", "role"))
        user._ir_roles = cached
    return cached


def org_ids(user: Any) -> set[int]:
    """Ids of the organisations the user belongs to."""
    return set(roles_by_org(user))


def has_role(user: Any, organisation: Organisation | int, roles: Iterable[str]) -> bool:
    """True when the user's role in ``organisation`` is one of ``roles``."""
    org_id = organisation if isinstance(organisation, int) else organisation.pk
    return roles_by_org(user).get(org_id) in set(roles)


def require_role(user: Any, organisations: Iterable[Organisation], roles: Iterable[str], doing: str) -> None:
    """Refuse unless the user holds one of ``roles`` in at least one of ``organisations``."""
    allowed = set(roles)
    mine = roles_by_org(user)
    if not any(mine.get(o.pk) in allowed for o in organisations):
        raise Forbidden(f"Your role does not allow you to {doing}.")


def require_writer(user: Any, organisations: Iterable[Organisation], doing: str) -> None:
    """Refuse read-only viewers and people outside the organisations."""
    require_role(user, organisations, WRITER_ROLES, doing)
