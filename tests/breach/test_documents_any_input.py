"""Every document renders every allowed input: a property test fills every free-text field
that reaches a PDF or DOCX at its maximum length (the limits are read from the API schemas
that accept them), with mixed scripts, markup characters and line breaks, then renders every
PDF and DOCX the product produces and reads it back."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from incidentroom.breach import actions, resident
from incidentroom.breach.downloads import report_response
from incidentroom.breach.models import Breach, Individual, ReportKind
from incidentroom.breach.reports.build import document_for
from incidentroom.breach.schemas import BreachPatch
from incidentroom.continuity import actions as continuity_actions
from incidentroom.continuity.api import PlanIn, SupplierIn
from incidentroom.continuity.models import Supplier
from incidentroom.estate.models import Service
from incidentroom.incidents import actions as incident_actions
from incidentroom.incidents.api import IncidentPatch, LogEntryIn
from incidentroom.incidents.models import Incident
from tests.helpers.breachhelp import approve_wording, docx_text, flat, make_letters
from tests.helpers.pdfcheck import pdftotext, rasterise

pytestmark = pytest.mark.slow

# Residents' names, markup characters, a tab and a combining mark, and line breaks.
ALPHABET = sorted(
    set("Łukasz Wiśniewski Nguyễn Thị Hương محمد علي Ιωάννης Oğuz Yılmaz Zoë नमस्ते שלום <&>'\"\t\u0301")
) + [
    "\n",
    "\r\n",
]
# Whitespace-only seeds are left out: the actions strip whitespace, so the field would be empty.
SEEDS = st.lists(st.sampled_from(ALPHABET), min_size=1, max_size=60).map("".join).filter(str.strip)
# Always tried as well: every script with markup and Windows line ends, and a run with no
# space at all (one 20,000-character word).
MIXED = "Zoë Brontë-Hughes, محمد علي\r\nŁukasz Wiśniewski <b>&amp;</b> Nguyễn Thị Hương नमस्ते\n"
UNBROKEN = "محمدअनिलŁukaszΙωάννης"

# The address has no declared limit (it comes from the scan); a long one stands in.
ADDRESS_LENGTH = 2_000

DOCS_SETTINGS = settings(
    max_examples=1,
    deadline=None,
    derandomize=True,  # the same examples on every run and every machine
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


def limit(schema: Any, field: str) -> int:
    """The API's maximum length for a field."""
    for rule in schema.model_fields[field].metadata:
        if getattr(rule, "max_length", None) is not None:
            return int(rule.max_length)
    raise AssertionError(f"{schema.__name__}.{field} declares no maximum length")


def text_fields(schema: Any) -> list[str]:
    """Every string field with a declared maximum length."""
    return [
        name
        for name, info in schema.model_fields.items()
        if "str" in str(info.annotation) and any(getattr(r, "max_length", None) for r in info.metadata)
    ]


def fill(seed: str, length: int, tag: str) -> str:
    """The seed repeated to exactly ``length`` characters, ending with a line break and a
    marker: the marker is found only if the whole text was drawn, and starts a line only
    if line breaks are kept."""
    marker = f"\nEND{tag}"
    body = seed * (length // len(seed) + 1)
    value = body[: length - len(marker)] + marker
    # A value cut mid "\r\n" would end in a bare CR; the documents keep that as a break too.
    assert len(value) == length
    return value


def fill_line(seed: str, length: int, tag: str) -> str:
    """As :func:`fill` for a single-line field: the seed without line breaks, then the marker."""
    line = " ".join(seed.splitlines()) or "x"
    marker = f" END{tag}"
    value = (line * (length // len(line) + 1))[: length - len(marker)] + marker
    assert len(value) == length
    return value


def _single_line(model: Any, name: str) -> bool:
    """A CharField holds one line (the product refuses CR/LF there); a TextField holds text."""
    from django.db import models

    return isinstance(model._meta.get_field(name), models.CharField)


def assert_markers(text: str, markers: list[str], *, own_line: bool = True) -> None:
    lines = {line.strip() for line in text.splitlines()}
    for marker in markers:
        if own_line:
            assert marker in lines, f"{marker} missing or not on its own line"
        else:
            assert marker in flat(text), f"{marker} missing"


def assert_pdf(data: bytes, markers: list[str]) -> None:
    assert data.startswith(b"%PDF-")
    rasterise(data)
    assert_markers(pdftotext(data), markers)


def _markers(tags: list[str]) -> list[str]:
    return [f"END{t}" for t in tags]


@given(seed=SEEDS)
@example(seed=MIXED)
@example(seed=UNBROKEN)
@DOCS_SETTINGS
def test_reports_render_every_field_at_its_limit(breach: Breach, rbkc_dpo: User, seed: str) -> None:
    changes = {name: fill(seed, limit(BreachPatch, name), name.upper()) for name in text_fields(BreachPatch)}
    actions.update_breach(breach, actor=rbkc_dpo, **changes)
    Incident.objects.filter(pk=breach.incident_id).update(
        title=fill(seed, limit(IncidentPatch, "title"), "TITLE"),
        summary=fill(seed, limit(IncidentPatch, "summary"), "SUMMARY"),
    )
    breach.refresh_from_db()
    for kind in ReportKind.values:
        report = actions.draft_report(breach, actor=rbkc_dpo, kind=kind)
        plain = document_for(report).plain_text()
        own_line = re.findall(r"^END[A-Z_]+$", plain, re.M)
        assert own_line, kind  # every report prints some of the free text
        anywhere = re.findall(r"END[A-Z_]+", plain)
        pdf = report_response(report, "pdf").content
        assert_pdf(pdf, own_line)
        assert_markers(pdftotext(pdf), anywhere, own_line=False)
        docx = docx_text(report_response(report, "docx").content)
        assert_markers(docx, own_line)
        assert_markers(docx, anywhere, own_line=False)
    # The ICO report prints the description (the 500 in the issue).
    ico = actions.draft_report(breach, actor=rbkc_dpo, kind="ico")
    assert "ENDDESCRIPTION" in document_for(ico).plain_text()


@given(seed=SEEDS)
@example(seed=MIXED)
@example(seed=UNBROKEN)
@DOCS_SETTINGS
def test_letters_render_every_field_at_its_limit(scanned: Breach, rbkc_dpo: User, seed: str) -> None:
    changes = {name: fill(seed, limit(BreachPatch, name), name.upper()) for name in text_fields(BreachPatch)}
    actions.update_breach(scanned, actor=rbkc_dpo, **changes)
    # Letters carry the resident wording, each field at its limit; the internal assessment
    # fields just filled are never copied into them.
    wording = {name: fill(seed, resident.MAX_LENGTH, name.upper()) for name in resident.RESIDENT_FIELDS}
    approve_wording(scanned, rbkc_dpo, **wording)
    scanned.refresh_from_db()
    person = Individual.objects.filter(breach=scanned).order_by("pk").first()
    assert person is not None
    Individual.objects.filter(pk=person.pk).update(
        full_name=fill(seed, Individual._meta.get_field("full_name").max_length or 0, "NAME"),
        address=fill(seed, ADDRESS_LENGTH, "ADDRESS"),
        risk="high",
        contact_status="to_notify",
    )
    batch = make_letters(scanned, rbkc_dpo, ["high", "low"])
    letter = batch.letters.get(individual=person)
    data = (Path(batch.directory) / "letters" / letter.filename).read_bytes()
    assert_pdf(data, ["ENDNAME", *(f"END{name.upper()}" for name in resident.RESIDENT_FIELDS)])
    assert not {"ENDDESCRIPTION", "ENDMEASURES_TAKEN", "ENDDATA_SETS"} & set(flat(pdftotext(data)).split())
    print_file = (Path(batch.directory) / "print-file.pdf").read_bytes()
    assert "ENDNAME" in flat(pdftotext(print_file))


@given(seed=SEEDS)
@example(seed=MIXED)
@example(seed=UNBROKEN)
@DOCS_SETTINGS
def test_log_pdf_renders_an_entry_at_its_limit(
    incident: Incident, rbkc_gold: User, web: Callable[[User], Client], seed: str
) -> None:
    entry = incident_actions.add_log_entry(
        incident,
        actor=rbkc_gold,
        kind="decision",
        text="x" + fill(seed, limit(LogEntryIn, "text") - 1, "ENTRY"),
    )
    response = web(rbkc_gold).get(f"/incidents/{incident.reference}/log.pdf")
    assert response.status_code == 200
    text = pdftotext(response.content)
    assert_pdf(response.content, ["ENDENTRY"])
    assert entry.entry_hash in flat(text).replace(" ", "")


@given(seed=SEEDS)
@example(seed=MIXED)
@example(seed=UNBROKEN)
@DOCS_SETTINGS
def test_grab_bag_renders_every_field_at_its_limit(
    rbkc_gold: User, web: Callable[[User], Client], seed: str
) -> None:
    service = Service.objects.filter(organisation__code="RBKC").order_by("pk").first()
    assert service is not None
    plan_fields = {
        name: fill(seed, limit(PlanIn, name), name.upper()) for name in text_fields(PlanIn) if name != "owner"
    }
    continuity_actions.save_plan(service, actor=rbkc_gold, **plan_fields)
    supplier_fields = {
        # A name or a list of supplies is one line (CR/LF are refused there); notes are text.
        name: (fill_line if _single_line(Supplier, name) else fill)(
            seed, limit(SupplierIn, name), name.upper()
        )
        for name in text_fields(SupplierIn)
        if name not in ("email", "phone")  # validated formats, not free text
    }
    continuity_actions.add_supplier(service.organisation, actor=rbkc_gold, **supplier_fields)
    response = web(rbkc_gold).get("/continuity/RBKC/grab-bag.pdf")
    assert response.status_code == 200
    markers = _markers([n.upper() for n in plan_fields if n != "minimum_service_level"])
    assert_pdf(response.content, markers + ["ENDMINIMUM_SERVICE_LEVEL"])
    assert_markers(pdftotext(response.content), ["ENDNAME", "ENDSUPPLIES"], own_line=False)
