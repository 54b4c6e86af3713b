"""A figure nobody knows yet reads "Not yet known", never 0 (issue 18.5): every report kind
in PDF, DOCX and on its page, the breach page and the API, before any scan has finished;
and the real figures once one has."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from incidentroom.breach.models import Breach, ReportKind
from tests.helpers.breachhelp import docx_text, flat, import_people, pdf_text
from tests.helpers.clients import ApiClient

KINDS = [k.value for k in ReportKind]


def _documents(client: Any, breach: Any, kind: str) -> tuple[int, str, str, str]:
    r = client.post(f"/breaches/{breach.pk}/reports/", {"kind": kind})
    assert r.status_code == 302, r.content
    report_id = int(r["Location"].rstrip("/").rsplit("/", 1)[1])
    page = flat(client.get(r["Location"]).content.decode())
    pdf = flat(pdf_text(client.get(f"/reports/{report_id}/download.pdf").content))
    docx = flat(docx_text(client.get(f"/reports/{report_id}/download.docx").content))
    return report_id, page, pdf, docx


@pytest.mark.parametrize("kind", KINDS)
def test_before_any_scan_the_number_of_people_is_not_yet_known(
    kind: str, breach: Breach, rbkc_dpo: User, web: Callable[[User], Client], api: Callable[[User], ApiClient]
) -> None:
    client = web(rbkc_dpo)
    report_id, page, pdf, docx = _documents(client, breach, kind)
    for text in (page, pdf, docx):
        assert " 0 people" not in text and "about 0" not in text
        assert "affected 0" not in text and "approximately) 0" not in text
    if kind in ("ico", "police", "insurer", "ncsc"):
        for text in (pdf, docx):
            assert "Not yet known" in text or "not yet known" in text, (kind, text[:3000])
    if kind == "ico":
        for text in (pdf, docx):
            assert "Approximate number of people affected Not yet known" in text
            assert "Approximate number of records Not yet known" in text
    if kind == "insurer":
        assert "about" not in pdf.split("Personal data breach", 1)[1][:80]
    listed = api(rbkc_dpo).get(f"/breach/breaches/{breach.pk}/reports").json()
    assert next(r for r in listed if r["id"] == report_id)["individuals"] is None
    detail = flat(client.get(f"/breaches/{breach.pk}/").content.decode())
    assert "Not yet known: no scan has finished" in detail


def test_after_a_scan_the_real_figures_replace_not_yet_known(
    breach: Breach, rbkc_dpo: User, web: Callable[[User], Client], media: Path
) -> None:
    import_people(breach, rbkc_dpo, media)
    client = web(rbkc_dpo)
    _, page, pdf, docx = _documents(client, breach, "ico")
    for text in (pdf, docx):
        assert "Approximate number of people affected 4" in text
        assert "Not yet known" not in text.split("Personal data involved", 1)[1].split("Consequences", 1)[0]
    _, _, insurer, _ = _documents(client, breach, "insurer")
    assert "Yes: about 4 people" in insurer
    assert "Not yet known" not in flat(client.get(f"/breaches/{breach.pk}/").content.decode())
