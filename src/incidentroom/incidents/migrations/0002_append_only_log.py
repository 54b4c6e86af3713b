"""Make the decision log append-only in the database itself.

The application never edits or deletes log entries; these triggers make sure nothing else
does either (a DBA's stray UPDATE, a buggy script). Anyone able to drop a trigger can still
tamper, which is what the hash chain and ``verify-log`` are for.
"""

from django.db import migrations

TABLES = [
    "incidents_logentry",
    "incidents_logentry_organisations",
    "incidents_logentry_systems",
    "incidents_logentry_services",
]


def sqlite_sql(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, 'incident log is append-only: UPDATE on {table} refused'); END;",
        f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, 'incident log is append-only: DELETE on {table} refused'); END;",
    ]


PG_FUNCTION = """
CREATE OR REPLACE FUNCTION incidentroom_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'incident log is append-only: % on % refused', TG_OP, TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
"""


def pg_sql(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION incidentroom_append_only();",
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION incidentroom_append_only();",
    ]


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    statements: list[str] = []
    if vendor == "sqlite":
        for table in TABLES:
            statements += sqlite_sql(table)
    elif vendor == "postgresql":
        statements.append(PG_FUNCTION)
        for table in TABLES:
            statements += pg_sql(table)
    else:
        raise RuntimeError(f"Append-only triggers are written for SQLite and PostgreSQL, not {vendor}.")
    for sql in statements:
        schema_editor.execute(sql, params=None)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update;")
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete;")
        else:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};")


class Migration(migrations.Migration):
    dependencies = [("incidents", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
