"""Every form on the threats pages (indicators, imports, sweeps, host names, evidence, hand-
overs, re-verification, the sweep's buttons) answers a mistake with the same page: the
refusal's 4xx, "Error: " in the title, an error summary naming the field in words and
linking to it, the message beside the field, and what was typed kept. Not the separate
"There is a problem / Go back" page (issue 15, item 5). Refusals with nothing to correct
(a role that may not write) still get the error page."""

from __future__ import annotations

import datetime as dt
import hashlib
import zoneinfo
from collections.abc import Callable
from pathlib import Path

from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from incidentroom.core.models import Organisation
from incidentroom.incidents.models import Incident
from incidentroom.threats.models import (
    CustodyEntry,
    EvidenceItem,
    HashCheck,
    HostAlias,
    Indicator,
    Sweep,
    SweepStatus,
)

UK = zoneinfo.ZoneInfo("Europe/London")
YESTERDAY = (timezone.now() - dt.timedelta(days=1)).astimezone(UK).date()


def _boxes(
    name: str, day: str, month: str, year: str, hour: str = "09", minute: str = "15"
) -> dict[str, str]:
    return {
        f"{name}-day": day,
        f"{name}-month": month,
        f"{name}-year": year,
        f"{name}-hour": hour,
        f"{name}-minute": minute,
    }


def _same_page(body: str, title: str, href: str, message: str) -> None:
    """The page itself again, with the summary linking to the field and the message beside it."""
    assert f"<title>Error: {title}" in body
    assert 'class="govuk-error-summary"' in body and "Go back" not in body
    assert f'<a href="{href}">{message}</a>' in body
    assert f"</span> {message}" in body  # beside the field too


def _indicator(**extra: object) -> dict[str, object]:
    return {
        "organisation": "RBKC",
        "type": "domain",
        "value": "payroll-update.example",
        "tlp": "green",
        "source_kind": "partner",
        "source_name": "NCSC alert 2025-11-24",
        "confidence": "80",
        "description": "Seen in the first phishing wave.",
        "staff_watch": "on",
        "systems": ["shared-email"],
        **extra,
    }


def _indicator_kept(body: str) -> None:
    assert 'value="NCSC alert 2025-11-24"' in body
    assert "Seen in the first phishing wave.</textarea>" in body
    assert '<option value="green" selected>' in body and '<option value="partner" selected>' in body
    assert 'id="ind-staff" name="staff_watch" type="checkbox" checked' in body
    assert '<option value="shared-email" selected>' in body


def test_an_indicator_value_of_the_wrong_shape_comes_back_on_the_threats_page(
    incident: Incident, rbkc_gold: User, web: Callable[[User], Client]
) -> None:
    response = web(rbkc_gold).post(
        f"/incidents/{incident.reference}/threats/indicators/", _indicator(value="not a domain at all")
    )
    assert response.status_code == 422
    body = response.content.decode()
    _same_page(
        body,
        "Indicators and sweeps",
        "#ind-value",
        "&#x27;not a domain at all&#x27; is not a domain name (like evil.example).",
    )
    assert 'value="not a domain at all"' in body and 'value="80"' in body
    _indicator_kept(body)
    assert not Indicator.objects.filter(source_name="NCSC alert 2025-11-24").exists()


def test_a_huge_confidence_is_named_in_words(
    incident: Incident, rbkc_gold: User, web: Callable[[User], Client]
) -> None:
    response = web(rbkc_gold).post(
        f"/incidents/{incident.reference}/threats/indicators/", _indicator(confidence="9" * 40)
    )
    assert response.status_code == 422
    body = response.content.decode()
    _same_page(
        body, "Indicators and sweeps", "#ind-confidence", "Confidence is a whole number from 0 to 100."
    )
    assert f'value="{"9" * 40}"' in body
    _indicator_kept(body)
    words = web(rbkc_gold).post(
        f"/incidents/{incident.reference}/threats/indicators/", _indicator(confidence="high")
    )
    assert words.status_code == 422
    assert '<a href="#ind-confidence">Confidence must be a whole number.</a>' in words.content.decode()


def test_an_extreme_first_seen_date_links_to_its_day_box(
    incident: Incident, rbkc_gold: User, web: Callable[[User], Client]
) -> None:
    response = web(rbkc_gold).post(
        f"/incidents/{incident.reference}/threats/indicators/",
        _indicator(**_boxes("first_seen", "24", "11", "1850")),
    )
    assert response.status_code == 422
    body = response.content.decode()
    _same_page(
        body,
        "Indicators and sweeps",
        "#ind-first-day",
        "First seen must be between 1 January 1990 and 31 December 2099.",
    )
    assert 'id="ind-first-year" name="first_seen-year" type="text" inputmode="numeric" value="1850"' in body
    assert "first_seen must" not in body and "First seen: First seen" not in body
    _indicator_kept(body)
    no_day = web(rbkc_gold).post(
        f"/incidents/{incident.reference}/threats/indicators/",
        _indicator(**_boxes("last_seen", "31", "2", "2026")),
    )
    assert no_day.status_code == 422
    assert '<a href="#ind-last-day">Last seen must be a real date.</a>' in no_day.content.decode()


def test_acting_for_another_council_is_refused_beside_the_for_list(
    incident: Incident, rbkc_gold: User, web: Callable[[User], Client]
) -> None:
    response = web(rbkc_gold).post(
        f"/incidents/{incident.reference}/threats/indicators/", _indicator(organisation="WCC")
    )
    assert response.status_code == 422
    body = response.content.decode()
    _same_page(body, "Indicators and sweeps", "#ind-org", "You are not a member of WCC in this incident.")
    _indicator_kept(body)
    assert not Indicator.objects.filter(source_name="NCSC alert 2025-11-24").exists()


def test_an_import_without_a_file_or_with_an_unknown_format(
    incident: Incident, rbkc_gold: User, web: Callable[[User], Client]
) -> None:
    client = web(rbkc_gold)
    url = f"/incidents/{incident.reference}/threats/import/"
    response = client.post(
        url, {"organisation": "RBKC", "format": "misp", "source_name": "ISAC feed", "tlp": "red"}
    )
    assert response.status_code == 422
    body = response.content.decode()
    _same_page(body, "Indicators and sweeps", "#import-file", "Choose a file to import.")
    assert 'value="ISAC feed"' in body and '<option value="misp" selected>' in body
    assert (
        'id="import-tlp" name="tlp"><option value="clear">' in body or '<option value="red" selected>' in body
    )
    bad = client.post(
        url,
        {"organisation": "RBKC", "format": "yaml", "file": SimpleUploadedFile("x.yaml", b"a: 1")},
    )
    assert bad.status_code == 422
    assert '<a href="#import-format">Choose STIX 2.1, MISP or CSV as the format.</a>' in bad.content.decode()


def test_a_host_name_for_another_councils_system_is_refused_on_the_page(
    incident: Incident, rbkc_gold: User, web: Callable[[User], Client]
) -> None:
    response = web(rbkc_gold).post(
        f"/incidents/{incident.reference}/threats/hosts/", {"system": "wcc-housing", "hostname": "wcc-hsg-01"}
    )
    assert response.status_code == 404
    body = response.content.decode()
    _same_page(body, "Indicators and sweeps", "#host-system", "Choose one of the systems in the list.")
    assert 'value="wcc-hsg-01"' in body
    # The list offers only systems the person may name hosts on.
    hosts = body.split('id="host-system"')[1].split("</select>")[0]
    assert 'value="wcc-housing"' not in hosts and 'value="shared-email"' in hosts
    assert not HostAlias.objects.filter(hostname="wcc-hsg-01").exists()
    long = web(rbkc_gold).post(
        f"/incidents/{incident.reference}/threats/hosts/", {"system": "shared-email", "hostname": "h" * 300}
    )
    assert long.status_code == 422
    assert '<a href="#host-name">A host name is at most 255 characters.</a>' in long.content.decode()


def test_sweeps_without_files_or_outside_the_log_folder(
    incident: Incident, rbkc_gold: User, web: Callable[[User], Client], folders: Path
) -> None:
    client = web(rbkc_gold)
    upload = client.post(f"/incidents/{incident.reference}/threats/sweeps/upload/", {"organisation": "RBKC"})
    assert upload.status_code == 422
    _same_page(
        upload.content.decode(),
        "Indicators and sweeps",
        "#sweep-files",
        "Upload at least one non-empty log file.",
    )
    folder = client.post(
        f"/incidents/{incident.reference}/threats/sweeps/folder/",
        {"organisation": "RBKC", "paths": "../../etc/passwd"},
    )
    assert folder.status_code == 422
    body = folder.content.decode()
    assert '<a href="#folder-paths">' in body and "outside RBKC&#x27;s log folder" in body
    assert "../../etc/passwd</textarea>" in body
    assert not Sweep.objects.filter(incident=incident).exists()


def _item(incident: Incident, user: User, web: Callable[[User], Client]) -> EvidenceItem:
    response = web(user).post(
        f"/incidents/{incident.reference}/evidence/register/",
        {
            "organisation": "RBKC",
            "kind": "memory_dump",
            "description": "Memory of DC02",
            "sha256": hashlib.sha256(b"DC02").hexdigest(),
            "collected_by": "K. Mensah",
            "collected_where": "DC02",
            "storage_location": "Evidence safe 2",
            **_boxes("collected_at", str(YESTERDAY.day), str(YESTERDAY.month), str(YESTERDAY.year)),
        },
    )
    assert response.status_code == 302, response.content[:400]
    return EvidenceItem.objects.get(description="Memory of DC02")


def test_registering_evidence_with_a_bad_hash_or_size_keeps_what_was_typed(
    incident: Incident, rbkc_gold: User, web: Callable[[User], Client]
) -> None:
    fields = {
        "organisation": "RBKC",
        "kind": "disk_image",
        "description": "Image of the print server",
        "sha256": "not-a-hash",
        "size_bytes": "1024",
        "collected_by": "K. Mensah",
        "collected_where": "PRN01",
        "storage_location": "Safe 1",
        **_boxes("collected_at", str(YESTERDAY.day), str(YESTERDAY.month), str(YESTERDAY.year)),
    }
    url = f"/incidents/{incident.reference}/evidence/register/"
    response = web(rbkc_gold).post(url, fields)
    assert response.status_code == 422
    body = response.content.decode()
    _same_page(body, "Evidence", "#ev-sha", "A SHA-256 is 64 hexadecimal characters.")
    assert "Image of the print server</textarea>" in body and 'value="not-a-hash"' in body
    assert '<option value="disk_image" selected>' in body and 'value="Safe 1"' in body
    assert f'name="collected_at-year" type="text" inputmode="numeric" value="{YESTERDAY.year}"' in body
    huge = web(rbkc_gold).post(url, {**fields, "sha256": "a" * 64, "size_bytes": "9" * 30})
    assert huge.status_code == 422
    assert '<a href="#ev-size">Size in bytes is out of range.</a>' in huge.content.decode()
    other = web(rbkc_gold).post(url, {**fields, "sha256": "a" * 64, "organisation": "LBHF"})
    assert other.status_code == 422
    assert '<a href="#ev-org">You are not a member of LBHF in this incident.</a>' in other.content.decode()
    blank = web(rbkc_gold).post(
        url, {**fields, "sha256": "a" * 64, **_boxes("collected_at", "", "", "", "", "")}
    )
    assert blank.status_code == 422
    assert '<a href="#ev-at-day">Collected at must include a date and time.</a>' in blank.content.decode()
    assert not EvidenceItem.objects.filter(description="Image of the print server").exists()


def test_a_hand_over_before_the_collection_comes_back_on_the_item_page(
    incident: Incident, rbkc_gold: User, web: Callable[[User], Client]
) -> None:
    item = _item(incident, rbkc_gold, web)
    response = web(rbkc_gold).post(
        f"/threats/evidence/{item.pk}/custody/",
        {"to_party": "Met Police cyber crime unit", "purpose": "Analysis", **_boxes("at", "1", "1", "2000")},
    )
    assert response.status_code == 422
    body = response.content.decode()
    _same_page(body, item.reference, "#cu-at-day", "A hand-over cannot be earlier than the collection.")
    assert 'value="Met Police cyber crime unit"' in body and 'value="Analysis"' in body
    assert 'id="cu-at-year" name="at-year" type="text" inputmode="numeric" value="2000"' in body
    blank = web(rbkc_gold).post(
        f"/threats/evidence/{item.pk}/custody/",
        {
            "to_party": "",
            "purpose": "Analysis",
            **_boxes("at", str(YESTERDAY.day), str(YESTERDAY.month), str(YESTERDAY.year), "23", "59"),
        },
    )
    assert blank.status_code == 422
    assert '<a href="#cu-to">Handed over to is required.</a>' in blank.content.decode()
    assert not CustodyEntry.objects.filter(item=item).exists()


def test_re_verifying_with_nothing_to_check_links_to_the_path(
    incident: Incident, rbkc_gold: User, web: Callable[[User], Client], folders: Path
) -> None:
    item = _item(incident, rbkc_gold, web)
    response = web(rbkc_gold).post(
        f"/threats/evidence/{item.pk}/verify/", {"path": "", "observed_sha256": ""}
    )
    assert response.status_code == 422
    _same_page(
        response.content.decode(),
        item.reference,
        "#ve-path",
        "Give either a path on the server or the hash you computed.",
    )
    bad = web(rbkc_gold).post(f"/threats/evidence/{item.pk}/verify/", {"observed_sha256": "xyz"})
    assert bad.status_code == 422
    assert '<a href="#ve-sha">A SHA-256 is 64 hexadecimal characters.</a>' in bad.content.decode()
    assert 'value="xyz"' in bad.content.decode()
    assert not HashCheck.objects.filter(item=item).exists()


def test_cancelling_a_finished_sweep_says_so_on_the_sweep_page(
    incident: Incident, rbkc_gold: User, web: Callable[[User], Client]
) -> None:
    sweep = Sweep.objects.create(
        incident=incident,
        organisation=Organisation.objects.get(code="RBKC"),
        created_by=rbkc_gold,
        status=SweepStatus.SUCCEEDED,
    )
    response = web(rbkc_gold).post(f"/threats/sweeps/{sweep.pk}/cancel/")
    assert response.status_code == 409
    body = response.content.decode()
    assert f"<title>Error: Sweep #{sweep.pk}" in body and "Go back" not in body
    assert '<a href="#sweep-live">' in body and "only a queued or running sweep can be cancelled" in body


def test_a_viewer_still_gets_the_refusal_page(
    incident: Incident, lbhf_viewer: User, web: Callable[[User], Client]
) -> None:
    response = web(lbhf_viewer).post(
        f"/incidents/{incident.reference}/threats/indicators/", _indicator(organisation="LBHF")
    )
    assert response.status_code == 403
    assert "error-summary" not in response.content.decode()
    assert not Indicator.objects.filter(source_name="NCSC alert 2025-11-24").exists()
