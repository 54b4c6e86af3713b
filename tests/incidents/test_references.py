"""Incident references name the year the incident was opened (issue 15, "References")."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User

from incidentroom import scenario
from incidentroom.core import times
from incidentroom.core.errors import InvalidInput
from incidentroom.core.models import Organisation
from incidentroom.incidents import actions
from incidentroom.incidents.models import Incident

# A small scenario with one incident, recorded in 2025 (numbered 0042 so it cannot clash with
# the West London incident already in the test database).
SMALL = """\
scenario: small
as_of: 2025-11-24T16:00:00+00:00
organisations:
  - {code: KCC, name: Kent County Council}
people:
  - {username: kcc.gold, name: Ann Example, memberships: {KCC: gold}}
systems:
  - {code: kcc-dc, name: KCC data centre, owner: KCC}
services:
  - {organisation: KCC, code: libraries, name: Libraries, needs: [kcc-dc]}
incidents:
  - reference: IR-2025-0042
    title: Kent ransomware
    origin: KCC
    detected_at: 2025-11-24T08:10:00+00:00
    opened_by: kcc.gold
    organisations:
      - {code: KCC, became_aware_at: 2025-11-24T08:40:00+00:00}
"""


def test_a_scenario_moved_to_another_year_opens_its_incident_in_that_year(db: None) -> None:
    scenario.load(scenario.parse(SMALL), shift_to=dt.datetime(2024, 3, 2, 12, 0, tzinfo=dt.UTC))
    incident = Incident.objects.get(title="Kent ransomware")
    assert incident.detected_at.year == 2024
    assert incident.reference == "IR-2024-0042"
    assert not Incident.objects.filter(reference="IR-2025-0042").exists()


def test_a_scenario_loaded_as_recorded_keeps_its_reference(db: None) -> None:
    scenario.load(scenario.parse(SMALL))
    assert Incident.objects.get(title="Kent ransomware").reference == "IR-2025-0042"


def test_the_demo_incident_names_the_year_it_was_opened(incident: Incident) -> None:
    # The test database loads West London moved to now, so the file's "IR-2025-0001" must
    # have followed the opening date (whatever year the suite runs in).
    year = incident.detected_at.astimezone(times.UK).year
    assert incident.reference == f"IR-{year}-0001"


def test_new_references_are_numbered_within_the_year_opened(rbkc_gold: User) -> None:
    rbkc = Organisation.objects.get(code="RBKC")
    opened = [
        actions.open_incident(actor=rbkc_gold, title=f"Old {n}", origin=rbkc, detected_at=at)
        for n, at in enumerate(
            (
                dt.datetime(2019, 6, 1, 9, 0, tzinfo=dt.UTC),
                dt.datetime(2019, 12, 31, 23, 59, tzinfo=dt.UTC),  # still 2019 in London (GMT)
                dt.datetime(2020, 1, 1, 0, 1, tzinfo=dt.UTC),
            )
        )
    ]
    assert [i.reference for i in opened] == ["IR-2019-0001", "IR-2019-0002", "IR-2020-0001"]


def test_a_reference_naming_another_year_is_refused(rbkc_gold: User) -> None:
    rbkc = Organisation.objects.get(code="RBKC")
    with pytest.raises(InvalidInput) as err:
        actions.open_incident(
            actor=rbkc_gold,
            title="Wrong year",
            origin=rbkc,
            detected_at=dt.datetime(2024, 5, 1, 9, 0, tzinfo=dt.UTC),
            reference="IR-2023-0007",
        )
    assert err.value.field == "reference" and "2024" in str(err.value)
    assert not Incident.objects.filter(title="Wrong year").exists()
