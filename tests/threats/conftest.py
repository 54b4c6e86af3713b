"""Fixtures for the threats tests: private log, upload and evidence folders per test."""

from __future__ import annotations

import gzip
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from pytest_django.fixtures import Settings

EVTX = Path(__file__).parent / "fixtures" / "Security_short_selected.evtx"


@pytest.fixture
def folders(settings: Settings, tmp_path: Path) -> Path:
    """Each test gets its own media, log and evidence-copy folders."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.THREAT_SWEEP_ROOT = str(tmp_path / "logs")
    settings.THREAT_EVIDENCE_ROOT = str(tmp_path / "evidence-copies")
    for code in ("rbkc", "wcc", "lbhf"):
        (tmp_path / "logs" / code).mkdir(parents=True)
        (tmp_path / "evidence-copies" / code).mkdir(parents=True)
    return tmp_path


def _audit_csv(user: str, minutes: range) -> str:
    lines = ["CreationDate,UserIds,Operations,AuditData"]
    for m in minutes:
        data = {
            "Operation": "New-InboxRule",
            "UserId": user,
            "CreationTime": f"2025-11-24T08:{m:02d}:00",
            "ClientIP": f"185.220.101.{m}",
            "Parameters": [{"Name": "DeleteMessage", "Value": "True"}],
        }
        lines.append(
            f'2025-11-24T08:{m:02d}:00,{user},New-InboxRule,"{json.dumps(data).replace(chr(34), chr(34) * 2)}"'
        )
    return "\n".join(lines) + "\n"


def _signin(minute: int, country: str, ip: str) -> dict[str, object]:
    return {
        "createdDateTime": f"2025-11-24T07:{minute:02d}:00Z",
        "userPrincipalName": "b@rbkc.example.gov.uk",
        "ipAddress": ip,
        "location": {"countryOrRegion": country},
        "status": {"errorCode": 0},
    }


def _write_corpus(root: Path) -> Path:
    """Eight inputs of several formats; both Sigma correlations need records from two files."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "a-audit.csv").write_text(_audit_csv("a@rbkc.example.gov.uk", range(0, 3)))
    (root / "b-audit.csv").write_text(_audit_csv("a@rbkc.example.gov.uk", range(3, 6)))
    (root / "c-signins.json").write_text(json.dumps([_signin(0, "GB", "81.2.69.142")]))
    (root / "d-signins.json").write_text(json.dumps([_signin(20, "RU", "185.220.101.7")]))
    (root / "e-Security.evtx").write_bytes(EVTX.read_bytes())
    lines = []
    for i in range(6000):
        where = "evil-updates.example" if i % 1500 == 7 else "intranet.rbkc.example.gov.uk"
        src = "203.0.113.9" if i % 2000 == 11 else "10.1.2.3"
        lines.append(f"Nov 24 08:{i % 60:02d}:01 fw01 proxy: GET http://{where}/x SRC={src} DST=10.0.0.1")
    (root / "f-proxy.log").write_text("\n".join(lines) + "\n")
    with gzip.open(root / "g-messages.gz", "wb") as gz:
        gz.write(b"Nov 24 08:10:01 fw02 kernel: DROP SRC=203.0.113.50 DST=10.0.0.1\n")
    with zipfile.ZipFile(root / "h-exports.zip", "w") as zf:
        zf.writestr("logs/Security.evtx", EVTX.read_bytes())
        zf.writestr("logs/photo.jpg", b"\xff\xd8\xff\xe0 not a log")
    return root


@pytest.fixture(scope="session")
def write_log_corpus() -> Callable[[Path], Path]:
    """Writes eight log inputs of several formats into a folder: indicator hits in each kind,
    and both Sigma correlations, which hold only across two of the files."""
    return _write_corpus
