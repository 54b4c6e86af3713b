"""Scenario files: a bad file names its line and field and loads nothing; loading is audited."""

from __future__ import annotations

from pathlib import Path

import pytest

from incidentroom import scenario
from incidentroom.core.errors import InvalidInput
from incidentroom.core.models import Organisation
from tests.helpers.live import LiveApp

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
"""


def test_unknown_field_is_named_with_its_line(db: None) -> None:
    bad = SMALL.replace(
        "{code: kcc-dc, name: KCC data centre, owner: KCC}",
        "{code: kcc-dc, name: KCC data centre, owner: KCC, colour: red}",
    )
    with pytest.raises(InvalidInput) as err:
        scenario.parse(bad, source="small.yaml")
    assert str(err.value) == "small.yaml line 8, field systems.0.colour: Extra inputs are not permitted"


def test_wrong_date_and_unknown_reference_are_named(db: None) -> None:
    with pytest.raises(InvalidInput, match=r"line 2, field as_of: "):
        scenario.parse(SMALL.replace("2025-11-24T16:00:00+00:00", "24/11/2025"), source="s.yaml")
    with pytest.raises(InvalidInput, match=r"line 10, field services.0.needs: unknown system 'kcc-nope'"):
        scenario.parse(SMALL.replace("needs: [kcc-dc]", "needs: [kcc-nope]"), source="s.yaml")
    with pytest.raises(InvalidInput, match=r"not valid YAML"):
        scenario.parse("organisations: [", source="s.yaml")


def test_a_failure_part_way_loads_nothing(db: None) -> None:
    # Valid on its own, but the code clashes with an organisation already loaded: the
    # whole file is rolled back, including the organisation written before the clash.
    clash = SMALL.replace(
        "  - {code: KCC, name: Kent County Council}",
        "  - {code: KCC, name: Kent County Council}\n  - {code: RBKC, name: Duplicate}",
    )
    with pytest.raises(Exception, match="already an organisation with code RBKC"):
        scenario.load(scenario.parse(clash))
    assert not Organisation.objects.filter(code="KCC").exists()


def test_load_scenario_command_audits_as_cli(live_app: LiveApp, tmp_path: Path) -> None:
    path = tmp_path / "small.yaml"
    path.write_text(SMALL, encoding="utf-8")
    first = live_app.manage("load-scenario", str(path))
    assert first.returncode == 0, first.stderr
    assert "Loaded 1 organisations, 1 people, 1 systems, 1 services, 0 incidents" in first.stdout
    again = live_app.manage("load-scenario", str(path), "--if-absent")
    assert "already loaded; nothing to do" in again.stdout
    shown = live_app.python(
        "from incidentroom.core.models import AuditEntry, Organisation\n"
        "entry = AuditEntry.objects.get(action='organisation.create', object_repr__contains='(KCC)')\n"
        "print(Organisation.objects.filter(code='KCC').count(), entry.channel)\n"
    )
    assert shown.stdout.split() == ["1", "cli"], shown.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text(SMALL.replace("name: Libraries", "name: Libraries, open: always"), encoding="utf-8")
    refused = live_app.manage("load-scenario", str(bad))
    assert refused.returncode == 1 and "line 10, field services.0.open" in refused.stderr
