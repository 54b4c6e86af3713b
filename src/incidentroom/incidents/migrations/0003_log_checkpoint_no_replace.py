"""The signed checkpoint of each log's head, and no INSERT OR REPLACE on SQLite.

SQLite's ``INSERT OR REPLACE`` (and ``REPLACE INTO``) resolves a clash by deleting the old
row without firing DELETE triggers (unless a connection turns recursive_triggers on), so it
could rewrite a log entry behind the append-only triggers. A BEFORE INSERT trigger refuses
any insert that would clash with an existing row. PostgreSQL has no REPLACE; its
``INSERT ... ON CONFLICT DO UPDATE`` fires the UPDATE trigger and is refused already.

Existing logs are anchored as they stand when this runs.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

# table -> the columns that identify a row besides its id (a clash on these would replace it too)
NATURAL_KEYS = {
    "incidents_logentry": ("incident_id", "sequence"),
    "incidents_logentry_organisations": ("logentry_id", "organisation_id"),
    "incidents_logentry_systems": ("logentry_id", "system_id"),
    "incidents_logentry_services": ("logentry_id", "service_id"),
}


def _sqlite_trigger(table: str, natural: tuple[str, ...]) -> str:
    # Table and column names are the constants above, never input.
    same = " AND ".join(f"{c} = NEW.{c}" for c in natural)
    clash = f"SELECT 1 FROM {table} WHERE id = NEW.id OR ({same})"  # noqa: S608
    message = f"incident log is append-only: INSERT OR REPLACE on {table} refused"
    return (
        f"CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table} "
        f"WHEN EXISTS ({clash}) BEGIN SELECT RAISE(ABORT, '{message}'); END;"
    )


def forwards_triggers(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "sqlite":
        return
    for table, natural in NATURAL_KEYS.items():
        schema_editor.execute(_sqlite_trigger(table, natural), params=None)


def backwards_triggers(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "sqlite":
        return
    for table in NATURAL_KEYS:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_replace;")


def anchor_existing(apps, schema_editor):  # type: ignore[no-untyped-def]
    from incidentroom.incidents.hashchain import sign_checkpoint

    Incident = apps.get_model("incidents", "Incident")
    LogEntry = apps.get_model("incidents", "LogEntry")
    LogCheckpoint = apps.get_model("incidents", "LogCheckpoint")
    for incident in Incident.objects.all():
        head = LogEntry.objects.filter(incident=incident).order_by("-sequence").first()
        if head is None:
            continue
        LogCheckpoint.objects.create(
            incident=incident,
            sequence=head.sequence,
            entry_hash=head.entry_hash,
            signature=sign_checkpoint(
                settings.LOG_CHECKPOINT_KEY, incident.reference, head.sequence, head.entry_hash
            ),
            signed_at=timezone.now(),
        )


class Migration(migrations.Migration):
    dependencies = [("incidents", "0002_append_only_log")]
    operations = [
        migrations.CreateModel(
            name="LogCheckpoint",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("sequence", models.PositiveIntegerField()),
                ("entry_hash", models.CharField(max_length=64)),
                ("signature", models.CharField(max_length=64)),
                ("signed_at", models.DateTimeField()),
                (
                    "incident",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="log_checkpoint",
                        to="incidents.incident",
                    ),
                ),
            ],
        ),
        migrations.RunPython(forwards_triggers, backwards_triggers),
        migrations.RunPython(anchor_existing, migrations.RunPython.noop),
    ]
