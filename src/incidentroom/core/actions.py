"""State changes for organisations, people and API tokens. Each is atomic and audited."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import phonenumbers
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from incidentroom.core import audit
from incidentroom.core.access import has_role
from incidentroom.core.emailaddr import normalise_email
from incidentroom.core.errors import Conflict, Forbidden, InvalidInput
from incidentroom.core.models import DETAILS_ROLES, ApiToken, Membership, Organisation, Role, hash_token
from incidentroom.core.text import clean_line, clean_text


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


# What a council keeps up to date about itself, and the words its page uses for each. These
# fields reach residents (letterhead, signatory, sender address, helpline) and regulators (the
# DPO's contact details, the ICO registration), so they are edited here, by the council's own
# Gold or DPO, and every change is audited with its before and after values.
DETAILS_LABELS: dict[str, str] = {
    "postal_address": "Postal address",
    "main_phone": "Switchboard telephone number",
    "resident_helpline": "Residents' helpline for the incident",
    "website": "Website",
    "signatory_name": "Who signs letters to residents",
    "signatory_title": "Their job title",
    "notices_from_email": "Email address notices are sent from",
    "dpo_name": "Data Protection Officer's name",
    "dpo_email": "Data Protection Officer's email address",
    "dpo_phone": "Data Protection Officer's telephone number",
    "ico_registration": "ICO registration number",
}
# The postal address is a text field; a letterhead longer than this is a paste gone wrong.
_ADDRESS_MAX = 1000
_PHONE_FIELDS = frozenset({"main_phone", "resident_helpline", "dpo_phone"})
_EMAIL_FIELDS = frozenset({"notices_from_email", "dpo_email"})
# The ICO's data protection fee register numbers: Z and seven more (ZA123456, Z1234567).
_ICO_REGISTRATION = re.compile(r"Z[A-Z0-9][0-9]{6}")
# A host name such as www.rbkc.gov.uk, optionally written with https:// in front.
_WEBSITE = re.compile(
    r"(?:https?://)?((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63})(/[^\s<>\"']*)?"
)


def _clean_detail(field: str, raw: object) -> str:
    """One council detail as it will be stored, or InvalidInput naming the field in words."""
    label = DETAILS_LABELS[field]
    if not isinstance(raw, str):
        raise InvalidInput(f"{label} must be text.", field=field)
    try:
        if field == "postal_address":
            value = "\n".join(line.strip() for line in clean_text(raw, label).split("\n") if line.strip())
        else:
            value = clean_line(raw, label).strip()
    except InvalidInput as exc:  # the message names the field in words; the field keeps its name
        raise InvalidInput(exc.message, field=field) from exc
    limit = getattr(Organisation._meta.get_field(field), "max_length", None) or _ADDRESS_MAX
    if limit is not None and len(value) > limit:
        raise InvalidInput(f"{label} must be {limit} characters or fewer.", field=field)
    if not value:
        return ""  # every one of these may be left blank; letters then leave the line out
    if field in _EMAIL_FIELDS:
        return normalise_email(value, field)
    if field in _PHONE_FIELDS:
        try:
            number = phonenumbers.parse(value, "GB")
        except phonenumbers.NumberParseException:
            number = None
        if number is None or not phonenumbers.is_valid_number(number):
            raise InvalidInput(f"{label} must be a telephone number, like 020 7361 3000.", field=field)
        return value
    if field == "ico_registration":
        value = value.replace(" ", "").upper()
        if not _ICO_REGISTRATION.fullmatch(value):
            raise InvalidInput(
                f"{label} must be the ICO's register number: Z and seven letters or digits, like ZA123456.",
                field=field,
            )
        return value
    if field == "website":
        if not _WEBSITE.fullmatch(value.lower()):
            raise InvalidInput(f"{label} must be a web address, like www.rbkc.gov.uk.", field=field)
        return value
    return value


@transaction.atomic
def update_organisation_details(
    *, actor: Any, organisation: Organisation, changes: dict[str, Any]
) -> Organisation:
    """Change what the council says about itself on letters, emails and reports (Gold or DPO).

    Only the fields named in ``changes`` move; a value equal to the stored one is no change,
    and a call that changes nothing writes no audit entry. One bad field refuses the whole
    change, so a half-edited letterhead never goes out.
    """
    if not has_role(actor, organisation, DETAILS_ROLES):
        raise Forbidden(
            "Only the council's Gold commander or Data Protection Officer can change its details."
        )
    unknown = sorted(set(changes) - set(DETAILS_LABELS))
    if unknown:
        raise InvalidInput(f"{unknown[0]} is not a detail that can be changed here.", field=unknown[0])
    cleaned = {field: _clean_detail(field, raw) for field, raw in changes.items()}
    org = Organisation.objects.select_for_update().get(pk=organisation.pk)
    moved = [field for field, value in cleaned.items() if getattr(org, field) != value]
    if not moved:
        return org
    before = audit.snapshot(org, moved)
    for field in moved:
        setattr(org, field, cleaned[field])
    org.save(update_fields=moved)
    audit.record(
        actor=actor,
        action="organisation.details",
        obj=org,
        before=before,
        after=audit.snapshot(org, moved),
        organisations=[org],
    )
    return org
