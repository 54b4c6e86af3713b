"""A reporting clock is elapsed time whatever the season (issue 18.1).

Every route that accepts a time which starts or moves a clock - the API with an offset, the
pages with a UK wall-clock time - is driven across both 2026 clock changes, and every
obligation of every rule in the rules file must end exactly its period of elapsed hours
after the instant the person meant. The breach page, the ICO report PDF and its DOCX then
state the same deadline.
"""

from __future__ import annotations

import datetime as dt
import io
import uuid
from collections.abc import Callable
from typing import Any

import pypdfium2
import pytest
from django.contrib.auth.models import User
from docx import Document

from incidentroom.core.models import Organisation
from incidentroom.incidents import actions
from incidentroom.incidents.models import Incident, NcscCategory, Obligation, Severity
from incidentroom.incidents.rules import load_rules

UTC = dt.UTC
# The Saturday before each 2026 clock change, 10:00 UK time; the clocks change on the Sunday
# 29 March (GMT -> BST) and 25 October (BST -> GMT), inside every 24/48/72-hour window.
SEASONS = {
    "march": ("2026-03-28T10:00", "2026-03-28T10:00:00+00:00", dt.datetime(2026, 3, 28, 10, 0, tzinfo=UTC)),
    "october": ("2026-10-24T10:00", "2026-10-24T10:00:00+01:00", dt.datetime(2026, 10, 24, 9, 0, tzinfo=UTC)),
}
ICO_DEADLINE = {
    # 72 elapsed hours: 10:00 GMT Saturday -> 11:00 BST Tuesday; 10:00 BST -> 09:00 GMT.
    "march": ("Tuesday 31 March 2026, 11:00 BST", dt.datetime(2026, 3, 31, 10, 0, tzinfo=UTC)),
    "october": ("Tuesday 27 October 2026, 09:00 GMT", dt.datetime(2026, 10, 27, 9, 0, tzinfo=UTC)),
}
THREE = ("RBKC", "WCC", "LBHF")


def _orgs(*codes: str) -> list[Organisation]:
    return [Organisation.objects.get(code=c) for c in codes]


def _assert_elapsed(
    incident: Incident, anchors: dict[str, dt.datetime], codes: set[str] | None = None
) -> set[str]:
    """Every obligation ends exactly its rule's period after its anchor; returns the codes seen."""
    rules = {r.code: r for r in load_rules()}
    seen = set()
    obligations = Obligation.objects.filter(incident=incident).select_related("organisation")
    for ob in obligations:
        if codes is not None and ob.code not in codes:
            continue
        rule = rules[ob.code]
        expected_anchor = anchors[rule.anchor]
        assert ob.anchor_at == expected_anchor, (ob.code, ob.organisation.code, ob.anchor_at)
        period = rule.period(ob.organisation)
        assert ob.deadline_at - ob.anchor_at == period, (ob.code, ob.organisation.code)
        assert ob.deadline_at == expected_anchor + period
        assert ob.deadline_at.utcoffset() == dt.timedelta(0)
        seen.add(ob.code)
    return seen


def _fresh_incident(actor: Any, detected_at: dt.datetime) -> Incident:
    origin, *others = _orgs(*THREE)
    return actions.open_incident(
        actor=actor,
        title=f"Clock test {uuid.uuid4().hex[:6]}",
        origin=origin,
        detected_at=detected_at,
        organisations=others,
    )


# -- opening an incident starts every incident_opened clock -------------------------------


@pytest.mark.parametrize("season", sorted(SEASONS))
@pytest.mark.parametrize("route", ["api", "form"])
def test_opening_an_incident_starts_every_clock_in_elapsed_hours(
    season: str, route: str, rbkc_gold: User, api: Callable[[Any], Any], web: Callable[[Any], Any]
) -> None:
    local, offset, instant = SEASONS[season]
    title = f"Clock change {season} {route} {uuid.uuid4().hex[:6]}"
    if route == "api":
        r = api(rbkc_gold).post(
            "/incidents",
            {"title": title, "origin": "RBKC", "organisations": ["WCC", "LBHF"], "detected_at": offset},
        )
        assert r.status_code == 201, r.content
    else:
        r = web(rbkc_gold).post(
            "/incidents/new/",
            {
                "title": title,
                "origin": "RBKC",
                "organisations": ["WCC", "LBHF"],
                "detected_at": local,
                "ncsc_category": NcscCategory.C4.value,
                "severity": Severity.HIGH.value,
                "summary": "",
            },
        )
        assert r.status_code == 302, r.content
    incident = Incident.objects.get(title=title)
    assert incident.detected_at == instant
    seen = _assert_elapsed(incident, {"detected_at": instant, "became_aware_at": instant})
    opened = {r.code for r in load_rules() if r.trigger == "incident_opened"}
    assert seen == opened  # every incident_opened rule in the file, for the three councils


# -- flagging a breach / recording one starts the ICO clock -------------------------------


def _flag(route: str, client: Any, incident: Incident, local: str, offset: str) -> None:
    ref = incident.reference
    if route == "incident-api":
        r = client.post(f"/incidents/{ref}/organisations/RBKC/breach", {"became_aware_at": offset})
        assert r.status_code == 201, r.content
    elif route == "incident-form":
        r = client.post(f"/incidents/{ref}/breach/", {"organisation": "RBKC", "became_aware_at": local})
        assert r.status_code == 302, r.content
    elif route == "breach-api":
        r = client.post(
            f"/breach/incidents/{ref}/breaches",
            {"organisation": "RBKC", "description": "Archive copied", "became_aware_at": offset},
        )
        assert r.status_code == 201, r.content
    else:
        r = client.post(
            f"/incidents/{ref}/data-breach/",
            {
                "organisation": "RBKC",
                "description": "Archive copied",
                "became_aware_at": local,
                "cyber_incident": "on",
                "confidentiality": "on",
            },
        )
        assert r.status_code == 302, r.content


@pytest.mark.parametrize("season", sorted(SEASONS))
@pytest.mark.parametrize("route", ["incident-api", "incident-form", "breach-api", "breach-form"])
def test_declaring_a_breach_starts_the_ico_clock_in_elapsed_hours(
    season: str, route: str, rbkc_gold: User, api: Callable[[Any], Any], web: Callable[[Any], Any]
) -> None:
    local, offset, instant = SEASONS[season]
    incident = _fresh_incident(rbkc_gold, instant - dt.timedelta(hours=2))
    client = api(rbkc_gold) if route.endswith("api") else web(rbkc_gold)
    _flag(route, client, incident, local, offset)
    seen = _assert_elapsed(
        incident, {"became_aware_at": instant, "detected_at": instant - dt.timedelta(hours=2)}, {"ico"}
    )
    assert seen == {"ico"}
    ico = Obligation.objects.get(incident=incident, organisation__code="RBKC", code="ico")
    assert ico.deadline_at == ICO_DEADLINE[season][1]


# -- moving the awareness time moves the ICO clock -------------------------------------------


@pytest.mark.parametrize("season", sorted(SEASONS))
@pytest.mark.parametrize("route", ["incident-api", "incident-form", "breach-api", "breach-form"])
def test_moving_the_awareness_time_keeps_the_ico_clock_elapsed(
    season: str, route: str, rbkc_gold: User, api: Callable[[Any], Any], web: Callable[[Any], Any]
) -> None:
    from incidentroom.breach import actions as breach_actions

    local, offset, instant = SEASONS[season]
    incident = _fresh_incident(rbkc_gold, instant - dt.timedelta(days=3))
    breach = breach_actions.record_breach(
        incident,
        actor=rbkc_gold,
        organisation=Organisation.objects.get(code="RBKC"),
        description="Archive copied",
        became_aware_at=instant - dt.timedelta(days=2),
    )
    ref = incident.reference
    if route == "incident-api":
        r = api(rbkc_gold).patch(f"/incidents/{ref}/organisations/RBKC", {"became_aware_at": offset})
        assert r.status_code == 200, r.content
    elif route == "incident-form":
        r = web(rbkc_gold).post(
            f"/incidents/{ref}/awareness/", {"organisation": "RBKC", "became_aware_at": local}
        )
        assert r.status_code == 302, r.content
    elif route == "breach-api":
        r = api(rbkc_gold).patch(f"/breach/breaches/{breach.pk}", {"became_aware_at": offset})
        assert r.status_code == 200, r.content
    else:
        r = web(rbkc_gold).post(
            f"/breaches/{breach.pk}/edit/",
            {"description": "Archive copied", "became_aware_at": local, "confidentiality": "on"},
        )
        assert r.status_code == 302, r.content
    _assert_elapsed(
        incident, {"became_aware_at": instant, "detected_at": instant - dt.timedelta(days=3)}, {"ico"}
    )
    assert Obligation.objects.get(incident=incident, code="ico").deadline_at == ICO_DEADLINE[season][1]


# -- the same deadline on the page, the PDF and the DOCX ----------------------------------


def _pdf_text(data: bytes) -> str:
    pdf = pypdfium2.PdfDocument(data)
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in pdf)
    finally:
        pdf.close()


@pytest.mark.parametrize("season", sorted(SEASONS))
def test_the_breach_page_and_the_ico_report_state_the_same_deadline(
    season: str, rbkc_gold: User, web: Callable[[Any], Any]
) -> None:
    local, _offset, instant = SEASONS[season]
    incident = _fresh_incident(rbkc_gold, instant - dt.timedelta(hours=2))
    client = web(rbkc_gold)
    _flag("breach-form", client, incident, local, "")
    from incidentroom.breach.models import Breach

    breach = Breach.objects.get(incident=incident, organisation__code="RBKC")
    words, _ = ICO_DEADLINE[season]
    page = client.get(f"/breaches/{breach.pk}/").content.decode()
    assert f"deadline {words}" in page
    r = client.post(f"/breaches/{breach.pk}/reports/", {"kind": "ico"})
    assert r.status_code == 302, r.content
    report_url = r["Location"]
    report_id = int(report_url.rstrip("/").rsplit("/", 1)[1])
    pdf = client.get(f"/reports/{report_id}/download.pdf")
    assert pdf.status_code == 200
    assert words in " ".join(_pdf_text(pdf.content).split())
    docx = client.get(f"/reports/{report_id}/download.docx")
    assert docx.status_code == 200
    text = "\n".join(
        cell.text
        for table in Document(io.BytesIO(docx.content)).tables
        for row in table.rows
        for cell in row.cells
    ) + "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert words in text
    html = client.get(report_url).content.decode()
    assert words in html


# -- local times that do not exist, or exist twice ------------------------------------------


def test_a_time_skipped_by_the_spring_change_is_refused_on_every_form(
    rbkc_gold: User, web: Callable[[Any], Any]
) -> None:
    incident = _fresh_incident(rbkc_gold, dt.datetime(2026, 3, 28, 10, 0, tzinfo=UTC))
    client = web(rbkc_gold)
    before = Obligation.objects.filter(incident=incident).count()
    r = client.post(
        f"/incidents/{incident.reference}/breach/",
        {"organisation": "RBKC", "became_aware_at": "2026-03-29T01:30"},
    )
    assert r.status_code == 422
    body = r.content.decode()
    assert "Became aware of the breach at must be a time that happened" in body
    assert "does not exist in UK time" in body
    assert Obligation.objects.filter(incident=incident).count() == before


def test_a_time_repeated_by_the_autumn_change_is_read_as_bst_and_shown_with_its_zone(
    rbkc_gold: User, web: Callable[[Any], Any]
) -> None:
    incident = _fresh_incident(rbkc_gold, dt.datetime(2026, 10, 24, 10, 0, tzinfo=UTC))
    client = web(rbkc_gold)
    r = client.post(
        f"/incidents/{incident.reference}/breach/",
        {"organisation": "RBKC", "became_aware_at": "2026-10-25T01:30"},
    )
    assert r.status_code == 302
    ico = Obligation.objects.get(incident=incident, code="ico")
    assert ico.anchor_at == dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert ico.deadline_at == dt.datetime(2026, 10, 28, 0, 30, tzinfo=UTC)
    page = client.get(f"/incidents/{incident.reference}/").content.decode()
    assert "28 Oct 2026 00:30 GMT" in page
