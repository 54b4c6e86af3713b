"""A sweep split into parts (one per file) gives exactly the single-process hits, on a local
process pool and on a real Dask cluster, correlations spanning files included."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from incidentroom.threats.sweep import IndicatorSpec, run_sweep
from incidentroom.threats.sweep.engine import SweepResult
from incidentroom.threats.sweep.parts import merge, plan, run_parts
from incidentroom.threats.sweep.sigma import RuleSet

pytestmark = pytest.mark.nodb
INDICATORS = [
    IndicatorSpec(1, "ipv4", "23.94.153.202"),
    IndicatorSpec(2, "ipv4", "203.0.113.0/24"),
    IndicatorSpec(3, "ipv4", "185.220.101.0/24"),
    IndicatorSpec(4, "domain", "evil-updates.example"),
    IndicatorSpec(5, "user_account", "administrator"),
]


def _same(a: SweepResult, b: SweepResult) -> None:
    assert a.hits == b.hits
    assert a.files == b.files
    assert (a.events, a.bytes_read, a.rules_skipped) == (b.events, b.bytes_read, b.rules_skipped)


@pytest.fixture(scope="module")
def corpus(
    tmp_path_factory: pytest.TempPathFactory, write_log_corpus: Callable[[Path], Path]
) -> tuple[Path, SweepResult]:
    root = write_log_corpus(tmp_path_factory.mktemp("sweep") / "logs")
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
    import distributed

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
