"""Every datetime input on every route is range-checked at the boundary (issue 13.3).

- The extreme-dates part of the hostile sweep: every API operation whose body takes a
  datetime, found from the OpenAPI schema (so a new one is swept without editing this file),
  gets each extreme value in each datetime field: a 422 naming the field, never a 500.
- Every page form that takes a time refuses the same values with a 422 naming the field.
- Scenario files and the CLI refuse them with the field and line.
- Nothing is stored: after the sweep every page that shows times still renders.

Run on SQLite and on PostgreSQL (year 1 used to 500 on one and be stored as 1 BC on the other).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client

from incidentroom.api import api as ninja_api
from tests.helpers.personas import PersonaFactory
from tests.helpers.scenario import west_london_reference

EXTREMES = [
    "0001-01-01T00:00:00+01:00",
    "0001-01-01T00:00:00-01:00",
    "1970-01-01T00:00:00Z",
    "1989-12-31T23:59:59+00:00",
    "2100-01-01T00:00:00Z",
    "9999-12-31T23:59:59-01:00",
    "9999-12-31T23:59:59+14:00",
    "2026-01-01T00:00:00",  # no zone: ambiguous to a machine, refused on the API
]
PATH_VALUES = {"code": "RBKC", "slug": "x", "what": "notified"}


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _datetime_fields(schema: dict[str, Any], components: dict[str, Any]) -> Iterator[str]:
    schema = _resolve(schema, components)
    for name, prop in (schema.get("properties") or {}).items():
        options = [prop, *prop.get("anyOf", []), *prop.get("allOf", [])]
        if any(_resolve(o, components).get("format") == "date-time" for o in options):
            yield name


def _operations() -> list[tuple[str, str, str]]:
    spec = ninja_api.get_openapi_schema()
    components = spec.get("components", {}).get("schemas", {})
    found = []
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            body = op.get("requestBody", {}).get("content", {})
            for media in body.values():
                for name in _datetime_fields(media.get("schema", {}), components):
                    found.append((method, path, name))
    return sorted(set(found))


OPERATIONS = _operations()


def test_the_sweep_finds_every_operation_that_takes_a_time() -> None:
    # A floor, so a schema change that hides the fields from the sweep cannot pass silently.
    paths = {(m, p) for m, p, _ in OPERATIONS}
    assert len(paths) >= 14, OPERATIONS
    assert ("post", "/api/incidents", "detected_at") in OPERATIONS
    assert ("post", "/api/advisories", "expires_at") in OPERATIONS or any(
        f == "expires_at" for _, _, f in OPERATIONS
    )


def _fill(path: str) -> str:
    values = {**PATH_VALUES, "reference": west_london_reference()}
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), "1"), path)


@pytest.mark.parametrize(("method", "path", "field"), OPERATIONS)
def test_every_api_datetime_refuses_extreme_values_with_a_422_naming_the_field(
    method: str, path: str, field: str, rbkc_gold: User, api: Callable[[Any], Any]
) -> None:
    client = api(rbkc_gold).client
    for value in EXTREMES:
        response = getattr(client, method)(_fill(path), data={field: value}, content_type="application/json")
        assert response.status_code == 422, (method, path, field, value, response.content[:300])
        detail = response.json()
        locs = [e.get("loc", []) for e in detail.get("detail", [])] if "detail" in detail else []
        named = any(loc and loc[-1] == field for loc in locs) or detail.get("field") == field
        assert named, (method, path, field, value, detail)


def test_a_year_one_incident_is_refused_whole_and_stores_nothing(
    rbkc_gold: User, api: Callable[[Any], Any], web: Callable[[Any], Any]
) -> None:
    from incidentroom.incidents.models import Incident, LogEntry

    before = (Incident.objects.count(), LogEntry.objects.count())
    r = api(rbkc_gold).post(
        "/incidents", {"title": "Year one", "origin": "RBKC", "detected_at": "0001-01-01T00:00:00+01:00"}
    )
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "detected_at"
    assert (Incident.objects.count(), LogEntry.objects.count()) == before
    # ...and the pages that show times still render.
    client = web(rbkc_gold)
    reference = west_london_reference()
    for page in ("/incidents/", f"/incidents/{reference}/", f"/incidents/{reference}/log/"):
        assert client.get(page).status_code == 200, page
    assert client.get(f"/incidents/{reference}/log.pdf").status_code == 200


# -- page forms ---------------------------------------------------------------------------------


@pytest.fixture
def objects(rbkc_gold: User, persona: PersonaFactory) -> dict[str, Any]:
    """A breach, a report and a continuity plan, so every form can be reached."""
    from django.utils import timezone

    from incidentroom.breach import actions as breach_actions
    from incidentroom.continuity import actions as continuity_actions
    from incidentroom.core.models import Organisation
    from incidentroom.estate.models import Service
    from incidentroom.incidents.models import Incident

    incident = Incident.objects.get(reference=west_london_reference())
    rbkc = Organisation.objects.get(code="RBKC")
    breach = breach_actions.record_breach(
        incident,
        actor=rbkc_gold,
        organisation=rbkc,
        description="Archive copied",
        became_aware_at=timezone.now(),
    )
    report = breach_actions.draft_report(breach, actor=rbkc_gold, kind="ico")
    service = Service.objects.filter(organisation=rbkc).order_by("pk").first()
    assert service is not None
    continuity_actions.save_plan(service, actor=persona("silver", "RBKC"), rto_hours=4, mtpd_hours=24)
    from incidentroom.incidents import actions as incident_actions

    fresh = incident_actions.open_incident(
        actor=rbkc_gold, title="Bounds", origin=rbkc, detected_at=timezone.now()
    )
    return {"breach": breach, "report": report, "service": service, "fresh": fresh.reference}


FORMS: list[tuple[str, str, dict[str, Any]]] = [
    (
        "/incidents/new/",
        "detected_at",
        {"title": "x", "origin": "RBKC", "ncsc_category": "C4", "severity": "high"},
    ),
    ("/incidents/{reference}/awareness/", "became_aware_at", {"organisation": "RBKC"}),
    ("/incidents/{reference}/breach/", "became_aware_at", {"organisation": "RBKC"}),
    ("/incidents/{reference}/log/add/", "occurred_at", {"kind": "note", "text": "x"}),
    ("/incidents/{reference}/actions/", "due_at", {"title": "x", "organisation": "RBKC"}),
    ("/incidents/{fresh}/data-breach/", "became_aware_at", {"organisation": "RBKC", "description": "x"}),
    ("/incidents/{fresh}/data-breach/", "occurred_at", {"organisation": "RBKC", "description": "x"}),
    ("/breaches/{breach}/edit/", "became_aware_at", {"description": "x"}),
    ("/breaches/{breach}/edit/", "occurred_at", {"description": "x"}),
    ("/reports/{report}/submit/", "submitted_at", {}),
    (
        "/advisories/new/",
        "expires_at",
        {"title": "x", "body": "y", "severity": "warning", "organisations": "RBKC"},
    ),
    ("/continuity/services/{service}/update/", "next_update_due", {"state": "workaround", "note": "x"}),
]


@pytest.mark.parametrize(("url", "field", "data"), FORMS)
@pytest.mark.parametrize(
    "value", ["0001-01-01T00:00", "9999-12-31T23:59", "1989-12-31T23:59", "0001-01-01T00:00+01:00"]
)
def test_every_form_time_refuses_out_of_range_values_naming_the_field(
    url: str,
    field: str,
    data: dict[str, Any],
    value: str,
    objects: dict[str, Any],
    rbkc_gold: User,
    web: Callable[[User], Client],
) -> None:
    target = url.format(
        breach=objects["breach"].pk,
        report=objects["report"].pk,
        service=objects["service"].pk,
        fresh=objects["fresh"],
        reference=west_london_reference(),
    )
    r = web(rbkc_gold).post(target, {**data, field: value})
    assert r.status_code == 422, (target, field, value, r.status_code, r.content[:400])
    body = r.content.decode()
    assert field.replace("_", " ") in body or field in body, body[:2000]
    assert "1990" in body


# -- scenario files and the CLI -------------------------------------------------------------------


def test_a_scenario_file_with_an_out_of_range_time_is_refused_with_field_and_line(tmp_path: Path) -> None:
    source = Path(__file__).resolve().parent.parent / "scenarios" / "west_london.yaml"
    text = source.read_text(encoding="utf-8")
    bad = re.sub(r"(detected_at:\s*)\S+", r"\g<1>0001-01-01T00:00:00+01:00", text, count=1)
    assert bad != text
    path = tmp_path / "bad.yaml"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(CommandError) as err:
        call_command("load_scenario", str(path), "--as-recorded")
    assert "detected_at" in str(err.value) and "1990" in str(err.value)
    assert "line" in str(err.value)


@pytest.mark.parametrize(("url", "field", "data"), FORMS)
def test_every_form_time_refuses_a_local_time_skipped_by_the_spring_clock_change(
    url: str,
    field: str,
    data: dict[str, Any],
    objects: dict[str, Any],
    rbkc_gold: User,
    web: Callable[[User], Client],
) -> None:
    target = url.format(
        breach=objects["breach"].pk,
        report=objects["report"].pk,
        service=objects["service"].pk,
        fresh=objects["fresh"],
        reference=west_london_reference(),
    )
    r = web(rbkc_gold).post(target, {**data, field: "2026-03-29T01:30"})
    assert r.status_code == 422, (target, field, r.status_code)
    body = r.content.decode()
    assert "does not exist in UK time" in body
    assert field in body or field.replace("_", " ") in body
