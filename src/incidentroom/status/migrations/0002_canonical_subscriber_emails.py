"""Rewrite stored subscriber addresses in their canonical form (IDNA domain, lower case) and
fold the rows that then name the same mailbox and scope into one, so one mailbox gets each
update once. The row kept is the one that is live (confirmed, not unsubscribed), else the oldest."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def _canonical(raw: str) -> str:
    from incidentroom.core.emailaddr import normalise_or_keep

    return normalise_or_keep(raw)


def forwards(apps: Any, schema_editor: Any) -> None:
    subscriber = apps.get_model("status", "Subscriber")
    groups: dict[tuple[str, str], list[Any]] = {}
    for row in subscriber.objects.order_by("pk"):
        groups.setdefault((_canonical(row.email), row.scope), []).append(row)
    for (email, _scope), rows in groups.items():
        live = [r for r in rows if r.confirmed_at is not None and r.unsubscribed_at is None]
        keep = (live or rows)[0]
        # Someone who unsubscribed under any spelling of the address has said no: keep that.
        if any(r.unsubscribed_at is not None for r in rows) and not live:
            keep.unsubscribed_at = max(r.unsubscribed_at for r in rows if r.unsubscribed_at is not None)
        subscriber.objects.filter(pk__in=[r.pk for r in rows if r.pk != keep.pk]).delete()
        if keep.email != email or keep.unsubscribed_at != rows[0].unsubscribed_at:
            keep.email = email
            keep.save(update_fields=["email", "unsubscribed_at"])


class Migration(migrations.Migration):
    dependencies = [("status", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
