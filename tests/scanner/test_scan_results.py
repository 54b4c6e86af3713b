"""The output contract (``scanner.output.results``): what the writers write, the readers read back."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from hypothesis import given
from hypothesis import strategies as st

from incidentroom import csvfile
from incidentroom.scanner import ScanSummary
from incidentroom.scanner.output import results
from incidentroom.scanner.output.outputs import write_individuals
from incidentroom.scanner.people.aggregate import Aggregate, Individual

pytestmark = pytest.mark.nodb


def _aggregate(*people: Individual) -> Aggregate:
    return Aggregate(
        manifest=[], docs=[], records=[], individuals=list(people), organisation_values={}, record_person={}
    )


def _person(person_id: str, **changes: object) -> Individual:
    person = Individual(
        person_id,
        "=Jane Doe",
        "1970-02-01",
        "1 Road",
        "W8 4AA",
        "jane@example.org",
        "",
        ["name", "date_of_birth", "email"],
        "medium",
        ["2011/minutes#2.docx", "archive.zip/#3 notes.txt"],
        ["/evidence/rbkc"],
    )
    for key, value in changes.items():
        setattr(person, key, value)
    return person


def test_written_individuals_read_back_typed_and_whole(tmp_path: Path) -> None:
    path = write_individuals(_aggregate(_person("P1"), _person("P2", deceased=True)), tmp_path)
    assert path.name == results.INDIVIDUALS_CSV
    rows = list(results.read_individuals(path))
    assert [r.person_id for r in rows] == ["P1", "P2"]
    first = rows[0]
    assert first.full_name == "=Jane Doe"  # the formula guard is undone
    assert first.date_of_birth == dt.date(1970, 2, 1)
    assert first.categories == ("name", "date_of_birth", "email")
    # A '#' is part of a file name: the scanner writes paths and nothing after them.
    assert first.documents == ("2011/minutes#2.docx", "archive.zip/#3 notes.txt")
    assert first.document_count == 2 and first.source_roots == ("/evidence/rbkc",)
    assert (first.deceased, rows[1].deceased) == (False, True)


@pytest.mark.parametrize(
    "names",
    [
        ["minutes; final.docx", "2012/notes.txt"],
        ["a;b;c.txt"],
        ["C:\\share\\tenants.xlsx", "end\\", "odd\\;mix.doc", 'say "hi".txt', '"quoted"; too'],
        ["plain.docx"],
        ["line\nbreak.txt", 'and "quotes".doc'],
    ],
)
def test_file_names_with_the_separator_read_back_whole(names: list[str], tmp_path: Path) -> None:
    """A ';' or a backslash in a file name is part of the name: one document, not two."""
    path = write_individuals(_aggregate(_person("P1", documents=names)), tmp_path)
    (row,) = results.read_individuals(path)
    assert row.documents == tuple(names)


def test_a_cell_written_before_quoting_reads_as_before() -> None:
    assert results.split_list("2011\\a.doc;b.doc") == ("2011\\a.doc", "b.doc")
    assert results.split_list(" x ; ;y") == ("x", "y")
    # Backslashes, the escape of names that are not UTF-8, are written as they are.
    assert results.join_list(["r\\xe9sum\\xe9.csv", "b.doc"]) == "r\\xe9sum\\xe9.csv;b.doc"


@given(st.lists(st.text(min_size=1).map(str.strip).filter(bool), max_size=6))
def test_join_then_split_gives_the_items_back(items: list[str]) -> None:
    assert results.split_list(results.join_list(items)) == tuple(items)


def test_reading_does_not_leave_the_csv_field_limit_raised(tmp_path: Path) -> None:
    before = csv.field_size_limit()
    long_path = "x" * (before + 10)  # more than the csv module's default allows
    path = write_individuals(_aggregate(_person("P1", documents=[long_path])), tmp_path)
    assert [r.documents for r in results.read_individuals(path)] == [(long_path,)]
    assert csv.field_size_limit() == before
    with path.open(encoding=csvfile.ENCODING, newline="") as handle, pytest.raises(csv.Error):
        list(csv.reader(handle))  # outside the reader the process keeps its own limit


@pytest.mark.parametrize(
    ("header", "row", "field", "message"),
    [
        ("person_id,full_name", "P1,Someone", "individuals", r"missing the column\(s\): categories, risk"),
        ("person_id,full_name,categories,risk", ",A,name,low", "person_id", "line 2: person_id is empty"),
        (
            "person_id,full_name,categories,risk,date_of_birth",
            "P1,A,name,low,31/12/1960",
            "date_of_birth",
            "line 2",
        ),
        (
            "person_id,full_name,categories,risk,document_count",
            "P1,A,name,low,many",
            "document_count",
            "line 2",
        ),
    ],
)
def test_a_file_that_breaks_the_contract_is_refused_naming_the_column(
    tmp_path: Path, header: str, row: str, field: str, message: str
) -> None:
    path = tmp_path / results.INDIVIDUALS_CSV
    path.write_text(f"{header}\n{row}\n", encoding="utf-8")
    with pytest.raises(results.ResultsError, match=message) as raised:
        list(results.read_individuals(path))
    assert raised.value.field == field


def test_a_repeated_person_is_refused(tmp_path: Path) -> None:
    path = tmp_path / results.INDIVIDUALS_CSV
    path.write_text("person_id,full_name,categories,risk\nP1,A,name,low\nP1,B,name,low\n", encoding="utf-8")
    with pytest.raises(results.ResultsError, match="line 3: person_id 'P1' appears twice"):
        list(results.read_individuals(path))


def test_a_scan_writes_the_schemas_the_contract_states(scanned: tuple[Path, ScanSummary]) -> None:
    out, _ = scanned
    assert pq.read_schema(out / results.DETECTIONS_PARQUET).names == [n for n, _ in results.DETECTION_FIELDS]
    assert pq.read_schema(out / results.MANIFEST_PARQUET).names == [n for n, _ in results.MANIFEST_FIELDS]
    detections = list(results.read_detections(out / results.DETECTIONS_PARQUET))
    assert detections and set(detections[0]) == {n for n, _ in results.DETECTION_FIELDS}
    manifest = results.read_manifest(out / results.MANIFEST_PARQUET)
    assert {m.status for m in manifest} <= set(results.MANIFEST_STATUSES)
    people = list(results.read_individuals(out / results.INDIVIDUALS_CSV))
    assert people and all(p.person_id for p in people)
    assert results.read_summary(out / results.SUMMARY_JSON)["individuals"] == len(people)
