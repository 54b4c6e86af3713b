"""The dashboard's select-only forms (containment, an action's status, a reporting
obligation) answer a value that is not one of their choices with the dashboard and its error
summary, not the separate error page (issue 15, item 5). Only a changed request can send one,
but it is still named in words."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.models import User
from django.test import Client

from incidentroom.incidents import actions
from incidentroom.incidents.models import Incident


def _summary(body: str) -> str:
    assert "<title>Error: " in body and 'class="govuk-error-summary"' in body and "Go back" not in body
    start = body.index('govuk-error-summary__list">')
    return body[start : body.index("</ul>", start)]


def test_an_unknown_containment_state(
    incident: Incident, rbkc_gold: User, web: Callable[[User], Client]
) -> None:
    response = web(rbkc_gold).post(
        f"/incidents/{incident.reference}/containment/", {"organisation": "RBKC", "containment": "vaporised"}
    )
    assert response.status_code == 422
    summary = _summary(response.content.decode())
    assert 'href="#containment-RBKC"' in summary and "Containment: Select a valid choice." in summary


def test_an_unknown_action_status(incident: Incident, rbkc_gold: User, web: Callable[[User], Client]) -> None:
    from incidentroom.core.models import Organisation

    action = actions.create_action(
        incident,
        actor=rbkc_gold,
        organisation=Organisation.objects.get(code="RBKC"),
        title="Check the backups",
    )
    response = web(rbkc_gold).post(
        f"/incidents/{incident.reference}/actions/{action.pk}/", {"status": "x" * 500}
    )
    assert response.status_code == 422
    summary = _summary(response.content.decode())
    assert 'href="#actions"' in summary and "Status: Select a valid choice." in summary
    action.refresh_from_db()
    assert action.status != "x" * 500


def test_another_councils_action_is_still_not_found(
    incident: Incident, rbkc_gold: User, wcc_gold: User, web: Callable[[User], Client]
) -> None:
    from incidentroom.core.models import Organisation

    action = actions.create_action(
        incident, actor=wcc_gold, organisation=Organisation.objects.get(code="WCC"), title="WCC's own task"
    )
    response = web(rbkc_gold).post(
        f"/incidents/{incident.reference}/actions/{action.pk}/", {"status": "done"}
    )
    assert response.status_code in (403, 404)
    assert "govuk-error-summary" not in response.content.decode()
