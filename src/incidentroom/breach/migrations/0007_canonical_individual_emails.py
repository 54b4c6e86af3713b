"""Rewrite residents' stored email addresses in their canonical form (IDNA domain, lower
case), so the duplicate checks before an email notice see one mailbox written two ways as
one. Text that is not an address is left exactly as it was found."""

from __future__ import annotations

from typing import Any

from django.db import migrations

BATCH = 2000


def forwards(apps: Any, schema_editor: Any) -> None:
    from incidentroom.core.emailaddr import normalise_or_keep

    individual = apps.get_model("breach", "Individual")
    changed = []
    for row in individual.objects.exclude(email="").only("pk", "email").order_by("pk").iterator(BATCH):
        canonical = normalise_or_keep(row.email)[:254]
        if canonical != row.email:
            row.email = canonical
            changed.append(row)
        if len(changed) >= BATCH:
            individual.objects.bulk_update(changed, ["email"])
            changed = []
    if changed:
        individual.objects.bulk_update(changed, ["email"])


class Migration(migrations.Migration):
    dependencies = [("breach", "0006_individual_deceased")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
