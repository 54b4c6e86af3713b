"""Tesseract runs with one OpenMP thread, so N scan workers do not start N x N threads.

A stand-in ``tesseract`` first on PATH prints the limit it was started with: the test is of
what the scanner hands the program, which the real Tesseract does not report.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from incidentroom.scanner.extract import ocr


def _stand_in(folder: Path, script: str) -> Path:
    """A ``tesseract`` in ``folder`` that runs ``script`` (sh) instead of reading the image."""
    folder.mkdir()
    program = folder / "tesseract"
    program.write_text(f"#!/bin/sh\n{script}\n", encoding="utf-8")
    program.chmod(program.stat().st_mode | stat.S_IXUSR)
    return folder


@pytest.fixture
def reporting_tesseract(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    bin_dir = _stand_in(tmp_path / "bin", 'printf "limit=%s" "${OMP_THREAD_LIMIT-unset}"')
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    image = tmp_path / "page.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n")
    return image


def test_tesseract_gets_one_thread(reporting_tesseract: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OMP_THREAD_LIMIT", raising=False)
    assert ocr.tesseract(reporting_tesseract, 10) == "limit=1"
    assert "OMP_THREAD_LIMIT" not in os.environ  # the scanner's own environment is left alone


def test_an_operators_own_limit_is_kept(reporting_tesseract: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMP_THREAD_LIMIT", "4")
    assert ocr.tesseract(reporting_tesseract, 10) == "limit=4"


def test_a_failing_or_missing_tesseract_gives_none(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(_stand_in(tmp_path / "bin", "exit 3")))
    assert ocr.tesseract(tmp_path / "page.png", 10) is None
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    assert not ocr.available()
    assert ocr.tesseract(tmp_path / "page.png", 10) is None
