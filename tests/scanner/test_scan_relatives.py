"""A relative named in a note is another person, even with the subject's surname and initial.

Written from how social workers and registrars write: 'Next of kin: Mrs S. Baker, 9 Marsh
Lock, London W7 7FT.' under 'Case note: Shane Baker', 'Son: Mr S Baker', an informant's
address on the lines under their name; then the note goes back to its subject in prose
that names nobody ('Diagnosed with epilepsy in 2016.'), unless it opens with a pronoun
that carries on about the relative ('She has asthma.').
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.scanhelp import scan


def _people(tmp_path: Path, text: str) -> dict[str, dict[str, str]]:
    root = tmp_path / "in"
    root.mkdir()
    (root / "note.txt").write_text(text, encoding="utf-8")
    return {p["full_name"]: p for p in scan(root, tmp_path / "out").individuals}


HEAD = "Case note: Shane Baker\nNHS number: 943 476 5919    DOB: 29/11/1991\nAddress: 209 Bennett Court, London N17 0RU\n"


@pytest.mark.parametrize(
    ("kin_line", "kin_name"),
    [
        ("Next of kin: Mrs S. Baker, 9 Marsh Lock, London W7 7FT.", "S Baker"),
        ("Next of kin: Mrs S Baker, 9 Marsh Lock, London W7 7FT", "S Baker"),
        ("Mother Mrs S. Baker lives at 9 Marsh Lock, London W7 7FT.", "S Baker"),
        ("Son: Mr S Baker, 9 Marsh Lock, London W7 7FT", "S Baker"),
        ("Sister Sandra Baker, 9 Marsh Lock, London W7 7FT, visits.", "Sandra Baker"),
    ],
)
def test_relative_with_the_subjects_initial_is_another_person(
    tmp_path: Path, kin_line: str, kin_name: str
) -> None:
    people = _people(tmp_path, HEAD + kin_line + "\nDiagnosed with epilepsy in 2016.\n")
    assert set(people) == {"Shane Baker", kin_name}
    assert people["Shane Baker"]["postcode"] == "N17 0RU"
    assert people[kin_name]["postcode"] == "W7 7FT"
    assert "health" in people["Shane Baker"]["categories"]
    assert "health" not in people[kin_name]["categories"]


def test_pronoun_carries_on_about_the_relative(tmp_path: Path) -> None:
    people = _people(
        tmp_path, HEAD + "Daughter Bethan Roberts visits weekly.\nShe has asthma and uses an inhaler.\n"
    )
    assert "health" in people["Bethan Roberts"]["categories"]
    assert "health" not in people["Shane Baker"]["categories"]


def test_relatives_address_lines_stay_theirs(tmp_path: Path) -> None:
    text = (
        "Deceased: Arthur Jones\nDate of death: 03/02/2015\n"
        "Informant: Mary Jones\n14 Hill Road\nLondon N1 2AB\n"
    )
    people = _people(tmp_path, text)
    assert people["Mary Jones"]["postcode"] == "N1 2AB"
    assert people["Arthur Jones"]["postcode"] == ""


def test_relatives_contact_details_in_prose_stay_theirs(tmp_path: Path) -> None:
    text = (
        HEAD
        + "Next of kin: Mary Baker\nLives at 14 Hill Road, London N1 2AB.\nContact her on 0121 496 0903.\n"
    )
    people = _people(tmp_path, text)
    assert people["Mary Baker"]["postcode"] == "N1 2AB"
    assert people["Mary Baker"]["phone"] == "+441214960903"
    assert people["Shane Baker"]["postcode"] == "N17 0RU"
