"""Evidence: registration by hash, custody hand-overs, logged re-verification, the PDF record."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from pathlib import Path

import pypdfium2
import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from incidentroom.core.errors import Forbidden, InvalidInput
from incidentroom.core.models import AuditEntry, Organisation
from incidentroom.incidents.models import Incident
from incidentroom.threats import evidence
from incidentroom.threats.models import EvidenceItem
from tests.helpers.clients import ApiClient

DIGEST = hashlib.sha256(b"memory dump of DC01").hexdigest()


@pytest.fixture
def item(incident: Incident, rbkc_gold: User, folders: Path) -> EvidenceItem:
    """A memory dump RBKC registered."""
    return evidence.register_evidence(
        incident,
        actor=rbkc_gold,
        organisation=Organisation.objects.get(code="RBKC"),
        kind="memory_dump",
        description="Memory of the domain controller DC01",
        sha256=DIGEST.upper(),
        collected_by="K. Mensah",
        collected_at=timezone.now() - dt.timedelta(hours=3),
        collected_where="DC01, Kensington Town Hall server room",
        storage_location="Evidence safe 2, bag 0147",
        size_bytes=17_179_869_184,
    )


def test_register_hand_over_verify_and_print(
    item: EvidenceItem, rbkc_gold: User, folders: Path, web: Callable[[User], Client]
) -> None:
    assert item.sha256 == DIGEST and item.reference.endswith("-RBKC-E001") and item.custodian == "K. Mensah"
    evidence.hand_over(
        item,
        actor=rbkc_gold,
        to_party="National Crime Agency (DC Jones)",
        at=timezone.now() - dt.timedelta(hours=1),
        purpose="Criminal investigation",
    )
    assert item.custodian == "National Crime Agency (DC Jones)"
    with pytest.raises(InvalidInput):
        evidence.hand_over(item, actor=rbkc_gold, to_party="Back", at=timezone.now() - dt.timedelta(hours=2))
    copy = folders / "evidence-copies" / "rbkc" / "dc01.mem"
    copy.write_bytes(b"memory dump of DC01")
    good = evidence.verify_hash(item, actor=rbkc_gold, path="dc01.mem")
    copy.write_bytes(b"tampered")
    bad = evidence.verify_hash(item, actor=rbkc_gold, path=str(copy))
    entered = evidence.verify_hash(item, actor=rbkc_gold, observed_sha256=DIGEST)
    assert (good.matches, bad.matches, entered.matches) == (True, False, True)
    assert AuditEntry.objects.filter(action="evidence.verify").count() == 3
    for path in ("../wcc/x", "/etc/passwd", "missing"):
        with pytest.raises(InvalidInput):
            evidence.verify_hash(item, actor=rbkc_gold, path=path)
    pdf = web(rbkc_gold).get(f"/threats/evidence/{item.pk}/custody.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    document = pypdfium2.PdfDocument(pdf.content)
    text = "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    for needle in (item.reference, DIGEST, "National Crime Agency", "MISMATCH", "Evidence safe 2"):
        assert needle in text.replace("\r", "").replace("\n", ""), needle


def test_evidence_is_scoped_and_checked(
    item: EvidenceItem,
    api: Callable[[User], ApiClient],
    web: Callable[[User], Client],
    wcc_gold: User,
    lbhf_viewer: User,
    outsider_gold: User,
    rbkc_comms: User,
    incident: Incident,
) -> None:
    for user in (wcc_gold, lbhf_viewer, outsider_gold):
        assert api(user).get(f"/threats/evidence/{item.pk}").status_code == 404
        assert (
            api(user)
            .post(f"/threats/evidence/{item.pk}/custody", {"to_party": "x", "at": timezone.now().isoformat()})
            .status_code
            == 404
        )
        assert web(user).get(f"/threats/evidence/{item.pk}/custody.pdf").status_code == 404
        assert web(user).get(f"/threats/evidence/{item.pk}/").status_code == 404
    assert api(rbkc_comms).get(f"/threats/evidence/{item.pk}").json()["custodian"] == "K. Mensah"
    with pytest.raises(Forbidden):
        evidence.verify_hash(item, actor=lbhf_viewer, observed_sha256=DIGEST)
    client = api(rbkc_comms)
    path = f"/threats/incidents/{incident.reference}/evidence"
    base = {
        "kind": "ransom_note",
        "description": "Note",
        "sha256": DIGEST,
        "collected_by": "me",
        "collected_at": timezone.now().isoformat(),
        "collected_where": "FS01",
        "storage_location": "share",
    }
    assert client.post(path, base).status_code == 201
    assert client.post(path, {**base, "sha256": "xyz"}).status_code == 422
    # Out of the accepted range: refused by the schema, whose 422 names the field in ``loc``.
    far = client.post(path, {**base, "collected_at": "2999-01-01T00:00:00+00:00"})
    assert far.status_code == 422 and far.json()["detail"][0]["loc"][-1] == "collected_at"
    # In range but in the future: refused by the action, whose 422 names the field.
    soon = client.post(path, {**base, "collected_at": (timezone.now() + dt.timedelta(days=2)).isoformat()})
    assert soon.status_code == 422 and soon.json()["field"] == "collected_at"
    assert client.post(path, {**base, "kind": "photo"}).status_code == 422
    assert api(outsider_gold).post(path, base).status_code == 404
