"""Part files: the files of a chunk share record batches, and come back out by row range."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from incidentroom.scanner import run_scan
from incidentroom.scanner.extract import Limits
from incidentroom.scanner.model import DetectionRow
from incidentroom.scanner.output import outputs
from incidentroom.scanner.output.outputs import PartFile
from incidentroom.scanner.pipeline import engine, parts
from incidentroom.scanner.pipeline.engine import plan
from incidentroom.scanner.pipeline.hashing import load_or_create_key
from incidentroom.scanner.pipeline.parts import DetectionSink
from incidentroom.scanner.pipeline.walk import scan_task
from tests.helpers.registers import write_register


def _row(n: int) -> DetectionRow:
    return DetectionRow("name", "names", f"m{n}", f"h{n}", 0.9, f"line={n}", None, None, None, n, None)


def _read(part: PartFile, reader: Any) -> list[tuple[str, str]]:
    return [(r["doc"], r["masked"]) for b in reader.batches(part) for r in b.to_pylist()]


def test_files_share_batches_and_each_reads_back_its_own_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parts, "BATCH", 5)
    sink = DetectionSink(tmp_path / "chunk.arrow")
    sizes = {"a": 3, "b": 0, "c": 9, "d": 1}  # c starts in a's batch and ends in a third
    ranges, n = {}, 0
    for doc, size in sizes.items():
        for _ in range(size):
            sink.add(doc, -1, _row(n))
            n += 1
        ranges[doc] = sink.mark()
    sink.close()
    assert ranges == {"a": (0, 3), "b": (3, 0), "c": (3, 9), "d": (12, 1)}
    with pa.OSFile(str(tmp_path / "chunk.arrow")) as source:
        file = pa.ipc.open_file(source)
        assert [file.get_batch(i).num_rows for i in range(file.num_record_batches)] == [5, 5, 3]
        assert file.get_batch(0).column("doc").to_pylist() == ["a"] * 3 + ["c"] * 2
    expected = {
        doc: [(doc, f"m{i}") for i in range(first, first + count)] for doc, (first, count) in ranges.items()
    }
    located = {
        doc: PartFile(0, tmp_path / "chunk.arrow", first_row=f, row_count=c) for doc, (f, c) in ranges.items()
    }
    reader = outputs._PartReader()
    try:
        # In order, then backwards and skipping: each range alone, whatever was read before.
        for doc in ["a", "c", "d", "d", "c", "a", "d", "a"]:
            assert _read(located[doc], reader) == expected[doc], doc
        assert (
            _read(PartFile(0, tmp_path / "chunk.arrow", first_row=4), reader)
            == [("c", f"m{i}") for i in range(4, 12)] + expected["d"]
        )
        with pytest.raises(ValueError, match="short"):
            _read(PartFile(0, tmp_path / "chunk.arrow", first_row=10, row_count=5), reader)
    finally:
        reader.close()


def _folder(root: Path) -> Path:
    root.mkdir()
    for i in range(6):
        write_register(root / f"register{i}.csv", 4 + 5 * i)
    (root / "empty.txt").write_text("Nothing personal here.\n", encoding="utf-8")
    (root / "letter.txt").write_text(
        "Dear Mrs Bethan Roberts,\n12 Hill Road, London W2 3AB\nNI number JA123456A\n", encoding="utf-8"
    )
    shutil.copy(root / "register2.csv", root / "copy.csv")  # a duplicate: its rows are left out
    return root


@pytest.mark.parametrize("batch", [3, 7, parts.BATCH])
def test_a_chunk_of_files_in_shared_batches_comes_out_in_path_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, batch: int
) -> None:
    root = _folder(tmp_path / "in")
    monkeypatch.setattr(parts, "BATCH", batch)
    monkeypatch.setattr(engine, "CHUNKS_PER_WORKER", 1)  # one chunk of every file
    out = tmp_path / "out"
    run_scan([root], out)
    [part] = (out / ".state" / "parts").glob("*.arrow")
    # Every file alone, with a part file of its own: the rows the scan must give, in path order.
    alone = tmp_path / "alone"
    alone.mkdir()
    expected: list[dict[str, Any]] = []
    for task in plan([root], Limits(), str(alone)):
        scan_task(task, load_or_create_key(out), None)
        if task.parts_path.exists():
            with pa.OSFile(str(task.parts_path)) as source:
                expected += pa.ipc.open_file(source).read_all().to_pylist()
    assert len({row["doc"] for row in expected}) >= 8
    with pa.OSFile(str(part)) as source:
        shared = pa.ipc.open_file(source)
        # Full batches only, the last aside: no file has a batch of its own.
        assert shared.num_record_batches == -(-len(expected) // batch)
        docs = [set(shared.get_batch(i).column("doc").to_pylist()) for i in range(shared.num_record_batches)]
    assert any(len(d) >= 2 for d in docs)  # a batch holds one file's end and the next one's start
    if len(docs) > 1:
        assert any(docs[i] & docs[i + 1] for i in range(len(docs) - 1))  # a file spans batches
    manifest = pq.read_table(out / "manifest.parquet").to_pylist()
    duplicates = {row["path"] for row in manifest if row["status"] == "duplicate"}
    assert len(duplicates) == 1  # its detections are in the part file, but not in the output
    columns = [name for name in parts.PART_SCHEMA.names if name != "record_seq"]
    got = (
        pq.read_table(out / "detections.parquet").rename_columns({"file": "doc"}).select(columns).to_pylist()
    )
    assert got == [{c: row[c] for c in columns} for row in expected if row["doc"] not in duplicates]
