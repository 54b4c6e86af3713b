"""Each council's evidence is its own: scan roots, upload areas and shared-root consent.

Issue 13 item 1: a WCC DPO could point a scan at RBKC's evidence folder or upload area and
read RBKC's residents on WCC's breach. Tried here through the actions, the API and the page
form, with personas of different councils.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.utils import timezone
from pytest_django.fixtures import Settings

from incidentroom.breach import actions, evidence
from incidentroom.breach.models import Breach, ScanJob, ScanStatus, SharedRootConsent
from incidentroom.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from incidentroom.core.models import AuditEntry, Organisation
from incidentroom.incidents.models import Incident
from tests.helpers.clients import ApiClient


@pytest.fixture
def wcc_breach(incident: Incident, wcc_dpo: User, media: Path) -> Breach:
    """WCC's own breach in the same incident."""
    wcc = Organisation.objects.get(code="WCC")
    return actions.record_breach(
        incident,
        actor=wcc_dpo,
        organisation=wcc,
        description="WCC's copy of the shared archive was taken too.",
        became_aware_at=timezone.now() - dt.timedelta(hours=1),
    )


@pytest.fixture
def folders(media: Path) -> dict[str, Path]:
    """RBKC's and WCC's archives, an upload RBKC made, and the parent folders."""
    base = media.parent
    rbkc = media / "archive"
    wcc = base / "wcc" / "archive"
    for folder in (rbkc, wcc):
        folder.mkdir()
        (folder / "residents.csv").write_text("name,postcode\nAda Lovelace,W8 7NX\n")
    return {"base": base, "rbkc": rbkc, "wcc": wcc}


def _refused(exc_type: type[Exception], field: str, call: Any) -> None:
    with pytest.raises(exc_type) as caught:
        call()
    assert caught.value.field == field  # type: ignore[attr-defined]


# -- actions -----------------------------------------------------------------------------------


def test_wcc_cannot_scan_rbkc_evidence_by_any_path(
    wcc_breach: Breach, wcc_dpo: User, rbkc_dpo: User, breach: Breach, folders: dict[str, Path]
) -> None:
    upload = actions.start_upload_scan(breach, actor=rbkc_dpo, filename="rbkc.zip", chunks=[b"PK\x03\x04"])
    rbkc_upload = Path(upload.sources[0]["path"])
    actions.cancel_scan(upload, actor=rbkc_dpo)
    wcc_root = folders["base"] / "wcc"
    (wcc_root / "to-rbkc").symlink_to(folders["rbkc"])
    (wcc_root / "to-upload").symlink_to(rbkc_upload.parent)
    (wcc_root / "to-etc").symlink_to("/etc")

    def scan(path: str) -> Any:
        return lambda: actions.start_scan(wcc_breach, actor=wcc_dpo, sources=[actions.ScanSource(path)])

    # Another council's folder or upload, however it is spelt: 403 naming the path.
    for path in (
        str(folders["rbkc"]),
        str(wcc_root / ".." / "rbkc" / "archive"),
        "../rbkc/archive",
        str(wcc_root / "to-rbkc"),
        str(rbkc_upload),
        str(rbkc_upload.parent),
        str(wcc_root / "to-upload"),
        str(folders["rbkc"] / "does-not-exist"),  # no existence oracle on another's folder
    ):
        _refused(Forbidden, "path", scan(path))
    # Parent folders holding several councils' evidence, and anything outside: 422.
    for path in (
        str(folders["base"]),
        str(folders["base"].parent),
        str(evidence.uploads_base()),
        str(evidence.uploads_base().parent),
        str(wcc_root / "to-etc"),
        "/etc",
        "",
    ):
        _refused(InvalidInput, "path", scan(path))
    assert not ScanJob.objects.filter(breach=wcc_breach).exists()
    # WCC's own folder, absolute or relative to its evidence folder, is fine.
    job = actions.start_scan(wcc_breach, actor=wcc_dpo, sources=[actions.ScanSource("archive")])
    assert job.sources == [{"path": str(folders["wcc"].resolve()), "organisation": "WCC"}]


def test_people_go_on_another_councils_list_only_by_its_decision(
    wcc_breach: Breach, wcc_dpo: User, media: Path, folders: dict[str, Path]
) -> None:
    rbkc = Organisation.objects.get(code="RBKC")
    _refused(
        Forbidden,
        "organisation",
        lambda: actions.start_scan(
            wcc_breach, actor=wcc_dpo, sources=[actions.ScanSource(str(folders["wcc"]), rbkc)]
        ),
    )
    _refused(
        Forbidden,
        "organisation",
        lambda: actions.start_upload_scan(
            wcc_breach, actor=wcc_dpo, filename="x.zip", chunks=[b"PK\x03\x04"], organisation=rbkc
        ),
    )
    # Refused before anything was written to RBKC's upload area.
    assert not evidence.upload_area(rbkc).exists()
    wcc = Organisation.objects.get(code="WCC")
    job = actions.start_upload_scan(wcc_breach, actor=wcc_dpo, filename="x.zip", chunks=[b"PK\x03\x04"])
    assert Path(job.sources[0]["path"]).is_relative_to(evidence.upload_area(wcc))


def test_shared_root_needs_every_owners_consent(
    wcc_breach: Breach,
    wcc_dpo: User,
    rbkc_dpo: User,
    rbkc_comms: User,
    lbhf_gold: User,
    media: Path,
    tmp_path: Path,
    settings: Settings,
) -> None:
    shared = tmp_path / "shared-service"
    (shared / "housing").mkdir(parents=True)
    settings.BREACH_SCAN_ROOTS = [*settings.BREACH_SCAN_ROOTS, f"RBKC+WCC={shared}"]
    rbkc, wcc, lbhf = (Organisation.objects.get(code=c) for c in ("RBKC", "WCC", "LBHF"))

    def scan() -> ScanJob:
        return actions.start_scan(
            wcc_breach, actor=wcc_dpo, sources=[actions.ScanSource(str(shared / "housing"))]
        )

    _refused(Forbidden, "path", scan)
    # Only an owner's DPO or Gold speaks for it.
    _refused(
        Forbidden,
        "organisation",
        lambda: evidence.grant_root_consent(str(shared), organisation=lbhf, actor=lbhf_gold),
    )
    with pytest.raises(Forbidden):
        evidence.grant_root_consent(str(shared), organisation=rbkc, actor=wcc_dpo)
    with pytest.raises(Forbidden):
        evidence.grant_root_consent(str(shared), organisation=rbkc, actor=rbkc_comms)
    _refused(
        InvalidInput,
        "path",
        lambda: evidence.grant_root_consent(str(media), organisation=rbkc, actor=rbkc_dpo),
    )

    evidence.grant_root_consent(str(shared), organisation=wcc, actor=wcc_dpo)
    _refused(Forbidden, "path", scan)  # RBKC has not agreed yet
    evidence.grant_root_consent(str(shared), organisation=rbkc, actor=rbkc_dpo)
    with pytest.raises(Conflict):
        evidence.grant_root_consent(str(shared), organisation=rbkc, actor=rbkc_dpo)
    job = scan()
    assert job.sources[0]["path"] == str((shared / "housing").resolve())
    actions.cancel_scan(job, actor=wcc_dpo)

    evidence.withdraw_root_consent(str(shared), organisation=rbkc, actor=rbkc_dpo)
    _refused(Forbidden, "path", scan)
    with pytest.raises(NotFound):
        evidence.withdraw_root_consent(str(shared), organisation=rbkc, actor=rbkc_dpo)
    rows = SharedRootConsent.objects.filter(organisation=rbkc)
    assert [c.active for c in rows] == [False] and rows[0].withdrawn_by == rbkc_dpo
    actions_logged = list(
        AuditEntry.objects.filter(action__startswith="evidence.")
        .order_by("at", "id")
        .values_list("action", flat=True)
    )
    assert actions_logged == ["evidence.consent", "evidence.consent", "evidence.consent_withdrawn"]
    # Both owners' DPOs see the record; LBHF, which owns nothing there, does not.
    assert SharedRootConsent.objects.for_user(wcc_dpo).count() == 2
    assert SharedRootConsent.objects.for_user(lbhf_gold).count() == 0


def test_a_queued_scan_is_checked_again_when_it_starts(
    wcc_breach: Breach,
    wcc_dpo: User,
    rbkc_dpo: User,
    tmp_path: Path,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from incidentroom.breach import tasks

    shared = tmp_path / "shared-service"
    shared.mkdir()
    settings.BREACH_SCAN_ROOTS = [*settings.BREACH_SCAN_ROOTS, f"RBKC+WCC={shared}"]
    rbkc, wcc = (Organisation.objects.get(code=c) for c in ("RBKC", "WCC"))
    evidence.grant_root_consent(str(shared), organisation=wcc, actor=wcc_dpo)
    evidence.grant_root_consent(str(shared), organisation=rbkc, actor=rbkc_dpo)
    job = actions.start_scan(wcc_breach, actor=wcc_dpo, sources=[actions.ScanSource(str(shared))])
    evidence.withdraw_root_consent(str(shared), organisation=rbkc, actor=rbkc_dpo)
    assert tasks.run_scan_job.call(job.pk, job.run_token) == "failed"
    job.refresh_from_db()
    assert job.status == ScanStatus.FAILED and "still to agree: RBKC" in job.error


# -- the API and the page form -------------------------------------------------------------------


def test_api_refuses_another_councils_paths_and_uploads(
    wcc_breach: Breach, wcc_dpo: User, api: Callable[[User], ApiClient], folders: dict[str, Path]
) -> None:
    client = api(wcc_dpo)
    url = f"/breach/breaches/{wcc_breach.pk}/scans"
    for path, status in (
        (str(folders["rbkc"]), 403),
        (str(folders["base"]), 422),
        ("/etc", 422),
        (str(folders["wcc"]) + "/\ud800", 422),  # a name no file system call can encode
    ):
        response = client.post(url, {"sources": [{"path": path}]})
        assert response.status_code == status, response.content
        body = response.json()
        # A domain refusal names the field; the schema's own 422 gives its location.
        assert body.get("field") == "path" or body["detail"][0]["loc"][-1] == "path", body
    response = client.post(url, {"sources": [{"path": str(folders["wcc"]), "organisation": "RBKC"}]})
    assert response.status_code == 403 and response.json()["field"] == "organisation"
    upload = client.client.post(
        f"/api{url}/upload",
        {"file": SimpleUploadedFile("rbkc.zip", b"PK\x03\x04"), "organisation": "RBKC"},
    )
    assert upload.status_code == 403 and upload.json()["field"] == "organisation"
    assert not ScanJob.objects.filter(breach=wcc_breach).exists()
    ok = client.post(url, {"sources": [{"path": str(folders["wcc"])}]})
    assert ok.status_code == 202, ok.content


def test_page_form_refuses_another_councils_paths(
    wcc_breach: Breach, wcc_dpo: User, web: Callable[[User], Client], folders: dict[str, Path]
) -> None:
    client = web(wcc_dpo)
    url = f"/breaches/{wcc_breach.pk}/scans/"
    page = client.get(f"/breaches/{wcc_breach.pk}/")
    assert str(folders["base"].resolve() / "wcc") in page.content.decode()
    assert str(folders["base"].resolve() / "rbkc") not in page.content.decode()
    for path, status in ((str(folders["rbkc"]), 403), (str(folders["base"]), 422)):
        response = client.post(url, {"path": path})
        assert response.status_code == status
        # The breach page again, the summary linking to the field, the path typed kept.
        body = response.content.decode()
        assert "<title>Error: Breach" in body and '<a href="#scan-path">' in body
        assert 'id="scan-path-error"' in body and f'value="{path}"' in body
    response = client.post(
        url, {"upload": SimpleUploadedFile("x.zip", b"PK\x03\x04"), "organisation": "RBKC"}
    )
    assert response.status_code == 403
    body = response.content.decode()
    assert '<a href="#scan-org">' in body and '<option value="RBKC" selected>' in body
    assert not ScanJob.objects.filter(breach=wcc_breach).exists()
    assert client.post(url, {"path": str(folders["wcc"])}).status_code == 302


def test_evidence_root_api_lists_own_roots_and_records_consent(
    wcc_dpo: User,
    rbkc_dpo: User,
    wcc_comms: User,
    lbhf_gold: User,
    outsider_gold: User,
    api: Callable[[User], ApiClient],
    media: Path,
    tmp_path: Path,
) -> None:
    shared = tmp_path / "shared-service"
    shared.mkdir()
    roots = [*[str(media.parent)], f"RBKC+WCC={shared}"]
    with override_settings(BREACH_SCAN_ROOTS=roots):
        listed = api(wcc_dpo).get("/breach/evidence-roots").json()
        paths = {r["path"] for r in listed}
        assert str(media.parent.resolve() / "wcc") in paths and str(shared.resolve()) in paths
        assert not any("/rbkc" in p for p in paths)
        outsider = api(outsider_gold).get("/breach/evidence-roots").json()
        assert outsider and all(r["owners"] == ["LBE"] for r in outsider)
        body = {"path": str(shared), "organisation": "WCC"}
        # Refusals: not DPO/Gold, another organisation's voice, not an owner.
        assert api(wcc_comms).post("/breach/evidence-roots/consents", body).status_code == 403
        assert api(rbkc_dpo).post("/breach/evidence-roots/consents", body).status_code == 403
        assert (
            api(lbhf_gold)
            .post("/breach/evidence-roots/consents", {**body, "organisation": "LBHF"})
            .status_code
            == 403
        )
        bad = api(wcc_dpo).post("/breach/evidence-roots/consents", {**body, "path": str(media)})
        assert bad.status_code == 422 and bad.json()["field"] == "path"
        made = api(wcc_dpo).post("/breach/evidence-roots/consents", body)
        assert made.status_code == 201 and made.json()["active"] is True
        row = next(r for r in api(wcc_dpo).get("/breach/evidence-roots").json() if r["shared"])
        assert row["consented"] == ["WCC"] and row["scannable"] is False
        assert (
            api(rbkc_dpo)
            .post("/breach/evidence-roots/consents", {**body, "organisation": "RBKC"})
            .status_code
            == 201
        )
        row = next(r for r in api(rbkc_dpo).get("/breach/evidence-roots").json() if r["shared"])
        assert row["scannable"] is True
        assert len(api(rbkc_dpo).get("/breach/evidence-roots/consents").json()) == 2
        assert api(lbhf_gold).get("/breach/evidence-roots/consents").json() == []
        gone = api(wcc_dpo).post("/breach/evidence-roots/consents/withdraw", body)
        assert gone.status_code == 200 and gone.json()["active"] is False


def test_people_of_a_consented_shared_folder_may_go_on_a_co_owners_list(
    breach: Breach, rbkc_dpo: User, wcc_dpo: User, shared_root: Path, folders: dict[str, Path]
) -> None:
    wcc = Organisation.objects.get(code="WCC")
    (shared_root / "housing").mkdir()
    job = actions.start_scan(
        breach, actor=rbkc_dpo, sources=[actions.ScanSource(str(shared_root / "housing"), wcc)]
    )
    assert job.sources[0]["organisation"] == "WCC"
    actions.cancel_scan(job, actor=rbkc_dpo)
    # WCC's own folder is WCC's alone: RBKC can neither scan it nor list its people as WCC's.
    for source, field in (
        (actions.ScanSource(str(folders["wcc"]), wcc), "organisation"),
        (actions.ScanSource(str(folders["wcc"])), "path"),
    ):
        _refused(Forbidden, field, lambda s=source: actions.start_scan(breach, actor=rbkc_dpo, sources=[s]))
    # Once WCC withdraws, the shared folder is closed to everyone.
    evidence.withdraw_root_consent(str(shared_root), organisation=wcc, actor=wcc_dpo)
    _refused(
        Forbidden,
        "path",
        lambda: actions.start_scan(
            breach, actor=rbkc_dpo, sources=[actions.ScanSource(str(shared_root / "housing"))]
        ),
    )


# -- the order roots are shown in ----------------------------------------------------------


@pytest.mark.django_db
def test_scan_roots_are_shown_broadest_first_and_relative_paths_read_in_the_first(tmp_path: Path) -> None:
    """The page, the hint in a refusal and the API list one organisation's folders in one
    stated order, whatever order the settings list them in; a relative path is read in the
    first solo folder of that order."""
    deep, shallow, later = tmp_path / "x" / "rbkc" / "deep", tmp_path / "rbkc-a", tmp_path / "rbkc-b"
    for folder in (deep, shallow, later):
        folder.mkdir(parents=True)
    (later / "notes.txt").write_text("x")
    rbkc = Organisation.objects.get(code="RBKC")
    with override_settings(
        BREACH_SCAN_ROOTS=[
            f"RBKC={deep}",
            f"RBKC={shallow}",
            f"RBKC+WCC={tmp_path / 'shared'}",
            f"RBKC={later}",
        ]
    ):
        shown = [r.path for r in evidence.scan_roots([rbkc], evidence.EVIDENCE)]
        # Equally deep folders: the one configured later comes first.
        assert shown == [later, tmp_path / "shared", shallow, deep]
        assert all(r.kind == evidence.UPLOADS for r in evidence.scan_roots([rbkc]) if r.path not in shown)
        assert evidence.check_source_path("notes.txt", rbkc) == later / "notes.txt"
