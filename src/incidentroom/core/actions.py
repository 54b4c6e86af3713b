"""State changes for organisations, people and API tokens. Each is atomic and audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from incidentroom.core import audit
from incidentroom.core.emailaddr import normalise_email
from incidentroom.core.errors import Conflict, Forbidden, InvalidInput
from incidentroom.core.models import ApiToken, Membership, Organisation, Role, hash_token


@transaction.atomic
def create_organisation(*, actor: Any, name: str, code: str, **fields: Any) -> Organisation:
    """Register an organisation (a council, a shared-service body)."""
    code = code.strip().upper()
    if not code or not code.replace("-", "").isalnum():
        raise InvalidInput("An organisation code is letters and digits, such as RBKC.", field="code")
    if Organisation.objects.filter(code=code).exists():
        raise Conflict(f"There is already an organisation with code {code}.", field="code")
    org = Organisation.objects.create(name=name, code=code, **fields)
    audit.record(
        actor=actor, action="organisation.create", obj=org, after=audit.snapshot(org), organisations=[org]
    )
    return org


@transaction.atomic
def create_user(
    *, actor: Any, username: str, password: str | None, full_name: str = "", email: str = ""
) -> AbstractBaseUser:
    """Create a login; ``password=None`` makes an account that can only use API tokens."""
    user_model = get_user_model()
    if user_model.objects.filter(username=username).exists():
        raise Conflict(f"The username {username!r} is taken.", field="username")
    first, _, last = full_name.partition(" ")
    email = normalise_email(email) if (email or "").strip() else ""
    user = user_model.objects.create_user(
        username=username, password=password, email=email, first_name=first, last_name=last
    )
    audit.record(actor=actor, action="user.create", obj=user, after={"username": username, "email": email})
    return user


@transaction.atomic
def set_membership(*, actor: Any, user: Any, organisation: Organisation, role: str) -> Membership:
    """Give ``user`` a role in ``organisation`` (replacing any earlier role there)."""
    if role not in Role.values:
        raise InvalidInput(f"Unknown role {role!r}; choose one of {', '.join(Role.values)}.", field="role")
    existing = Membership.objects.filter(user=user, organisation=organisation).first()
    before = {"role": existing.role} if existing else None
    membership, _ = Membership.objects.update_or_create(
        user=user, organisation=organisation, defaults={"role": role}
    )
    audit.record(
        actor=actor,
        action="membership.set",
        obj=membership,
        before=before,
        after={"role": role},
        organisations=[organisation],
    )
    return membership


# Longest lifetime a token may be given; a token with no expiry is an explicit choice.
TOKEN_MAX_DAYS = 366


@transaction.atomic
def issue_api_token(
    *, actor: Any, name: str, expires_in_days: int | None = None, via_token: ApiToken | None = None
) -> tuple[ApiToken, str]:
    """Create a token for the actor; the raw value is returned once and never stored.

    ``via_token`` is the token the request authenticated with, if any: a token may not mint
    tokens, or a leaked token could outlive its own revocation through the tokens it made.
    """
    if not getattr(actor, "is_authenticated", False):
        raise Forbidden("Only a signed-in user can create an API token.")
    if via_token is not None:
        raise Forbidden("An API token cannot create tokens; sign in to create one.")
    name = name.strip()
    if not name:
        raise InvalidInput("Give the token a name so you can recognise it later.", field="name")
    if expires_in_days is not None and not 1 <= expires_in_days <= TOKEN_MAX_DAYS:
        raise InvalidInput(f"A token expires after 1 to {TOKEN_MAX_DAYS} days.", field="expires_in_days")
    expires_at = timezone.now() + dt.timedelta(days=expires_in_days) if expires_in_days else None
    raw = ApiToken.generate()
    token = ApiToken.objects.create(
        user=actor, name=name, prefix=raw[:10], token_hash=hash_token(raw), expires_at=expires_at
    )
    audit.record(
        actor=actor,
        action="api_token.issue",
        obj=token,
        after={"name": name, "prefix": token.prefix, "expires_at": expires_at},
    )
    return token, raw


@transaction.atomic
def revoke_api_token(*, actor: Any, token: ApiToken) -> ApiToken:
    """Revoke one of the actor's own tokens."""
    if token.user_id != actor.pk:
        raise Forbidden("You can only revoke your own tokens.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(
            actor=actor, action="api_token.revoke", obj=token, after={"revoked_at": token.revoked_at}
        )
    return token
