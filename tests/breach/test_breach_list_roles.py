"""The breach list tells people whose role cannot see breaches who holds them, in words that
are the same whether or not a breach exists (comms and viewers must not learn that one does)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User
from django.test import Client

from incidentroom.breach.models import Breach


def _main(client: Client) -> str:
    page = client.get("/breaches/").content.decode()
    return re.sub(r"\s+", " ", page[page.index("<main") : page.index("</main>")])


def test_comms_and_viewers_are_told_the_dpo_holds_breaches(
    rbkc_comms: User, lbhf_viewer: User, web: Callable[[Any], Client]
) -> None:
    for user, council in (
        (rbkc_comms, "Royal Borough of Kensington and Chelsea"),
        (lbhf_viewer, "Hammersmith"),
    ):
        main = _main(web(user))
        assert "There are no breaches you can see." in main
        assert "No breaches recorded" not in main
        assert re.search(
            rf"Breach records for [^.]*{council}[^.]* are held by its Data Protection Officer", main
        )


def test_the_words_do_not_change_when_a_breach_exists(
    db: None, rbkc_comms: User, rbkc_dpo: User, web: Callable[[Any], Client], request: Any
) -> None:
    before = _main(web(rbkc_comms))
    breach: Breach = request.getfixturevalue("breach")
    assert breach.organisation.code == "RBKC"
    assert _main(web(rbkc_comms)) == before
    # The DPO does see it, and is not told someone else holds RBKC's records.
    dpo = _main(web(rbkc_dpo))
    assert breach.incident.reference in dpo and "are held by its Data Protection Officer" not in dpo
