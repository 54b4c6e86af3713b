"""Fixtures for the scanner tests: one generated archive and one scan of it per session.

Every test here is marked ``nodb``: the scanner never touches the database, so these
tests run once rather than once per database backend.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from incidentroom.scanner import ScanSummary, run_scan
from tests.helpers.scangen import Truth, generate_archive


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test in this folder as not needing a database."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.nodb)


@pytest.fixture(scope="session")
def archive(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Truth]:
    """A generated council archive (every format, containers, decoys) and its truth."""
    root = tmp_path_factory.mktemp("archive") / "rbkc"
    truth = generate_archive(root, n_people=150, seed=11)
    return root, truth


@pytest.fixture(scope="session")
def scanned(
    archive: tuple[Path, Truth], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, ScanSummary]:
    """One local scan of the archive, shared by the output and accuracy tests."""
    root, _ = archive
    out = tmp_path_factory.mktemp("scan-out")
    summary = run_scan([root], out)
    return out, summary


@pytest.fixture(scope="session")
def truth_json(archive: tuple[Path, Truth]) -> dict[str, dict[str, object]]:
    """The ground truth as written next to the archive."""
    root, _ = archive
    data: dict[str, dict[str, object]] = json.loads(
        (root.parent / f"{root.name}.truth.json").read_text(encoding="utf-8")
    )
    return data
