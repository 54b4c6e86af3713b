"""Template context shared by every page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from incidentroom.core.access import roles_by_org
from incidentroom.core.models import Organisation


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The user's organisations and roles, for the header."""
    user = request.user
    if not user.is_authenticated:
        return {"my_memberships": []}
    roles = roles_by_org(user)
    orgs = Organisation.objects.filter(pk__in=roles)
    return {"my_memberships": [(o, roles[o.pk]) for o in orgs]}
