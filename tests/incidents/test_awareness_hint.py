"""The awareness form says exactly which clocks a council's awareness time moves: only those
anchored on awareness (the ICO's), not the NCSC, police, MHCLG or network clocks."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User
from django.test import Client

from incidentroom.incidents.rules import awareness_hint, load_rules, parse_rules


def test_the_hint_names_only_the_clocks_anchored_on_awareness() -> None:
    hint = awareness_hint()
    moved = [r for r in load_rules() if r.anchor == "became_aware_at"]
    assert [r.code for r in moved] == ["ico"]
    assert "Information Commissioner's Office" in hint and "reporting clocks" not in hint.split(".")[0]
    for rule in load_rules():
        if rule.anchor == "detected_at":
            assert rule.recipient not in hint, rule.code
    assert "Every other reporting clock runs from when the incident was detected" in hint


def test_the_hint_follows_the_rules_in_force() -> None:
    rules = tuple(
        parse_rules(
            "rules:\n"
            "  - {code: a, title: A, recipient: Regulator A, trigger: incident_opened,"
            " anchor: detected_at, deadline_hours: 24}\n",
            source="test",
        )
    )
    assert awareness_hint(rules).startswith("No reporting clock starts from it")


def test_the_dashboard_shows_the_exact_hint(
    incident: Any, rbkc_gold: User, web: Callable[[Any], Client]
) -> None:
    page = html.unescape(web(rbkc_gold).get(f"/incidents/{incident.reference}/").content.decode())
    assert awareness_hint() in page
    assert "Moves its reporting clocks" not in page
