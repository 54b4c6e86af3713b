"""Low-level file writers for the independent archive: PDF with a text layer, DOCX with
headers, footers, comments, tracked insertions and a VML text box, XLSX, and images of
typed forms (PNG, JPEG, multi-page TIFF, image-only PDF)."""

from __future__ import annotations

import io
import random
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path

from docx import Document
from docx.oxml import parse_xml
from PIL import Image, ImageDraw, ImageFilter, ImageFont
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from tests.helpers.office_writers import write_xlsx

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
_registered = False


def _font() -> str:
    global _registered
    if not _registered:
        # DejaVu covers Latin, Greek, Cyrillic, Vietnamese and Arabic code points, so every
        # name lands in the text layer as its own characters.
        pdfmetrics.registerFont(TTFont("DejaVu", FONT))
        _registered = True
    return "DejaVu"


def pdf_bytes(pages: list[list[str]], footer: str = "") -> bytes:
    """A PDF whose pages carry the given lines in a real text layer."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    font = _font()
    for lines in pages:
        y = A4[1] - 60
        for line in lines:
            c.setFont(font, 11)
            c.drawString(50, y, line)
            y -= 18
        if footer:
            c.setFont(font, 8)
            c.drawString(50, 30, footer)
        c.showPage()
    c.save()
    return buf.getvalue()


W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def docx_bytes(
    paragraphs: list[str],
    *,
    heading: str = "",
    header: str = "",
    footer: str = "",
    comment: tuple[str, str] | None = None,
    tracked: str = "",
    textbox: str = "",
    table: list[list[str]] | None = None,
) -> bytes:
    """A DOCX note: heading, body paragraphs, optional header/footer, a comment (author,
    text) on the first paragraph, a tracked insertion and a VML text box."""
    doc = Document()
    sec = doc.sections[0]
    if header:
        sec.header.paragraphs[0].text = header
    if footer:
        sec.footer.paragraphs[0].text = footer
    if heading:
        doc.add_heading(heading, level=1)
    first = None
    for text in paragraphs:
        para = doc.add_paragraph(text)
        first = first or para
    if table:
        t = doc.add_table(rows=len(table), cols=len(table[0]))
        for i, row in enumerate(table):
            for j, val in enumerate(row):
                t.cell(i, j).text = val
    if tracked:
        para = doc.add_paragraph()
        para._p.append(
            parse_xml(
                f'<w:ins {W_NS} w:id="901" w:author="Case worker" w:date="2016-05-04T10:00:00Z">'
                f'<w:r><w:t xml:space="preserve">{_esc(tracked)}</w:t></w:r></w:ins>'
            )
        )
    if textbox:
        para = doc.add_paragraph()
        para._p.append(
            parse_xml(
                f'<w:r {W_NS} xmlns:v="urn:schemas-microsoft-com:vml"><w:pict>'
                '<v:shape id="tb1" style="width:200pt;height:60pt" type="#_x0000_t202">'
                f"<v:textbox><w:txbxContent><w:p><w:r><w:t>{_esc(textbox)}</w:t></w:r></w:p>"
                "</w:txbxContent></v:textbox></v:shape></w:pict></w:r>"
            )
        )
    if comment and first is not None and hasattr(doc, "add_comment"):
        doc.add_comment(first.runs, text=comment[1], author=comment[0], initials="CW")
    doc.core_properties.created = datetime(2015, 1, 1)
    doc.core_properties.modified = datetime(2015, 1, 1)
    doc.core_properties.last_modified_by = "Social Care"
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# A spreadsheet cell as written: text, a number (Excel's typed cells), or empty.
Cell = str | float | None


def xlsx_bytes(sheets: Mapping[str, Sequence[Sequence[Cell]]]) -> bytes:
    """An XLSX as Excel stores it; int/float values become number cells (so a phone number
    typed into one has lost its leading zero, and a date is a bare serial number)."""
    return write_xlsx(
        {name: [[("" if v is None else v) for v in row] for row in rows] for name, rows in sheets.items()}
    )


def form_image(lines: list[str], rng: random.Random) -> Image.Image:
    """A typed paper form as scanned: A4 at 150 dpi, greyscale, a slight skew and noise."""
    img = Image.new("L", (1240, 1754), 250)
    draw = ImageDraw.Draw(img)
    big = ImageFont.truetype(FONT, 34)
    font = ImageFont.truetype(FONT, 28)
    y = 120
    for i, line in enumerate(lines):
        draw.text((110, y), line, fill=20, font=big if i == 0 else font)
        y += 70 if i == 0 else 56
    draw.rectangle((90, 100, 1150, y + 30), outline=80, width=2)
    img = img.rotate(rng.uniform(-0.8, 0.8), fillcolor=250, resample=Image.Resampling.BICUBIC)
    return img.filter(ImageFilter.GaussianBlur(0.4))


def save_image(imgs: list[Image.Image], path: Path) -> None:
    """PNG, JPEG, TIFF (multi-page, CCITT G4 as office scanners write) or image-only PDF."""
    ext = path.suffix.lower()
    if ext in (".tif", ".tiff"):
        bw = [i.point(lambda v: 255 if v > 140 else 0).convert("1") for i in imgs]
        bw[0].save(path, save_all=True, append_images=bw[1:], compression="group4", dpi=(150, 150))
    elif ext == ".pdf":
        rgb = [i.convert("RGB") for i in imgs]
        rgb[0].save(path, save_all=True, append_images=rgb[1:], resolution=150.0)
    elif ext in (".jpg", ".jpeg"):
        imgs[0].save(path, quality=85, dpi=(150, 150))
    else:
        imgs[0].save(path, dpi=(150, 150))


def photo_bytes(rng: random.Random) -> bytes:
    """A photo of a damp wall: colour blotches, no text."""
    img = Image.new("RGB", (640, 480), (200, 195, 180))
    d = ImageDraw.Draw(img)
    for _ in range(40):
        x, y = rng.randrange(640), rng.randrange(480)
        r = rng.randrange(10, 60)
        d.ellipse((x - r, y - r, x + r, y + r), fill=(rng.randrange(40, 120), rng.randrange(60, 110), 60))
    buf = io.BytesIO()
    img.filter(ImageFilter.GaussianBlur(3)).save(buf, "JPEG", quality=80)
    return buf.getvalue()
