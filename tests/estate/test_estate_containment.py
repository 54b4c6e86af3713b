"""Issue 15: a council that shuts its network down switches its own systems off. The incident's
estate graph draws them as lost (WCC's network, website, waste system), the Systems table says
so, and the services drawn as lost are the dashboard's affected figure; a system WCC hosts for
its partners is not drawn as lost, as RBKC and LBHF still reach it."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User
from django.test import Client

from incidentroom.estate.models import System
from incidentroom.incidents.models import Containment, Incident
from incidentroom.incidents.queries import affected_service_rows, contained_systems


def _page(client: Client, url: str) -> str:
    return html.unescape(client.get(url).content.decode())


def _drawn_state(page: str, key: str) -> str:
    found = re.search(rf'<g data-key="{re.escape(key)}" data-state="([^"]*)">', page)
    assert found, key
    return found.group(1)


def test_wcc_shutdown_switches_off_the_systems_only_wcc_uses(incident: Incident) -> None:
    assert incident.involvements.get(organisation__code="WCC").containment == Containment.SHUT_DOWN
    off = {System.objects.get(pk=pk).code: why for pk, why in contained_systems(incident).items()}
    assert {"wcc-network", "wcc-website", "wcc-waste"} <= set(off)
    assert off["wcc-network"] == "Westminster City Council has shut down its network"
    # Hosted by WCC but serving RBKC and LBHF too: still up for them.
    assert not {"shared-finance", "shared-gis", "shared-hr-payroll"} & set(off)
    assert all(System.objects.get(code=c).owner.code == "WCC" for c in off)


def test_the_graph_draws_them_lost_and_counts_the_dashboard_figure(
    incident: Incident, rbkc_gold: User, web: Callable[[Any], Client]
) -> None:
    client = web(rbkc_gold)
    page = _page(client, f"/estate/?incident={incident.reference}")
    for code in ("wcc-network", "wcc-website", "wcc-waste"):
        assert _drawn_state(page, code) == "root", code
    assert re.search(r"WCC corporate network \(WCC\) - compromised or switched off: Westminster City", page)
    assert _drawn_state(page, "shared-finance") != "root"
    # The Systems table says it in words.
    row = re.search(r"<td class=\"govuk-table__cell\">WCC corporate network</td>.*?</tr>", page, re.S)
    assert row and "Switched off: Westminster City Council has shut down its network" in row.group(0)
    # Every service drawn as lost is one the dashboard counts, and the other way round.
    affected = affected_service_rows(incident)
    drawn = set(re.findall(r'<g data-key="svc-(\d+)" data-state="down">', page))
    assert drawn == {str(r.service.pk) for r in affected}
    assert len(affected) == 53
    dashboard = _page(client, f"/incidents/{incident.reference}/")
    assert '<span class="ir-figure__value" id="affected-count">53</span>' in dashboard


def test_no_shutdown_nothing_switched_off(incident: Incident) -> None:
    incident.involvements.filter(organisation__code="WCC").update(containment=Containment.NORMAL)
    assert contained_systems(incident) == {}
    rows = affected_service_rows(incident)
    assert not any("shut down its network" in r.because for r in rows)


def test_an_outsider_cannot_open_the_incident_view(outsider_gold: User, incident: Incident, web: Any) -> None:
    assert web(outsider_gold).get(f"/estate/?incident={incident.reference}").status_code == 404
