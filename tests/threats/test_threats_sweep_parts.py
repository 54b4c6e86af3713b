"""A sweep split into parts (one per file) gives exactly the single-process hits, on a local
process pool and on a real Dask cluster, correlations spanning files included."""

from __future__ import annotations

import gzip
import json
import zipfile
from pathlib import Path

import pytest

from incidentroom.threats.sweep import IndicatorSpec, run_sweep
from incidentroom.threats.sweep.engine import SweepResult
from incidentroom.threats.sweep.parts import merge, plan, run_parts
from incidentroom.threats.sweep.sigma import RuleSet

pytestmark = pytest.mark.nodb
EVTX = Path(__file__).parent / "fixtures" / "Security_short_selected.evtx"

INDICATORS = [
    IndicatorSpec(1, "ipv4", "23.94.153.202"),
    IndicatorSpec(2, "ipv4", "203.0.113.0/24"),
    IndicatorSpec(3, "ipv4", "185.220.101.0/24"),
    IndicatorSpec(4, "domain", "evil-updates.example"),
    IndicatorSpec(5, "user_account", "administrator"),
]


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
        lines.append(f'2025-11-24T08:{m:02d}:00,{user},New-InboxRule,"{json.dumps(data).replace(chr(34), chr(34) * 2)}"')
    return "\n".join(lines) + "\n"


def _signin(minute: int, country: str, ip: str) -> dict[str, object]:
    return {
        "createdDateTime": f"2025-11-24T07:{minute:02d}:00Z",
        "userPrincipalName": "b@rbkc.example.gov.uk",
        "ipAddress": ip,
        "location": {"countryOrRegion": country},
        "status": {"errorCode": 0},
    }


def write_corpus(root: Path) -> Path:
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


def _same(a: SweepResult, b: SweepResult) -> None:
    assert a.hits == b.hits
    assert a.files == b.files
    assert (a.events, a.bytes_read, a.rules_skipped) == (b.events, b.bytes_read, b.rules_skipped)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SweepResult]:
    root = write_corpus(tmp_path_factory.mktemp("sweep") / "logs")
    single = run_sweep([root], INDICATORS, RuleSet.load(), display_root=root)
    titles = {h.rule_title for h in single.hits}
    # The corpus is worth comparing on: indicator hits in every kind of file, and both
    # correlations, which only hold across two files.
    assert "Mass Inbox Rule Creation by One Account" in titles
    assert any("Impossible Travel" in t for t in titles)
    assert {h.indicator_id for h in single.hits} == {1, 2, 3, 4, 5, None}  # None: rule hits
    return root, single


def test_parts_inline_agree_with_the_single_process_sweep(corpus: tuple[Path, SweepResult]) -> None:
    root, single = corpus
    parts = plan([root], root)
    assert len(parts) == 8
    results = dict(run_parts(parts, INDICATORS, workers=1))
    _same(merge([results[p] for p in parts], RuleSet.load()), single)


def test_parts_on_a_process_pool_agree(corpus: tuple[Path, SweepResult]) -> None:
    root, single = corpus
    parts = plan([root], root)
    results = dict(run_parts(parts, INDICATORS, workers=2))
    assert set(results) == set(parts)
    _same(merge([results[p] for p in parts], RuleSet.load()), single)


def test_parts_on_a_dask_local_cluster_agree(corpus: tuple[Path, SweepResult]) -> None:
    distributed = pytest.importorskip("distributed")
    root, single = corpus
    parts = plan([root], root)
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, host="127.0.0.1"
    ) as cluster:
        results = dict(run_parts(parts, INDICATORS, cluster=cluster.scheduler_address))
    assert set(results) == set(parts)
    _same(merge([results[p] for p in parts], RuleSet.load()), single)


def test_a_stop_request_hands_out_no_more_parts(corpus: tuple[Path, SweepResult]) -> None:
    root, _ = corpus
    parts = plan([root], root)
    seen: list[str] = []
    for part, _result in run_parts(parts, INDICATORS, workers=1, stop=lambda: len(seen) >= 3):
        seen.append(part.key)
    assert seen == [p.key for p in parts[:3]]


def test_an_unreachable_cluster_is_reported(corpus: tuple[Path, SweepResult]) -> None:
    from incidentroom.threats.sweep.parts import SweepClusterError

    root, _ = corpus
    with pytest.raises(SweepClusterError):
        list(run_parts(plan([root], root), INDICATORS, cluster="tcp://127.0.0.1:9"))
