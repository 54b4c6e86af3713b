"""The dashboard's Councils table says which awareness each time is (the incident's, or the
personal data breach's that starts the ICO clock), and never reads "No" for a breach nobody has
assessed (issue 15: a commander read "No" as "assessed, nothing lost")."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User
from django.test import Client

from incidentroom.incidents.models import Incident


def _row(client: Client, incident: Incident, name: str) -> str:
    page = re.sub(
        r"\s+", " ", html.unescape(client.get(f"/incidents/{incident.reference}/").content.decode())
    )
    table = page[page.index('id="containment"') :]
    table = table[: table.index("</table>")]
    row = table[table.index(name) :]
    return row[: row.index("</tr>")]


def test_the_breach_awareness_is_labelled_and_unassessed_councils_are_not_no(
    incident: Incident, rbkc_gold: User, web: Callable[[Any], Client]
) -> None:
    # The scenario has RBKC's breach declared (its awareness moved to the declaration).
    assert incident.involvements.get(organisation__code="RBKC").personal_data_breach
    client = web(rbkc_gold)
    row = _row(client, incident, "Kensington")
    assert "Aware of the personal data breach (starts the ICO 72 hours)" in row
    assert "<strong>Yes</strong>" in row
    for other in ("Westminster", "Hammersmith"):
        row = _row(client, incident, other)
        assert "Not yet assessed" in row and ">No<" not in row
        assert "Aware of the incident" in row or "not recorded" in row


def test_an_uninvolved_council_cannot_read_the_table(
    incident: Incident, outsider_gold: User, web: Callable[[Any], Client]
) -> None:
    assert web(outsider_gold).get(f"/incidents/{incident.reference}/").status_code == 404


def test_a_report_clock_on_the_breach_page_reads_once(
    incident: Incident, rbkc_dpo: User, rbkc_comms: User, web: Callable[[Any], Client]
) -> None:
    from incidentroom.breach.actions import record_breach
    from incidentroom.core.models import Organisation

    inv = incident.involvements.get(organisation__code="RBKC")
    assert inv.became_aware_at is not None
    breach = record_breach(
        incident,
        actor=rbkc_dpo,
        organisation=Organisation.objects.get(code="RBKC"),
        description="Archive copied out",
        became_aware_at=inv.became_aware_at,
    )
    page = re.sub(r"\s+", " ", html.unescape(web(rbkc_dpo).get(f"/breaches/{breach.pk}/").content.decode()))
    reports = page[page.index('id="reports"') :]
    assert "Due · due" not in reports
    assert "Not sent yet · due by" in reports
    # Comms may not read the breach (refusal).
    assert web(rbkc_comms).get(f"/breaches/{breach.pk}/").status_code == 404


def test_header_figures_and_action_owners_read_as_words(
    incident: Incident, rbkc_gold: User, rbkc_silver: User, web: Callable[[Any], Client]
) -> None:
    from incidentroom.core import people
    from incidentroom.core.models import Organisation
    from incidentroom.incidents import actions
    from incidentroom.incidents.models import LogEntry

    actions.create_action(
        incident,
        actor=rbkc_gold,
        title="Ring the insurer",
        organisation=Organisation.objects.get(code="RBKC"),
        owner=rbkc_silver,
    )
    entry = LogEntry.objects.filter(incident=incident).order_by("-sequence").first()
    assert entry is not None
    assert entry.text == f"Action: Ring the insurer (owner {people.describe(rbkc_silver)})"
    assert rbkc_silver.username not in entry.text
    page = re.sub(
        r"\s+", " ", html.unescape(web(rbkc_gold).get(f"/incidents/{incident.reference}/").content.decode())
    )
    assert "NCSC category C" in page and "our severity: " in page
    assert " compromised or switched off</a>" in page and " down</a>" not in page


def test_a_change_of_phase_is_logged_in_words(incident: Incident, rbkc_gold: User, rbkc_comms: User) -> None:
    import pytest

    from incidentroom.core.errors import Forbidden
    from incidentroom.incidents import actions
    from incidentroom.incidents.models import LogEntry, Phase, Severity

    before = Phase(incident.phase).label
    actions.update_incident(incident, actor=rbkc_gold, phase=Phase.ERADICATE, severity=Severity.HIGH)
    entry = LogEntry.objects.filter(incident=incident).order_by("-sequence").first()
    assert entry is not None and f"Phase: {before} → Eradicate" in entry.text
    assert "phase: " not in entry.text and "eradicate" not in entry.text
    # Refusal: comms may not change the incident's details.
    with pytest.raises(Forbidden):
        actions.update_incident(incident, actor=rbkc_comms, phase=Phase.RECOVER)
