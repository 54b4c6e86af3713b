"""Indicators: TLP 2.0 sharing (a refusal per marking and persona), the actions' rules, and
STIX 2.1 / MISP / CSV import and export."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import pytest
import stix2
from django.contrib.auth.models import User
from django.test import Client
from pytest_django.fixtures import Settings

from incidentroom.core.errors import Forbidden, InvalidInput
from incidentroom.core.models import Organisation
from incidentroom.incidents.models import Incident
from incidentroom.threats import actions
from incidentroom.threats.exchange import csvio, misp, stix
from incidentroom.threats.models import Indicator
from tests.helpers.clients import ApiClient
from tests.helpers.personas import PersonaFactory

MARKINGS = ["clear", "green", "amber", "amber+strict", "red"]
SHARED = {"clear", "green", "amber"}


def _org(code: str) -> Organisation:
    return Organisation.objects.get(code=code)


@pytest.fixture
def marked(incident: Incident, rbkc_gold: User) -> dict[str, Indicator]:
    """One indicator per TLP marking, entered by RBKC."""
    return {
        level: actions.create_indicator(
            incident,
            actor=rbkc_gold,
            organisation=_org("RBKC"),
            type="domain",
            value=f"{level.replace('+', '-')}.evil.example",
            tlp=level,
        )
        for level in MARKINGS
    }


# Who each label below is: (role, organisation codes).
WHO: dict[str, tuple[str, ...]] = {
    "rbkc.gold": ("gold", "RBKC"),
    "rbkc.comms": ("comms", "RBKC"),
    "shared.responder": ("responder", "RBKC", "WCC", "LBHF"),
    "wcc.dpo": ("dpo", "WCC"),
    "lbhf.responder": ("responder", "LBHF"),
    "lbhf.viewer": ("viewer", "LBHF"),
    "ealing.gold": ("gold", "LBE"),
    "ealing.viewer": ("viewer", "LBE"),
}
# persona -> markings of RBKC's indicators they may see
PERSONAS = {
    "rbkc.gold": set(MARKINGS),  # the entering organisation sees everything it entered
    "rbkc.comms": set(MARKINGS),
    "shared.responder": set(MARKINGS),  # member of RBKC too
    "wcc.dpo": SHARED,
    "lbhf.responder": SHARED,
    "lbhf.viewer": SHARED,
    "ealing.gold": set(),  # not in the incident
    "ealing.viewer": set(),
}


@pytest.mark.parametrize("username", sorted(PERSONAS))
@pytest.mark.parametrize("level", MARKINGS)
def test_tlp_scopes_every_read(
    username: str,
    level: str,
    marked: dict[str, Indicator],
    persona: PersonaFactory,
    api: Callable[[User], ApiClient],
    web: Callable[[User], Client],
    incident: Incident,
) -> None:
    user = persona(*WHO[username])
    indicator = marked[level]
    allowed = level in PERSONAS[username]
    client = api(user)
    single = client.get(f"/threats/indicators/{indicator.pk}")
    assert single.status_code == (200 if allowed else 404)
    listed = client.get(f"/threats/incidents/{incident.reference}/indicators")
    values = {i["value"] for i in listed.json()} if listed.status_code == 200 else set()
    assert (indicator.value in values) == allowed
    bundle = client.get(f"/threats/incidents/{incident.reference}/indicators/export?format=stix")
    assert (indicator.value in bundle.content.decode()) == allowed
    page = web(user).get(f"/incidents/{incident.reference}/threats/")
    assert (indicator.value in page.content.decode()) == allowed
    if not allowed:
        patch = client.patch(f"/threats/indicators/{indicator.pk}", {"confidence": 90})
        assert patch.status_code == 404


def test_outsiders_get_404_for_the_incident(
    api: Callable[[User], ApiClient], outsider_gold: User, incident: Incident
) -> None:
    client = api(outsider_gold)
    assert client.get(f"/threats/incidents/{incident.reference}/indicators").status_code == 404
    assert (
        client.post(
            f"/threats/incidents/{incident.reference}/indicators", {"type": "domain", "value": "x.example"}
        ).status_code
        == 404
    )


def test_only_the_entering_organisation_changes_an_indicator(
    marked: dict[str, Indicator],
    api: Callable[[User], ApiClient],
    wcc_gold: User,
    lbhf_viewer: User,
    rbkc_gold: User,
) -> None:
    amber = marked["amber"]
    assert api(wcc_gold).patch(f"/threats/indicators/{amber.pk}", {"confidence": 90}).status_code == 403
    assert api(lbhf_viewer).patch(f"/threats/indicators/{amber.pk}", {"confidence": 90}).status_code == 403
    ok = api(rbkc_gold).patch(f"/threats/indicators/{amber.pk}", {"confidence": 90, "systems": ["shared-ad"]})
    assert ok.status_code == 200 and ok.json()["confidence"] == 90 and ok.json()["systems"] == ["shared-ad"]


def test_create_checks_values_and_fields(
    api: Callable[[User], ApiClient], lbhf_responder: User, lbhf_viewer: User, incident: Incident
) -> None:
    client = api(lbhf_responder)
    path = f"/threats/incidents/{incident.reference}/indicators"
    created = client.post(
        path,
        {
            "type": "ipv4",
            "value": "203.0.113.0/24",
            "tlp": "amber+strict",
            "source_kind": "ncsc",
            "source_name": "NCSC",
            "confidence": 80,
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (
        body["organisation"] == "LBHF"
        and body["tlp"] == "amber+strict"
        and body["stix_id"].startswith("indicator--")
    )
    assert client.post(path, {"type": "ipv4", "value": "203.0.113.0/24"}).status_code == 409
    for payload, field in [
        ({"type": "ipv4", "value": "300.1.1.1"}, "value"),
        ({"type": "domain", "value": "not a domain"}, "value"),
        ({"type": "sha256", "value": "abc"}, "value"),
        ({"type": "url", "value": "javascript:alert(1)"}, "value"),
        ({"type": "domain", "value": "x.example", "confidence": 101}, "confidence"),
        ({"type": "domain", "value": "x.example", "tlp": "purple"}, "tlp"),
        ({"type": "domain", "value": "x.example", "systems": ["no-such-system"]}, "systems"),
        (
            {
                "type": "domain",
                "value": "x.example",
                "first_seen": "2026-01-02T00:00:00Z",
                "last_seen": "2026-01-01T00:00:00Z",
            },
            "last_seen",
        ),
        ({"type": "domain", "value": "x.example", "first_seen": "2999-01-01T00:00:00Z"}, "first_seen"),
        ({"type": "domain", "value": "x.example", "organisation": "RBKC"}, "organisation"),
    ]:
        response = client.post(path, payload)
        assert response.status_code == 422, (payload, response.content)
        assert field in json.dumps(response.json()), (payload, response.json())
    assert api(lbhf_viewer).post(path, {"type": "domain", "value": "y.example"}).status_code == 403


def test_values_are_normalised(incident: Incident, rbkc_gold: User) -> None:
    rbkc = _org("RBKC")
    cases = {
        ("domain", "Evil.EXAMPLE."): "evil.example",
        ("email_sender", "Payroll@Evil.Example"): "payroll@evil.example",
        ("ipv4", "203.0.113.7/32"): "203.0.113.7",
        ("ipv4", "203.0.113.0-203.0.113.255"): "203.0.113.0/24",
        ("ipv6", "2001:DB8::0001"): "2001:db8::1",
        ("md5", "D41D8CD98F00B204E9800998ECF8427E"): "d41d8cd98f00b204e9800998ecf8427e",
        ("url", "HTTPS://Evil.Example/Login?a=B"): "https://evil.example/Login?a=B",
    }
    for (kind, raw), want in cases.items():
        assert (
            actions.create_indicator(incident, actor=rbkc_gold, organisation=rbkc, type=kind, value=raw).value
            == want
        )
    with pytest.raises(InvalidInput):
        actions.create_indicator(
            incident, actor=rbkc_gold, organisation=rbkc, type="ipv4", value="203.0.113.5-203.0.113.9"
        )


def _sample_bundle() -> str:
    ncsc = stix2.Identity(name="NCSC", identity_class="organization")
    amber = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
    red = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"
    objects = [
        ncsc,
        stix2.Indicator(
            pattern="[ipv4-addr:value = '23.94.153.202']",
            pattern_type="stix",
            valid_from="2025-11-24T06:00:00Z",
            created_by_ref=ncsc.id,
            confidence=85,
            object_marking_refs=[amber],
        ),
        stix2.Indicator(
            pattern="[domain-name:value = 'evil-payroll.example' OR domain-name:value = 'evil-sso.example']",
            pattern_type="stix",
            valid_from="2025-11-24T06:00:00Z",
            created_by_ref=ncsc.id,
            object_marking_refs=[red],
        ),
        stix2.Indicator(
            pattern="[file:hashes.'SHA-256' = '" + "ab" * 32 + "']",
            pattern_type="stix",
            valid_from="2025-11-24T06:00:00Z",
        ),
        stix2.Indicator(
            pattern="[ipv4-addr:value = '1.2.3.4'] AND [domain-name:value = 'x.example']",
            pattern_type="stix",
            valid_from="2025-11-24T06:00:00Z",
        ),
        stix2.Indicator(
            pattern="[ipv4-addr:value = '999.1.1.1']", pattern_type="stix", valid_from="2025-11-24T06:00:00Z"
        ),
        stix2.Indicator(
            pattern="rule x { condition: true }", pattern_type="yara", valid_from="2025-11-24T06:00:00Z"
        ),
        stix2.Malware(name="LockBit", is_family=True),
    ]
    return str(stix2.Bundle(objects=objects).serialize())


def test_stix_import_reports_skips_and_round_trips(
    incident: Incident, rbkc_gold: User, api: Callable[[User], ApiClient], wcc_dpo: User
) -> None:
    rbkc = _org("RBKC")
    result = stix.read_bundle(_sample_bundle())
    report = actions.import_indicators(
        incident,
        actor=rbkc_gold,
        organisation=rbkc,
        parsed=result.indicators,
        skipped=result.skipped,
        source_kind="ncsc",
        source_name="NCSC",
    )
    assert len(report.created) == 4
    reasons = " | ".join(s.reason for s in report.skipped)
    assert (
        "joins observations" in reasons
        and "not an IPv4" in reasons
        and "yara" in reasons
        and "malware" in reasons
    )
    assert len(report.skipped) == 4
    ip = Indicator.objects.get(value="23.94.153.202")
    assert (ip.tlp, ip.confidence, ip.source_name, ip.source_kind) == ("amber", 85, "NCSC", "ncsc")
    assert ip.first_seen == dt.datetime(2025, 11, 24, 6, tzinfo=dt.UTC)
    assert Indicator.objects.get(value="evil-sso.example").tlp == "red"
    # Unmarked items take the import's default marking.
    assert Indicator.objects.get(type="sha256").tlp == "amber"

    # Export parses with stix2 and importing it changes nothing.
    ip.last_seen = dt.datetime(2025, 11, 24, 9, tzinfo=dt.UTC)
    ip.save()
    actions.update_indicator(ip, actor=rbkc_gold, systems=["shared-ad"], staff_watch=True)
    rows = list(Indicator.objects.filter(incident=incident))
    before = {
        i.pk: (
            i.type,
            i.value,
            i.tlp,
            i.confidence,
            i.first_seen,
            i.last_seen,
            i.source_kind,
            i.source_name,
            i.description,
            i.staff_watch,
            i.stix_id,
            sorted(s.code for s in i.systems.all()),
        )
        for i in rows
    }
    exported = stix.export_bundle(
        Indicator.objects.filter(incident=incident).select_related("incident").prefetch_related("systems")
    )
    parsed = stix2.parse(exported, allow_custom=True)
    assert parsed.type == "bundle" and len([o for o in parsed.objects if o.type == "indicator"]) == 4
    again = stix.read_bundle(exported)
    assert again.skipped == []
    report2 = actions.import_indicators(
        incident, actor=rbkc_gold, organisation=rbkc, parsed=again.indicators, source_kind="own"
    )
    assert (len(report2.created), len(report2.widened), len(report2.unchanged)) == (0, 0, 4)
    after = {
        i.pk: (
            i.type,
            i.value,
            i.tlp,
            i.confidence,
            i.first_seen,
            i.last_seen,
            i.source_kind,
            i.source_name,
            i.description,
            i.staff_watch,
            i.stix_id,
            sorted(s.code for s in i.systems.all()),
        )
        for i in Indicator.objects.filter(incident=incident)
    }
    assert after == before
    # WCC sees the AMBER ones in its own export, never the RED ones.
    wcc_export = (
        api(wcc_dpo)
        .get(f"/threats/incidents/{incident.reference}/indicators/export?format=stix")
        .content.decode()
    )
    assert "23.94.153.202" in wcc_export and "evil-sso.example" not in wcc_export


def test_import_loses_nothing_already_recorded(incident: Incident, rbkc_gold: User) -> None:
    rbkc = _org("RBKC")
    mine = actions.create_indicator(
        incident,
        actor=rbkc_gold,
        organisation=rbkc,
        type="domain",
        value="evil.example",
        tlp="red",
        confidence=90,
        description="Seen in phishing to RBKC staff",
        first_seen=dt.datetime(2025, 11, 24, 7, tzinfo=dt.UTC),
        last_seen=dt.datetime(2025, 11, 24, 8, tzinfo=dt.UTC),
    )
    feed = csvio.read_csv(
        "type,value,tlp,confidence,first_seen,last_seen,description\ndomain,EVIL.example,clear,10,2025-11-23T00:00:00+00:00,2025-11-24T07:30:00+00:00,from a feed\n"
    )
    report = actions.import_indicators(incident, actor=rbkc_gold, organisation=rbkc, parsed=feed.indicators)
    assert len(report.widened) == 1
    mine.refresh_from_db()
    assert (mine.tlp, mine.confidence, mine.description) == ("red", 90, "Seen in phishing to RBKC staff")
    assert mine.first_seen == dt.datetime(2025, 11, 23, tzinfo=dt.UTC)  # wider window
    assert mine.last_seen == dt.datetime(2025, 11, 24, 8, tzinfo=dt.UTC)  # kept: the feed's is earlier


def test_csv_and_misp_round_trip_and_report(incident: Incident, rbkc_gold: User) -> None:
    rbkc = _org("RBKC")
    text = (
        "value,type,tlp\n=cmd|' /c calc'!A0,command_line,green\n203.0.113.9,,\nnot-a-thing,,\nx.example,domain,purple\n"
        + "ab" * 20
        + ",,amber\n"
    )
    parsed = csvio.read_csv(text)
    assert [s.reason for s in parsed.skipped] == [
        "cannot tell what 'not-a-thing' is; give a type column",
        "TLP 'purple' is not a TLP 2.0 marking",
    ]
    actions.import_indicators(incident, actor=rbkc_gold, organisation=rbkc, parsed=parsed.indicators)
    rows = list(Indicator.objects.filter(incident=incident).order_by("value"))
    assert sorted((i.type, i.value) for i in rows) == [
        ("command_line", "=cmd|' /c calc'!A0"),
        ("ipv4", "203.0.113.9"),
        ("sha1", "ab" * 20),
    ]
    exported = csvio.export_csv(rows)
    assert "'=cmd" in exported  # formula guard
    back = csvio.read_csv(exported)
    assert sorted((p.type, p.value, p.tlp) for p in back.indicators) == sorted(
        (i.type, i.value, i.tlp) for i in rows
    )
    event = json.loads(misp.export_event(rows, info="x", org_name="RBKC"))
    assert {a["type"] for a in event["Event"]["Attribute"]} == {"text", "ip-dst", "sha1"}
    read = misp.read_event(json.dumps(event))
    assert sorted((p.type, p.value) for p in read.indicators) == sorted((i.type, i.value) for i in rows)


def test_misp_event_attributes_and_tags(incident: Incident, rbkc_gold: User) -> None:
    event = {
        "Event": {
            "info": "Phishing wave",
            "Orgc": {"name": "WCC"},
            "Tag": [{"name": "tlp:green"}],
            "Attribute": [
                {"type": "email-src", "value": "payroll@evil.example"},
                {"type": "ip-dst|port", "value": "203.0.113.5|443", "Tag": [{"name": "tlp:red"}]},
                {"type": "filename|sha256", "value": "invoice.exe|" + "cd" * 32},
                {"type": "mutex", "value": "Global\\x"},
            ],
        }
    }
    result = misp.read_event(json.dumps(event))
    assert result.source_name == "WCC"
    assert sorted((p.type, p.value, p.tlp) for p in result.indicators) == [
        ("email_sender", "payroll@evil.example", "green"),
        ("file_name", "invoice.exe", "green"),
        ("ipv4", "203.0.113.5", "red"),
        ("sha256", "cd" * 32, "green"),
    ]
    assert [s.reason for s in result.skipped] == ["MISP type mutex is not an indicator type we hold"]


def test_import_endpoint_and_refusals(
    api: Callable[[User], ApiClient],
    web: Callable[[User], Client],
    incident: Incident,
    lbhf_responder: User,
    lbhf_viewer: User,
    outsider_gold: User,
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    path = f"/api/threats/incidents/{incident.reference}/indicators/import"
    bundle = _sample_bundle().encode()
    for user, status in ((lbhf_viewer, 403), (outsider_gold, 404)):
        client = web(user)
        response = client.post(path, {"file": SimpleUploadedFile("b.json", bundle), "format": "stix"})
        assert response.status_code == status
    response = web(lbhf_responder).post(
        path,
        {
            "file": SimpleUploadedFile("b.json", bundle),
            "format": "stix",
            "source_kind": "ncsc",
            "source_name": "NCSC",
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["created"] == 4 and len(body["skipped"]) == 4
    junk = web(lbhf_responder).post(
        path, {"file": SimpleUploadedFile("b.json", b"\x00\xff not json"), "format": "stix"}
    )
    assert junk.status_code == 200 and junk.json()["skipped"][0]["reason"].startswith("not JSON")
    bad_format = web(lbhf_responder).post(
        path, {"file": SimpleUploadedFile("b.json", bundle), "format": "yaml"}
    )
    assert bad_format.status_code == 422
    with pytest.raises(Forbidden):
        actions.import_indicators(incident, actor=lbhf_viewer, organisation=_org("LBHF"), parsed=[])


def test_staff_advisory_carries_only_staff_safe_indicators(
    incident: Incident,
    rbkc_gold: User,
    wcc_comms: User,
    web: Callable[[User], Client],
    settings: Settings,
    persona: PersonaFactory,
) -> None:
    from django.utils import timezone

    from incidentroom.advisories import actions as advisory_actions

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    rbkc = _org("RBKC")
    actions.create_indicator(
        incident,
        actor=rbkc_gold,
        organisation=rbkc,
        type="email_sender",
        value="payroll@rbkc-payroll.example",
        tlp="green",
        staff_watch=True,
    )
    actions.create_indicator(
        incident,
        actor=rbkc_gold,
        organisation=rbkc,
        type="url",
        value="https://login-rbkc.example/sso",
        tlp="clear",
        staff_watch=True,
    )
    actions.create_indicator(
        incident,
        actor=rbkc_gold,
        organisation=rbkc,
        type="domain",
        value="secret-c2.example",
        tlp="amber",
        staff_watch=True,
    )
    actions.create_indicator(
        incident,
        actor=rbkc_gold,
        organisation=rbkc,
        type="domain",
        value="not-for-staff.example",
        tlp="green",
    )
    advisory = advisory_actions.publish_advisory(
        actor=wcc_comms,
        title="Do not click links from colleagues at other councils",
        body="Check with the sender by phone.",
        severity="warning",
        expires_at=timezone.now() + dt.timedelta(days=2),
        organisations=[_org("WCC")],
    )
    page = web(persona("dpo", "WCC")).get(f"/advisories/{advisory.pk}/").content.decode()
    assert "payroll@rbkc-payroll.example" in page and "@rbkc-payroll.example" in page
    assert "login-rbkc.example" in page
    assert "secret-c2.example" not in page and "not-for-staff.example" not in page
