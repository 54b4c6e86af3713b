"""An organisation's address is never given to a person named in the same record.

Written from how council files hold places next to people: a premises licence
application gives the premises' address before the designated premises supervisor; a
personal licence or HR record gives an employer's; a business rates or licensing register
has a 'Premises address' or 'Business postcode' column beside the holder's own; a
referral names a 'Registered office'. The place's postcode is still found (it is a
detection), but nobody's address: a letter sent there would go to the pub.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from incidentroom.scanner.people.columns import classify
from incidentroom.scanner.people.premises import place_address_at, place_label
from tests.helpers.scanhelp import scan


def _scan_text(tmp_path: Path, text: str, name: str = "form.txt") -> list[dict[str, str]]:
    root = tmp_path / "in"
    root.mkdir()
    (root / name).write_text(text, encoding="utf-8")
    return scan(root, tmp_path / "out").individuals


@pytest.mark.parametrize(
    "place_block",
    [
        "Premises: The Crown, 149 High Street, London SE1 7PB",
        "Premises address: Corner Stores, 40 Mill Lane, London E1 6AN",
        "Address of premises: Hill Road Wines, 12 Hill Road, London N1 2AB",
        "Business address:\nUnit 4, Riverside Estate\nLondon SE16 3QR",
        "Registered office: 5 Mill Lane, London E1 6AN",
        "Employer's address: Acme Ltd, 9 Wharf Road, London N1 7GR",
        "Place of work: St Anne's School, 3 Park Road, London W6 9AB",
    ],
)
def test_place_address_before_the_person_is_nobodys(tmp_path: Path, place_block: str) -> None:
    text = (
        "Premises licence application\n"
        f"{place_block}\n"
        "Designated premises supervisor: Mr Owain Pritchard\n"
        "Home address: 27 Wendell Road, London W12 9RT\n"
        "Date of birth: 14/02/1962\n"
    )
    people = _scan_text(tmp_path, text)
    assert [p["full_name"] for p in people] == ["Owain Pritchard"]
    assert people[0]["postcode"] == "W12 9RT"
    assert people[0]["date_of_birth"] == "1962-02-14"


def test_place_address_after_the_person_is_not_theirs(tmp_path: Path) -> None:
    text = (
        "Personal licence holder: Rosie Dimmock\n"
        "Date of birth: 03/05/1980\n"
        "Employer: The Swan, 2 Bridge Street, London SW11 3QN\n"
    )
    people = _scan_text(tmp_path, text)
    assert [p["full_name"] for p in people] == ["Rosie Dimmock"]
    assert people[0]["postcode"] == ""


def test_supervisor_line_with_their_own_address_keeps_it(tmp_path: Path) -> None:
    """'Designated premises supervisor' names a person: an address on that line is theirs."""
    text = "Designated premises supervisor: Mr Owain Pritchard, 27 Wendell Road, London W12 9RT\n"
    people = _scan_text(tmp_path, text)
    assert people[0]["postcode"] == "W12 9RT"


def test_register_with_a_premises_column(tmp_path: Path) -> None:
    csv = (
        "Licence holder,Home address,Home postcode,Premises address,Premises postcode\n"
        "Rosie Dimmock,14 Hill Road London,N1 2AB,The Crown 149 High Street London,SE1 7PB\n"
        "Owain Pritchard,27 Wendell Road London,W12 9RT,Corner Stores 40 Mill Lane London,E1 6AN\n"
    )
    people = {p["full_name"]: p for p in _scan_text(tmp_path, csv, "register.csv")}
    assert people["Rosie Dimmock"]["postcode"] == "N1 2AB"
    assert people["Owain Pritchard"]["postcode"] == "W12 9RT"


@pytest.mark.parametrize(
    ("label", "is_place"),
    [
        ("Premises", True),
        ("Premises address", True),
        ("Address of the premises", True),
        ("Business postcode", True),
        ("Trading address", True),
        ("Registered office", True),
        ("Employer", True),
        ("Employer’s address", True),
        ("Place of work", True),
        ("Designated premises supervisor", False),
        ("Home address", False),
        ("Address", False),
        ("Correspondence address", False),
        ("Business phone", False),
        ("Place of birth", False),
        ("PROP_ADDR_1", False),
    ],
)
def test_place_labels(label: str, is_place: bool) -> None:
    assert place_label(label) is is_place
    assert (classify(label.lower()).field == "place") is is_place


def test_label_is_read_from_the_top_of_the_address_block() -> None:
    text = "Business address:\nUnit 4\nRiverside Estate\nLondon SE16 3QR"
    assert place_address_at(text, text.index("SE16"))
    text = "Premises: The Crown\n\nLondon SE16 3QR"  # a blank line ends the block
    assert not place_address_at(text, text.index("SE16"))
    text = "Address: 3 Teresa Lodge\nLondon EC2A 8ZU"
    assert not place_address_at(text, text.index("EC2A"))
