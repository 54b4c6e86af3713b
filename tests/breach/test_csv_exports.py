"""Every CSV the product writes goes through one writer: formula guard, BOM for Excel, exact read-back.

Routes: the decision log export, the print-house letter file, advisory acknowledgements, the
breach individuals export and the scanner's individuals.csv (and its import). Each is fed
cells starting with = + - @ (and an apostrophe, the guard's own character) and read back.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from incidentroom import csvfile
from incidentroom.breach.models import Breach
from incidentroom.incidents.models import Incident
from tests.helpers.breachhelp import PEOPLE, import_people, make_letters

HOSTILE = [
    '=HYPERLINK("http://evil.example","x")',
    "+44 20 7946 0000",
    "-2+3",
    "@SUM(A1)",
    "'quoted",
    "\tTab",
]
NAMES = [f"{h} Smith" if not h.startswith("'") else h for h in HOSTILE]


def _raw_cells(data: bytes) -> list[list[str]]:
    import csv

    assert data.startswith(b"\xef\xbb\xbf"), "no UTF-8 byte order mark: Excel would misread the file"
    return list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline="")))


def _assert_no_formula(cells: list[list[str]]) -> None:
    for row in cells:
        for cell in row:
            assert not cell or cell[0] not in "=+-@\t\r", f"cell {cell!r} would run as a formula"


def _rows(data: bytes) -> list[dict[str, str]]:
    return list(csvfile.read_rows(io.StringIO(data.decode("utf-8-sig"), newline="")))


# -- the writer itself ----------------------------------------------------------------------


@pytest.mark.nodb
@given(st.lists(st.lists(st.text(), min_size=1, max_size=4), min_size=1, max_size=5))
def test_guard_is_exactly_reversible_and_no_cell_starts_a_formula(rows: list[list[str]]) -> None:
    width = max(len(r) for r in rows)
    header = [f"c{i}" for i in range(width)]
    padded = [r + [""] * (width - len(r)) for r in rows]
    data = csvfile.to_bytes(header, padded)
    _assert_no_formula(_raw_cells(data)[1:])
    back = _rows(data)
    # Python's csv module turns a lone CR inside an unquoted cell into a line end; it quotes
    # such cells, so what comes back is exactly what went in.
    assert [[r[h] for h in header] for r in back] == padded


@pytest.mark.nodb
def test_streamed_and_whole_files_are_the_same_bytes(tmp_path: Path) -> None:
    header, rows = ["a", "b"], [["=1", "Zoë"], ["x", "-1"]]
    streamed = "".join(csvfile.stream(header, rows)).encode("utf-8")
    whole = csvfile.to_bytes(header, rows)
    path = csvfile.write_file(tmp_path / "f.csv", header, rows)
    assert streamed == whole == path.read_bytes()
    assert whole.startswith(b"\xef\xbb\xbfa,b\r\n")
    assert b"'=1" in whole and "Zoë".encode() in whole


@pytest.mark.nodb
def test_the_scanner_writes_individuals_csv_through_the_guard(tmp_path: Path) -> None:
    from incidentroom.scanner.output.outputs import write_individuals
    from incidentroom.scanner.output.results import INDIVIDUAL_COLUMNS
    from incidentroom.scanner.people.aggregate import Aggregate, Individual

    people = [
        Individual(
            f"P{i}", name, "", "1 Road", "W8 4AA", "", "+447700900001", ["name"], "low", ["a.csv"], ["/r"]
        )
        for i, name in enumerate(NAMES)
    ]
    agg = Aggregate(
        manifest=[], docs=[], records=[], individuals=people, organisation_values={}, record_person={}
    )
    data = write_individuals(agg, tmp_path).read_bytes()
    cells = _raw_cells(data)
    assert tuple(cells[0]) == INDIVIDUAL_COLUMNS
    _assert_no_formula(cells[1:])
    back = _rows(data)
    assert [r["full_name"] for r in back] == NAMES
    assert {r["phone"] for r in back} == {"+447700900001"}


@pytest.mark.nodb
def test_the_scanner_still_imports_no_django() -> None:
    code = "import sys, incidentroom.scanner.output.outputs, incidentroom.csvfile; print('django' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# -- the product's CSV routes -----------------------------------------------------------------


def _hostile_people() -> list[dict[str, str]]:
    people = []
    for i, name in enumerate(NAMES):
        base = PEOPLE[i % len(PEOPLE)]
        people.append({**base, "person_id": f"H{i:03d}", "full_name": name, "risk": "high"})
    return people


def test_scanner_output_with_formula_names_imports_exactly(
    breach: Breach, rbkc_dpo: User, media: Path, tmp_path: Path
) -> None:
    from incidentroom.breach.models import Individual

    people = _hostile_people()
    import_people(breach, rbkc_dpo, media, people=people)
    stored = set(Individual.objects.filter(breach=breach).values_list("full_name", flat=True))
    assert stored == {n.strip() for n in NAMES}  # the importer trims surrounding whitespace


def test_individuals_export_and_print_house_file_guard_and_read_back(
    breach: Breach,
    rbkc_dpo: User,
    media: Path,
    web: Callable[[User], Client],
    rbkc_silver: User,
    wcc_dpo: User,
) -> None:
    import_people(breach, rbkc_dpo, media, people=_hostile_people())
    response = web(rbkc_dpo).get(f"/breaches/{breach.pk}/individuals.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.streaming  # the export streams, row by row
    data = response.getvalue()
    _assert_no_formula(_raw_cells(data)[1:])
    stored = sorted(n.strip() for n in NAMES)  # as imported: surrounding whitespace trimmed
    assert sorted(r["full_name"] for r in _rows(data)) == stored
    # The same filters as the page.
    one = web(rbkc_dpo).get(f"/breaches/{breach.pk}/individuals.csv", {"q": "@SUM"})
    assert one.streaming and [r["full_name"] for r in _rows(one.getvalue())] == ["@SUM(A1) Smith"]
    # The people list is the controller's DPO's and Gold's only.
    assert web(rbkc_silver).get(f"/breaches/{breach.pk}/individuals.csv").status_code in (403, 404)
    assert web(wcc_dpo).get(f"/breaches/{breach.pk}/individuals.csv").status_code == 404

    batch = make_letters(breach, rbkc_dpo)
    printed = (Path(batch.directory) / "print-house.csv").read_bytes()
    _assert_no_formula(_raw_cells(printed)[1:])
    assert sorted(r["name"] for r in _rows(printed)) == stored


def test_acknowledgements_export_guards_and_reads_back(
    web: Callable[[User], Client], rbkc_comms: User, rbkc_dpo: User
) -> None:
    from incidentroom.advisories import actions as advisory_actions
    from incidentroom.core.models import Organisation

    user = rbkc_dpo
    user.first_name, user.last_name = "=cmd|' /C calc'!A0", "-Smith"
    user.save()
    advisory = advisory_actions.publish_advisory(
        actor=rbkc_comms,
        title="Do not click links from colleagues at WCC",
        body="Phishing from compromised accounts.",
        severity="critical",
        expires_at=timezone.now() + dt.timedelta(days=3),
        organisations=Organisation.objects.filter(code="RBKC"),
    )
    response = web(rbkc_comms).get(f"/advisories/{advisory.pk}/acknowledgements.csv")
    assert response.status_code == 200
    _assert_no_formula(_raw_cells(response.content)[1:])
    names = {r["name"] for r in _rows(response.content)}
    assert "=cmd|' /C calc'!A0 -Smith" in names


def test_log_export_is_guarded_and_verifiable_offline(
    incident: Incident, rbkc_gold: User, web: Callable[[User], Client], tmp_path: Path
) -> None:
    from incidentroom.core.models import Organisation
    from incidentroom.incidents import actions, logcsv

    rbkc = Organisation.objects.get(code="RBKC")
    texts = [*HOSTILE, "Line one\r\nline two\nthree", "Zoë Brontë-Hughes, محمد علي"]
    for text in texts:
        actions.add_log_entry(incident, actor=rbkc_gold, kind="note", text=text, organisations=[rbkc, rbkc])
    response = web(rbkc_gold).get(f"/incidents/{incident.reference}/log.csv")
    assert response.status_code == 200
    cells = _raw_cells(response.content)
    _assert_no_formula(cells[1:])
    rows = _rows(response.content)
    stored = {t.strip() for t in texts}
    assert stored <= {r["text"] for r in rows}
    # Links are exported as the ids the hash uses (codes alongside, for people).
    linked = [r for r in rows if r["text"] in stored]
    assert {r["organisation_ids"] for r in linked} == {str(rbkc.pk)}
    assert {r["organisations"] for r in linked} == {"RBKC"}

    path = tmp_path / "log.csv"
    path.write_bytes(response.content)
    report = logcsv.verify_file(path)
    assert report.ok and report.complete and report.entries == incident.log_entries.count()

    # The guard is reversible, so a guarded cell reads back as exactly the hashed text; a
    # guarded text that really started with an apostrophe stays distinguishable from one
    # that did not, and an edited cell is detected.
    for find, replace in ((b"''quoted", b"'quoted"), (b"Zo\xc3\xab", b"Zoe")):
        tampered = tmp_path / "tampered.csv"
        tampered.write_bytes(response.content.replace(find, replace, 1))
        broken = logcsv.verify_file(tampered)
        assert not broken.ok and len(broken.breaks) == 1, broken.breaks

    # A filtered export is still checked row by row.
    filtered = web(rbkc_gold).get(f"/incidents/{incident.reference}/log.csv", {"kind": "note"})
    part = tmp_path / "notes.csv"
    part.write_bytes(filtered.content)
    notes = logcsv.verify_file(part)
    assert (
        notes.ok and not notes.complete and notes.entries == incident.log_entries.filter(kind="note").count()
    )


def test_verify_log_csv_command_needs_no_database(
    incident: Incident, rbkc_gold: User, web: Callable[[User], Client], tmp_path: Path
) -> None:
    good = tmp_path / "log.csv"
    good.write_bytes(web(rbkc_gold).get(f"/incidents/{incident.reference}/log.csv").content)
    # Change two entries' kind, as someone editing the file in a spreadsheet might.
    with csvfile.open_for_reading(good) as handle:
        rows = list(csvfile.read_rows(handle))
    for row in rows:
        if row["sequence"] in ("3", "7"):
            row["kind"] = "decision" if row["kind"] != "decision" else "note"
    bad = csvfile.write_file(tmp_path / "bad.csv", list(rows[0]), [list(r.values()) for r in rows])
    # No database reachable, no settings module: only the hashing code runs.
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["DATABASE_URL"] = "postgres://nobody@127.0.0.1:1/none"
    cmd = [sys.executable, "-m", "incidentroom", "verify-log", "--csv"]
    ok = subprocess.run([*cmd, str(good)], capture_output=True, text=True, env=env, timeout=120)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "OK" in ok.stdout and "whole log" in ok.stdout
    broken = subprocess.run([*cmd, str(bad)], capture_output=True, text=True, env=env, timeout=120)
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert broken.stdout.count("BROKEN at entry #") == 2
    assert "BROKEN at entry #3:" in broken.stdout and "BROKEN at entry #7:" in broken.stdout
    missing = subprocess.run(
        [*cmd, str(tmp_path / "nope.csv")], capture_output=True, text=True, env=env, timeout=120
    )
    assert missing.returncode == 2 and "cannot be checked" in missing.stdout
