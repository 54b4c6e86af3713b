"""Look-alike misreadings in OCR text, put right only where a field's rules can check them.

Written from what Tesseract does to office scans at 150-200 dpi: 0 for O and O for 0, 2
for Z, 5 for S, 8 for B, a J's hook read as a bracket, i for l inside a word, 'rn' for
'm'. The repair must never invent: a value that is already valid, ambiguous, or not
shaped like the field is left as read.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from incidentroom.scanner.detect.gazetteer import surnames
from incidentroom.scanner.detect.ocr_repair import repair_ocr
from tests.helpers.scanhelp import scan


@pytest.mark.parametrize(
    ("read", "meant"),
    [
        ("London SW6 ONZ", "London SW6 0NZ"),  # O for a zero in the inward code
        ("London W14 52G", "London W14 5ZG"),  # 2 for Z
        ("London E17 7H)", "London E17 7HJ"),  # J's hook as a bracket
        ("London E9 3E}", "London E9 3EJ"),
        ("London N1 2A8", "London N1 2AB"),  # 8 for B
        ("London SWIA 1AA", "London SW1A 1AA"),  # I for 1 in the outward code
        ("London 5E1 7PB", "London SE1 7PB"),  # 5 for S
        ("Address: 3 Hill Road\nLONDON NW1O 4RT\n", "Address: 3 Hill Road\nLONDON NW10 4RT\n"),
    ],
)
def test_postcode_lookalikes_are_put_right(read: str, meant: str) -> None:
    assert repair_ocr(read) == meant


@pytest.mark.parametrize(
    "text",
    [
        "London EC2A 8ZU",  # already valid
        "B12 3RD",  # valid as written, even if it reads like an ordinal
        "IN THE HOUSE",  # upper-case words, not a postcode whichever letters are swapped
        "FOR SALE AND TO LET",
        "NO 123",
        "Ref AB12 34C",  # no single reading: not a postcode
        "london sw6 onz",  # lower case: not read as a postcode at all
    ],
)
def test_other_text_is_left_as_read(text: str) -> None:
    assert repair_ocr(text) == text


def test_surname_after_a_title_or_given_name() -> None:
    assert "Walters" in surnames() and "Smith" in surnames()
    assert repair_ocr("Name: Rhys Waiters") == "Name: Rhys Walters"  # i for l
    assert repair_ocr("Mrs Waiters called") == "Mrs Walters called"
    assert repair_ocr("Dear Mr. Srnith,") == "Dear Mr. Smith,"  # rn for m
    assert repair_ocr("Mr Rhys Waiters and Mrs Sarah Srnith") == "Mr Rhys Walters and Mrs Sarah Smith"


@pytest.mark.parametrize(
    "text",
    [
        "The Waiters served lunch",  # not after a title or a given name
        "Rhys Walters",  # already a known name
        "Rhys Hughes",
        "Mr Owain Pritchard",  # not known, and no swap gives a known name
        "Ms Rhys Waiters-Brown",  # a hyphenated name is not a single word here
    ],
)
def test_names_left_as_read(text: str) -> None:
    assert repair_ocr(text) == text


FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


@pytest.mark.skipif(
    shutil.which("tesseract") is None or not FONT.exists(), reason="needs tesseract and DejaVu"
)
def test_scanned_form_is_repaired(tmp_path: Path) -> None:
    """A scan whose print carries the look-alikes (as OCR would read them): the scanner
    reads the repaired values, so the person gets their real postcode and surname."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("L", (1240, 700), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(FONT), 32)
    lines = ["Name: Rhys Waiters", "Address: 3 Teresa Lodge", "London E17 7H)", "Date of birth: 04/11/1970"]
    for i, line in enumerate(lines):
        draw.text((80, 80 + i * 70), line, fill=0, font=font)
    root = tmp_path / "in"
    root.mkdir()
    image.save(root / "form.png", dpi=(300, 300))
    people = scan(root, tmp_path / "out").individuals
    assert [(p["full_name"], p["postcode"], p["date_of_birth"]) for p in people] == [
        ("Rhys Walters", "E17 7HJ", "1970-11-04")
    ]
