"""Every supported format, on files the tests generate, yields its people."""

from __future__ import annotations

import csv
import io
import shutil
import tarfile
import zipfile
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import docx
import py7zr
import pytest
from reportlab.pdfgen import canvas

from tests.helpers.office_writers import write_doc, write_msg, write_ods, write_xls, write_xlsx
from tests.helpers.scanhelp import scan

ROWS = [
    ["Full name", "Date of birth", "NI number", "Address", "Postcode", "Mobile"],
    ["Margaret Hughes", "14/07/1958", "JK 12 34 56 B", "4 Elm Road, Leeds", "LS6 2AB", "07911 123456"],
    ["Robert O'Neill", "1980-11-02", "PR654321A", "Flat 2, 9 Mill Lane, Bristol", "BS1 4ST", "020 7946 0123"],
]
LETTER = (
    "Mrs Margaret Hughes\n4 Elm Road\nLeeds\nLS6 2AB\n\nDear Mrs Hughes,\n"
    "Your date of birth is 14/07/1958 and your NHS number is 943 476 5919.\n"
    "You told us you have epilepsy.\nNext of kin: Robert O'Neill, tel 020 7946 0123\n"
)


def _csv(encoding: str, delimiter: str = ",") -> bytes:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter).writerows(ROWS)
    return buf.getvalue().encode(encoding)


def _pdf(text: str) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, invariant=1)
    y = 800
    for line in text.split("\n"):
        c.drawString(50, y, line)
        y -= 16
    c.save()
    return buf.getvalue()


def _docx(text: str, table: bool = False) -> bytes:
    document = docx.Document()
    for line in text.split("\n"):
        document.add_paragraph(line)
    if table:
        t = document.add_table(rows=len(ROWS), cols=len(ROWS[0]))
        for r, row in enumerate(ROWS):
            for c, value in enumerate(row):
                t.cell(r, c).text = value
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def _eml() -> bytes:
    msg = EmailMessage()
    msg["From"] = "Margaret Hughes <maggie.hughes@gmail.com>"
    msg["To"] = "Parking Services <parking@rbkc.example.gov.uk>"
    msg["Subject"] = "Permit"
    msg["Date"] = "Mon, 01 Mar 2010 10:00:00 +0000"
    msg.set_content("My number is 07911 123456 and my car is AB12 CDE.")
    msg.add_attachment(_csv("utf-8"), maintype="text", subtype="csv", filename="household.csv")
    return bytes(msg)


TABLE_FORMATS = {
    "utf8.csv": lambda: _csv("utf-8"),
    "utf16.csv": lambda: _csv("utf-16"),
    "cp1252.csv": lambda: _csv("cp1252").replace(b"Road", b"R\xf6ad"),
    "tabs.tsv": lambda: _csv("utf-8", "\t"),
    "book.xlsx": lambda: write_xlsx({"People": ROWS}),
    "book.xls": lambda: write_xls({"People": ROWS}),
    "book.ods": lambda: write_ods({"People": ROWS}),
    "table.docx": lambda: _docx("Register", table=True),
}


@pytest.mark.parametrize("name", sorted(TABLE_FORMATS))
def test_tables_give_one_person_per_row(name: str, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / name).write_bytes(TABLE_FORMATS[name]())
    result = scan(folder, tmp_path / "out")
    assert result.status(name)[0] == "scanned"
    people = {p["full_name"]: p for p in result.individuals}
    assert set(people) == {"Margaret Hughes", "Robert O'Neill"}
    assert people["Margaret Hughes"]["date_of_birth"] == "1958-07-14"
    assert people["Margaret Hughes"]["postcode"] == "LS6 2AB"
    assert "national_insurance_number" in people["Robert O'Neill"]["categories"].split(";")
    assert people["Robert O'Neill"]["phone"] == "+442079460123"


LETTER_FORMATS = {
    "letter.txt": lambda: LETTER.encode(),
    "letter.log": lambda: LETTER.encode("cp1252"),
    "letter.docx": lambda: _docx(LETTER),
    "letter.rtf": lambda: ("{\\rtf1\\ansi " + LETTER.replace("\n", "\\par\n") + "}").encode(),
    "letter.pdf": lambda: _pdf(LETTER),
    "letter.doc": lambda: write_doc(LETTER),
    "letter.html": lambda: (
        "<html><body>" + "".join(f"<p>{line}</p>" for line in LETTER.split("\n")) + "</body></html>"
    ).encode(),
    "letter.xml": lambda: (
        "<letter>"
        + "".join(f"<l>{line.replace(chr(39), '&apos;')}</l>\n" for line in LETTER.split("\n"))
        + "</letter>"
    ).encode(),
    "letter.json": lambda: (
        '{"lines": [' + ",".join(f'"{line}"' for line in LETTER.split("\n")) + "]}"
    ).encode(),
}


@pytest.mark.parametrize("name", sorted(LETTER_FORMATS))
def test_letters_give_addressee_and_next_of_kin(name: str, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / name).write_bytes(LETTER_FORMATS[name]())
    result = scan(folder, tmp_path / "out")
    assert result.status(name)[0] == "scanned"
    people = {p["full_name"]: p for p in result.individuals}
    assert set(people) == {"Margaret Hughes", "Robert O'Neill"}, people
    margaret = people["Margaret Hughes"]["categories"].split(";")
    assert {"address", "date_of_birth", "nhs_number", "health"} <= set(margaret)
    assert people["Margaret Hughes"]["risk"] == "high"
    assert people["Robert O'Neill"]["categories"] == "name;phone"
    assert people["Robert O'Neill"]["risk"] == "low"


def test_doc_without_antiword_or_catdoc_uses_the_word_stream(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import incidentroom.scanner.extract.worddoc as worddoc

    monkeypatch.setattr(f"{worddoc.__name__}.shutil.which", lambda name: None)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "letter.doc").write_bytes(write_doc(LETTER))
    result = scan(folder, tmp_path / "out")
    assert result.names() == {"Margaret Hughes", "Robert O'Neill"}


@pytest.mark.skipif(
    shutil.which("antiword") is None and shutil.which("catdoc") is None,
    reason="antiword/catdoc not installed",
)
def test_doc_with_debian_converters(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "letter.doc").write_bytes(write_doc(LETTER))
    result = scan(folder, tmp_path / "out")
    assert "Margaret Hughes" in result.names()


def test_emails_eml_mbox_msg_with_attachments(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "one.eml").write_bytes(_eml())
    mbox = b"".join(
        b"From sender Mon Mar  1 10:00:00 2010\n" + _eml().replace(b"\r\n", b"\n") + b"\n" for _ in range(3)
    )
    (folder / "box.mbox").write_bytes(mbox)
    (folder / "note.msg").write_bytes(
        write_msg(
            "Robert O'Neill",
            "rob.oneill@btinternet.com",
            [("Parking", "parking@rbkc.example.gov.uk")],
            "Permit",
            "Please call 020 7946 0123. My reg is AB12 CDE.",
            [("letter.txt", LETTER.encode())],
        )  # fmt: skip
    )
    result = scan(folder, tmp_path / "out")
    for name in ("one.eml", "box.mbox", "note.msg", "one.eml/household.csv", "note.msg/letter.txt"):
        assert result.status(name)[0] in ("scanned", "duplicate"), name
    people = {p["full_name"]: p for p in result.individuals}
    assert people["Margaret Hughes"]["email"] == "maggie.hughes@gmail.com"
    assert {"email", "phone", "vehicle_registration", "date_of_birth"} <= set(
        people["Margaret Hughes"]["categories"].split(";")
    )
    assert people["Robert O'Neill"]["email"] == "rob.oneill@btinternet.com"
    # The three identical mbox attachments and the .eml attachment are one document, scanned once.
    statuses = [m["status"] for m in result.manifest if m["path"].endswith("household.csv")]
    assert statuses.count("scanned") == 1 and statuses.count("duplicate") == 3


def test_nested_containers_to_any_depth(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as z:
        z.writestr("deep/letter.txt", LETTER)
    middle = io.BytesIO()
    with tarfile.open(fileobj=middle, mode="w:gz") as t:
        info = tarfile.TarInfo("inner.zip")
        info.size = len(inner.getvalue())
        t.addfile(info, io.BytesIO(inner.getvalue()))
    with zipfile.ZipFile(folder / "outer.zip", "w") as z:
        z.writestr("middle.tar.gz", middle.getvalue())
        z.writestr("mail.eml", _eml())
    with py7zr.SevenZipFile(folder / "extra.7z", "w") as archive:
        archive.writestr(_csv("utf-8"), "people.csv")
    result = scan(folder, tmp_path / "out")
    assert result.status("outer.zip!/middle.tar.gz!/inner.zip!/deep/letter.txt")[0] == "scanned"
    assert result.status("extra.7z!/people.csv")[0] == "scanned"
    assert result.names() == {"Margaret Hughes", "Robert O'Neill"}
    margaret = next(p for p in result.individuals if p["full_name"] == "Margaret Hughes")
    assert "outer.zip!/middle.tar.gz!/inner.zip!/deep/letter.txt" in margaret["documents"].split(";")


def _image_pdf(text: str) -> bytes:
    from PIL import Image, ImageDraw, ImageFont
    from reportlab.lib.utils import ImageReader

    image = Image.new("RGB", (1700, 400), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=48)
    for i, line in enumerate(text.split("\n")):
        draw.text((40, 40 + i * 70), line, fill="black", font=font)
    buf = io.BytesIO()
    c = canvas.Canvas(buf, invariant=1)
    c.drawImage(ImageReader(image), 20, 500, width=560, height=132)
    c.save()
    return buf.getvalue()


def test_pdf_without_text_layer_needs_ocr(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import incidentroom.scanner.extract.ocr as ocr

    monkeypatch.setattr(f"{ocr.__name__}.shutil.which", lambda name: None)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "scan.pdf").write_bytes(_image_pdf("Client: Margaret Hughes\nDOB: 14/07/1958"))
    result = scan(folder, tmp_path / "out")
    status, reason = result.status("scan.pdf")
    assert status == "needs_ocr"
    assert "page(s) 1" in reason


def test_pdf_without_text_layer_is_ocred_when_tesseract_is_installed(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "scan.pdf").write_bytes(_image_pdf("Client: Margaret Hughes\nDOB: 14/07/1958"))
    result = scan(folder, tmp_path / "out")
    status, reason = result.status("scan.pdf")
    assert status == "scanned" and "OCR" in reason
    assert "Margaret Hughes" in result.names()


def _page_image(text: str) -> Any:
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("L", (1700, 300), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=48)
    for i, line in enumerate(text.split("\n")):
        draw.text((40, 40 + i * 70), line, fill="black", font=font)
    return image


def test_scanned_images_are_ocred_page_by_page(tmp_path: Path) -> None:
    """PNG, JPEG and a two-page TIFF through Tesseract (make install and .ci/run install it)."""
    folder = tmp_path / "in"
    folder.mkdir()
    _page_image("Client: Margaret Hughes\nDOB: 14/07/1958").save(folder / "form.png")
    _page_image("Client: Owain Pritchard\nDOB: 02/03/1944").convert("RGB").save(
        folder / "form.jpg", quality=95
    )
    first = _page_image("Front page of the housing form")
    second = _page_image("Client: Nerys Jenkins\nDOB: 21/07/1983")
    first.save(folder / "form.tif", save_all=True, append_images=[second], compression="tiff_deflate")
    result = scan(folder, tmp_path / "out")
    for name in ("form.png", "form.jpg", "form.tif"):
        status, reason = result.status(name)
        assert status == "scanned" and "OCR" in reason, (name, reason)
    people = {p["full_name"]: p for p in result.individuals}
    assert people["Margaret Hughes"]["date_of_birth"] == "1958-07-14"
    assert people["Owain Pritchard"]["date_of_birth"] == "1944-03-02"
    assert people["Nerys Jenkins"]["date_of_birth"] == "1983-07-21"
    pages = {d["page"] for d in result.detections if d["file"] == "form.tif"}
    assert pages == {2}


def test_images_need_ocr_without_tesseract(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import incidentroom.scanner.extract.ocr as ocr

    monkeypatch.setattr(f"{ocr.__name__}.shutil.which", lambda name: None)
    folder = tmp_path / "in"
    folder.mkdir()
    _page_image("Client: Margaret Hughes").save(folder / "form.png")
    status, reason = scan(folder, tmp_path / "out").status("form.png")
    assert status == "needs_ocr" and "tesseract not installed" in reason


def _zip(parts: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, text in parts.items():
            z.writestr(name, text)
    return buf.getvalue()


_A = 'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"'
_P = 'xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"'


def _slide(*paragraphs: str) -> str:
    body = "".join(f"<a:p><a:r><a:t>{p}</a:t></a:r></a:p>" for p in paragraphs)
    return f"<p:sld {_A} {_P}><p:cSld><p:spTree><p:sp><p:txBody>{body}</p:txBody></p:sp></p:spTree></p:cSld></p:sld>"


def test_pptx_slides_and_notes_odt_and_odp(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "panel.pptx").write_bytes(
        _zip(
            {
                "[Content_Types].xml": "<Types/>",
                "ppt/slides/slide1.xml": _slide("Case review panel", "March 2015"),
                "ppt/slides/slide2.xml": _slide("Client: Margaret Hughes", "DOB: 14/07/1958"),
                "ppt/notesSlides/notesSlide2.xml": _slide("NI number JK 12 34 56 B"),
                "ppt/media/image1.png": "x",
            }
        )
    )
    text_ns = 'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    office_ns = 'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
    draw_ns = 'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"'
    (folder / "letter.odt").write_bytes(
        _zip(
            {
                "mimetype": "application/vnd.oasis.opendocument.text",
                "styles.xml": f"<office:document-styles {office_ns} {text_ns}><text:p>Our ref: Robert O'Neill</text:p></office:document-styles>",
                "content.xml": f"<office:document-content {office_ns} {text_ns}><office:body><office:text>"
                "<text:h>Housing review</text:h><text:p>Client: Robert<text:s/>O'Neill</text:p>"
                "<text:p>Date of birth: 02/11/1980</text:p></office:text></office:body></office:document-content>",
            }
        )
    )
    (folder / "talk.odp").write_bytes(
        _zip(
            {
                "mimetype": "application/vnd.oasis.opendocument.presentation",
                "content.xml": f"<office:document-content {office_ns} {text_ns} {draw_ns}><office:body><office:presentation>"
                "<draw:page><text:p>Welcome</text:p></draw:page>"
                "<draw:page><text:p>Client: Nerys Jenkins</text:p><text:p>DOB: 21/07/1983</text:p></draw:page>"
                "</office:presentation></office:body></office:document-content>",
            }
        )
    )
    result = scan(folder, tmp_path / "out")
    people = {p["full_name"]: p for p in result.individuals}
    assert people["Margaret Hughes"]["date_of_birth"] == "1958-07-14"
    assert "national_insurance_number" in people["Margaret Hughes"]["categories"]
    assert people["Robert O'Neill"]["date_of_birth"] == "1980-11-02"
    assert people["Nerys Jenkins"]["date_of_birth"] == "1983-07-21"
    assert {d["page"] for d in result.detections if d["file"] == "panel.pptx"} == {2}
    assert {d["page"] for d in result.detections if d["file"] == "talk.odp"} == {2}
    status, reason = result.status("panel.pptx")
    assert status == "scanned" and reason.startswith("partial: 1 image(s)")
