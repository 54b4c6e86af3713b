"""The West London incident as loaded from ``scenarios/west_london.yaml``.

The loader moves the scenario's times to "now" and the incident's reference follows the year
it was opened in, so tests look the reference up instead of writing "IR-2025-0001" (which
stopped being true when the calendar moved on).
"""

from __future__ import annotations

import functools
from pathlib import Path

from tests.helpers.live import LiveApp

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "west_london.yaml"


@functools.cache
def west_london_title() -> str:
    """The incident's title as the scenario file gives it (the key the lookups use)."""
    from incidentroom import scenario

    parsed = scenario.parse(SCENARIO.read_text(encoding="utf-8"), source=str(SCENARIO))
    return parsed.incidents[0].title


def west_london_reference() -> str:
    """The incident's reference in the test database (needs database access)."""
    from incidentroom.incidents.models import Incident

    reference: str = Incident.objects.values_list("reference", flat=True).get(title=west_london_title())
    return reference


def live_reference(app: LiveApp) -> str:
    """The incident's reference in a live app's own database."""
    done = app.python(
        "from incidentroom.incidents.models import Incident\n"
        f"print(Incident.objects.get(title={west_london_title()!r}).reference)\n"
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()
