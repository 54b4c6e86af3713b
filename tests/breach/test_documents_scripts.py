"""Residents' names in any script: every letter, report and DOCX carries them exactly, shaped
and in the right order, with a real glyph for every character (no tofu)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from docx import Document as read_docx

from incidentroom.breach import actions
from incidentroom.breach.downloads import report_response
from incidentroom.breach.models import Breach, Individual
from incidentroom.core.pdf import html_to_pdf
from tests.helpers.breachhelp import docx_text, flat, make_letters
from tests.helpers.pdfcheck import assert_no_tofu, missing_glyphs, pdftotext

NAMES = [
    "Łukasz Wiśniewski",
    "Nguyễn Thị Hương",
    "محمد علي",
    "Ιωάννης Παπαδόπουλος",
    "Oğuz Yılmaz",
    "Zoë Brontë-Hughes",
]


def _people_named(breach: Any) -> list[Individual]:
    """The four imported people renamed, and two more like them, one per name above."""
    people = list(Individual.objects.filter(breach=breach).order_by("pk"))
    while len(people) < len(NAMES):
        twin = Individual.objects.get(pk=people[0].pk)
        twin.pk = None
        twin.person_id = f"P9{len(people):03d}"
        twin.save()
        twin.organisations.set(people[0].organisations.all())
        people.append(twin)
    for person, name in zip(people, NAMES, strict=True):
        person.full_name = name
        person.risk = "high"
        person.save(update_fields=["full_name", "risk"])
    return people


def test_one_letter_per_script_reads_back_with_the_exact_name(scanned: Breach, rbkc_dpo: User) -> None:
    people = _people_named(scanned)
    batch = make_letters(scanned, rbkc_dpo, ["high", "low"])
    directory = Path(batch.directory)
    letters = {lt.individual_id: lt for lt in batch.letters.all()}
    assert set(letters) == {p.pk for p in people}
    for person in people:
        data = (directory / "letters" / letters[person.pk].filename).read_bytes()
        text = pdftotext(data)
        lines = [line.strip() for line in text.splitlines()]
        # The address window holds the name alone on its line, in logical order (for محمد علي
        # that is محمد then علي, as typed: poppler reverses the drawn right-to-left run back).
        assert person.full_name in lines, (person.full_name, lines[:6])
        assert f"Dear {person.full_name}," in flat(text)
        assert_no_tofu(data)
    print_file = (directory / "print-file.pdf").read_bytes()
    text = flat(pdftotext(print_file))
    assert all(name in text for name in NAMES)
    assert_no_tofu(print_file)


def test_arabic_is_shaped_and_drawn_right_to_left(scanned: Breach) -> None:
    # Shaped: the letters of محمد join, so the drawn run is narrower than the same letters
    # drawn apart (isolated forms separated by zero-width non-joiners).
    joined = html_to_pdf('<p style="font-size:40pt">محمد علي</p>')
    apart = html_to_pdf('<p style="font-size:40pt">م\u200cح\u200cم\u200cد ع\u200cل\u200cي</p>')
    assert _ink_width(joined) < _ink_width(apart)
    # Right to left: the first letter typed is drawn rightmost.
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(joined)
    page = pdf[0]
    text = page.get_textpage()
    chars = [(text.get_text_range(i, 1), text.get_charbox(i)[0]) for i in range(text.count_chars())]
    text.close()
    page.close()
    pdf.close()
    x = {ch: left for ch, left in chars}
    assert x["م"] > x["ع"]  # محمد (typed first) stands to the right of علي


def _ink_width(data: bytes) -> int:
    from PIL import Image

    from tests.helpers.pdfcheck import rasterise

    image = Image.open(rasterise(data)[0]).convert("L")
    box = image.point(lambda v: 255 if v < 128 else 0).getbbox()
    assert box is not None
    return box[2] - box[0]


def test_the_tofu_check_finds_a_character_no_font_has(db: None) -> None:
    # U+E000 is a private-use code point no installed font draws: the check must fail on it.
    data = html_to_pdf("<p>Name: \ue000\ue001</p>")
    assert [ch for _page, ch, _font in missing_glyphs(data)] == ["\ue000", "\ue001"]


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_reports_carry_every_name(breach: Breach, rbkc_dpo: User, fmt: str) -> None:
    actions.update_breach(breach, actor=rbkc_dpo, description="Files about:\n" + "\n".join(NAMES))
    for kind in ("ico", "ncsc", "police", "insurer"):
        report = actions.draft_report(breach, actor=rbkc_dpo, kind=kind)
        body = report_response(report, fmt).content
        if fmt == "pdf":
            lines = [line.strip() for line in pdftotext(body).splitlines()]
            if kind == "ico":  # the ICO report prints the description; each name on its own line
                assert all(name in lines for name in NAMES), (kind, lines)
            assert_no_tofu(body)
        elif kind == "ico":
            assert all(name in docx_text(body).splitlines() for name in NAMES)


def test_docx_marks_right_to_left_text(db: None) -> None:
    from docx.oxml.ns import qn

    from incidentroom.breach.reports.document import Document, Item, Section
    from incidentroom.breach.reports.render_docx import render_docx

    body = render_docx(
        Document(
            title="T", greeting="Dear محمد علي,", sections=[Section("S", items=[Item("Name", "محمد علي")])]
        )
    )
    doc = read_docx(io.BytesIO(body))
    value = doc.tables[0].rows[0].cells[1].paragraphs[0]
    assert value.text == "محمد علي"
    assert value._p.pPr.find(qn("w:bidi")) is not None
    assert all(run._r.rPr.find(qn("w:rtl")) is not None for run in value.runs)
    greeting = next(p for p in doc.paragraphs if p.text.startswith("Dear"))
    ppr = greeting._p.pPr
    assert (greeting.text == "Dear محمد علي," and ppr is None) or (
        ppr is not None and ppr.find(qn("w:bidi")) is None
    )
