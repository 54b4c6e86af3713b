"""The records phase alone (issue 14): grouping findings into people, masking and hashing.

Usage:
    PYTHONPATH=src .venv/bin/python bench/scan_records.py [--dense-mb MB] [--people 1500] [--rounds 5]

A 1-worker scan of the generated archive (or of the name-dense register with ``--dense-mb``)
is run once with every ``DocumentBuilder`` call recorded; the calls are then replayed
``--rounds`` times in this process with detection answered from a memo (filled by a first
replay), so that only record building is timed. The memos records relies on (keyed hashes,
masks, parsed names, given-name comparisons) are emptied before each round, as a new scan
finds them. Printed: the median and least CPU seconds, and a digest of every record,
detection count and detection row, which must not change when records' code is made faster
(compare two checkouts by running this with each one's ``src`` first on ``PYTHONPATH``; the
recorded calls are kept under bench/out, made by whichever checkout runs first).

Summing a scan's ``records`` phase seconds measures the same code, but on wall time and
with detection's memos warm or cold by chance; this is steadier on a shared machine.
"""

from __future__ import annotations

import argparse
import hashlib
import pickle
import shutil
import statistics
import time
from pathlib import Path
from typing import Any

from incidentroom.scanner import run_scan
from incidentroom.scanner.detect import matcher
from incidentroom.scanner.people import names, records
from incidentroom.scanner.pipeline import hashing
from incidentroom.scanner.pipeline.parts import DetectionSink
from scan_common import OUT, archive, name_dense


def record_calls(target: Path, calls_file: Path) -> None:
    """Scan ``target`` with one worker, keeping every document's builder calls."""
    documents: list[list[Any]] = []
    builder = records.DocumentBuilder
    init, add_text, add_row = builder.__init__, builder.add_text, builder.add_row

    def logged_init(self: Any, path: str, root: int, sha256: str, key: bytes, sink: Any = None) -> None:
        init(self, path, root, sha256, key, sink)
        self._bench_calls = []
        documents.append([path, root, sha256, key, self._bench_calls])

    def logged_text(self: Any, unit: Any, owner: Any = None) -> None:
        self._bench_calls.append(("text", unit, owner))
        add_text(self, unit, owner)

    def logged_row(self: Any, unit: Any) -> None:
        self._bench_calls.append(("row", unit))
        add_row(self, unit)

    builder.__init__, builder.add_text, builder.add_row = logged_init, logged_text, logged_row  # type: ignore[method-assign]
    try:
        out = OUT / "records-bench-scan"
        shutil.rmtree(out, ignore_errors=True)
        run_scan([target], out, workers=1)
    finally:
        builder.__init__, builder.add_text, builder.add_row = init, add_text, add_row  # type: ignore[method-assign]
    calls_file.write_bytes(pickle.dumps(documents))


class _DigestSink(DetectionSink):
    """Keeps a digest of the detection rows instead of the rows."""

    def __init__(self) -> None:
        super().__init__(None)
        self.digest = hashlib.sha256()

    def add(self, doc: str, record_seq: int, row: Any) -> None:
        self.digest.update(repr((doc, record_seq, *row)).encode())

    def extend(self, doc: str, record_seq: int, rows: Any) -> None:
        for row in rows:
            self.add(doc, record_seq, row)


def replay(documents: list[list[Any]]) -> tuple[float, str]:
    """CPU seconds to build every document's records again, and a digest of what was built."""
    sink = _DigestSink()
    built = hashlib.sha256()
    start = time.process_time()
    for path, root, sha256, key, calls in documents:
        builder = records.DocumentBuilder(path, root, sha256, key, sink)
        for call in calls:
            if call[0] == "text":
                builder.add_text(call[1], call[2])
            else:
                builder.add_row(call[1])
        for record in builder.result.records:
            built.update(repr(record).encode())
        built.update(repr(sorted(builder.result.detection_counts.items())).encode())
    seconds = time.process_time() - start
    return seconds, built.hexdigest()[:16] + sink.digest.hexdigest()[:16]


def main() -> None:
    """Record once, replay ``--rounds`` times, print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=1500)
    parser.add_argument("--dense-mb", type=float, default=0.0)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if args.dense_mb:
        target, label = name_dense(args.dense_mb), f"name-dense-{args.dense_mb:g}mb"
    else:
        target, label = archive(args.people)[0], f"archive-{args.people}"
    calls_file = OUT / f"records-calls-{label}.pickle"
    if not calls_file.exists():
        record_calls(target, calls_file)
    documents = pickle.loads(calls_file.read_bytes())  # noqa: S301 - written by this script

    memo: dict[tuple[Any, ...], list[Any]] = {}
    detect = records.detect

    def remembered(data: bytes, location: Any, *args: Any, **kwargs: Any) -> list[Any]:
        key = (
            data,
            location,
            *(tuple(a) if isinstance(a, list) else a for a in args),
            *sorted(kwargs.items()),
        )
        found = memo.get(key)
        if found is None:
            found = memo[key] = detect(data, location, *args, **kwargs)
        return list(found)

    records.detect = remembered  # type: ignore[assignment]
    replay(documents)  # fills the detection memo
    times, digest = [], ""
    for _ in range(args.rounds):
        for memoised in (hashing.keyed_hash, hashing.mask, names.parse_name, names.first_names_compatible):
            memoised.cache_clear()
        seconds, digest = replay(documents)
        times.append(seconds)
    calls = sum(len(d[4]) for d in documents)
    print(
        f"{label}: {len(documents)} documents, {calls} builder calls; records CPU median "
        f"{statistics.median(times):.3f} s, least {min(times):.3f} s ({args.rounds} rounds); digest {digest}"
    )


if __name__ == "__main__":
    matcher.compiled()
    main()
