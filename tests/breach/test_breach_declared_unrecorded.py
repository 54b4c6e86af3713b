"""Issue 15: a council flagged on the incident as having a personal data breach, with no
breach record yet, is shown on the breach list to its own DPO and Gold (with the way to record
it), and to nobody else. The West London scenario declares RBKC's breach and records none."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User
from django.test import Client

from incidentroom.breach.models import Breach
from incidentroom.incidents.models import Incident


def _main(client: Client) -> str:
    page = client.get("/breaches/").content.decode()
    return re.sub(r"\s+", " ", page[page.index("<main") : page.index("</main>")])


def test_rbkc_gold_and_dpo_see_the_declared_breach_and_how_to_record_it(
    rbkc_gold: User, rbkc_dpo: User, incident: Incident, web: Callable[[Any], Client]
) -> None:
    assert not Breach.objects.filter(incident=incident, organisation__code="RBKC").exists()
    assert incident.involvements.get(organisation__code="RBKC").personal_data_breach
    ref = incident.reference
    for user in (rbkc_gold, rbkc_dpo):
        main = _main(web(user))
        assert "There are no breaches you can see." not in main
        assert re.search(
            rf"RBKC declared a personal data breach in {ref} on \d+ \w+ \d{{4}} \d\d:\d\d[^;]*; "
            r"no breach record has been opened yet\.",
            main,
        ), main
        assert f'href="/incidents/{ref}/data-breach/?organisation=RBKC">Record the breach' in main
        # Listed once, as declared, not again under "Record a breach" for an undeclared council.
        assert f"Record a personal data breach for RBKC in {ref}" not in main


def test_the_record_link_starts_on_the_declared_council(
    rbkc_gold: User, incident: Incident, web: Callable[[Any], Client]
) -> None:
    page = (
        web(rbkc_gold).get(f"/incidents/{incident.reference}/data-breach/?organisation=RBKC").content.decode()
    )
    assert re.search(r'<option value="RBKC"[^>]*selected', page)


def test_once_recorded_it_is_a_breach_row_not_a_declaration(
    db: None, rbkc_dpo: User, web: Callable[[Any], Client], request: Any
) -> None:
    breach: Breach = request.getfixturevalue("breach")
    main = _main(web(rbkc_dpo))
    assert f'href="/breaches/{breach.pk}/"' in main
    assert "no breach record has been opened yet" not in main


def test_viewer_comms_and_other_councils_learn_nothing_new(
    rbkc_comms: User,
    lbhf_viewer: User,
    wcc_gold: User,
    lbhf_gold: User,
    outsider_gold: User,
    web: Callable[[Any], Client],
) -> None:
    for user in (rbkc_comms, lbhf_viewer, wcc_gold, lbhf_gold, outsider_gold):
        main = _main(web(user))
        assert "There are no breaches you can see." in main
        assert "declared a personal data breach" not in main
        assert "RBKC" not in main.replace("Royal Borough of Kensington and Chelsea", "")
