"""Staff named in a document (officers, social workers, GPs, reply signers) are not its
subject: they start no record and the identifiers written with them go to nobody."""

from __future__ import annotations

from pathlib import Path

from incidentroom.scanner.people.staff import staff_until
from tests.helpers.scanhelp import scan


def _people(tmp_path: Path, text: str) -> dict[str, dict[str, str]]:
    root = tmp_path / "in"
    root.mkdir()
    (root / "note.txt").write_text(text, encoding="utf-8")
    return {p["full_name"]: p for p in scan(root, tmp_path / "out").individuals}


def _span(text: str, name: str) -> int | None:
    data = text.encode()
    start = data.index(name.encode())
    return staff_until(data, start, start + len(name.encode()))


def test_role_labels_teams_and_surgeries_mark_staff() -> None:
    assert _span("Case officer: Priya Shah, 01632 960000\nnext", "Priya Shah") == len(
        b"Case officer: Priya Shah, 01632 960000"
    )
    assert _span("Signed by Tom Reid\n", "Tom Reid") is not None
    assert _span("Review booked. Gwen Ellis, Children's Services.\n", "Gwen Ellis") is not None
    assert _span("Seen by GP Dr Malik at Elm Tree Surgery today.", "Malik") is not None
    assert _span("Officers: Ann Lowe (Head of Revenues)\n", "Ann Lowe") is not None
    # A resident: a kin label, a plain line, a resident's own sign-off without an office line.
    assert _span("Daughter Bethan Roberts, 12 Hill Road\n", "Bethan Roberts") is None
    assert _span("Tenant: Carl Frost\n", "Carl Frost") is None
    assert _span("Yours faithfully,\nNora Quinn\n14 Elm Road\n", "Nora Quinn") is None


def test_a_signature_block_under_a_valediction_with_an_office_line() -> None:
    text = "Thank you.\n\nKind regards,\nOwen Price\nRevenues Team | 01632 960111\n\nOn 1 May, X wrote:"
    assert _span(text, "Owen Price") == text.index("\n\nOn 1 May")


def test_staff_do_not_take_the_residents_data(tmp_path: Path) -> None:
    people = _people(
        tmp_path,
        "Case note: Mrs Alys Gwyn\nDOB: 04/07/1948\nAddress: 3 Bay View, Swansea SA1 1AA\n"
        "GP Dr Malik at Elm Tree Surgery was informed.\n"
        "Plan: review in a month. Gwen Ellis, Adult Social Care.\n"
        "Alys's phone: 0117 496 0123\n"
        "Social worker: Tom Reid, tel 01632 960000, 1 Civic Centre SA1 9ZZ\n",
    )
    assert set(people) == {"Alys Gwyn"}, sorted(people)
    alys = people["Alys Gwyn"]
    assert alys["date_of_birth"] == "1948-07-04" and alys["postcode"] == "SA1 1AA"
    assert alys["phone"] == "+441174960123"


def test_a_residents_sign_off_still_names_the_resident(tmp_path: Path) -> None:
    people = _people(
        tmp_path,
        "Dear Sir,\nMy bin was not collected.\nYours faithfully,\nMrs Nora Quinn\n14 Elm Road, Leeds LS6 1AA\n"
        "Tel: 0113 496 0000\n",
    )
    assert set(people) == {"Nora Quinn"}
    assert people["Nora Quinn"]["postcode"] == "LS6 1AA"


def test_a_possessive_gives_the_identifier_to_the_person_it_names(tmp_path: Path) -> None:
    people = _people(
        tmp_path,
        "Case note: Mr Dylan Hughes\nDOB: 02/02/1950\n"
        "Next of kin: Mrs Nia Evans, 4 Park Road, Cardiff CF5 1AB.\n"
        "Key safe at the back door. Dylan's phone: 0117 496 0777\n",
    )
    assert people["Dylan Hughes"]["phone"] == "+441174960777"
    assert people["Nia Evans"]["phone"] == ""
