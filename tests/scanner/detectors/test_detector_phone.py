"""UK telephone numbers by Ofcom's numbering plan, as people and systems write them."""

from __future__ import annotations

import pytest

from incidentroom.scanner.detect.detectors.phone import UkPhoneDetector
from tests.helpers.detector_vectors import assert_found_in_every_spelling, found_in_text

CATEGORY = "phone"
# (area code, local number) from Ofcom's ranges for TV and radio drama (fixed lines, valid
# but never given to anyone) and ordinary mobile and Crown dependency ranges.
NUMBERS = [
    ("20", "7946 0958"), ("121", "496 0123"), ("113", "496 0456"), ("28", "9018 0789"), ("29", "2018 0321"),
    ("306", "999 0111"), ("808", "157 0222"), ("7911", "123456"), ("1481", "256789"),
]  # fmt: skip


def written_forms(area: str, local: str) -> list[str]:
    """Every way people and systems write one number (Ofcom's national and international forms)."""
    compact = area + local.replace(" ", "")
    hyphens = local.replace(" ", "-")
    return [
        f"0{area} {local}", f"0{compact}", f"0{area}-{hyphens}", f"(0{area}) {local}",
        f"+44 {area} {local}", f"+44-{area}-{hyphens}", f"+44 ({area}) {local}", f"+44 (0){area} {local}",
        f"+44 (0) {area} {local}", f"+44{compact}", f"0044 {area} {local}", f"44{compact}",
    ]  # fmt: skip


def with_extensions(number: str) -> list[str]:
    return [f"{number}x123", f"{number} x123", f"{number} ext.123", f"{number} ext 123", f"{number}#123"]


def test_the_docstring_names_ofcoms_plan() -> None:
    assert "Ofcom" in (UkPhoneDetector.__doc__ or "")


@pytest.mark.parametrize(("area", "local"), NUMBERS)
def test_every_written_form_is_found_in_every_spelling(area: str, local: str) -> None:
    expected = "+44" + area + local.replace(" ", "")
    for written in written_forms(area, local):
        assert_found_in_every_spelling(written, CATEGORY, expected, label="phone", header="Telephone")


@pytest.mark.parametrize(("area", "local"), NUMBERS[:4])
def test_extensions_joined_on_are_part_of_the_finding_but_not_of_the_number(area: str, local: str) -> None:
    expected = "+44" + area + local.replace(" ", "")
    for number in (f"0{area} {local}", f"+44 {area} {local}"):
        for written in with_extensions(number):
            assert_found_in_every_spelling(written, CATEGORY, expected, label="tel", header="Phone")


@pytest.mark.parametrize(("area", "local"), NUMBERS[:4])
def test_numbers_inside_tel_links(area: str, local: str) -> None:
    expected = "+44" + area + local.replace(" ", "")
    compact = area + local.replace(" ", "")
    for link, number in (
        (f'<a href="tel:+44{compact}">call</a>', f"+44{compact}"),
        (f"tel:0{area}-{local.replace(' ', '-')}", f"0{area}-{local.replace(' ', '-')}"),
        (f"tel:+44-{area}-{local.replace(' ', '-')}", f"+44-{area}-{local.replace(' ', '-')}"),
    ):
        got = found_in_text(link, CATEGORY)
        assert [f.normalised for f in got] == [expected], link
        assert link.encode()[got[0].start : got[0].end].decode() == number


@pytest.mark.parametrize(
    "text",
    [
        "020 7946 095",  # too short for a London number
        "+44 20 7946 09581",  # too long
        "01632 960000",  # Ofcom's drama range with no real numbers: not in the plan
        "07700 900123",  # the drama mobile range: not in the plan
        "44 20 7946 0958",  # '44' without a plus, written in groups: not how exports write it
        "ratio 0.2079460958",
        "invoice 2020-01-01",
        "441234",
    ],
)
def test_no_false_alarms(text: str) -> None:
    assert found_in_text(text, CATEGORY) == []


@pytest.mark.parametrize(
    ("header", "cell", "expected"),
    [
        ("Mobile", "7723418963", "+447723418963"),
        ("Home phone", "2083561234", "+442083561234"),
        ("Tel", "1214960123.0", "+441214960123"),
    ],
)
def test_a_phone_column_whose_leading_zero_a_spreadsheet_dropped(
    header: str, cell: str, expected: str
) -> None:
    from incidentroom.scanner.model import Location, RowUnit
    from incidentroom.scanner.people.records import DocumentBuilder

    doc = DocumentBuilder("badges.xlsx", 0, "0" * 64, b"k" * 32)
    doc.add_row(RowUnit(("Name", header), ("Cerys Mathias", cell), Location(sheet="Holders", row=2)))
    assert doc.result.records[0].phones == [expected]
    other = DocumentBuilder("badges.xlsx", 0, "0" * 64, b"k" * 32)
    other.add_row(RowUnit(("Name", "Reference"), ("Cerys Mathias", cell), Location(sheet="Holders", row=2)))
    assert other.result.records[0].phones == []  # only under a phone header
