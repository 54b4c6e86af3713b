"""Blast radius: transitive, explained, cycle-proof; and on the West London estate."""

from __future__ import annotations

from incidentroom.estate.blast import EstateGraph, blast_radius
from incidentroom.estate.models import System
from incidentroom.estate.queries import affected_services


def test_transitive_with_shortest_explanation() -> None:
    # 1 <- 2 <- 3 and 1 <- 3 directly: service 10 needs 3, so the shortest path is 3 -> 1.
    graph = EstateGraph(system_deps={2: [1], 3: [2, 1]}, service_deps={10: [3], 11: [2], 12: [4]})
    impacts = {i.service_id: i.path for i in blast_radius(graph, [1])}
    assert impacts == {10: (3, 1), 11: (2, 1)}


def test_cycles_terminate_and_are_explained() -> None:
    graph = EstateGraph(system_deps={1: [2], 2: [3], 3: [1]}, service_deps={10: [2]})
    impacts = blast_radius(graph, [3])
    assert [(i.service_id, i.path) for i in impacts] == [(10, (2, 3))]


def test_nothing_down_nothing_affected() -> None:
    graph = EstateGraph(system_deps={2: [1]}, service_deps={10: [2]})
    assert blast_radius(graph, []) == []


def test_shared_directory_takes_services_in_all_three_councils(db: None) -> None:
    shared_ad = System.objects.get(code="shared-ad")
    rows = affected_services([shared_ad.pk])
    councils = {r.service.organisation.code for r in rows}
    assert councils == {"RBKC", "WCC", "LBHF"}
    # Ealing does not share the directory.
    assert "LBE" not in councils
    payroll = next(
        r for r in rows if r.service.code == "staff-payroll" and r.service.organisation.code == "LBHF"
    )
    assert [s.code for s in payroll.path] == ["shared-hr-payroll", "shared-sso", "shared-ad"]
    assert payroll.because == "HR and payroll → Single sign-on → Shared directory (Active Directory)"


def test_organisation_filter(db: None) -> None:
    from incidentroom.core.models import Organisation

    telephony = System.objects.get(code="shared-telephony")
    lbhf = Organisation.objects.get(code="LBHF")
    rows = affected_services([telephony.pk], organisation_ids=[lbhf.pk])
    assert rows and {r.service.organisation.code for r in rows} == {"LBHF"}
    assert affected_services([telephony.pk], organisation_ids=[]) == []
