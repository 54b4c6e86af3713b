"""The five outputs of a scan of a generated archive, checked against its ground truth."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from incidentroom.scanner import CATEGORIES, RiskPolicy, ScanSummary
from incidentroom.scanner.output.results import INDIVIDUAL_COLUMNS
from incidentroom.scanner.pipeline.hashing import keyed_hash
from tests.helpers.scangen import COUNCIL, Truth, evaluate
from tests.helpers.scanhelp import read_outputs, scan


def test_accuracy_meets_the_targets(
    scanned: tuple[Path, ScanSummary], truth_json: dict[str, dict[str, object]]
) -> None:
    out, _ = scanned
    metrics = evaluate(truth_json, out / "individuals.csv")
    assert metrics.person_recall >= 0.99, metrics.missed_people
    assert metrics.person_precision >= 0.99, [r["full_name"] for r in metrics.unmatched_predictions]
    assert metrics.split_share <= 0.01
    assert metrics.category_micro_f1 >= 0.97, metrics.per_category


def test_individuals_csv_columns_and_values(
    scanned: tuple[Path, ScanSummary], archive: tuple[Path, Truth]
) -> None:
    out, _ = scanned
    result = read_outputs(out)
    assert tuple(result.individuals[0]) == INDIVIDUAL_COLUMNS
    root, _ = archive
    for person in result.individuals:
        categories = person["categories"].split(";")
        assert categories[0] == "name" and set(categories) <= set(CATEGORIES)
        assert person["risk"] == RiskPolicy().level(categories)
        assert int(person["document_count"]) == len(person["documents"].split(";"))
        assert person["source_roots"] == str(root)
        if person["date_of_birth"]:
            assert len(person["date_of_birth"]) == 10 and person["date_of_birth"][4] == "-"
    ids = [p["person_id"] for p in result.individuals]
    assert len(ids) == len(set(ids))


def test_decoys_do_not_create_people_or_attach_to_them(scanned: tuple[Path, ScanSummary]) -> None:
    out, summary = scanned
    result = read_outputs(out)
    names = result.names()
    assert not names & {"Joe Bloggs", "Test User", "Fred Bloggs"}
    assert all(p["phone"] != "+442079460999" for p in result.individuals)
    assert all(p["email"] != COUNCIL["email"] for p in result.individuals)
    assert all("W8 7NX" not in p["address"] for p in result.individuals)
    assert {"phone", "email", "bank", "postcode"} <= set(summary.organisation_values_excluded)


def test_detections_hold_masked_values_and_keyed_hashes_only(
    scanned: tuple[Path, ScanSummary], truth_json: dict[str, Any]
) -> None:
    out, _ = scanned
    table = pq.read_table(out / "detections.parquet")
    assert {"file", "location", "category", "masked", "value_hash", "confidence", "detector"} <= set(
        table.column_names
    )
    rows = table.to_pylist()
    emails = {e for t in truth_json.values() for e in t["emails"]}
    strings = {v for row in rows for v in row.values() if isinstance(v, str)}
    assert not strings & emails
    key = bytes.fromhex((out / "scan.key").read_text(encoding="ascii"))
    some_email = sorted(emails)[0]
    hashes = {row["value_hash"] for row in rows if row["category"] == "email"}
    assert keyed_hash(key, "email", some_email) in hashes
    assert {row["category"] for row in rows} <= set(CATEGORIES)
    assert all(row["location"] for row in rows)


def test_manifest_accounts_for_every_file(
    scanned: tuple[Path, ScanSummary], archive: tuple[Path, Truth]
) -> None:
    out, summary = scanned
    root, truth = archive
    manifest = pq.read_table(out / "manifest.parquet").to_pylist()
    paths = {m["path"] for m in manifest}
    on_disk = {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}
    assert on_disk <= paths
    # Every generated document is in the manifest: on disk, or as a (nested) member.
    tails = {p.rsplit("!/", 1)[-1] for p in paths}
    assert set(truth.files) <= tails
    statuses = {m["status"] for m in manifest}
    assert statuses <= {"scanned", "duplicate", "skipped", "failed", "needs_ocr"}
    duplicates = [m for m in manifest if m["status"] == "duplicate"]
    assert len(duplicates) >= 3 and all(d["duplicate_of"] in paths for d in duplicates)
    assert all(m["sha256"] for m in manifest)
    assert summary.files_total == len(manifest)


def test_summary_json_mirrors_the_returned_summary_and_the_report_is_offline(
    scanned: tuple[Path, ScanSummary],
) -> None:
    out, summary = scanned
    data = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert data == json.loads(json.dumps(summary.as_dict()))
    assert summary.complete
    assert (
        data["ico"]["approximate_data_subjects"] == data["individuals"] == len(read_outputs(out).individuals)
    )
    assert sum(data["individuals_by_risk"].values()) == data["individuals"]
    assert set(data["individuals_by_category"]) == set(CATEGORIES)
    years = {int(y) for y in data["individuals_by_document_year"] if y != "unknown"}
    assert years and min(years) >= 2006 and max(years) <= 2020
    html = (out / "report.html").read_text(encoding="utf-8")
    assert html.count("<svg") >= 5
    assert "<script" not in html and "https://" not in html and "src=" not in html


def test_custom_risk_policy(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.csv").write_text(
        "Name,DOB,NI number\nMargaret Hughes,14/07/1958,JK123456B\n", encoding="utf-8"
    )
    default = scan(folder, tmp_path / "out1")
    assert default.individuals[0]["risk"] == "high"
    relaxed = scan(
        folder,
        tmp_path / "out2",
        policy=RiskPolicy(high=frozenset(), medium=frozenset({"national_insurance_number"})),
    )
    assert relaxed.individuals[0]["risk"] == "medium"
    with pytest.raises(ValueError, match="unknown categories"):
        RiskPolicy(high=frozenset({"shoe_size"}))
