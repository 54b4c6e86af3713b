"""Decision-log authors are shown as people know them (name, role, council) on the log page,
the dashboard, the PDF and the CSV; the CSV keeps the hashed login name and still verifies."""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.test import Client

from incidentroom.incidents import actions, logcsv
from incidentroom.incidents.models import EntryKind, Incident
from tests.helpers.pdfcheck import pdftotext


def _text(response: Any) -> str:
    return re.sub(r"\s+", " ", html.unescape(response.content.decode()))


def test_the_log_page_dashboard_and_pdf_name_the_person_their_role_and_council(
    incident: Incident, rbkc_gold: User, web: Callable[[Any], Client]
) -> None:
    client = web(rbkc_gold)
    log = _text(client.get(f"/incidents/{incident.reference}/log/"))
    # The scenario's entries were written by the demo's people, who have names.
    assert "Helen Marsh (Gold, RBKC)" in log and "Richard Bell (Gold, WCC)" in log
    assert "by rbkc.gold" not in log and "by wcc.gold" not in log
    assert "Helen Marsh (Gold, RBKC)" in _text(client.get(f"/incidents/{incident.reference}/"))
    pdf = re.sub(r"\s+", " ", pdftotext(client.get(f"/incidents/{incident.reference}/log.pdf").content))
    assert "Helen Marsh (Gold, RBKC)" in pdf and "rbkc.gold" not in pdf


def test_a_person_with_no_name_recorded_is_shown_by_login_name(
    incident: Incident, rbkc_gold: User, web: Callable[[Any], Client]
) -> None:
    User.objects.filter(pk=rbkc_gold.pk).update(first_name="", last_name="")
    rbkc_gold.refresh_from_db()
    actions.add_log_entry(incident, actor=rbkc_gold, kind=EntryKind.NOTE, text="Nameless note")
    log = _text(web(rbkc_gold).get(f"/incidents/{incident.reference}/log/"))
    assert f"{rbkc_gold.username} (Gold, RBKC)" in log


def test_the_csv_adds_the_name_and_still_verifies_on_the_hashed_login_name(
    incident: Incident, rbkc_gold: User, web: Callable[[Any], Client], tmp_path: Path
) -> None:
    body = web(rbkc_gold).get(f"/incidents/{incident.reference}/log.csv").content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    helen = [r for r in rows if r["author"] == "rbkc.gold"]
    assert helen and all(r["author_name"] == "Helen Marsh (Gold, RBKC)" for r in helen)
    path = tmp_path / "log.csv"
    path.write_text(body, encoding="utf-8")
    assert logcsv.verify_file(path).ok
