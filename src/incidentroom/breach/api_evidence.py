"""API: the evidence folders a DPO's scans may read, and consent to scanning shared ones."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.responses import Status
from pydantic import Field

from incidentroom.breach import evidence
from incidentroom.breach.access import controller_org_ids
from incidentroom.breach.models import SharedRootConsent
from incidentroom.core.errors import InvalidInput
from incidentroom.core.models import Organisation
from incidentroom.core.schemas import InputSchema

router = Router(tags=["breach"])


class RootOut(Schema):
    """A folder scans may read, whose evidence it holds, and whether it can be scanned now."""

    path: str
    kind: str
    owners: list[str]
    shared: bool
    consented: list[str] = Field(description="Owners whose consent stands (shared roots only)")
    scannable: bool


class ConsentIn(InputSchema):
    """An owner's consent to scanning a shared root."""

    path: str = Field(max_length=1000)
    organisation: str = Field(max_length=16)


class ConsentOut(Schema):
    """A consent, active or withdrawn."""

    id: int
    path: str
    organisation: str
    granted_by: str
    granted_at: dt.datetime
    withdrawn_by: str | None
    withdrawn_at: dt.datetime | None
    active: bool


def _consent_out(c: SharedRootConsent) -> ConsentOut:
    return ConsentOut(
        id=c.pk,
        path=c.path,
        organisation=c.organisation.code,
        granted_by=c.granted_by.get_username(),
        granted_at=c.granted_at,
        withdrawn_by=c.withdrawn_by.get_username() if c.withdrawn_by else None,
        withdrawn_at=c.withdrawn_at,
        active=c.active,
    )


def _organisation(code: str) -> Organisation:
    org = Organisation.objects.filter(code__iexact=code.strip()).first()
    if org is None:
        raise InvalidInput(f"No organisation has the code {code!r}.", field="organisation")
    return org


@router.get("", response=list[RootOut])
def list_roots(request: HttpRequest) -> list[RootOut]:
    """The roots of organisations where you are DPO or Gold (others' are not listed)."""
    orgs = Organisation.objects.filter(pk__in=controller_org_ids(request.user))
    out = []
    for root in evidence.scan_roots(orgs):
        agreed = sorted(evidence.consenting(root)) if root.shared else []
        out.append(
            RootOut(
                path=str(root.path),
                kind=root.kind,
                owners=list(root.owners),
                shared=root.shared,
                consented=agreed,
                scannable=not root.shared or set(agreed) == set(root.owners),
            )
        )
    return out


@router.get("/consents", response=list[ConsentOut])
def list_consents(request: HttpRequest) -> list[ConsentOut]:
    """Consents (active and withdrawn) on shared roots your organisations own."""
    qs = SharedRootConsent.objects.for_user(request.user).select_related(
        "organisation", "granted_by", "withdrawn_by"
    )
    return [_consent_out(c) for c in qs]


@router.post("/consents", response={201: ConsentOut})
def grant_consent(request: HttpRequest, payload: ConsentIn) -> Status[ConsentOut]:
    """As DPO or Gold of an owner, agree that the shared root may be scanned."""
    consent = evidence.grant_root_consent(
        payload.path, organisation=_organisation(payload.organisation), actor=request.user
    )
    return Status(201, _consent_out(consent))


@router.post("/consents/withdraw", response=ConsentOut)
def withdraw_consent(request: HttpRequest, payload: ConsentIn) -> ConsentOut:
    """As DPO or Gold of an owner, withdraw its consent (scans not yet started are refused)."""
    consent = evidence.withdraw_root_consent(
        payload.path, organisation=_organisation(payload.organisation), actor=request.user
    )
    return _consent_out(consent)
