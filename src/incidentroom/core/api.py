"""API: the signed-in user, their organisations, API tokens, the audit trail."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import ConfigDict, Field

from incidentroom.core import actions
from incidentroom.core.access import roles_by_org
from incidentroom.core.bounds import Id
from incidentroom.core.models import ApiToken, AuditEntry, Organisation
from incidentroom.core.schemas import InputSchema
from incidentroom.core.scoping import get_scoped

router = Router(tags=["organisations and people"])


class OrganisationOut(Schema):
    """An organisation as the API shows it."""

    id: int
    code: str
    name: str
    dpo_name: str
    dpo_email: str
    ico_registration: str
    english_council: bool
    networks: list[str]
    dpo_phone: str
    postal_address: str
    main_phone: str
    resident_helpline: str
    website: str
    signatory_name: str
    signatory_title: str
    notices_from_email: str


class OrganisationDetailsIn(InputSchema):
    """The council's own details to change (Gold or DPO); a field left out stays as it is."""

    model_config = ConfigDict(extra="forbid")

    postal_address: str | None = Field(default=None, max_length=2000)
    main_phone: str | None = Field(default=None, max_length=40)
    resident_helpline: str | None = Field(default=None, max_length=40)
    website: str | None = Field(default=None, max_length=200)
    signatory_name: str | None = Field(default=None, max_length=200)
    signatory_title: str | None = Field(default=None, max_length=200)
    notices_from_email: str | None = Field(default=None, max_length=254)
    dpo_name: str | None = Field(default=None, max_length=200)
    dpo_email: str | None = Field(default=None, max_length=254)
    dpo_phone: str | None = Field(default=None, max_length=40)
    ico_registration: str | None = Field(default=None, max_length=20)


class MembershipOut(Schema):
    """One of the user's roles."""

    organisation: str
    role: str


class MeOut(Schema):
    """The signed-in user."""

    username: str
    full_name: str
    memberships: list[MembershipOut]


class TokenIn(InputSchema):
    """Name for a new token."""

    name: str = Field(min_length=1, max_length=100)
    expires_in_days: int | None = Field(
        default=None, ge=1, le=actions.TOKEN_MAX_DAYS, description="Days until the token stops working"
    )


class TokenOut(Schema):
    """A token as listed (never the secret)."""

    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None
    expires_at: dt.datetime | None


class NewTokenOut(TokenOut):
    """A token just created: the only time the secret is shown."""

    token: str


class AuditOut(Schema):
    """One audit entry."""

    id: int
    at: dt.datetime
    actor_label: str
    channel: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    before: dict[str, object] | None
    after: dict[str, object] | None


@router.get("/me", response=MeOut)
def me(request: HttpRequest) -> MeOut:
    """Who you are and your role in each organisation."""
    roles = roles_by_org(request.user)
    orgs = Organisation.objects.in_bulk(list(roles))
    return MeOut(
        username=request.user.get_username(),
        full_name=request.user.get_full_name() if hasattr(request.user, "get_full_name") else "",
        memberships=[MembershipOut(organisation=orgs[pk].code, role=role) for pk, role in roles.items()],
    )


@router.get("/organisations", response=list[OrganisationOut])
def list_organisations(request: HttpRequest) -> list[Organisation]:
    """Organisations you belong to."""
    return list(Organisation.objects.for_user(request.user))


@router.get("/organisations/{code}", response=OrganisationOut)
def get_organisation(request: HttpRequest, code: str) -> Organisation:
    """One of your organisations."""
    return get_scoped(Organisation.objects.for_user(request.user), "organisation", code=code.upper())


@router.patch("/organisations/{code}", response=OrganisationOut)
def update_organisation(request: HttpRequest, code: str, payload: OrganisationDetailsIn) -> Organisation:
    """Change your council's letterhead, signatory, sender address, helpline or DPO contact
    (Gold or DPO of that council; every change is audited)."""
    org = get_scoped(Organisation.objects.for_user(request.user), "organisation", code=code.upper())
    return actions.update_organisation_details(
        actor=request.user, organisation=org, changes=payload.model_dump(exclude_unset=True)
    )


@router.get("/tokens", response=list[TokenOut])
def list_tokens(request: HttpRequest) -> list[ApiToken]:
    """Your API tokens."""
    return list(ApiToken.objects.for_user(request.user).order_by("-created_at"))


@router.post("/tokens", response={201: NewTokenOut})
def create_token(request: HttpRequest, payload: TokenIn) -> Status[NewTokenOut]:
    """Create a token; copy the secret now, it is not shown again."""
    token, raw = actions.issue_api_token(
        actor=request.user,
        name=payload.name,
        expires_in_days=payload.expires_in_days,
        via_token=getattr(request, "api_token", None),
    )
    return Status(
        201,
        NewTokenOut(
            id=token.pk,
            name=token.name,
            prefix=token.prefix,
            created_at=token.created_at,
            last_used_at=None,
            revoked_at=None,
            expires_at=token.expires_at,
            token=raw,
        ),
    )


@router.delete("/tokens/{token_id}", response=TokenOut)
def revoke_token(request: HttpRequest, token_id: Id) -> ApiToken:
    """Revoke one of your tokens."""
    token = get_scoped(ApiToken.objects.for_user(request.user), "token", pk=token_id)
    return actions.revoke_api_token(actor=request.user, token=token)


@router.get("/audit", response=list[AuditOut])
def list_audit(request: HttpRequest, limit: Annotated[int, Field(ge=1, le=1000)] = 100) -> list[AuditEntry]:
    """Recent audit entries touching your organisations."""
    return list(AuditEntry.objects.for_user(request.user)[:limit])
