"""Fixtures for the breach tests: a private media folder, RBKC's recorded breach, and the
breach with four known people imported."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import override_settings
from django.utils import timezone
from pytest_django.fixtures import Settings

from incidentroom.breach.models import Breach
from incidentroom.incidents.models import Incident
from tests.helpers.breachhelp import approve_wording, import_people


@pytest.fixture
def media(tmp_path: Path) -> Iterator[Path]:
    """A private MEDIA_ROOT and evidence folder for each test; yields RBKC's own folder
    (``evidence/rbkc``), beside WCC's and LBHF's."""
    evidence = tmp_path / "evidence"
    for code in ("rbkc", "wcc", "lbhf"):
        (evidence / code).mkdir(parents=True)
    with override_settings(MEDIA_ROOT=tmp_path / "media", BREACH_SCAN_ROOTS=[str(evidence)]):
        yield evidence / "rbkc"


@pytest.fixture
def shared_root(media: Path, rbkc_dpo: User, wcc_dpo: User, settings: Settings) -> Path:
    """A folder of the shared service RBKC and WCC both own, both having agreed to its scan."""
    from incidentroom.breach import evidence
    from incidentroom.core.models import Organisation

    shared = media.parent.parent / "shared-service"
    shared.mkdir()
    settings.BREACH_SCAN_ROOTS = [*settings.BREACH_SCAN_ROOTS, f"RBKC+WCC={shared}"]
    for code, dpo in (("RBKC", rbkc_dpo), ("WCC", wcc_dpo)):
        evidence.grant_root_consent(str(shared), organisation=Organisation.objects.get(code=code), actor=dpo)
    return shared


@pytest.fixture
def breach(incident: Incident, rbkc_dpo: User, media: Path) -> Breach:
    """RBKC's breach assessment for the stolen archive, with the resident wording approved."""
    from incidentroom.breach import actions
    from incidentroom.core.models import Organisation

    rbkc = Organisation.objects.get(code="RBKC")
    aware = incident.involvements.get(organisation=rbkc).became_aware_at or timezone.now() - dt.timedelta(
        hours=2
    )
    recorded = actions.record_breach(
        incident,
        actor=rbkc_dpo,
        organisation=rbkc,
        description="Attackers copied the document archive from the shared data centre.",
        became_aware_at=aware,
        data_sets="Document archive 2006-2020",
        people_categories=["residents", "vulnerable_adults"],
        measures_taken="Network isolated; passwords reset.",
    )
    return approve_wording(recorded, rbkc_dpo)


@pytest.fixture
def scanned(breach: Breach, rbkc_dpo: User, media: Path) -> Breach:
    """The breach with the four people above imported, all attributed to RBKC."""
    import_people(breach, rbkc_dpo, media)
    return breach
