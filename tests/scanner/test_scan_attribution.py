"""Who an identifier belongs to, on kinds of text the independent archive showed going wrong.

Each test builds its own variants from the kind's description (not from any generator's
output): a name filling a labelled field of a form or note, names written in another
script inside English text, identifiers written before anyone is named, a condition of a
relative the text does not name, staff and elected members named in their role, header-
less exports whose columns are known only from their content, and short single-byte files.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from incidentroom.scanner.extract.base import detect_encoding
from tests.helpers.scanhelp import Outputs, scan


def run(tmp_path: Path, files: dict[str, bytes]) -> Outputs:
    root = tmp_path / "in"
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return scan(root, tmp_path / "out")


def key(name: str) -> str:
    """A name as a set of words: 'Mrs Delyth Parry-Owen', 'PARRY-OWEN, Delyth' and
    'Delyth PARRY-OWEN' are one key (the display form is another test's business)."""
    words = name.replace(",", " ").lower().split()
    return " ".join(sorted(w for w in words if w.strip(".") not in {"mr", "mrs", "ms", "miss", "dr"}))


class People(dict[str, dict[str, str]]):
    def __getitem__(self, name: str) -> dict[str, str]:
        return super().__getitem__(key(name))


def people(result: Outputs) -> People:
    found = People({key(p["full_name"]): p for p in result.individuals})
    assert len(found) == len(result.individuals), [p["full_name"] for p in result.individuals]
    return found


@pytest.mark.parametrize(
    ("label", "name", "shown"),
    [
        ("Case note", "Adam Bryant", "Adam Bryant"),
        ("Re", "Mrs Delyth Parry-Owen", "Mrs Delyth Parry-Owen"),
        ("Personal licence holder", "Rosie Dimmock", "Rosie Dimmock"),  # the label says 'holder'
        ("Subject of assessment", "KOWALCZYK, Agnieszka", "Agnieszka Kowalczyk"),
        ("Regarding", "Ιωάννης Παπαδόπουλος", "Ιωάννης Παπαδόπουλος"),
    ],
)
def test_name_filling_a_labelled_field_is_the_subject(
    tmp_path: Path, label: str, name: str, shown: str
) -> None:
    """The subject's name after any label, with identifiers above and below it; a relative
    later in the note keeps only what their own sentence says."""
    text = (
        f"Ref AB/{len(label)}\nDate of birth: 04/05/1961\n{label}: {name}\nNHS number: 943 476 5919\n"
        "Address: 12 Ffordd Isaf, Bangor LL57 2AB\n"
        "Son Gruffydd Bryn-Jones (DOB 11/12/1990, tel 01248 496 012) calls on Sundays.\n"
    )
    found = people(run(tmp_path, {"note.txt": text.encode()}))
    subject = found[shown]
    assert subject["date_of_birth"] == "1961-05-04" and subject["postcode"] == "LL57 2AB"
    assert "nhs_number" in subject["categories"]
    son = found["Gruffydd Bryn-Jones"]
    assert son["date_of_birth"] == "1990-12-11" and son["phone"].lstrip("'") == "+441248496012"
    assert "nhs_number" not in son["categories"] and not son["postcode"]


@pytest.mark.parametrize(
    "line",
    [
        "Ethnicity: White British",
        "Queries: Parking Services",
        "Permit zone: Controlled Zone",
        "Outcome: No Further Action",
        "Subject: Council Tax Arrears",
    ],
)
def test_a_labelled_field_of_words_is_not_a_person(tmp_path: Path, line: str) -> None:
    found = people(run(tmp_path, {"form.txt": f"{line}\nTel: 0161 496 0123\n".encode()}))
    assert all(not p["full_name"].strip() for p in found.values()), list(found)


@pytest.mark.parametrize(
    ("relative", "script_name"),
    [
        ("Son", "Авдей Одинцов"),
        ("Daughter", "Θεοδώρα Τραγούστη"),
        ("Brother", "مُسعف النقيب"),
        ("Sister", "רות כהן"),
    ],
)
def test_names_in_another_script_inside_english_text(tmp_path: Path, relative: str, script_name: str) -> None:
    """Neither title nor label nor gazetteer: the run of words in another script is a name,
    and the identifiers after it are that person's, not the subject's."""
    text = (
        "Case note: Marian Pugh\nDOB: 02/02/1944\nMarian has diabetes.\n"
        f"{relative} {script_name} (DOB 09/10/1970, tel 0113 496 0456) visits weekly.\n"
        f"Visit arranged with {script_name} for Tuesday.\n"
    )
    found = people(run(tmp_path, {"note.txt": text.encode()}))
    assert found["Marian Pugh"]["date_of_birth"] == "1944-02-02"
    assert "health" in found["Marian Pugh"]["categories"]
    other = found[script_name]
    assert other["date_of_birth"] == "1970-10-09" and other["phone"].lstrip("'") == "+441134960456"
    assert "health" not in other["categories"]


def test_a_page_in_another_script_is_not_a_list_of_names(tmp_path: Path) -> None:
    """Short runs of words are names inside English text only, not in a page of Russian."""
    text = "Уважаемые жильцы дома. Вывоз мусора по вторникам. Контакт: 0113 496 0456.\n"
    found = people(run(tmp_path, {"notice.txt": text.encode()}))
    assert all(not p["full_name"].strip() for p in found.values()), list(found)


def test_identifiers_before_any_name_never_go_to_a_relative(tmp_path: Path) -> None:
    """A note whose subject is never named: the relative introduced as such keeps only
    their own details; the rest is a record of its own."""
    text = (
        "NHS number: 401 364 1097    DOB: 06/05/1964\nAddress: Flat 8, Tŷ Gwyn, Cardiff CF10 1AB\n"
        "Daughter Carys Hopkins (DOB 28/01/1992) visits weekly.\n"
    )
    found = people(run(tmp_path, {"note.txt": text.encode()}))
    carys = found["Carys Hopkins"]
    assert carys["date_of_birth"] == "1992-01-28"
    assert not carys["postcode"] and "nhs_number" not in carys["categories"]


@pytest.mark.parametrize(
    "sentence",
    [
        "My son's asthma is getting worse because of the damp.",
        "Her husband has dementia and cannot manage the stairs.",
        "My late mother's diabetes meant she could not climb the stairs.",
        "Their daughter is autistic and the noise upsets her.",
    ],
)
def test_a_condition_of_an_unnamed_relative_is_not_the_writers(tmp_path: Path, sentence: str) -> None:
    text = f"Dear Sir,\n{sentence}\nYours faithfully,\nHelen Roberts\n14 Heol y Dwr, Swansea SA1 1AA\n"
    found = people(run(tmp_path, {"letter.txt": text.encode()}))
    assert "health" not in found["Helen Roberts"]["categories"]


def test_the_writers_own_condition_stays_the_writers(tmp_path: Path) -> None:
    text = (
        "Dear Sir,\nMy son told me that I have asthma now because of the damp.\n"
        "Yours faithfully,\nHelen Roberts\n14 Heol y Dwr, Swansea SA1 1AA\n"
    )
    found = people(run(tmp_path, {"letter.txt": text.encode()}))
    assert "health" in found["Helen Roberts"]["categories"]


@pytest.mark.parametrize(
    "line",
    [
        "Present: Cllr Huw Bevan (Chair), Councillor Megan Lloyd",
        "Office use only - received by Gareth Pryce",
        "Form logged by Sian Rees on 02/03/2015",
    ],
)
def test_officials_named_in_their_role_are_not_subjects(tmp_path: Path, line: str) -> None:
    found = people(run(tmp_path, {"minutes.txt": f"Application for Assisted Collection\n{line}\n".encode()}))
    assert not found, found


def test_headerless_export_date_of_birth_and_account_from_content(tmp_path: Path) -> None:
    """No header: the whole-date cell is the date of birth (the earliest of several);
    a DD account shown in scientific notation or missing its leading zero is still one."""
    rows = (
        '100234,"PRICE, Owain",3 Stryd Fawr,Wrexham,LL11 1AA,01-Jun-2011,17-Mar-1958\r\n'
        "100235,Ffion Howells,9 Lon Las,Wrexham,LL12 7BB,03/02/2012,22/11/1972\r\n"
    )
    register = 'ACCOUNT_REF,LIABLE_PARTY_1,DD_SORT,DD_ACC\r\n1,"MORGAN, Rhodri",30-94-57,4.6446640E+07\r\n2,Eira Vaughan,309457,2718281\r\n'
    found = people(run(tmp_path, {"hb.csv": rows.encode(), "dd.csv": register.encode()}))
    assert found["Owain Price"]["date_of_birth"] == "1958-03-17"
    assert found["Ffion Howells"]["date_of_birth"] == "1972-11-22"
    assert "bank_account" in found["Rhodri Morgan"]["categories"]
    assert "bank_account" in found["Eira Vaughan"]["categories"]


def test_a_short_file_with_a_few_accents_is_windows_1252() -> None:
    """'Lê' and 'Zoë' read the same in several Latin code pages; a UK export is cp1252
    unless that puts symbols inside words."""
    for text in ("Tenant,Phone\r\nLan Lê,0121 496 0836\r\n", "Name\r\nZoë Brontë-Hughes\r\nRenée Côté\r\n"):
        encoding = detect_encoding(text.encode("cp1252"))
        assert text.encode("cp1252").decode(encoding) == text, encoding
