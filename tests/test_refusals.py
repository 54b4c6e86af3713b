"""Every API endpoint and every page, tried by personas who must be refused.

The API routes are read from the OpenAPI schema itself, so an endpoint added later is
covered without anyone remembering to add it here. Path parameters are filled with real
objects belonging to the West London incident, which an Ealing persona must never reach.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from pytest_django.fixtures import DjangoCaptureOnCommitCallbacks, Settings

from incidentroom.api import api as ninja_api
from incidentroom.incidents.models import Incident
from tests.helpers.clients import ApiClient
from tests.helpers.db import first

# Endpoints that answer every signed-in user about *themselves* (never other organisations).
SELF_SERVICE = {"/api/me", "/api/organisations", "/api/tokens", "/api/audit"}
# Public by design (the residents' status page and its feeds): listed by the apps that own them.
PUBLIC_PREFIXES = ("/api/public/", "/status/", "/api/status/public", "/notices/")
# The incident's own reference is a secret too: objects["reference"] (its year follows the clock).
SECRETS = ("RBKC", "WCC", "LBHF", "Kensington", "Westminster", "Hammersmith")


def _fill(path: str, objects: dict[str, str]) -> str:
    def repl(m: re.Match[str]) -> str:
        # Every path parameter must name a real object: a made-up id proves nothing.
        assert m.group(1) in objects, f"no real object for {{{m.group(1)}}} in {path}"
        return objects[m.group(1)]

    return re.sub(r"\{(\w+)\}", repl, path)


@pytest.fixture
def objects(
    incident: Incident,
    rbkc_dpo: User,
    rbkc_gold: User,
    rbkc_comms: User,
    shared_responder: User,
    tmp_path: Path,
    settings: Settings,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> dict[str, str]:
    """Real identifiers of West London objects (RBKC's) for every kind of path parameter, from
    every app: an Ealing persona must be refused each of them with 403 or 404."""
    from incidentroom.advisories import actions as advisory_actions
    from incidentroom.breach import actions as breach_actions
    from incidentroom.breach.models import Individual
    from incidentroom.continuity import actions as continuity_actions
    from incidentroom.core.actions import issue_api_token
    from incidentroom.core.models import Organisation
    from incidentroom.estate.models import Service, System
    from incidentroom.incidents import actions as incident_actions
    from incidentroom.incidents.models import SystemState
    from incidentroom.status.models import StatusProposal
    from tests.helpers.breachhelp import approve_wording, import_people, make_letters

    settings.STATUS_PUBLISH_DIR = tmp_path / "public-status"
    evidence = tmp_path / "evidence"
    # Each council's evidence is its own folder under the parent (breach/evidence.py).
    (evidence / "rbkc").mkdir(parents=True)
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.BREACH_SCAN_ROOTS = [str(evidence)]
    rbkc = Organisation.objects.get(code="RBKC")
    with django_capture_on_commit_callbacks(execute=False):
        incident_actions.set_system_state(
            incident,
            actor=shared_responder,
            system=System.objects.get(code="shared-telephony"),
            state=SystemState.SWITCHED_OFF,
        )
    proposal = StatusProposal.objects.filter(service__organisation=rbkc).first()
    assert proposal is not None
    advisory = advisory_actions.publish_advisory(
        actor=rbkc_comms,
        title="Do not click links from colleagues",
        body="Until further notice.",
        severity="critical",
        expires_at=timezone.now() + dt.timedelta(days=3),
        organisations=[rbkc],
    )
    supplier = continuity_actions.add_supplier(
        rbkc, actor=rbkc_gold, name="Backup telephony Ltd", supplies="Phone lines"
    )
    breach = breach_actions.record_breach(
        incident,
        actor=rbkc_dpo,
        organisation=rbkc,
        description="Attackers copied the document archive.",
        became_aware_at=timezone.now() - dt.timedelta(hours=2),
        data_sets="Document archive 2006-2020",
        people_categories=["residents"],
        measures_taken="Network isolated.",
    )
    import_people(breach, rbkc_dpo, evidence / "rbkc")
    breach = approve_wording(breach, rbkc_dpo)
    report = breach_actions.draft_report(breach, actor=rbkc_dpo, kind="ico")
    batch = make_letters(breach, rbkc_dpo)
    notice = breach_actions.start_sending(
        breach_actions.create_email_notice(breach, actor=rbkc_dpo), actor=rbkc_dpo
    )
    public = breach_actions.publish_public_notice(breach, actor=rbkc_dpo)
    token, _ = issue_api_token(actor=rbkc_gold, name="rbkc script")
    indicator, hit, item = _threats_objects(incident, rbkc, rbkc_gold, tmp_path, settings)
    return {
        "reference": incident.reference,
        "code": "RBKC",
        "action_id": str(first(incident.actions.filter(organisation=rbkc)).pk),
        "obligation_id": str(first(incident.obligations.filter(organisation=rbkc)).pk),
        "service_id": str(first(Service.objects.filter(organisation=rbkc)).pk),
        "proposal_id": str(proposal.pk),
        "advisory_id": str(advisory.pk),
        "supplier_id": str(supplier.pk),
        "token_id": str(token.pk),
        "breach_id": str(breach.pk),
        "scan_id": str(breach.scans.get().pk),
        "individual_id": str(first(Individual.objects.filter(breach=breach)).pk),
        "report_id": str(report.pk),
        "batch_id": str(batch.pk),
        "letter_id": str(first(batch.letters.all()).pk),
        "notice_id": str(notice.pk),
        "delivery_id": str(first(notice.deliveries.all()).pk),
        "indicator_id": str(indicator.pk),
        "sweep_id": str(hit.sweep_id),
        "hit_id": str(hit.pk),
        "item_id": str(item.pk),
        "name": "print-file.pdf",
        "fmt": "pdf",
        "what": "notified",
        "slug": public.slug,
        "system": "shared-telephony",
        # Public by design (residents' signed links): listed so every parameter has a value.
        "token": "not-a-token",
    }


def _threats_objects(
    incident: Any, rbkc: Any, actor: Any, tmp_path: Path, settings: Any
) -> tuple[Any, Any, Any]:
    """RBKC's indicator, a real sweep hit on it (found by the sweep task in an uploaded log)
    and an evidence item, all made through the threats app's own actions."""
    from incidentroom.threats import actions as threat_actions
    from incidentroom.threats import evidence as threat_evidence
    from incidentroom.threats import sweeps, tasks

    settings.THREAT_SWEEP_ROOT = str(tmp_path / "logs")
    settings.THREAT_EVIDENCE_ROOT = str(tmp_path / "evidence-copies")
    (tmp_path / "logs" / "rbkc").mkdir(parents=True)
    (tmp_path / "evidence-copies" / "rbkc").mkdir(parents=True)
    indicator = threat_actions.create_indicator(
        incident, actor=actor, organisation=rbkc, type="ipv4", value="23.94.153.202", source_name="NCSC"
    )
    # A Microsoft 365 unified audit log export (the AuditData column is JSON), one hit.
    audit = '{""CreationTime"": ""2025-11-24T07:42:10"", ""UserId"": ""j.smith"", ""ClientIP"": ""23.94.153.202""}'
    log = f'CreationDate,UserIds,Operations,AuditData\n2025-11-24T07:42:10,j.smith,MailItemsAccessed,"{audit}"\n'.encode()
    sweep = sweeps.start_upload_sweep(incident, actor=actor, organisation=rbkc, files=[("proxy.csv", [log])])
    assert tasks.run_sweep_job.call(sweep.pk, sweep.run_token) == "succeeded"
    hit = sweep.hits.get(indicator=indicator)
    item = threat_evidence.register_evidence(
        incident,
        actor=actor,
        organisation=rbkc,
        kind="ransom_note",
        description="Ransom note from FS01",
        sha256="a" * 64,
        collected_by="K. Mensah",
        collected_at=timezone.now() - dt.timedelta(hours=1),
        collected_where="FS01",
        storage_location="Evidence safe 2",
    )
    return indicator, hit, item


def _operations() -> list[tuple[str, str, dict[str, Any]]]:
    schema = ninja_api.get_openapi_schema()
    ops = []
    for path, item in schema["paths"].items():
        for method, op in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                ops.append((method, path, op))
    return ops


def _example(node: Any, components: dict[str, Any]) -> Any:
    """A value that passes the schema's type checks, so the request reaches the access check
    (a 422 for a malformed body would prove nothing about access)."""
    if "$ref" in node:
        return _example(components[node["$ref"].rsplit("/", 1)[-1]], components)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in node:
            return _example(next(n for n in node[key] if n.get("type") != "null"), components)
    if "enum" in node:
        return node["enum"][0]
    kind = node.get("type")
    if kind == "object":
        found = {
            name: _example(sub, components)
            for name, sub in node.get("properties", {}).items()
            if name in node.get("required", [])
        }
        # Organisation fields name RBKC (a council the outsider is not in), so the request
        # is refused for that, not for naming an unknown organisation. Two schemas share a
        # name in the OpenAPI document (status and continuity updates): send both shapes.
        for name, value in {"organisation": "RBKC", "owner": "RBKC", "origin": "RBKC", "text": "x"}.items():
            if name in node.get("properties", {}) or (name in ("organisation", "text") and "kind" in found):
                found[name] = value
        if "organisations" in node.get("properties", {}):
            found["organisations"] = ["RBKC"]
        return found
    if kind == "array":
        return [_example(node.get("items", {}), components)] * max(node.get("minItems", 0), 1)
    if kind == "integer":
        return max(node.get("minimum", 1), 1)
    if kind == "number":
        return 1
    if kind == "boolean":
        return True
    if node.get("format") == "date-time":
        return (timezone.now() - dt.timedelta(hours=1)).isoformat()
    if node.get("format") == "email":
        return "someone@example.org"
    if node.get("pattern") == "^[0-9a-fA-F]{64}$":
        return "a" * 64  # a SHA-256 digest
    return "x" * max(node.get("minLength", 1), 1)


def _multipart(op: dict[str, Any]) -> dict[str, Any]:
    """A form that passes the schema's checks, with a small file in every file field (one
    file or a list of them), so an upload reaches the access check too."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    schema = op["requestBody"]["content"]["multipart/form-data"]["schema"]
    form: dict[str, Any] = _example(schema, ninja_api.get_openapi_schema()["components"]["schemas"])
    for name, prop in schema.get("properties", {}).items():
        if prop.get("format") == "binary":
            form[name] = SimpleUploadedFile("a.zip", b"PK")
        elif prop.get("items", {}).get("format") == "binary":
            form[name] = [SimpleUploadedFile("a.csv", b"a,b\n1,2\n")]
    return form


def _body(op: dict[str, Any]) -> Any:
    content = op.get("requestBody", {}).get("content", {})
    schema = ninja_api.get_openapi_schema()["components"]["schemas"]
    if "application/json" in content:
        return _example(content["application/json"]["schema"], schema)
    return {}


def test_outsider_is_refused_every_api_operation(
    api: Callable[[User], ApiClient], outsider_gold: User, objects: dict[str, str]
) -> None:
    """One pass over every operation (the objects are costly to build), failures collected."""
    client = api(outsider_gold)
    failures = []
    operations = _operations()
    assert len(operations) > 80
    for method, path, op in operations:
        url = _fill(path.removeprefix("/api"), objects)
        if method in {"get", "delete"}:
            response = getattr(client, method)(url)
        elif "multipart/form-data" in op.get("requestBody", {}).get("content", {}):
            response = client.client.post("/api" + url, _multipart(op))
        else:
            response = getattr(client, method)(url, _body(op))
        full = "/api" + url
        if any(full.startswith(p) for p in PUBLIC_PREFIXES):
            continue
        body = response.content.decode()
        if path in SELF_SERVICE or (method == "get" and "{" not in path and response.status_code == 200):
            # Lists answer, but with nothing from the councils the outsider does not belong to;
            # an address naming one object (a path parameter) must refuse it.
            if response.status_code not in (200, 201, 403, 404):
                failures.append((method, path, response.status_code, body[:150]))
            failures += [
                (method, path, "leaked", secret)
                for secret in (objects["reference"], *SECRETS)
                if secret in body
            ]
        elif response.status_code not in (403, 404) or objects["reference"] in body:
            # Only a refusal counts: a 422 means the request never reached the access check.
            failures.append((method, path, response.status_code, body[:150]))
    assert failures == [], "\n".join(map(str, failures))


def test_unauthenticated_api_is_refused(client: Client, incident: Incident) -> None:
    for url in ("/api/incidents", f"/api/incidents/{incident.reference}", "/api/estate/systems"):
        assert client.get(url).status_code == 401


def _page_patterns() -> list[str]:
    found: list[str] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                if str(p.pattern).startswith("api/"):
                    continue
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                found.append(prefix + str(p.pattern))

    walk(get_resolver().url_patterns, "/")
    return found


def _page_url(pattern: str, objects: dict[str, str]) -> str:
    def repl(m: re.Match[str]) -> str:
        assert m.group(1) in objects, f"no real object for <{m.group(1)}> in {pattern}"
        return objects[m.group(1)]

    url = re.sub(r"<(?:\w+:)?(\w+)>", repl, pattern)
    return url.replace("^", "").replace("$", "")


def test_outsider_is_refused_every_incident_page(
    web: Callable[[User], Client], outsider_gold: User, objects: dict[str, str]
) -> None:
    client = web(outsider_gold)
    failures = []
    patterns = [p for p in _page_patterns() if "<" in p]
    assert len(patterns) > 30
    for pattern in patterns:
        url = _page_url(pattern, objects)
        if any(url.startswith(p) for p in PUBLIC_PREFIXES):
            continue
        codes = {}
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            codes[method] = response.status_code
            body = response.content.decode(errors="replace")
            if response.status_code not in (403, 404, 405) or (
                objects["reference"] in body and response.status_code != 405
            ):
                failures.append((method, url, response.status_code))
        # A 405 only says the page takes the other method: that one must be the refusal.
        if not {403, 404} & set(codes.values()):
            failures.append(("get+post", url, codes))
    assert failures == [], "\n".join(map(str, failures))


def test_outsider_sees_no_incident_in_lists(
    web: Callable[[User], Client], outsider_gold: User, incident: Incident
) -> None:
    client = web(outsider_gold)
    body = client.get("/incidents/").content.decode()
    assert incident.reference not in body and "No incidents involve your organisations" in body
    estate = client.get("/estate/").content.decode()
    assert "Shared directory" not in estate and "Ealing contact centre CRM" in estate


def test_pages_need_login(client: Client, incident: Incident) -> None:
    for url in ("/incidents/", f"/incidents/{incident.reference}/", "/estate/", "/tokens/"):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_viewer_can_read_but_not_write(
    web: Callable[[User], Client], lbhf_viewer: User, incident: Incident
) -> None:
    client = web(lbhf_viewer)
    assert client.get(f"/incidents/{incident.reference}/").status_code == 200
    response = client.post(f"/incidents/{incident.reference}/log/add/", {"kind": "note", "text": "hi"})
    assert response.status_code == 403
    assert not incident.log_entries.filter(text="hi").exists()
