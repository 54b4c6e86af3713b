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


# Small enough that the 6,000-line proxy log is cut into ranges.
SPLIT = 64 * 1024


def test_parts_inline_agree_with_the_single_process_sweep(corpus: tuple[Path, SweepResult]) -> None:
    root, single = corpus
    whole = plan([root], root, rules=RuleSet.load())
    assert len(whole) == 8 and all(p.end is None for p in whole)
    results = dict(run_parts(whole, INDICATORS, workers=1))
    _same(merge([results[p] for p in whole], RuleSet.load()), single)
    split = plan([root], root, rules=RuleSet.load(), split_bytes=SPLIT)
    results = dict(run_parts(split, INDICATORS, workers=1))
    _same(merge([results[p] for p in split], RuleSet.load()), single)


def test_a_large_line_log_is_cut_into_ranges_at_line_boundaries(corpus: tuple[Path, SweepResult]) -> None:
    root, _ = corpus
    parts = plan([root], root, rules=RuleSet.load(), split_bytes=SPLIT)
    ranges = [p for p in parts if p.end is not None]
    proxy = (root / "f-proxy.log").read_bytes()
    # Only the syslog-style proxy log is cut: the EVTX, CSV and JSON logs are read whole.
    assert {p.shown for p in ranges} == {"f-proxy.log"} and len(ranges) == len(proxy) // SPLIT + 1
    assert [p.start for p in ranges][0] == 0 and ranges[-1].end == len(proxy)
    for before, after in zip(ranges, ranges[1:], strict=False):
        assert before.end == after.start and proxy[after.start - 1 : after.start] == b"\n"
    assert sum(p.size for p in ranges) == len(proxy)
    # When a loaded rule reads syslog records, the log is parsed whole, so it is not cut.
    linux_rule = """
title: Sudo
id: 11111111-2222-3333-4444-555555555555
status: test
logsource: {product: linux}
detection: {sel: {AppName: sudo}, condition: sel}
"""
    assert all(
        p.end is None for p in plan([root], root, rules=RuleSet.from_yaml(linux_rule), split_bytes=SPLIT)
    )


def test_parts_on_a_process_pool_agree(corpus: tuple[Path, SweepResult]) -> None:
    root, single = corpus
    parts = plan([root], root, rules=RuleSet.load(), split_bytes=SPLIT)
    results = dict(run_parts(parts, INDICATORS, workers=2))
    assert set(results) == set(parts)
    _same(merge([results[p] for p in parts], RuleSet.load()), single)


def test_parts_on_a_dask_local_cluster_agree(corpus: tuple[Path, SweepResult]) -> None:
    import distributed

    root, single = corpus
    parts = plan([root], root, rules=RuleSet.load(), split_bytes=SPLIT)
    with distributed.LocalCluster(  # type: ignore[no-untyped-call]  # distributed is unannotated
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0", host="127.0.0.1"
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
