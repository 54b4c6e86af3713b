"""Organisations, memberships and the audit trail are scoped to the user."""

from __future__ import annotations

from django.contrib.auth.models import User

from incidentroom.core.models import AuditEntry, Organisation


def test_organisations_scoped_to_memberships(shared_responder: User, outsider_viewer: User) -> None:
    assert set(Organisation.objects.for_user(shared_responder).values_list("code", flat=True)) == {
        "RBKC",
        "WCC",
        "LBHF",
    }
    assert list(Organisation.objects.for_user(outsider_viewer).values_list("code", flat=True)) == ["LBE"]


def test_audit_visible_only_to_gold_silver_dpo(rbkc_gold: User, lbhf_viewer: User) -> None:
    assert AuditEntry.objects.for_user(rbkc_gold).exists()
    assert not AuditEntry.objects.for_user(lbhf_viewer).exists()
