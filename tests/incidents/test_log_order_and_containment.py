"""Issue 15: the dashboard's latest log entries run by when things happened, and WCC's network
shutdown is in the log once, with its reason (the containment action writes the entry; the
scenario no longer adds a hand-written copy of the same decision)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User
from django.test import Client

from incidentroom.core.models import Organisation
from incidentroom.incidents import actions
from incidentroom.incidents.models import EntryKind, Incident


def test_wcc_shutdown_is_logged_once_with_its_reason(incident: Incident) -> None:
    wcc = incident.log_entries.filter(organisations__code="WCC")
    shutdown = [e for e in wcc if "shut" in e.text.lower()]
    assert [e.text for e in shutdown] == [
        "WCC containment: Network shut down. Shut down as a precaution while the shared systems are investigated."
    ]


def test_containment_note_goes_into_the_one_entry(incident: Incident, lbhf_gold: User) -> None:
    lbhf = Organisation.objects.get(code="LBHF")
    before = incident.log_entries.count()
    actions.set_containment(
        incident, actor=lbhf_gold, organisation=lbhf, state="shut_down", note="  On NCSC advice.  "
    )
    assert incident.log_entries.count() == before + 1
    assert incident.log_entries.order_by("-sequence")[0].text == (
        "LBHF containment: Network shut down. On NCSC advice."
    )


def test_latest_log_entries_run_by_when_they_happened(
    incident: Incident, rbkc_gold: User, web: Callable[[Any], Client]
) -> None:
    rbkc = Organisation.objects.get(code="RBKC")
    # Written up now, about something early on: the newest entry by number, the oldest by time.
    late = actions.add_log_entry(
        incident,
        actor=rbkc_gold,
        kind=EntryKind.EVENT,
        text="Written up late: the first call from the archive supplier.",
        occurred_at=incident.detected_at + dt.timedelta(minutes=1),
        organisations=[rbkc],
    )
    page = web(rbkc_gold).get(f"/incidents/{incident.reference}/").content.decode()
    latest = page[page.index('id="latest-log"') :]
    latest = latest[: latest.index("</div></div>")]
    shown = [int(n) for n in re.findall(r"#(\d+) ", latest)]
    assert late.sequence not in shown  # ten later events come first
    expected = list(
        incident.log_entries.order_by("-occurred_at", "-sequence").values_list("sequence", flat=True)[:10]
    )
    assert shown[:10] == expected
