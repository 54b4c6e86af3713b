"""Hebrew and Arabic in PDFs come out in reading order, whichever way the producer drew them.

Two kinds of producer, both common in council archives: report writers and form
generators without bidi support (ReportLab's drawString, FPDF) draw the reading order
from left to right, so a plain reader gives each word back to front; Word, LibreOffice
and browsers shape the letters and draw them right to left, which PDFium reads letter by
letter correctly but with a two-word name's words swapped. The PDFs are made here by
the two kinds of producer (ReportLab without bidi, and WeasyPrint, which shapes with
Pango and HarfBuzz, and Chromium printing a page).
"""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from incidentroom.scanner.extract.base import Blob, Limits
from incidentroom.scanner.extract.bidi import PlacedChar, drawn_order, reading_order, reversal_evidence
from incidentroom.scanner.extract.pdf import PdfExtractor
from incidentroom.scanner.model import TextUnit

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
CHROMIUM = "/usr/bin/chromium"

# Lines as a council form holds them: a label, then a name in Arabic or Hebrew script,
# with the identifiers beside it in Latin letters and digits.
LINES = [
    "Applicant: ريتاج باهلة",
    "Signed: زهران ضياء DOB 01/02/1960",
    "Brother: مُسعف النقيب",
    "Full name: أحمد الفتياني",
    "Name: דוד כהן, Tel 020 7946 0123",
    "Tenant: רות שמעון",
]


def _reportlab_pdf(lines: list[str]) -> bytes:
    """Each line drawn with drawString: reading order laid left to right, no shaping."""
    if "DejaVu" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("DejaVu", str(FONT)))
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, invariant=1)
    pdf.setFont("DejaVu", 11)
    y = 800
    for line in lines:
        pdf.drawString(50, y, line)
        y -= 18
    pdf.save()
    return buf.getvalue()


def _shaped_pdf(lines: list[str]) -> bytes:
    """The same lines laid out by a bidi-aware producer (Pango and HarfBuzz)."""
    weasyprint = pytest.importorskip("weasyprint")
    body = "".join(f"<p>{line}</p>" for line in lines)
    html = f"<html><body style=\"font-family: 'DejaVu Sans'\">{body}</body></html>"
    pdf: bytes = weasyprint.HTML(string=html).write_pdf()
    return pdf


def _chromium_pdf(lines: list[str], tmp_path: Path) -> bytes:
    """The same lines printed to PDF by Chromium (Skia), as a web form's 'save as PDF' does."""
    body = "".join(f"<p>{line}</p>" for line in lines)
    page = tmp_path / "form.html"
    page.write_text(
        f"<html><head><meta charset='utf-8'></head><body style=\"font-family: 'DejaVu Sans'\">{body}</body></html>",
        encoding="utf-8",
    )
    out = tmp_path / "form.pdf"
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", f"--print-to-pdf={out}"]
    subprocess.run(
        [*command, "--no-pdf-header-footer", page.as_uri()], capture_output=True, timeout=120, check=False
    )
    if not out.exists():
        pytest.skip("Chromium did not print the page")
    return out.read_bytes()


def _pdf_text(data: bytes) -> list[str]:
    blob = Blob("form.pdf", lambda: io.BytesIO(data), len(data))
    units = [o for o in PdfExtractor().extract(blob, Limits()) if isinstance(o, TextUnit)]
    return [line.strip() for unit in units for line in unit.text.splitlines() if line.strip()]


@pytest.mark.skipif(not FONT.exists(), reason="DejaVu Sans (fonts-dejavu-core) is not installed")
def test_pdf_drawn_without_bidi_reads_in_reading_order() -> None:
    assert _pdf_text(_reportlab_pdf(LINES)) == LINES


@pytest.mark.skipif(not FONT.exists(), reason="DejaVu Sans (fonts-dejavu-core) is not installed")
def test_pdf_drawn_without_bidi_one_name_per_page_in_either_script() -> None:
    """A single name is little evidence; each of these has one letter that fixes the way."""
    for line in ("Name: ضياء زهران", "Name: هدى كريم", "Name: משה לוין", "Name: سلمى الحسن"):
        assert _pdf_text(_reportlab_pdf([line])) == [line], line


def test_pdf_from_a_shaping_producer_keeps_reading_order() -> None:
    assert _pdf_text(_shaped_pdf(LINES)) == LINES


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium is not installed")
def test_pdf_printed_by_chromium_keeps_reading_order(tmp_path: Path) -> None:
    """PDFium turns some of Chromium's right-to-left words round and not others; the glyphs'
    positions give them back in reading order, vowel marks on their letters."""
    lines = [*LINES, "Applicant: Mr محمد علي"]
    assert _pdf_text(_chromium_pdf(lines, tmp_path)) == lines


@pytest.mark.skipif(not FONT.exists(), reason="DejaVu Sans (fonts-dejavu-core) is not installed")
def test_latin_only_pdf_is_unchanged() -> None:
    lines = ["Name: Bethan Roberts", "DOB 02/03/1957", "Flat 3, 14 Hill Road, London N1 2AB"]
    assert _pdf_text(_reportlab_pdf(lines)) == lines


def test_no_evidence_leaves_the_reader_text() -> None:
    """'محمد علي' has no letter that only begins or only ends a word: the reader's text stands."""
    assert reversal_evidence("دمحم يلع") == 0
    assert reversal_evidence("Applicant Smith 12 High Street") == 0


@pytest.mark.parametrize(
    ("reversed_text", "forward_text"),
    [
        ("ةلهاب جاتير", "ريتاج باهلة"),  # teh marbuta ends a word
        ("ءايض", "ضياء"),  # a bare hamza ends one
        ("ىده", "هدى"),  # alef maksura ends one
        ("بيقنلا", "النقيب"),  # the article begins one
        ("دمحأ", "أحمد"),  # hamza on alef begins one
        ("ןהכ", "כהן"),  # Hebrew final nun ends one
        ("םולש", "שלום"),  # final mem
        ("ץרא", "ארץ"),  # final tsadi
    ],
)
def test_reversal_evidence_reads_the_ends_of_words(reversed_text: str, forward_text: str) -> None:
    assert reversal_evidence(reversed_text) > 0
    assert reversal_evidence(forward_text) < 0


def test_a_mark_before_its_letter_is_no_evidence() -> None:
    """PDFium may put a vowel mark before the letter it sits on, in correct text too."""
    assert reversal_evidence("\u064fمسعف") == reversal_evidence("مسعف")


def _placed(text: str, width: float = 6.0, start: float = 0.0) -> list[PlacedChar]:
    return [PlacedChar(c, start + i * width, start + (i + 1) * width) for i, c in enumerate(text)]


def test_drawn_order_sorts_by_position_and_keeps_word_gaps() -> None:
    # PDFium's order for a line drawn left to right: words turned round.
    chars = _placed("Name:") + _placed("ريتاج", start=40) + _placed("باهلة", start=75)
    shuffled = chars[:5] + list(reversed(chars[5:10])) + list(reversed(chars[10:]))
    assert drawn_order(shuffled) == "Name: ريتاج باهلة"


def test_drawn_order_ignores_generated_characters() -> None:
    chars = [*_placed("AB"), PlacedChar("\r", 0, 0, generated=True), PlacedChar(" ", 0, 0, generated=True)]
    assert drawn_order(chars) == "AB"


def test_reading_order_turns_each_run_round_and_keeps_numbers() -> None:
    assert reading_order("Name: ءايض نارهز DOB 01/02/1960") == "Name: زهران ضياء DOB 01/02/1960"
    assert reading_order("Tel: 0207 946 ןהכ דוד") == "Tel: 0207 946 דוד כהן"
    assert reading_order("(ןהכ)") == "(כהן)"
    assert reading_order("no right-to-left here") == "no right-to-left here"
    # A number inside a run keeps its own order.
    assert reading_order("ةقش 12 ةفرغ") == "غرفة 12 شقة"


@pytest.mark.skipif(not FONT.exists(), reason="DejaVu Sans (fonts-dejavu-core) is not installed")
def test_no_letter_evidence_falls_back_on_the_producer() -> None:
    """'محمد علي' and 'ربيع غطفان' have no letter that only begins or ends a word; a
    ReportLab PDF draws them unreordered, a shaping producer's PDF does not."""
    lines = ["Applicant: Mr محمد علي", "Signed: ربيع غطفان"]
    assert _pdf_text(_reportlab_pdf(lines)) == lines
    assert _pdf_text(_shaped_pdf(lines)) == lines


@pytest.mark.parametrize(
    ("producer", "evidence"),
    [
        ("ReportLab PDF Library - www.reportlab.com", 1),
        ("ReportLab PDF Library - (opensource)", 1),
        ("FPDF 1.86", 1),
        ("PyFPDF 1.7.2 http://pyfpdf.googlecode.com/", 1),  # the old port: no bidi either
        ("Microsoft® Word for Microsoft 365", 0),
        ("WeasyPrint 62.3", 0),
        ("", 0),
    ],
)
def test_producer_evidence(producer: str, evidence: int) -> None:
    from incidentroom.scanner.extract.bidi import producer_evidence

    assert producer_evidence(producer) == evidence
