"""The estate page opened from the menu during an open incident says so and links to what
the incident has taken down, instead of "0 systems and 0 services drawn as lost"."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User
from django.test import Client

from incidentroom.incidents.models import Incident, Phase


def _main(client: Client, url: str) -> str:
    page = html.unescape(client.get(url).content.decode())
    return re.sub(r"\s+", " ", page[page.index("<main") : page.index("</main>")])


def test_the_menu_page_names_the_open_incident_and_links_to_its_view(
    incident: Incident, rbkc_gold: User, web: Callable[[Any], Client]
) -> None:
    main = _main(web(rbkc_gold), "/estate/")
    assert "0 systems and 0 services drawn as lost" not in main
    assert "An incident is open" in main
    assert f'href="/estate/?incident={incident.reference}"' in main
    assert "Nothing is drawn as lost" in main
    # The incident's own view counts what it has taken down.
    shown = _main(web(rbkc_gold), f"/estate/?incident={incident.reference}")
    assert "An incident is open" not in shown and re.search(r"[1-9]\d* services? drawn as lost", shown)


def test_no_warning_once_the_incident_is_closed_or_for_an_outsider(
    incident: Incident, rbkc_gold: User, outsider_gold: User, web: Callable[[Any], Client]
) -> None:
    # The uninvolved council is not told another council has an incident.
    assert "An incident is open" not in _main(web(outsider_gold), "/estate/")
    Incident.objects.filter(pk=incident.pk).update(phase=Phase.CLOSED)
    main = _main(web(rbkc_gold), "/estate/")
    assert "An incident is open" not in main and "Nothing is drawn as lost" in main


def test_what_if_shows_the_partner_councils_losses_through_the_shared_system(
    rbkc_gold: User, web: Callable[[Any], Client]
) -> None:
    main = _main(web(rbkc_gold), "/estate/?down=shared-payments")
    table = main[main.index("<table") : main.index("</table>")]
    # RBKC's own losses, and Westminster's and Hammersmith and Fulham's through the gateway.
    for code in ("RBKC", "WCC", "LBHF"):
        assert f">{code}<" in table, code
    assert "at partner councils that share these systems (LBHF, WCC)" in main
    # A partner's own system is not named to another council: only its council is.
    assert "a WCC system → Payments gateway" in table and "an LBHF system → Payments gateway" in table
    assert "an LBHF system → an LBHF system" not in table  # one hidden council system said once
    assert "WCC parking services platform" not in table
    # The graph draws what the table lists.
    lost = re.search(r"(\d+) services? affected", main)
    assert lost and main.count('data-state="down"') >= int(lost.group(1))


def test_what_if_shows_an_uninvolved_council_nothing_of_the_others(
    outsider_gold: User, web: Callable[[Any], Client]
) -> None:
    # Another council's system is not theirs to take down, and their own shares nothing.
    for url in ("/estate/?down=shared-payments", "/estate/?down=lbe-network"):
        main = _main(web(outsider_gold), url)
        for code in ("RBKC", "WCC", "LBHF"):
            assert f">{code}<" not in main, (url, code)
    assert "No partner council shares these systems" in _main(web(outsider_gold), "/estate/?down=lbe-network")


def test_the_incident_view_gives_each_systems_state(
    incident: Incident, rbkc_gold: User, outsider_gold: User, web: Callable[[User], Client]
) -> None:
    from incidentroom.incidents.models import SystemState

    page = web(rbkc_gold).get(f"/estate/?incident={incident.reference}").content.decode()
    assert "State in this incident</th>" in page
    reported = incident.affected_systems.select_related("system").first()
    assert reported is not None
    row = page[page.index(f'id="system-{reported.system.code}"') :]
    row = re.sub(r"\s+", " ", row[: row.index("</tr>")])
    assert f'<td class="govuk-table__cell">{SystemState(reported.state).label}</td>' in row
    # The what-if view (no incident) has no such column.
    assert "State in this incident" not in web(rbkc_gold).get("/estate/").content.decode()
    # Refusal: an uninvolved council cannot open the incident's estate view.
    assert web(outsider_gold).get(f"/estate/?incident={incident.reference}").status_code == 404
