"""The continuity board, plans and updates, suppliers, and the grab-bag PDF."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable

import pypdfium2
import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from incidentroom.continuity import actions, grabbag
from incidentroom.continuity.models import ContinuityPlan, ContinuityState
from incidentroom.continuity.queries import board
from incidentroom.core.errors import Forbidden, InvalidInput
from incidentroom.core.models import AuditEntry, Organisation
from incidentroom.estate.models import Service
from tests.helpers.clients import ApiClient
from tests.helpers.personas import PersonaFactory


@pytest.fixture
def rbkc(db: None) -> Organisation:
    """Kensington and Chelsea."""
    return Organisation.objects.get(code="RBKC")


def _service(code: str, org: str = "RBKC") -> Service:
    return Service.objects.get(organisation__code=org, code=code)


def _pdf_text(data: bytes) -> str:
    pdf = pypdfium2.PdfDocument(io.BytesIO(data))
    # Table cells wrap: compare with whitespace collapsed.
    return " ".join(" ".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf))).split())


def test_board_puts_past_recovery_time_then_vulnerable_residents_first(rbkc: Organisation) -> None:
    rows = board(rbkc)
    late = [r.rto_breached for r in rows]
    assert late == sorted(late, reverse=True)
    for group in ([r for r in rows if r.rto_breached], [r for r in rows if not r.rto_breached]):
        flags = [r.service.vulnerable_residents for r in group]
        assert flags == sorted(flags, reverse=True)
        vulnerable = [r for r in group if r.service.vulnerable_residents]
        assert [r.service.priority for r in vulnerable] == sorted(r.service.priority for r in vulnerable)


def test_a_lost_service_past_its_rto_is_flagged_even_without_a_plan(
    web: Callable[[User], Client], lbhf_viewer: User, outsider_viewer: User
) -> None:
    # The scenario's telephony platform is switched off: LBHF's out-of-hours line (1 hour RTO,
    # no plan recorded) has been down since then.
    lbhf = Organisation.objects.get(code="LBHF")
    line = next(r for r in board(lbhf) if r.service.code == "emergency-out-of-hours")
    assert line.plan is None and line.down_since is not None
    assert line.rto_breached and board(lbhf)[0].rto_breached
    assert line.past_recovery_time.startswith(f"Past its recovery time: {line.service.rto_hours} hour")
    assert ", down " in line.past_recovery_time
    page = web(lbhf_viewer).get("/continuity/LBHF/").content.decode()
    now_cell = page[page.index('id="now-emergency-out-of-hours"') :]
    now_cell = now_cell[: now_cell.index("</td>")]
    assert "Down since" in now_cell and "Past its recovery time:" in now_cell
    assert "past their recovery time." in page or "past its recovery time." in page
    # A service not lost and not disrupted is not flagged.
    assert all(not r.rto_breached for r in board(lbhf) if r.down_since is None)
    # A staff-only service is not given a public status it can never have.
    internal = next(r for r in board(lbhf) if not r.service.public)
    start = page.index(f'id="service-{internal.service.code}"')
    assert "internal only, not on the public page" in page[start : page.index("</th>", start)]
    # Refusal: another council's viewer cannot read LBHF's board.
    assert web(outsider_viewer).get("/continuity/LBHF/").status_code == 404


def test_plan_update_and_overdue_flag(rbkc: Organisation, persona: PersonaFactory, rbkc_silver: User) -> None:
    care = _service("adult-social-care")
    plan = actions.save_plan(
        care,
        actor=rbkc_silver,
        rto_hours=4,
        mtpd_hours=24,
        update_interval_hours=2,
        minimum_service_level="Safeguarding calls answered; care packages continue",
        plan="Paper referral forms; manual payments to providers",
        owner=persona("service_manager", "RBKC"),
    )
    assert AuditEntry.objects.filter(action="continuity.plan", object_id=str(plan.pk)).exists()
    actions.record_update(
        plan,
        actor=persona("service_manager", "RBKC"),
        state=ContinuityState.WORKAROUND,
        note="Paper forms in use at the town hall",
        workaround="Paper forms; manual payments",
    )
    plan.refresh_from_db()
    assert plan.disrupted_since is not None and plan.next_update_due is not None
    assert plan.next_update_due - plan.last_update_at == dt.timedelta(hours=2)  # type: ignore[operator]
    row = next(r for r in board(rbkc) if r.service == care)
    assert not row.update_overdue
    later = plan.next_update_due + dt.timedelta(minutes=1)
    row = next(r for r in board(rbkc, now=later) if r.service == care)
    assert row.update_overdue and not row.mtpd_breached
    assert next(
        r for r in board(rbkc, now=plan.disrupted_since + dt.timedelta(hours=25)) if r.service == care
    ).mtpd_breached
    actions.record_update(plan, actor=rbkc_silver, state=ContinuityState.RECOVERED, note="Case system back")
    plan.refresh_from_db()
    assert plan.next_update_due is None and plan.disrupted_since is None


def test_overdue_stands_out_on_the_page(web: Callable[[User], Client], rbkc_silver: User) -> None:
    care = _service("adult-social-care")
    plan = actions.save_plan(care, actor=rbkc_silver, rto_hours=4, mtpd_hours=24)
    actions.record_update(plan, actor=rbkc_silver, state=ContinuityState.SUSPENDED, note="Down")
    ContinuityPlan.objects.filter(pk=plan.pk).update(next_update_due=timezone.now() - dt.timedelta(hours=1))
    page = web(rbkc_silver).get("/continuity/RBKC/").content.decode()
    assert (
        "1 update overdue." in page
        and f"{rbkc_silver.get_full_name()} (Silver, RBKC): Down" in page
        and 'class="ir-overdue">Overdue: was due' in page
    )


def test_rules_and_roles(
    rbkc_silver: User, rbkc_comms: User, wcc_dpo: User, outsider_gold: User, persona: PersonaFactory
) -> None:
    care = _service("adult-social-care")
    with pytest.raises(InvalidInput) as err:
        actions.save_plan(care, actor=rbkc_silver, rto_hours=48, mtpd_hours=24)
    assert err.value.field == "mtpd_hours"
    with pytest.raises(InvalidInput):
        actions.save_plan(care, actor=rbkc_silver, rto_hours=0)
    with pytest.raises(InvalidInput) as err:
        actions.save_plan(care, actor=rbkc_silver, owner=persona("gold", "WCC"))
    assert err.value.field == "owner"
    for actor in (rbkc_comms, wcc_dpo, outsider_gold):
        with pytest.raises(Forbidden):
            actions.save_plan(care, actor=actor, rto_hours=4, mtpd_hours=8)
    plan = actions.save_plan(care, actor=rbkc_silver, rto_hours=4, mtpd_hours=8)
    with pytest.raises(InvalidInput):
        actions.record_update(plan, actor=rbkc_silver, state="fine", note="x")
    with pytest.raises(InvalidInput):
        actions.record_update(plan, actor=rbkc_silver, state="workaround", note=" ")


def test_grab_bag_pdf_has_contacts_plans_and_status(rbkc: Organisation, rbkc_silver: User) -> None:
    actions.add_supplier(
        rbkc,
        actor=rbkc_silver,
        name="Telecoms Partner Ltd",
        supplies="Telephony platform support",
        phone="020 7946 0999",
        email="support@telecoms.example",
    )
    care = _service("adult-social-care")
    plan = actions.save_plan(
        care,
        actor=rbkc_silver,
        rto_hours=4,
        mtpd_hours=24,
        plan="Use the paper referral pack <b>kept in the grab bag</b>",
    )
    actions.record_update(
        plan, actor=rbkc_silver, state=ContinuityState.WORKAROUND, note="Paper", workaround="Paper forms"
    )
    text = _pdf_text(grabbag.render(rbkc))
    for expected in (
        "Information Commissioner",
        "0303 123 1113",
        "National Cyber Security Centre",
        "Report Fraud",
        "0300 123 2040, option 9",
        "National Crime Agency",
        "MHCLG",
        "Westminster City Council",
        "Hammersmith and Fulham",
        "Telecoms Partner Ltd",
        "Adult social care",
        "Workaround in use",
        "<b>kept in the grab bag</b>",
        # The out-of-hours line has no plan but is lost with the phones: flagged all the same.
        "Down since",
        "RTO passed",
    ):
        assert expected in text, expected


def test_pages_and_api_are_scoped(
    web: Callable[[User], Client],
    api: Callable[[User], ApiClient],
    rbkc_silver: User,
    wcc_comms: User,
    outsider_gold: User,
    lbhf_viewer: User,
    persona: PersonaFactory,
) -> None:
    care = _service("adult-social-care")
    assert web(rbkc_silver).get("/continuity/").status_code == 302
    assert web(rbkc_silver).get("/continuity/RBKC/grab-bag.pdf")["Content-Type"] == "application/pdf"
    for user in (wcc_comms, outsider_gold):
        client = web(user)
        assert client.get("/continuity/RBKC/").status_code == 404
        assert client.get("/continuity/RBKC/grab-bag.pdf").status_code == 404
        assert (
            client.post(
                f"/continuity/services/{care.pk}/plan/", {"rto_hours": "4", "mtpd_hours": "8"}
            ).status_code
            == 404
        )
        assert api(user).get("/continuity/boards/RBKC").status_code == 404
        assert api(user).put(f"/continuity/services/{care.pk}/plan", {"rto_hours": 4}).status_code == 404
        # The demo gives WCC its own suppliers; nobody outside RBKC sees one of RBKC's.
        listed = api(user).get("/continuity/suppliers").json()
        assert all(s["organisation"] != "RBKC" for s in listed)
        assert {s["organisation"] for s in listed} <= {
            m.organisation.code for m in user.memberships.select_related("organisation")
        }
    # A viewer reads the board but cannot change it.
    lbhf_care = _service("adult-social-care", "LBHF")
    assert web(lbhf_viewer).get("/continuity/LBHF/").status_code == 200
    assert (
        api(lbhf_viewer).put(f"/continuity/services/{lbhf_care.pk}/plan", {"rto_hours": 4}).status_code == 403
    )
    owner = persona("service_manager", "RBKC").username
    saved = api(rbkc_silver).put(
        f"/continuity/services/{care.pk}/plan", {"rto_hours": 4, "mtpd_hours": 24, "owner": owner}
    )
    assert saved.status_code == 200 and saved.json()["owner"] == owner
    update = api(rbkc_silver).post(
        f"/continuity/services/{care.pk}/updates", {"state": "workaround", "note": "Paper forms"}
    )
    assert update.status_code == 201 and update.json()["next_update_due"] is not None
    board_rows = api(rbkc_silver).get("/continuity/boards/rbkc").json()
    assert board_rows[0]["vulnerable_residents"] is True
    bad = api(rbkc_silver).put(f"/continuity/services/{care.pk}/plan", {"rto_hours": 48, "mtpd_hours": 4})
    assert bad.status_code == 422 and bad.json()["field"] == "mtpd_hours"
