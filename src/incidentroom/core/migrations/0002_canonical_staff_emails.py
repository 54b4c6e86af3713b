"""Rewrite staff accounts' email addresses in their canonical form (IDNA domain, lower case),
so an advisory reaches each mailbox once. Text that is not an address is left as it was."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import migrations


def forwards(apps: Any, schema_editor: Any) -> None:
    from incidentroom.core.emailaddr import normalise_or_keep

    app_label, model_name = settings.AUTH_USER_MODEL.split(".")
    user = apps.get_model(app_label, model_name)
    for row in user.objects.exclude(email="").only("pk", "email").order_by("pk"):
        canonical = normalise_or_keep(row.email)
        if canonical != row.email:
            user.objects.filter(pk=row.pk).update(email=canonical)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial"), migrations.swappable_dependency(settings.AUTH_USER_MODEL)]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
