"""The scanner is a pure library: importing it must not load Django."""

from __future__ import annotations

import subprocess
import sys


def test_importing_scanner_does_not_import_django() -> None:
    code = (
        "import sys, incidentroom.scanner, incidentroom.scanner.cli, incidentroom.scanner.pipeline.engine;"
        "import incidentroom.scanner.detect.detectors as d, incidentroom.scanner.extract as e;"
        "d.all_detectors(); e.all_extractors();"
        "print('django' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_module_entry_point_shows_usage() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "incidentroom.scanner", "--help"], capture_output=True, text=True, check=True
    )
    assert "--out DIR" in done.stdout
    assert "--cluster" in done.stdout and "--resume" in done.stdout


def test_the_standalone_contract_forbids_every_part_of_the_web_product() -> None:
    # lint-imports can only forbid what pyproject names: a new top-level module of
    # incidentroom must be added there (or allowed here, if the scanner may use it).
    import pkgutil
    import tomllib
    from pathlib import Path

    import incidentroom

    allowed = {"scanner", "csvfile"}
    config = tomllib.loads(
        (Path(__file__).resolve().parents[2] / "pyproject.toml").read_text(encoding="utf-8")
    )
    contract = next(
        c for c in config["tool"]["importlinter"]["contracts"] if c.get("id") == "scanner-standalone"
    )
    forbidden = set(contract["forbidden_modules"])
    modules = {m.name for m in pkgutil.iter_modules(incidentroom.__path__)} - allowed
    assert {f"incidentroom.{m}" for m in modules} <= forbidden
    assert {"django", "ninja"} <= forbidden


def test_extraction_runs_with_the_judges_the_package_installs() -> None:
    # extract/ imports no detector; importing the package hands it the detectors' answers.
    code = (
        "import incidentroom.scanner;"
        "from incidentroom.scanner.extract.base import judges;"
        "j = judges();"
        "print(j.known_field('surname'), j.known_field('colour'), j.role_mailbox('enquiries@rbkc.gov.uk'),"
        " j.personal_name('Jane Doe'), j.personal_name('the office'), j.stopword('Council'))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["True", "False", "True", "True", "False", "True"]
