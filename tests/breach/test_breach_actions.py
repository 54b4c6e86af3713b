"""The breach record, scan jobs, the importer and the individuals' register."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from pytest_django.fixtures import DjangoCaptureOnCommitCallbacks

from incidentroom.breach import actions, evidence
from incidentroom.breach.models import Appearance, Breach, ContactStatus, Individual, ScanStatus
from incidentroom.core.errors import Conflict, Forbidden, InvalidInput
from incidentroom.core.models import AuditEntry, Organisation
from incidentroom.incidents.models import Incident, Obligation
from tests.helpers.breachhelp import PEOPLE, import_people, write_outputs
from tests.helpers.db import first


def _org(code: str) -> Organisation:
    return Organisation.objects.get(code=code)


def test_recording_a_breach_declares_it_and_starts_the_ico_clock(
    incident: Incident, wcc_dpo: User, media: Path
) -> None:
    wcc = _org("WCC")
    assert not Obligation.objects.filter(incident=incident, organisation=wcc, code="ico").exists()
    aware = timezone.now() - dt.timedelta(hours=3)
    breach = actions.record_breach(
        incident, actor=wcc_dpo, organisation=wcc, description="Shared archive copied.", became_aware_at=aware
    )
    ico = Obligation.objects.get(incident=incident, organisation=wcc, code="ico")
    assert ico.deadline_at == aware + dt.timedelta(hours=72)
    assert incident.involvements.get(organisation=wcc).personal_data_breach
    assert AuditEntry.objects.filter(action="breach.record", object_id=str(breach.pk)).exists()
    with pytest.raises(Conflict):
        actions.record_breach(
            incident, actor=wcc_dpo, organisation=wcc, description="again", became_aware_at=aware
        )


def test_an_already_declared_breach_moves_the_clock_to_the_assessed_awareness_time(
    incident: Incident, rbkc_dpo: User, media: Path
) -> None:
    rbkc = _org("RBKC")
    assert incident.involvements.get(organisation=rbkc).personal_data_breach  # the scenario declared it
    aware = timezone.now() - dt.timedelta(hours=30)
    actions.record_breach(incident, actor=rbkc_dpo, organisation=rbkc, description="x", became_aware_at=aware)
    ico = Obligation.objects.get(incident=incident, organisation=rbkc, code="ico")
    assert ico.anchor_at == aware and ico.deadline_at == aware + dt.timedelta(hours=72)


@pytest.mark.parametrize("who", ["rbkc_silver", "rbkc_comms", "wcc_dpo", "lbhf_responder", "outsider_gold"])
def test_only_the_controllers_dpo_or_gold_may_record(
    who: str, request: pytest.FixtureRequest, incident: Incident, media: Path
) -> None:
    actor = request.getfixturevalue(who)
    with pytest.raises(Forbidden):
        actions.record_breach(
            incident, actor=actor, organisation=_org("RBKC"), description="x", became_aware_at=timezone.now()
        )
    assert not Breach.objects.exists()


def test_gold_may_record(incident: Incident, rbkc_gold: User, media: Path) -> None:
    breach = actions.record_breach(
        incident, actor=rbkc_gold, organisation=_org("RBKC"), description="x", became_aware_at=timezone.now()
    )
    assert breach.pk


def test_bad_assessment_input_is_refused_with_the_field_named(
    incident: Incident, rbkc_dpo: User, media: Path
) -> None:
    rbkc = _org("RBKC")
    now = timezone.now()
    cases: list[tuple[dict[str, Any], str]] = [  # deliberately wrong keywords and values
        ({"description": " ", "became_aware_at": now}, "description"),
        ({"description": "x", "became_aware_at": now + dt.timedelta(days=1)}, "became_aware_at"),
        ({"description": "x", "became_aware_at": now.replace(tzinfo=None)}, "became_aware_at"),
        (
            {"description": "x", "became_aware_at": now, "occurred_at": now + dt.timedelta(minutes=1)},
            "occurred_at",
        ),
        (
            {"description": "x", "became_aware_at": now, "people_categories": ["martians"]},
            "people_categories",
        ),
        ({"description": "x", "became_aware_at": now, "colour": "red"}, "colour"),
    ]
    for kwargs, field in cases:
        with pytest.raises(InvalidInput) as caught:
            actions.record_breach(incident, actor=rbkc_dpo, organisation=rbkc, **kwargs)
        assert caught.value.field == field
    assert not Breach.objects.exists()


def test_update_breach_records_before_and_after(breach: Breach, rbkc_dpo: User) -> None:
    actions.update_breach(breach, actor=rbkc_dpo, likely_consequences="Fraud and distress.")
    entry = AuditEntry.objects.filter(action="breach.update").first()
    assert entry is not None
    assert entry.changed_fields()["likely_consequences"] == ("", "Fraud and distress.")


# -- scans -------------------------------------------------------------------------------------


def test_scan_paths_must_stay_inside_the_evidence_roots(breach: Breach, rbkc_dpo: User, media: Path) -> None:
    (media / "archive").mkdir()
    outside = media.parent / "secret"
    outside.mkdir()
    (media / "link").symlink_to(outside)
    for path in (
        "/etc",
        str(outside),
        str(media / ".." / "secret"),
        str(media / "link"),
        str(media / "missing"),
        "",
    ):
        with pytest.raises(InvalidInput):
            actions.start_scan(breach, actor=rbkc_dpo, sources=[actions.ScanSource(path)])
    job = actions.start_scan(breach, actor=rbkc_dpo, sources=[actions.ScanSource(str(media / "archive"))])
    assert job.status == ScanStatus.QUEUED and job.sources[0]["organisation"] == "RBKC"
    with pytest.raises(Conflict):
        actions.start_scan(breach, actor=rbkc_dpo, sources=[actions.ScanSource(str(media / "archive"))])


def test_scan_is_enqueued_only_after_commit(
    breach: Breach,
    rbkc_dpo: User,
    media: Path,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    from django_tasks_db.models import DBTaskResult

    (media / "archive").mkdir()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = actions.start_scan(breach, actor=rbkc_dpo, sources=[actions.ScanSource(str(media / "archive"))])
        # (The demo's status updates queued their subscriber emails when it was loaded.)
        assert not DBTaskResult.objects.filter(task_path__endswith="run_scan_job").exists()
    for callback in callbacks:
        callback()
    job.refresh_from_db()
    queued = DBTaskResult.objects.get(task_path__endswith="run_scan_job")
    assert job.task_id == str(queued.id) and queued.task_path.endswith("run_scan_job")


def test_cancel_a_queued_scan_stops_it_before_it_starts(breach: Breach, rbkc_dpo: User, media: Path) -> None:
    (media / "archive").mkdir()
    job = actions.start_scan(breach, actor=rbkc_dpo, sources=[actions.ScanSource(str(media / "archive"))])
    actions.cancel_scan(job, actor=rbkc_dpo)
    job.refresh_from_db()
    assert job.status == ScanStatus.CANCELLED
    assert actions.scan_started(job.pk, job.run_token) is None
    with pytest.raises(Conflict):
        actions.cancel_scan(job, actor=rbkc_dpo)


def test_upload_is_kept_and_scanned(breach: Breach, rbkc_dpo: User, media: Path) -> None:
    job = actions.start_upload_scan(
        breach, actor=rbkc_dpo, filename="../../stolen copy.zip", chunks=[b"PK\x03\x04"]
    )
    path = Path(job.sources[0]["path"])
    assert path.name == "stolen_copy.zip" and path.read_bytes() == b"PK\x03\x04"
    assert path.is_relative_to(evidence.uploads_base() / "rbkc")
    with pytest.raises(InvalidInput):
        actions.start_upload_scan(breach, actor=rbkc_dpo, filename="empty.zip", chunks=[])


# -- the importer --------------------------------------------------------------------------------


def test_import_links_people_to_the_breach_with_documents(scanned: Breach) -> None:
    people = {p.person_id: p for p in Individual.objects.filter(breach=scanned)}
    assert set(people) == {"P0001", "P0002", "P0003", "P0004"}
    alice = people["P0001"]
    assert alice.category_list() == ["name", "address", "email", "bank_account"]
    assert alice.date_of_birth == dt.date(1961, 4, 2) and alice.risk == "high" and alice.postcode == "W8 4AA"
    assert [(a.path, a.location) for a in alice.appearances.all()] == [
        ("2009/permits.xlsx", ""),
        ("2012/letter-0001.docx", ""),
    ]
    assert [o.code for o in alice.organisations.all()] == ["RBKC"]
    job = scanned.scans.get()
    assert job.status == ScanStatus.SUCCEEDED and job.individuals_imported == 4


def test_a_hash_in_a_file_name_is_part_of_the_path(breach: Breach, rbkc_dpo: User, media: Path) -> None:
    # The scanner writes each document's path and nothing after it: a '#' is a character
    # of the name, not the start of a location.
    person = {**PEOPLE[0], "documents": "2011/minutes#2.docx;2012/#3 notes/letter.docx"}
    import_people(breach, rbkc_dpo, media, [person])
    imported = Individual.objects.get()
    assert [(a.path, a.location) for a in imported.appearances.order_by("path")] == [
        ("2011/minutes#2.docx", ""),
        ("2012/#3 notes/letter.docx", ""),
    ]
    assert imported.document_count == 2


def test_people_are_attributed_to_the_controller_whose_folder_they_came_from(
    breach: Breach, rbkc_dpo: User, shared_root: Path
) -> None:
    people = [dict(PEOPLE[0]), dict(PEOPLE[1]), dict(PEOPLE[2])]
    roots = [str((shared_root / "rbkc").resolve()), str((shared_root / "wcc").resolve())]
    people[0]["source_roots"] = roots[0]
    people[1]["source_roots"] = roots[1]
    people[2]["source_roots"] = ";".join(roots)
    # A folder of the shared service both councils agreed to have scanned.
    import_people(breach, rbkc_dpo, shared_root, people, sources=[("rbkc", "RBKC"), ("wcc", "WCC")])
    codes = {p.person_id: sorted(o.code for o in p.organisations.all()) for p in Individual.objects.all()}
    assert codes == {"P0001": ["RBKC"], "P0002": ["WCC"], "P0003": ["RBKC", "WCC"]}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"date_of_birth": "31/12/1960"}, "line 2: date_of_birth"),
        ({"person_id": ""}, "line 2: person_id is empty"),
        ({"document_count": "many"}, "document_count"),
    ],
)
def test_a_malformed_csv_is_refused_and_nothing_is_half_imported(
    breach: Breach, rbkc_dpo: User, media: Path, change: dict[str, str], message: str
) -> None:
    (media / "archive").mkdir()
    job = actions.start_scan(breach, actor=rbkc_dpo, sources=[actions.ScanSource(str(media / "archive"))])
    actions.scan_started(job.pk, job.run_token)
    out = write_outputs(Path(job.out_dir), [PEOPLE[1], PEOPLE[0]], [str(media / "archive")])
    text = (out / "individuals.csv").read_text()
    lines = text.splitlines()
    for key, value in change.items():
        if key == "document_count":
            lines[1] = lines[1].replace(",high,1,", f",high,{value},")
        else:
            original = PEOPLE[1][key] if PEOPLE[1][key] else None
            lines[1] = lines[1].replace(original, value, 1) if original else lines[1]
    (out / "individuals.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(InvalidInput, match=message):
        actions.complete_scan(job, out)
    assert not Individual.objects.exists()


def test_missing_columns_are_named(breach: Breach, rbkc_dpo: User, media: Path) -> None:
    (media / "archive").mkdir()
    job = actions.start_scan(breach, actor=rbkc_dpo, sources=[actions.ScanSource(str(media / "archive"))])
    out = Path(job.out_dir)
    out.mkdir(parents=True)
    (out / "individuals.csv").write_text("person_id,full_name\nP1,Someone\n")
    with pytest.raises(InvalidInput, match="categories, risk"):
        actions.complete_scan(job, out)


def test_unknown_categories_are_dropped_and_reported_and_a_bad_risk_recomputed(
    breach: Breach, rbkc_dpo: User, media: Path
) -> None:
    person = {**PEOPLE[2], "categories": "name;phone;shoe_size;health", "risk": "extreme"}
    job = import_people(breach, rbkc_dpo, media, [person])
    imported = Individual.objects.get()
    assert imported.category_list() == ["name", "phone", "health"] and imported.risk == "high"
    assert job.manifest["unknown_categories"] == ["shoe_size"]


# -- individuals ---------------------------------------------------------------------------------


def _person(pid: str) -> Individual:
    return Individual.objects.get(person_id=pid)


def test_notified_and_do_not_contact_are_audited_without_personal_data(
    scanned: Breach, rbkc_dpo: User
) -> None:
    alice, bashir = _person("P0001"), _person("P0002")
    actions.mark_notified(alice, actor=rbkc_dpo, how="phone")
    actions.set_do_not_contact(bashir, actor=rbkc_dpo, reason="Deceased (registrar notified)")
    assert _person("P0001").contact_status == ContactStatus.NOTIFIED
    assert _person("P0002").do_not_contact_reason == "Deceased (registrar notified)"
    with pytest.raises(InvalidInput):
        actions.set_do_not_contact(bashir, actor=rbkc_dpo, reason="  ")
    for entry in AuditEntry.objects.filter(action__startswith="individual."):
        text = str(entry.before) + str(entry.after) + entry.object_repr
        for secret in ("Alice", "Ashdown", "Abbey Road", "alice@", "Bashir", "Brook Street"):
            if secret in entry.object_repr:
                pytest.fail(f"audit object_repr holds {secret!r}")
            assert secret not in str(entry.before) + str(entry.after), text


def test_audit_repr_of_a_person_names_no_one(scanned: Breach, rbkc_dpo: User) -> None:
    actions.mark_notified(_person("P0001"), actor=rbkc_dpo, how="letter")
    entry = AuditEntry.objects.get(action="individual.notified")
    assert "Alice" not in entry.object_repr


def test_merge_then_split_moves_documents_and_categories(scanned: Breach, rbkc_dpo: User) -> None:
    alice, cora = _person("P0001"), _person("P0003")
    merged = actions.merge_individuals(cora, actor=rbkc_dpo, others=[alice])
    assert merged.document_count == 3 and merged.category_list() == [
        "name",
        "address",
        "email",
        "phone",
        "bank_account",
    ]
    # Blank details are filled from the merged record; the highest risk wins.
    assert merged.email == "alice@example.org" and merged.date_of_birth == dt.date(1961, 4, 2)
    assert merged.risk == "high" and merged.phone == "07700 900003"
    alice.refresh_from_db()
    assert alice.contact_status == ContactStatus.MERGED and alice.merged_into_id == cora.pk
    with pytest.raises(Conflict):
        actions.mark_notified(alice, actor=rbkc_dpo)

    moving = list(Appearance.objects.filter(individual=cora).exclude(path="2018/contacts.csv"))
    new = actions.split_individual(
        cora,
        actor=rbkc_dpo,
        appearance_ids=[a.pk for a in moving],
        full_name="Alice Ashdown",
        categories=["name", "bank_account"],
    )
    assert new.category_list() == ["name", "bank_account"] and new.risk == "high" and new.document_count == 2
    cora.refresh_from_db()
    assert cora.document_count == 1
    assert Individual.objects.active().filter(category_index__contains=";bank_account;").count() == 2
    with pytest.raises(InvalidInput):  # the last document cannot leave
        only = cora.appearances.get()
        actions.split_individual(cora, actor=rbkc_dpo, appearance_ids=[only.pk], full_name="Nobody")
    assert AuditEntry.objects.filter(action="individual.split").exists()


def test_merge_with_another_breachs_record_is_refused(
    scanned: Breach, rbkc_dpo: User, wcc_dpo: User, incident: Incident, media: Path
) -> None:
    other = actions.record_breach(
        incident, actor=wcc_dpo, organisation=_org("WCC"), description="x", became_aware_at=timezone.now()
    )
    wcc_folder = media.parent / "wcc"  # WCC's own evidence folder
    job = actions.start_scan(other, actor=wcc_dpo, sources=[actions.ScanSource(str(wcc_folder))])
    out = write_outputs(Path(job.out_dir), [{**PEOPLE[0], "person_id": "W1"}], [str(wcc_folder)])
    actions.complete_scan(job, out)
    theirs = Individual.objects.get(person_id="W1")
    with pytest.raises(Forbidden):  # the RBKC DPO may not touch WCC's data subjects
        actions.merge_individuals(_person("P0001"), actor=rbkc_dpo, others=[theirs])
    with pytest.raises(InvalidInput):
        actions.merge_individuals(_person("P0001"), actor=rbkc_dpo, others=[])


def test_discarded_results_leave_the_counts_lists_and_letters(scanned: Breach, rbkc_dpo: User) -> None:
    from incidentroom.breach import queries
    from incidentroom.breach.reports.facts import scan_facts

    job = scanned.scans.get()
    with pytest.raises(InvalidInput):
        actions.discard_scan(job, actor=rbkc_dpo, reason=" ")
    assert scan_facts(scanned)["individuals"] == 4
    actions.discard_scan(job, actor=rbkc_dpo, reason="Rescanned with the full archive")
    job.refresh_from_db()
    assert job.status == ScanStatus.DISCARDED and job.discard_reason == "Rescanned with the full archive"
    # With its only scan discarded, nobody knows the number again: unknown, not 0.
    assert scan_facts(scanned)["individuals"] is None
    assert not queries.individuals_for(rbkc_dpo, scanned, queries.PeopleFilter()).exists()
    with pytest.raises(InvalidInput):
        actions.generate_letters(scanned, actor=rbkc_dpo)
    with pytest.raises(Conflict):
        actions.discard_scan(job, actor=rbkc_dpo, reason="again")
    assert Individual.objects.count() == 4  # the records stay, for the record
    assert "discarded for RBKC: Rescanned" in first(scanned.incident.log_entries.order_by("-sequence")).text
