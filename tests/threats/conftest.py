"""Fixtures for the threats tests: private log, upload and evidence folders per test."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def folders(settings: Any, tmp_path: Path) -> Path:
    """Each test gets its own media, log and evidence-copy folders."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.THREAT_SWEEP_ROOT = str(tmp_path / "logs")
    settings.THREAT_EVIDENCE_ROOT = str(tmp_path / "evidence-copies")
    for code in ("rbkc", "wcc", "lbhf"):
        (tmp_path / "logs" / code).mkdir(parents=True)
        (tmp_path / "evidence-copies" / code).mkdir(parents=True)
    return tmp_path
