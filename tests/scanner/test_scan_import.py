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
