"""The public status page says what its times are (when the council confirmed a status, not
when the outage began), does not claim unconfirmed services were never checked, and gives the
council's incident helpline (issue 15, reader 2 A2, A10, B1)."""

from __future__ import annotations

import re

from django.test import Client

from incidentroom.core.models import Organisation


def _main(path: str) -> str:
    page = Client().get(path).content.decode()
    return re.sub(r"\s+", " ", page[page.index("<main") : page.index("</main>")])


def test_times_are_confirmations_and_unconfirmed_rows_point_to_the_helpline(db: None) -> None:
    helpline = Organisation.objects.get(code="RBKC").resident_helpline
    assert helpline  # the scenario gives each council one
    main = _main("/status/rbkc/")
    assert "confirmed at " in main and ">since " not in main
    assert "have not been checked since the incident began" not in main
    assert "the council has not yet confirmed their status on this page" in main
    assert f"Incident helpline for residents: <strong>{helpline}</strong>" in main
    assert f"If you need this service now, call our incident helpline on {helpline}." in main
    group = _main("/status/")
    assert f"call the incident helpline on {helpline}" in group


def test_no_helpline_sentence_when_the_council_has_none(db: None) -> None:
    Organisation.objects.filter(code="RBKC").update(resident_helpline="")
    main = _main("/status/rbkc/")
    assert "incident helpline" not in main
    assert "Do not assume they are working." in main


def test_an_unknown_council_page_is_not_found(db: None) -> None:
    assert Client().get("/status/nowhere/").status_code == 404
