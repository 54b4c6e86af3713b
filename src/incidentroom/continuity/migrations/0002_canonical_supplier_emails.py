"""Rewrite suppliers' email addresses in their canonical form (IDNA domain, lower case).
Text that is not an address is left as it was."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def forwards(apps: Any, schema_editor: Any) -> None:
    from incidentroom.core.emailaddr import normalise_or_keep

    supplier = apps.get_model("continuity", "Supplier")
    for row in supplier.objects.exclude(email="").only("pk", "email").order_by("pk"):
        canonical = normalise_or_keep(row.email)
        if canonical != row.email:
            supplier.objects.filter(pk=row.pk).update(email=canonical)


class Migration(migrations.Migration):
    dependencies = [("continuity", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
