"""The log is append-only in the database and tamper-evident by its hash chain."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.db import DatabaseError, connection, transaction

from incidentroom.incidents import logchain
from incidentroom.incidents.models import Incident, LogEntry
from tests.helpers.clients import ApiClient
from tests.helpers.db import first
from tests.helpers.live import LiveApp
from tests.helpers.scenario import live_reference

TABLE = "incidents_logentry"


def test_chain_is_intact_after_loading(incident: Incident) -> None:
    report = logchain.verify(incident)
    assert report.ok and report.entries == incident.log_entries.count() > 10


def test_database_refuses_update_and_delete(incident: Incident) -> None:
    entry = first(incident.log_entries.all())
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        LogEntry.objects.filter(pk=entry.pk).update(text="rewritten")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        LogEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        entry.organisations.clear()


def _tamper(entry_id: int, text: str) -> None:
    """What someone with database owner rights could do: bypass the trigger and edit."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER {TABLE}_append_only")
            cur.execute(f"UPDATE {TABLE} SET text = %s WHERE id = %s", [text, entry_id])
            cur.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER {TABLE}_append_only")
        else:
            cur.execute(f"DROP TRIGGER {TABLE}_no_update")
            cur.execute(f"UPDATE {TABLE} SET text = %s WHERE id = %s", [text, entry_id])
            cur.execute(
                f"CREATE TRIGGER {TABLE}_no_update BEFORE UPDATE ON {TABLE} "
                "BEGIN SELECT RAISE(ABORT, 'incident log is append-only'); END;"
            )


def test_verify_names_the_first_altered_entry(
    incident: Incident, api: Callable[[User], ApiClient], rbkc_gold: User
) -> None:
    target = incident.log_entries.get(sequence=5)
    _tamper(target.pk, "Nothing was decided.")
    report = logchain.verify(incident)
    assert not report.ok
    assert report.first_broken_sequence == 5
    assert "altered" in report.problem
    body = api(rbkc_gold).get(f"/incidents/{incident.reference}/log/verify").json()
    assert body["ok"] is False and body["first_broken_sequence"] == 5


def test_verify_log_command_fails_on_a_tampered_log(incident: Incident, live_app: LiveApp) -> None:
    reference = live_reference(live_app)
    ok = live_app.manage("verify-log", reference)
    assert ok.returncode == 0, ok.stderr
    assert "chain intact" in ok.stdout
    # Tamper with the live app's own database, as a DBA with owner rights could.
    done = live_app.python(
        "from django.db import connection\n"
        "cursor = connection.cursor()\n"
        "if connection.vendor == 'postgresql':\n"
        f"    cursor.execute('ALTER TABLE {TABLE} DISABLE TRIGGER {TABLE}_append_only')\n"
        "else:\n"
        f"    cursor.execute('DROP TRIGGER {TABLE}_no_update')\n"
        f"cursor.execute(\"UPDATE {TABLE} SET text = 'edited' WHERE sequence IN (3, 8)\")\n"
    )
    assert done.returncode == 0, done.stderr
    broken = live_app.manage("verify-log", reference)
    assert broken.returncode == 1
    # Every broken entry, not only the first.
    assert "BROKEN at entry #3" in broken.stdout and "BROKEN at entry #8" in broken.stdout
    assert "2 broken entries of" in broken.stdout
