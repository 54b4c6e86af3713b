"""The scanner against an archive written independently of it (tests/scanner/independent/,
from DESCRIPTION.md only), run as a black box through its CLI and scored with the
project's scorer. Targets are the issue's, each a plain assertion."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from rapidfuzz.distance import JaroWinkler

from incidentroom import csvfile
from tests.helpers.scangen import Metrics, evaluate
from tests.scanner.independent import generate as indep_generate
from tests.scanner.independent import indep_archive, indep_people
from tests.scanner.independent.indep_archive import TruthEntry

# The repository root: the generator runs as ``python -m tests.scanner.independent.generate``.
ROOT = Path(__file__).resolve().parents[2]
PEOPLE, SEED = 300, 7
VOCAB = {
    "name", "address", "email", "phone", "date_of_birth", "national_insurance_number", "nhs_number",
    "bank_account", "payment_card", "vehicle_registration", "passport_number", "driving_licence_number",
    "health", "ethnicity", "religion", "sexual_orientation", "criminal_offence",
}  # fmt: skip


@pytest.fixture(scope="module")
def indep_scan(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, TruthEntry], Path]:
    """The independent archive, its truth, and the scanner's output folder."""
    base = tmp_path_factory.mktemp("independent")
    truth = indep_generate.generate(base / "archive", PEOPLE, SEED)
    out = base / "out"
    cli = Path(sys.executable).parent / "incidentroom"
    proc = subprocess.run(
        [str(cli), "scan", str(base / "archive"), "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return base / "archive", truth, out


@pytest.fixture(scope="module")
def metrics(indep_scan: tuple[Path, dict[str, TruthEntry], Path]) -> Metrics:
    _root, truth, out = indep_scan
    m = evaluate(truth, out / "individuals.csv")
    print(
        f"independent archive: {m.true_people} true, {m.predicted_people} predicted, recall {m.person_recall:.3f}, "
        f"precision {m.person_precision:.3f}, split {m.split_share:.3f}, micro-F1 {m.category_micro_f1:.3f}"
    )
    for cat, (p, r) in m.per_category.items():
        print(f"  {cat}: P {p:.3f} R {r:.3f}")
    return m


# The generator itself: fast, no scan. ------------------------------------------------------------


def _nhs_ok(n: str) -> bool:
    check = 11 - sum(int(d) * w for d, w in zip(n[:9], range(10, 1, -1), strict=True)) % 11
    return len(n) == 10 and (0 if check == 11 else check) == int(n[9])


def _luhn_ok(n: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(n)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def test_generator_is_deterministic_and_truth_well_formed(tmp_path: Path) -> None:
    gen = indep_generate
    a = gen.generate(tmp_path / "a", 60, 3)
    b = gen.generate(tmp_path / "b", 60, 3)
    assert a == b
    files_a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    assert files_a == sorted(
        p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*") if p.is_file()
    )
    assert 50 <= len(a) <= 75
    for entry in a.values():
        cats = set(entry["categories"])
        assert cats <= VOCAB and "name" in cats
        assert all(re.fullmatch(r"\+44\d{9,10}", p) for p in entry["phones"])
        assert ("date_of_birth" in cats) == bool(entry["dob"])
        assert ("phone" in cats) == bool(entry["phones"]) and ("email" in cats) == bool(entry["emails"])
        assert ("address" in cats) == bool(entry["postcodes"])
        for doc in entry["documents"]:
            assert (tmp_path / "a" / doc.split("!/")[0]).is_file(), doc


def test_identifiers_pass_their_check_digits(tmp_path: Path) -> None:
    people_mod = indep_people
    import random

    rng = random.Random(5)
    for _ in range(500):
        assert _nhs_ok(people_mod.nhs_number(rng))
        assert _luhn_ok(people_mod.luhn_card(rng))
        ni = people_mod.nino(rng)
        assert re.fullmatch(r"[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\d{6}[A-D]", ni) and ni[:2] not in {
            "BG",
            "GB",
            "NK",
            "KN",
            "TN",
            "NT",
            "ZZ",
        }


# The scanner against it: slow. ----------------------------------------------------------------------
# Every target holds on this archive (300 people, seed 7: 287 named) since branch wip/accuracy
# (1 December 2026): recall 1.000, precision 1.000, split 0, micro-F1 0.995, no foreign
# identifier. A target missed again is a plain failure, not an expected one.


@pytest.mark.slow
def test_archive_has_many_scripts_and_no_council_person(
    indep_scan: tuple[Path, dict[str, TruthEntry], Path],
) -> None:
    _root, truth, _out = indep_scan
    names = " ".join(f"{e['first']} {e['last']}" for e in truth.values())
    for script in (
        r"[A-Za-z]",
        r"[\u0370-\u03ff]",
        r"[\u0400-\u04ff]",
        r"[\u0600-\u06ff]",
        r"[ąćęłńóśźż]",
        r"[ğış]",
    ):
        assert re.search(script, names), script
    council = indep_archive.COUNCIL
    assert all(council["postcode"] not in e["postcodes"] for e in truth.values())
    assert all("+442079460000" not in e["phones"] for e in truth.values())


@pytest.mark.slow
def test_every_file_is_accounted_for(indep_scan: tuple[Path, dict[str, TruthEntry], Path]) -> None:
    """Every file is in the manifest; scans are OCRed or flagged needs_ocr, never skipped."""
    root, _truth, out = indep_scan
    manifest = pq.read_table(out / "manifest.parquet").to_pylist()
    key = "path" if "path" in manifest[0] else "file"
    seen = {str(r[key]) for r in manifest}
    for f in root.rglob("*"):
        if f.is_file():
            assert str(f.relative_to(root)) in seen, f
    for r in manifest:
        if re.search(r"scans/.*\.(png|jpg|tif|pdf)$", str(r[key])):
            assert r["status"] == "needs_ocr" or "ocr" in str(r["reason"] or "").lower(), r


@pytest.mark.slow
def test_person_recall(metrics: Metrics) -> None:
    assert metrics.person_recall >= 0.99, metrics.missed_people[:20]


@pytest.mark.slow
def test_row_precision(metrics: Metrics) -> None:
    assert metrics.person_precision >= 0.99, metrics.unmatched_predictions[:20]


@pytest.mark.slow
def test_split_share(metrics: Metrics) -> None:
    assert metrics.split_share <= 0.01, list(metrics.split_people)[:20]


@pytest.mark.slow
def test_category_micro_f1(metrics: Metrics) -> None:
    assert metrics.category_micro_f1 >= 0.97, metrics.per_category


def _compatible(full_name: str, entry: TruthEntry) -> bool:
    tokens = full_name.split()
    if not tokens:
        return False

    def norm(s: str) -> str:
        return "".join(c for c in s.lower() if c.isalpha())

    if norm(tokens[-1]) != norm(str(entry["last"])):
        return False
    first, tf = tokens[0].lower().strip("."), str(entry["first"]).lower()
    return (
        len(tokens) == 1
        or first == tf
        or (len(first) == 1 and tf.startswith(first))
        or (JaroWinkler.normalized_similarity(tf, first) > 0.92)
    )


def foreign_identifiers(truth: dict[str, TruthEntry], individuals_csv: Path) -> list[str]:
    """Identifiers on an individual that belong to nobody of that name: each DOB, phone,
    postcode or email must be one a record gives a person the individual's name fits."""
    owners: dict[tuple[str, str], list[TruthEntry]] = {}
    for e in truth.values():
        if e["dob"]:
            owners.setdefault(("date_of_birth", str(e["dob"])), []).append(e)
        for values, key in ((e["phones"], "phone"), (e["postcodes"], "postcode"), (e["emails"], "email")):
            for v in values:
                owners.setdefault((key, v), []).append(e)
    bad = []
    # Read as the scanner wrote it: cells guarded against spreadsheet formulas ('+44...
    # is written "'+44...") come back as the value.
    with csvfile.open_for_reading(individuals_csv) as fh:
        for row in csvfile.read_rows(fh):
            if not row["full_name"].strip():
                continue  # a nameless individual is a recall and precision fault, scored above
            for key in ("date_of_birth", "phone", "postcode", "email"):
                value = row[key]
                if value and not any(_compatible(row["full_name"], e) for e in owners.get((key, value), [])):
                    bad.append(f"{row['full_name']!r} has {key} {value} ({row['documents'][:80]})")
    return bad


@pytest.mark.slow
def test_no_identifier_from_a_record_that_does_not_name_them(
    indep_scan: tuple[Path, dict[str, TruthEntry], Path],
) -> None:
    _root, truth, out = indep_scan
    bad = foreign_identifiers(truth, out / "individuals.csv")
    assert not bad, f"{len(bad)} foreign identifiers, e.g. {bad[:10]}"


def test_foreign_identifier_check_can_fail(tmp_path: Path) -> None:
    """The check above flags a staff name carrying a resident's phone, and passes the resident."""
    truth: dict[str, TruthEntry] = {"P1": {"first": "Bethan", "last": "Roberts", "dob": "1957-03-02", "postcodes": ["N1 2AB"],
                    "emails": [], "phones": ["+447700900123"], "categories": [], "documents": []}}  # fmt: skip
    csv_path = tmp_path / "individuals.csv"
    with csv_path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["full_name", "date_of_birth", "phone", "postcode", "email", "documents"])
        w.writerow(["B. Roberts", "1957-03-02", "+447700900123", "N1 2AB", "", "a.docx"])
        w.writerow(["Benjamin Cook", "", "+447700900123", "", "", "a.docx"])
    assert foreign_identifiers(truth, csv_path) == ["'Benjamin Cook' has phone +447700900123 (a.docx)"]


def test_cli_writes_truth(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "tests.scanner.independent.generate", str(tmp_path), "--people", "40", "--seed", "2"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    truth = json.loads((tmp_path / "truth.json").read_text(encoding="utf-8"))
    assert len(truth) >= 35 and "people" in proc.stdout
