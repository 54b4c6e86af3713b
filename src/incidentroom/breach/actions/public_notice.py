"""The Art 34(3)(c) public notice: publish or refresh it, withdraw it."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from incidentroom.breach import resident
from incidentroom.breach.access import require_controller_role
from incidentroom.breach.actions._common import log
from incidentroom.breach.models import Breach, PublicNotice
from incidentroom.breach.public import notice_content
from incidentroom.core import audit
from incidentroom.core.errors import Conflict
from incidentroom.incidents.models import EntryKind


@transaction.atomic
def publish_public_notice(breach: Breach, *, actor: Any) -> PublicNotice:
    """Publish (or refresh) the Art 34(3)(c) public notice from the approved resident wording
    and the categories found."""
    require_controller_role(actor, [breach.organisation], "publish the public notice")
    resident.require_approved(breach, "publish the public notice")
    content = notice_content(breach)
    notice = PublicNotice.objects.filter(breach=breach).first()
    before = {"published_at": notice.published_at, "withdrawn_at": notice.withdrawn_at} if notice else None
    if notice is None:
        notice = PublicNotice(breach=breach)
    notice.title = content["title"]
    notice.content = content
    notice.updated_at = timezone.now()
    notice.published_at = notice.published_at if notice.is_live else notice.updated_at
    notice.withdrawn_at = None
    notice.save()
    audit.record(
        actor=actor,
        action="public_notice.publish",
        obj=notice,
        before=before,
        after={"published_at": notice.published_at, "slug": notice.slug},
        organisations=[breach.organisation],
    )
    log(
        breach.incident,
        actor,
        f"Public notice about the personal data breach published for {breach.organisation.code}.",
        breach.organisation,
        kind=EntryKind.COMMUNICATION,
    )
    return notice


@transaction.atomic
def withdraw_public_notice(notice: PublicNotice, *, actor: Any) -> PublicNotice:
    """Take the public notice down (it stays on record)."""
    breach = notice.breach
    require_controller_role(actor, [breach.organisation], "withdraw the public notice")
    if not notice.is_live:
        raise Conflict("The notice is not published.")
    notice.withdrawn_at = timezone.now()
    notice.save(update_fields=["withdrawn_at"])
    audit.record(
        actor=actor,
        action="public_notice.withdraw",
        obj=notice,
        after={"withdrawn_at": notice.withdrawn_at},
        organisations=[breach.organisation],
    )
    return notice
