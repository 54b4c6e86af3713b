"""Names in any script (issue 18): in a Name column, after a label or title in prose, end to end."""

from __future__ import annotations

import csv
import re
import unicodedata
from pathlib import Path

import pytest

from incidentroom.scanner import run_scan
from incidentroom.scanner.detect.detectors.name import TITLES, NameDetector, char_class, parse_name_at
from incidentroom.scanner.model import Location, RowUnit, TextUnit
from incidentroom.scanner.people.names import name_key
from incidentroom.scanner.people.records import DocumentBuilder
from incidentroom.scanner.pipeline.hashing import mask
from tests.helpers.detector_vectors import found_in_text

RESIDENTS = [
    "Łukasz Wiśniewski", "Nguyễn Thị Hương", "محمد علي", "Ιωάννης Παπαδόπουλος", "Oğuz Yılmaz",
    "Zoë Brontë-Hughes", "José Garcia", "Zoë Bronte", "Siân Ó Dálaigh", "Søren Kierkegård", "Дмитрий Иванов",
    "דוד כהן", "Ana-Maria Popescu", "Chloé D'Arcy",
]  # fmt: skip


def builder() -> DocumentBuilder:
    return DocumentBuilder("register.csv", 0, "0" * 64, b"k" * 32)


def test_the_docstring_says_names_are_in_any_script() -> None:
    assert "any script" in (NameDetector.validate.__doc__ or "") + (NameDetector.__doc__ or "")


@pytest.mark.parametrize("name", RESIDENTS)
def test_a_name_column_keeps_the_whole_name(name: str) -> None:
    doc = builder()
    doc.add_row(RowUnit(("Name", "DOB"), (name, "22-Nov-1972"), Location(sheet="People", row=2)))
    assert [r.names for r in doc.result.records] == [[name]]
    assert doc.result.records[0].dobs == ["1972-11-22"]


@pytest.mark.parametrize("name", RESIDENTS)
def test_given_name_and_surname_columns(name: str) -> None:
    given, _, surname = name.rpartition(" ")
    doc = builder()
    doc.add_row(
        RowUnit(("Title", "First name", "Surname"), ("Mx", given, surname), Location(sheet="People", row=3))
    )
    assert doc.result.records[0].names == [f"Mx {given} {surname}"]


@pytest.mark.parametrize("name", RESIDENTS)
@pytest.mark.parametrize("label", ["Name: ", "Client: ", "Next of kin:  ", "Mr ", "Mrs ", "Dr "])
def test_after_a_label_or_title_in_prose(name: str, label: str) -> None:
    text = f"Case note.\n{label}{name}, NI number JK 49 30 21 D, called today.\n"
    got = found_in_text(text, "name")  # also checks the compiled core against the reference
    title = label if label.strip()[-1:] != ":" else ""
    assert [f.value for f in got] == [f"{title}{name}"], text
    finding = got[0]
    # The offsets slice out the name as written.
    assert text.encode()[finding.start : finding.end].decode() == f"{title}{name}"
    assert mask("name", finding.value) == " ".join(w[0] + "*" * (len(w) - 1) for w in finding.value.split())
    doc = builder()
    doc.add_text(TextUnit(text, Location(page=1)))
    assert [r.names for r in doc.result.records] == [[f"{title}{name}"]]
    assert "national_insurance_number" in doc.result.records[0].categories


@pytest.mark.parametrize("name", ["Zoë Brontë-Hughes", "Nguyễn Thị Hương", "José Garcia"])
def test_decomposed_diacritics(name: str) -> None:
    decomposed = unicodedata.normalize("NFD", name)
    got = found_in_text(f"Client: {decomposed}\n", "name")
    assert [f.value for f in got] == [decomposed]


def test_the_name_stops_at_punctuation_and_lower_case_words() -> None:
    assert parse_name_at("Zoë Brontë-Hughes—the caller", True) == ("Zoë Brontë-Hughes", 17)
    assert parse_name_at("Łukasz Wiśniewski said", True) == ("Łukasz Wiśniewski", 17)
    got = found_in_text("Mr Łukasz Wiśniewski visited the café “Ōsaka” today", "name")
    assert [f.value for f in got] == ["Mr Łukasz Wiśniewski"]


@pytest.mark.parametrize("text", ["Name: élan vital", "Client: 12345", "Mr ‘quoted’", "Name: — none —"])
def test_no_false_alarms(text: str) -> None:
    assert found_in_text(text, "name") == []


def test_end_to_end_individuals_keep_every_script(tmp_path: Path) -> None:
    source = tmp_path / "in"
    source.mkdir()
    with open(source / "register.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["Name", "Date of birth", "Postcode"])
        for i, name in enumerate(RESIDENTS):
            writer.writerow([name, f"{i + 1:02d}/03/1970", "SW1A 1AA"])
    (source / "notes.txt").write_text(
        "Client: محمد علي\nDOB 01/03/1970\n\nMrs Oğuz Yılmaz called.\n", encoding="utf-8"
    )
    # The same resident typed without accents elsewhere is the same person.
    zoe = RESIDENTS.index("Zoë Brontë-Hughes")
    with open(source / "parking.csv", "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([["Name", "DOB"], ["Zoe Bronte-Hughes", f"{zoe + 1:02d}/03/1970"]])
    out = tmp_path / "out"
    run_scan([source], out)
    with open(out / "individuals.csv", newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    names = {row["full_name"] for row in rows}
    for name in RESIDENTS:
        assert name in names, (name, names)
    assert [r["full_name"] for r in rows if "hughes" in r["full_name"].lower()] == ["Zoë Brontë-Hughes"]


@pytest.mark.parametrize("title", TITLES)
def test_every_title_starts_a_name_and_is_dropped_when_names_are_compared(title: str) -> None:
    # One title list: what starts a name in detection is what records and linkage drop.
    found = found_in_text(f"Letter sent to {title} Keir Okafor about the permit.", "name")
    assert [f.value for f in found] == [f"{title} Keir Okafor"]
    assert name_key(f"{title}. Keir OKAFOR") == name_key(f"Okafor, {title} Keir") == ("keir", "okafor")


@pytest.mark.parametrize(
    "categories",
    [
        ("Lu", "Lt", "Lo"),
        ("Lu", "Ll", "Lt", "Lo", "Lm", "Mn", "Mc"),
        ("Mn", "Mc"),
        ("Zs",),
        ("Cn",),
        ("Nd", "Pd"),
    ],
)
def test_character_classes_hold_exactly_the_code_points_of_their_categories(
    categories: tuple[str, ...],
) -> None:
    pattern = re.compile(f"[{char_class(categories)}]")
    for code in range(0x80, 0x10000):
        inside = unicodedata.category(chr(code)) in categories
        assert (pattern.fullmatch(chr(code)) is not None) == inside, (hex(code), categories)
