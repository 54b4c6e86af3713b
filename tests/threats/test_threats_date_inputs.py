"""Times on the threats pages (indicators, evidence, hand-overs) are typed in the GOV.UK date
input boxes, read as UK local time; one ISO value posted by a script is still accepted."""

from __future__ import annotations

import datetime as dt
import hashlib
import zoneinfo
from collections.abc import Callable
from pathlib import Path

from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from incidentroom.incidents.models import Incident
from incidentroom.threats.models import CustodyEntry, EvidenceItem, Indicator

UK = zoneinfo.ZoneInfo("Europe/London")
# Yesterday in London, at a wall-clock time: the boxes must be read as that local time.
DAY = (timezone.now() - dt.timedelta(days=1)).astimezone(UK).date()


def _boxes(name: str, hour: int, minute: int, *, year: str | None = None) -> dict[str, str]:
    return {
        f"{name}-day": str(DAY.day),
        f"{name}-month": str(DAY.month),
        f"{name}-year": str(DAY.year) if year is None else year,
        f"{name}-hour": f"{hour:02d}",
        f"{name}-minute": f"{minute:02d}",
    }


def _local(hour: int, minute: int) -> dt.datetime:
    return dt.datetime(DAY.year, DAY.month, DAY.day, hour, minute, tzinfo=UK).astimezone(dt.UTC)


def test_the_pages_show_date_boxes_not_the_browser_picker(
    incident: Incident, rbkc_gold: User, web: Callable[[User], Client], folders: Path
) -> None:
    client = web(rbkc_gold)
    home = client.get(f"/incidents/{incident.reference}/threats/").content.decode()
    listing = client.get(f"/incidents/{incident.reference}/evidence/").content.decode()
    for body, names in ((home, ("first_seen", "last_seen")), (listing, ("collected_at",))):
        assert "datetime-local" not in body
        for name in names:
            for part in ("day", "month", "year", "hour", "minute"):
                assert f'name="{name}-{part}"' in body, (name, part)


def test_indicator_times_are_read_from_the_boxes(
    incident: Incident, rbkc_gold: User, web: Callable[[User], Client]
) -> None:
    response = web(rbkc_gold).post(
        f"/incidents/{incident.reference}/threats/indicators/",
        {
            "organisation": "RBKC",
            "type": "domain",
            "value": "payroll-update.example",
            **_boxes("first_seen", 6, 15),
            "last_seen": _local(9, 45).isoformat(),  # a script's single ISO value still works
        },
    )
    assert response.status_code == 302, response.content[:600]
    indicator = Indicator.objects.get(value="payroll-update.example")
    assert indicator.first_seen == _local(6, 15)
    assert indicator.last_seen == _local(9, 45)


def test_evidence_and_hand_over_times_are_read_from_the_boxes(
    incident: Incident, rbkc_gold: User, web: Callable[[User], Client], folders: Path
) -> None:
    client = web(rbkc_gold)
    fields = {
        "organisation": "RBKC",
        "kind": "memory_dump",
        "description": "Memory of DC02",
        "sha256": hashlib.sha256(b"DC02").hexdigest(),
        "collected_by": "K. Mensah",
        "collected_where": "DC02, Kensington Town Hall server room",
        "storage_location": "Evidence safe 2, bag 0148",
    }
    missing = client.post(
        f"/incidents/{incident.reference}/evidence/register/",
        {**fields, **_boxes("collected_at", 8, 0, year="")},
    )
    assert missing.status_code == 422
    assert "Collected at must include a year." in missing.content.decode()
    assert not EvidenceItem.objects.filter(description="Memory of DC02").exists()
    response = client.post(
        f"/incidents/{incident.reference}/evidence/register/", {**fields, **_boxes("collected_at", 8, 0)}
    )
    assert response.status_code == 302, response.content[:600]
    item = EvidenceItem.objects.get(description="Memory of DC02")
    assert item.collected_at == _local(8, 0)
    detail = client.get(f"/threats/evidence/{item.pk}/").content.decode()
    assert "datetime-local" not in detail and 'name="at-day"' in detail
    handed = client.post(
        f"/threats/evidence/{item.pk}/custody/", {"to_party": "National Crime Agency", **_boxes("at", 11, 20)}
    )
    assert handed.status_code == 302, handed.content[:600]
    assert CustodyEntry.objects.get(item=item, to_party="National Crime Agency").at == _local(11, 20)
