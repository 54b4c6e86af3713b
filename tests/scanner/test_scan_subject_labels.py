"""A care or casework record's heading names its subject, whatever their name's origin.

Written from how social care and casework systems print a record: 'Case note: <name>',
'Case record for: <name>', 'File note - <name>' headings, 'Person:' or 'Service user:'
on a summary sheet, then the subject's NHS number, date of birth and address. The
subject's given name and surname are often not on any English list (Nikodem, Piejko,
Wujec, Adebayo-Okafor): the label vouches for them. It never vouches for words no name
holds ('Parking Permit'), and a table column headed 'Case note' still holds notes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.scanhelp import scan


def _people(tmp_path: Path, files: dict[str, str]) -> dict[str, dict[str, str]]:
    root = tmp_path / "in"
    root.mkdir()
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    return {p["full_name"]: p for p in scan(root, tmp_path / "out").individuals}


@pytest.mark.parametrize(
    ("label", "name"),
    [
        ("Case note", "Nikodem Mendyka"),
        ("Case Notes", "Krzysztof Piejko"),
        ("Case record for", "Janina Wujec"),
        ("File note", "Tunde Adebayo-Okafor"),
        ("Contact note re", "Jeremi Lipok"),
        ("Person", "Ayodele Bankole"),
        ("Service user", "Marcin Kierat"),
    ],
)
def test_subject_heading_names_the_subject(tmp_path: Path, label: str, name: str) -> None:
    given = name.split()[0]
    note = (
        f"{label}: {name}\n"
        "NHS number: 943 476 5919    DOB: 03/12/1994\n"
        "Address: 5 Watson Road, London SE19 2NP\n"
        f"Visit today. {given} has epilepsy and the district nurse calls weekly.\n"
    )
    people = _people(tmp_path, {"note.txt": note})
    assert list(people) == [name]
    assert people[name]["date_of_birth"] == "1994-12-03"
    assert people[name]["postcode"] == "SE19 2NP"
    assert "nhs_number" in people[name]["categories"]


@pytest.mark.parametrize("value", ["Parking Permit", "Housing Benefit", "Council Tax"])
def test_subject_heading_with_words_no_name_holds(tmp_path: Path, value: str) -> None:
    people = _people(tmp_path, {"note.txt": f"Case note: {value}\nDOB: 03/12/1994\n"})
    assert value not in people


def test_a_label_that_is_not_a_subject_heading_still_needs_a_known_name(tmp_path: Path) -> None:
    """'Visit' is no subject heading: two unknown words after it are not taken as a name."""
    people = _people(tmp_path, {"note.txt": "Visit: Quarterly Review\nDOB: 03/12/1994\n"})
    assert "Quarterly Review" not in people


def test_a_case_note_column_holds_notes(tmp_path: Path) -> None:
    csv = "Client,DOB,Case note\nNikodem Mendyka,03/12/1994,Seen at home\n"
    people = _people(tmp_path, {"notes.csv": csv})
    assert list(people) == ["Nikodem Mendyka"]


def test_contact_notes_header_is_not_a_phone_column() -> None:
    """'Contact no' is a phone number's header; 'Contact notes' is not."""
    from incidentroom.scanner.people.columns import classify

    assert classify("contact no").field == "phone"
    assert classify("contact notes").field != "phone"
