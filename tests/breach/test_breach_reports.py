"""Reports to the ICO, NCSC, police and insurer: content, PDF and DOCX read back, phases, clocks."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User

from incidentroom.breach import actions
from incidentroom.breach.downloads import report_response
from incidentroom.breach.models import Breach, Individual, Report
from incidentroom.core.errors import Conflict
from incidentroom.incidents.models import Obligation, ObligationStatus
from tests.helpers.breachhelp import docx_text, flat, pdf_text


def test_ico_draft_carries_the_scan_figures_and_art_33_content(scanned: Breach, rbkc_dpo: User) -> None:
    report = actions.draft_report(scanned, actor=rbkc_dpo, kind="ico")
    facts = report.facts
    assert facts["scan"]["individuals"] == 4 and facts["scan"]["records"] == 9
    assert facts["scan"]["by_risk"] == {"high": 3, "medium": 0, "low": 1}
    assert facts["scan"]["special_categories"] == ["health"]
    assert facts["follow_up"] is False
    for fmt, reader in (("pdf", pdf_text), ("docx", docx_text)):
        text = flat(reader(report_response(report, fmt).content))
        for expected in (
            "Initial report",
            "Approximate number of people affected 4",
            "Approximate number of records 9",
            "Bank account numbers and sort codes",
            "National Insurance numbers",
            "Health information (special category)",
            "Passport numbers",
            "Payment card numbers",
            "Document archive 2006-2020",
            "Vulnerable adults",
            "Priya Raman",
            "dpo@rbkc.example.gov.uk",
            "Z5671234",
            "Network isolated; passwords reset.",
        ):
            assert expected in text, (fmt, expected)
        # Counts, never people: the report names no one found in the data.
        for secret in ("Alice", "Bello", "Abbey Road", "alice@example.org"):
            assert secret not in text
    ico = Obligation.objects.get(incident=scanned.incident, organisation=scanned.organisation, code="ico")
    assert ico.status == ObligationStatus.DRAFTED
    # Every page of the PDF says which page of how many it is.
    text = pdf_text(report_response(report, "pdf").content)
    assert "Page 1 of " in text


def test_redrafting_an_unsent_report_replaces_it(scanned: Breach, rbkc_dpo: User) -> None:
    first = actions.draft_report(scanned, actor=rbkc_dpo, kind="ico")
    actions.set_do_not_contact(Individual.objects.get(person_id="P0001"), actor=rbkc_dpo, reason="Deceased")
    second = actions.draft_report(scanned, actor=rbkc_dpo, kind="ico")
    assert first.pk == second.pk and Report.objects.count() == 1


def test_submitting_stops_the_clock_and_a_follow_up_shows_what_changed(
    scanned: Breach, rbkc_dpo: User
) -> None:
    first = actions.draft_report(scanned, actor=rbkc_dpo, kind="ico")
    actions.submit_report(first, actor=rbkc_dpo, external_reference="ICO/00123456")
    ico = Obligation.objects.get(incident=scanned.incident, organisation=scanned.organisation, code="ico")
    assert ico.status == ObligationStatus.SUBMITTED and ico.external_reference == "ICO/00123456"
    assert ico.submitted_at == Report.objects.get(pk=first.pk).submitted_at
    with pytest.raises(Conflict):
        actions.submit_report(first, actor=rbkc_dpo)

    actions.update_breach(scanned, actor=rbkc_dpo, measures_proposed="Offer credit monitoring.")
    actions.mark_notified(Individual.objects.get(person_id="P0001"), actor=rbkc_dpo, how="letter")
    follow = actions.draft_report(scanned, actor=rbkc_dpo, kind="ico")
    assert follow.version == 2 and follow.is_follow_up
    text = flat(pdf_text(report_response(follow, "pdf").content))
    assert "Report type Follow-up report" in text and "ICO case reference ICO/00123456" in text
    assert "What has changed since version 1" in text
    assert "Measures proposed: was 'Not yet recorded', now 'Offer credit monitoring.'" in text
    assert "People told so far: was '0', now '1'" in text
    docx = flat(docx_text(report_response(follow, "docx").content))
    assert "Measures proposed (updated)" in docx
    with pytest.raises(Conflict):  # an older version cannot be filed once a newer exists
        actions.submit_report(Report.objects.get(pk=first.pk), actor=rbkc_dpo)
    actions.submit_report(follow, actor=rbkc_dpo)
    ico.refresh_from_db()
    assert (
        ico.submitted_at == Report.objects.get(pk=first.pk).submitted_at
    )  # the clock stopped at the first filing


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (
            "ncsc",
            [
                "Cyber incident report to the National Cyber Security Centre",
                "Contact on an uncompromised channel",
                "Who else has been told",
                "Analysis so far",
                "Next steps",
            ],
        ),
        ("police", ["Crime report summary for Report Fraud", "0300 123 2040", "People whose data was taken"]),
        (
            "insurer",
            [
                "Notice of a cyber incident to the insurer",
                "Municipal Cyber Mutual",
                "4 people, 3 at high risk",
            ],
        ),
    ],
)
def test_partner_reports_render_in_both_formats(
    scanned: Breach, rbkc_dpo: User, kind: str, expected: list[str]
) -> None:
    report = actions.draft_report(scanned, actor=rbkc_dpo, kind=kind)
    for reader, fmt in ((pdf_text, "pdf"), (docx_text, "docx")):
        text = flat(reader(report_response(report, fmt).content))
        for phrase in expected:
            assert phrase in text, (kind, fmt, phrase)
    actions.submit_report(report, actor=rbkc_dpo, external_reference=f"{kind.upper()}-42")
    ob = Obligation.objects.get(incident=scanned.incident, organisation=scanned.organisation, code=kind)
    assert ob.status == ObligationStatus.SUBMITTED and ob.external_reference == f"{kind.upper()}-42"


def test_ncsc_lists_reports_already_filed(scanned: Breach, rbkc_dpo: User) -> None:
    police = actions.draft_report(scanned, actor=rbkc_dpo, kind="police")
    actions.submit_report(police, actor=rbkc_dpo, external_reference="NFRC251124000123")
    ncsc = actions.draft_report(scanned, actor=rbkc_dpo, kind="ncsc")
    text = flat(docx_text(report_response(ncsc, "docx").content))
    assert "NFRC251124000123" in text


def test_hostile_text_renders_safely(scanned: Breach, rbkc_dpo: User) -> None:
    from incidentroom.breach.models import Breach
    from incidentroom.core.text import ControlCharacterError

    # A control character is refused on every route now...
    with pytest.raises(ControlCharacterError):
        actions.update_breach(scanned, actor=rbkc_dpo, description="bell\x07")
    # ...but a row stored before that check must still render.
    Breach.objects.filter(pk=scanned.pk).update(description="<b>bold</b> & <script>x</script>\x07 done")
    scanned.refresh_from_db()
    report = actions.draft_report(scanned, actor=rbkc_dpo, kind="ico")
    assert "<b>bold</b> & <script>x</script> done" in flat(pdf_text(report_response(report, "pdf").content))
    assert "<b>bold</b> & <script>x</script> done" in flat(docx_text(report_response(report, "docx").content))


def test_a_shared_archive_is_counted_per_controller(
    breach: Breach, rbkc_dpo: User, wcc_dpo: User, shared_root: Any
) -> None:
    from django.utils import timezone

    from incidentroom.core.models import Organisation
    from tests.helpers.breachhelp import PEOPLE, import_people

    people = [dict(p) for p in PEOPLE]
    roots = [str((shared_root / "rbkc").resolve()), str((shared_root / "wcc").resolve())]
    for p, root in zip(people, [roots[0], roots[1], roots[1], roots[0]], strict=True):
        p["source_roots"] = root
    import_people(breach, rbkc_dpo, shared_root, people, sources=[("rbkc", "RBKC"), ("wcc", "WCC")])
    rbkc = actions.draft_report(breach, actor=rbkc_dpo, kind="ico").facts["scan"]
    # Alice (2 documents) and Dev (1): the scanner's all-folder record count is not RBKC's.
    assert rbkc["individuals"] == 2 and rbkc["records"] == 3
    assert "health" not in rbkc["categories"] and "passport_number" in rbkc["categories"]
    wcc_breach = actions.record_breach(
        breach.incident,
        actor=wcc_dpo,
        organisation=Organisation.objects.get(code="WCC"),
        description="Our files were in the shared archive.",
        became_aware_at=timezone.now(),
    )
    wcc = actions.draft_report(wcc_breach, actor=wcc_dpo, kind="ico").facts["scan"]
    assert wcc["individuals"] == 2 and wcc["special_categories"] == ["health"]
