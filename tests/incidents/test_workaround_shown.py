"""A lost service kept going by a workaround says so wherever staff see service state (the
dashboard, the estate page, the grab bag), to the people who may read that council's plans."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User
from django.test import Client

from incidentroom.incidents.models import Incident
from tests.helpers.pdfcheck import pdftotext

INTERNAL = "Paper referral forms at Kensington Town Hall"


def _text(response: Any) -> str:
    return re.sub(r"\s+", " ", html.unescape(response.content.decode()))


def test_the_dashboard_and_estate_page_show_the_workaround_beside_unavailable(
    incident: Incident, rbkc_gold: User, web: Callable[[Any], Client]
) -> None:
    client = web(rbkc_gold)
    board = _text(client.get(f"/incidents/{incident.reference}/"))
    row = board[board.index('id="lost-RBKC-adult-social-care"') :]
    row = row[: row.index("</li>")]
    assert (
        'Unavailable</span> <span class="govuk-body-s ir-continuity">— workaround in place: ' + INTERNAL
        in row
    )
    estate = _text(client.get(f"/estate/?incident={incident.reference}"))
    assert f"Unavailable — workaround in place: {INTERNAL}" in estate
    pdf = re.sub(r"\s+", " ", pdftotext(client.get("/continuity/RBKC/grab-bag.pdf").content))
    assert "Unavailable — workaround in place: Paper referral forms" in pdf


def test_another_councils_workaround_stays_on_its_own_board(
    incident: Incident, wcc_gold: User, outsider_gold: User, web: Callable[[Any], Client]
) -> None:
    # Westminster sees RBKC's adult social care lost, but not RBKC's internal workaround.
    board = _text(web(wcc_gold).get(f"/incidents/{incident.reference}/"))
    assert 'id="lost-RBKC-adult-social-care"' in board and INTERNAL not in board
    assert INTERNAL not in _text(web(wcc_gold).get(f"/estate/?incident={incident.reference}"))
    # The uninvolved council cannot open the incident at all.
    assert web(outsider_gold).get(f"/incidents/{incident.reference}/").status_code == 404
