"""Each kind of tampering with the decision log is refused or detected, on SQLite and PostgreSQL.

Refused by the database: UPDATE, DELETE, SQLite's INSERT OR REPLACE / REPLACE INTO and
PostgreSQL's INSERT ... ON CONFLICT DO UPDATE. Detected by ``verify`` once someone with owner
rights switches the triggers off: an altered entry, a deleted last entry, an entry rewritten
with every later hash recomputed, an entry added behind the application's back, a duplicated
link row and a forged checkpoint; every broken entry is reported, not only the first.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import DatabaseError, connection, transaction
from django.test import Client
from pytest_django.fixtures import Settings

from incidentroom.core.models import Organisation
from incidentroom.estate.models import System
from incidentroom.incidents import actions, hashchain, logchain
from incidentroom.incidents.models import EntryKind, Incident, LogCheckpoint, LogEntry
from tests.helpers.clients import ApiClient
from tests.helpers.db import first

TABLE = "incidents_logentry"
TABLES = [TABLE, f"{TABLE}_organisations", f"{TABLE}_systems", f"{TABLE}_services"]


@contextlib.contextmanager
def triggers_off() -> Iterator[Any]:
    """What a database owner can do: switch the append-only triggers off (inside the test's transaction)."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            for table in TABLES:
                cur.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            yield cur
            # Foreign-key checks are deferred; run them now so the tables can be altered again.
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cur.execute("SET CONSTRAINTS ALL DEFERRED")
            for table in TABLES:
                cur.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        else:
            cur.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN (%s, %s, %s, %s)",
                TABLES,
            )
            saved = cur.fetchall()
            assert saved, "the append-only triggers are missing"
            for name, _ in saved:
                cur.execute(f"DROP TRIGGER {name}")
            yield cur
            for _, sql in saved:
                cur.execute(sql)


def _rehash_from(incident: Any, sequence: int, text: str) -> None:
    """Rewrite one entry and recompute its hash and every hash after it, as a careful forger would."""
    chain = logchain.records(incident)
    previous = chain[sequence - 2].entry_hash if sequence > 1 else hashchain.genesis_hash(incident.reference)
    with triggers_off() as cur:
        for record in chain[sequence - 1 :]:
            if record.sequence == sequence:
                record = hashchain.Record(**{**record.__dict__, "text": text})
            new_hash = hashchain.chain_hash(previous, record.body())
            cur.execute(
                f"UPDATE {TABLE} SET text = %s, previous_hash = %s, entry_hash = %s WHERE id = %s",
                [record.text, previous, new_hash, record.entry_id],
            )
            previous = new_hash


def test_chain_of_the_loaded_scenario_is_intact_and_anchored(incident: Incident) -> None:
    report = logchain.verify(incident)
    assert report.ok, report.breaks
    head = first(incident.log_entries.order_by("-sequence"))
    assert report.checkpoint_sequence == head.sequence == report.entries


def test_duplicate_links_are_stored_once_and_verify(incident: Incident, rbkc_gold: User) -> None:
    rbkc = Organisation.objects.get(code="RBKC")
    wcc = Organisation.objects.get(code="WCC")
    system = first(System.objects.filter(owner=rbkc))
    entry = actions.add_log_entry(
        incident,
        actor=rbkc_gold,
        kind=EntryKind.DECISION,
        text="Same council and system named twice.",
        organisations=[wcc, rbkc, rbkc, wcc],
        systems=[system, system],
    )
    assert sorted(entry.organisations.values_list("pk", flat=True)) == sorted([rbkc.pk, wcc.pk])
    assert entry.systems.count() == 1
    assert logchain.verify(incident).ok


def test_duplicate_links_through_the_api_do_not_break_the_chain(
    incident: Incident, api: Callable[[User], ApiClient], rbkc_gold: User
) -> None:
    created = api(rbkc_gold).post(
        f"/incidents/{incident.reference}/log",
        {"kind": "decision", "text": "Twice.", "organisations": ["RBKC", "RBKC", "WCC"], "systems": []},
    )
    assert created.status_code == 201, created.content
    assert sorted(created.json()["organisations"]) == ["RBKC", "WCC"]
    assert api(rbkc_gold).get(f"/incidents/{incident.reference}/log/verify").json()["ok"] is True


def test_update_delete_and_upsert_are_refused_by_the_database(incident: Incident) -> None:
    entry = incident.log_entries.get(sequence=2)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        LogEntry.objects.filter(pk=entry.pk).update(text="rewritten")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        LogEntry.objects.filter(pk=entry.pk).delete()
    columns = "id, incident_id, sequence, kind, author_label, occurred_at, recorded_at, text, previous_hash, entry_hash"
    values: list[Any] = [  # a row as the database holds it
        entry.pk,
        incident.pk,
        entry.sequence,
        entry.kind,
        entry.author_label,
        entry.occurred_at,
        entry.recorded_at,
        "rewritten",
        entry.previous_hash,
        entry.entry_hash,
    ]
    marks = ", ".join(["%s"] * len(values))
    if connection.vendor == "sqlite":
        for verb in ("INSERT OR REPLACE INTO", "REPLACE INTO"):
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
                with connection.cursor() as cur:
                    cur.execute(f"{verb} {TABLE} ({columns}) VALUES ({marks})", values)
        link = LogEntry.organisations.through.objects.filter(logentry__incident=incident).first()
        assert link is not None
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cur:
                cur.execute(
                    f"INSERT OR REPLACE INTO {TABLE}_organisations (id, logentry_id, organisation_id) "
                    "VALUES (%s, %s, %s)",
                    [link.pk, link.logentry_id, link.organisation_id],
                )
    else:
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cur:
                cur.execute(
                    f"INSERT INTO {TABLE} ({columns}) VALUES ({marks}) "
                    "ON CONFLICT (id) DO UPDATE SET text = EXCLUDED.text",
                    values,
                )
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cur:
                cur.execute(f"TRUNCATE {TABLE}_services")
    assert LogEntry.objects.get(pk=entry.pk).text == entry.text
    assert logchain.verify(incident).ok


def test_every_altered_entry_is_reported_not_only_the_first(incident: Incident) -> None:
    third = incident.log_entries.get(sequence=3)
    ninth = incident.log_entries.get(sequence=9)
    with triggers_off() as cur:
        cur.execute(f"UPDATE {TABLE} SET text = %s WHERE id = %s", ["Nothing was decided.", third.pk])
        cur.execute(f"UPDATE {TABLE} SET author_label = %s WHERE id = %s", ["someone.else", ninth.pk])
    report = logchain.verify(incident)
    assert report.broken_sequences == [3, 9]
    assert all("altered" in b.problem for b in report.breaks)


def test_a_duplicated_link_row_added_behind_the_back_is_detected(incident: Incident) -> None:
    entry = incident.log_entries.get(sequence=1)
    extra = first(Organisation.objects.exclude(pk__in=entry.organisations.all()))
    with triggers_off() as cur:
        cur.execute(
            f"INSERT INTO {TABLE}_organisations (logentry_id, organisation_id) VALUES (%s, %s)",
            [entry.pk, extra.pk],
        )
    report = logchain.verify(incident)
    assert report.broken_sequences == [1]


def test_a_deleted_last_entry_is_detected(incident: Incident) -> None:
    head = first(incident.log_entries.order_by("-sequence"))
    with triggers_off() as cur:
        for table in TABLES[1:]:
            cur.execute(f"DELETE FROM {table} WHERE logentry_id = %s", [head.pk])
        cur.execute(f"DELETE FROM {TABLE} WHERE id = %s", [head.pk])
    # The chain that is left is a perfectly valid chain: only the signed head shows the loss.
    assert hashchain.check(logchain.records(incident)) == []
    report = logchain.verify(incident)
    assert not report.ok
    assert report.broken_sequences == [head.sequence]
    assert "missing" in report.problem and "deleted" in report.problem


def test_a_rewritten_and_rehashed_entry_is_detected(incident: Incident) -> None:
    _rehash_from(incident, 4, "Gold decided nothing at all.")
    assert hashchain.check(logchain.records(incident)) == []  # a forger's chain is internally valid
    report = logchain.verify(incident)
    head = first(incident.log_entries.order_by("-sequence"))
    assert report.broken_sequences == [head.sequence]
    assert "rewritten" in report.problem


def test_an_entry_added_behind_the_applications_back_is_detected(incident: Incident) -> None:
    head = first(incident.log_entries.order_by("-sequence"))
    record = hashchain.Record(
        **{**logchain.record_for(head).__dict__, "sequence": head.sequence + 1, "text": "Backdated."}
    )
    forged = hashchain.chain_hash(head.entry_hash, record.body())
    with triggers_off() as cur:
        cur.execute(
            f"INSERT INTO {TABLE} (incident_id, sequence, kind, author_label, occurred_at, recorded_at, text, "
            "previous_hash, entry_hash) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [
                incident.pk,
                head.sequence + 1,
                head.kind,
                head.author_label,
                head.occurred_at,
                head.recorded_at,
                "Backdated.",
                head.entry_hash,
                forged,
            ],
        )
    report = logchain.verify(incident)
    assert report.broken_sequences == [head.sequence + 1]
    assert "outside the application" in report.problem


def test_a_checkpoint_moved_without_the_key_is_detected(incident: Incident) -> None:
    LogCheckpoint.objects.filter(incident=incident).update(sequence=3)
    report = logchain.verify(incident)
    assert not report.ok and "signature is not valid" in report.problem


def test_a_checkpoint_signed_with_another_key_is_detected(incident: Incident, settings: Settings) -> None:
    settings.LOG_CHECKPOINT_KEY = b"a-different-deployment"
    report = logchain.verify(incident)
    assert not report.ok and "signature is not valid" in report.problem


def test_verify_api_and_page_list_every_broken_entry(
    incident: Incident, api: Callable[[User], ApiClient], web: Callable[[User], Client], rbkc_gold: User
) -> None:
    with triggers_off() as cur:
        for seq in (2, 6):
            cur.execute(
                f"UPDATE {TABLE} SET text = %s WHERE incident_id = %s AND sequence = %s",
                ["x", incident.pk, seq],
            )
    body = api(rbkc_gold).get(f"/incidents/{incident.reference}/log/verify").json()
    assert body["ok"] is False
    assert body["broken_sequences"] == [2, 6] and body["first_broken_sequence"] == 2
    assert [b["sequence"] for b in body["breaks"]] == [2, 6]
    page = web(rbkc_gold).get(f"/incidents/{incident.reference}/log/").content.decode()
    assert "Entry #2 content does not match" in page and "Entry #6 content does not match" in page
