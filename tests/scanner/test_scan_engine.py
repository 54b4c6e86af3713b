"""Running scans: CLI, stop and resume, kill -9 and resume, local pool and Dask cluster."""

from __future__ import annotations

import gc
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import asdict
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from incidentroom.scanner import ScanError, ScanProgress, ScanSummary, run_scan
from incidentroom.scanner.cli import main
from incidentroom.scanner.extract import Limits
from incidentroom.scanner.model import FileResult
from incidentroom.scanner.pipeline import engine
from incidentroom.scanner.pipeline.engine import plan
from incidentroom.scanner.pipeline.walk import Task, scan_task
from tests.helpers.registers import write_register
from tests.helpers.scangen import Truth

TIMING_FIELDS = {
    "started_at",
    "finished_at",
    "duration_seconds",
    "phase_seconds",
    "out_dir",
    "workers",
    "cluster",
}


def same_outputs(a: Path, b: Path) -> None:
    """Assert two scans wrote the same results (timings and locations aside)."""
    assert (a / "individuals.csv").read_bytes() == (b / "individuals.csv").read_bytes()
    for name in ("detections.parquet", "manifest.parquet"):
        assert pq.read_table(a / name).equals(pq.read_table(b / name)), name
    summary_a = json.loads((a / "summary.json").read_text(encoding="utf-8"))
    summary_b = json.loads((b / "summary.json").read_text(encoding="utf-8"))
    for field in TIMING_FIELDS:
        summary_a.pop(field), summary_b.pop(field)
    assert summary_a == summary_b
    assert (a / "report.html").read_bytes() == (b / "report.html").read_bytes()


def fresh_out(tmp_path: Path, name: str, reference: Path) -> Path:
    """An output folder that reuses the reference scan's key, so hashes are comparable."""
    out = tmp_path / name
    out.mkdir()
    shutil.copy(reference / "scan.key", out / "scan.key")
    return out


def test_cli_writes_the_five_outputs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.csv").write_text("Name,DOB\nMargaret Hughes,14/07/1958\n", encoding="utf-8")
    assert main([str(folder), "--out", str(tmp_path / "out")]) == 0
    assert "1 individuals (0 high, 1 medium, 0 low risk)" in capsys.readouterr().out
    for name in (
        "individuals.csv",
        "detections.parquet",
        "manifest.parquet",
        "summary.json",
        "report.html",
        "scan.key",
    ):
        assert (tmp_path / "out" / name).is_file()
    assert oct((tmp_path / "out" / "scan.key").stat().st_mode & 0o777) == "0o600"


def test_cli_reports_bad_input_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(tmp_path / "missing"), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "error (path_not_found)" in err and "Traceback" not in err
    with pytest.raises(ScanError) as raised:
        run_scan([tmp_path], tmp_path / "out", workers=0)
    assert raised.value.code == "bad_workers"


def test_should_stop_leaves_a_resumable_state(
    archive: tuple[Path, Truth], scanned: tuple[Path, ScanSummary], tmp_path: Path
) -> None:
    root, _ = archive
    reference, _ = scanned
    out = fresh_out(tmp_path, "out", reference)
    seen: list[ScanProgress] = []
    summary = run_scan([root], out, progress=seen.append, should_stop=lambda: len(seen) > 20)
    assert not summary.complete
    assert not (out / "individuals.csv").exists()
    assert json.loads((out / "summary.json").read_text(encoding="utf-8"))["complete"] is False
    done_before = seen[-1].files_done
    assert 0 < done_before < seen[-1].files_total
    assert seen[-1].bytes_done <= seen[-1].bytes_total
    resumed: list[ScanProgress] = []
    final = run_scan([root], out, resume=True, progress=resumed.append)
    assert final.complete
    assert resumed[0].files_done == done_before  # finished files are not rescanned
    same_outputs(out, reference)


def test_kill_9_then_resume_gives_the_same_outputs(
    archive: tuple[Path, Truth], scanned: tuple[Path, ScanSummary], tmp_path: Path
) -> None:
    root, _ = archive
    reference, _ = scanned
    out = fresh_out(tmp_path, "out", reference)
    results = out / ".state" / "results"
    command = [sys.executable, "-m", "incidentroom.scanner", str(root), "--out", str(out)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if results.exists() and len(list(results.glob("*.json"))) >= 5:
            break
        time.sleep(0.01)
    assert process.poll() is None, "the scan finished before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert not (out / "individuals.csv").exists()
    checkpoints = len(list(results.glob("*.json")))
    assert checkpoints >= 5
    done = subprocess.run([*command, "--resume"], capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert f"{checkpoints} already done" in done.stderr or "already done" in done.stderr
    same_outputs(out, reference)


@pytest.mark.parametrize("start", ["fork", "spawn"])
def test_two_local_workers_give_the_same_outputs(
    archive: tuple[Path, Truth],
    scanned: tuple[Path, ScanSummary],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    start: str,
) -> None:
    # Forked workers inherit the coordinator's patterns; spawned ones load them from bytes.
    monkeypatch.setenv("INCIDENTROOM_SCAN_START", start)
    root, _ = archive
    reference, _ = scanned
    out = fresh_out(tmp_path, "out", reference)
    summary = run_scan([root], out, workers=2)
    assert summary.workers == 2 and summary.complete
    same_outputs(out, reference)
    # The coordinator's heap is frozen only while the workers are forked, never left so.
    assert gc.get_freeze_count() == 0


def test_the_pool_forks_only_a_single_threaded_coordinator(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INCIDENTROOM_SCAN_START", raising=False)
    assert engine._pool_context().get_start_method() == "fork"
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        # A lock held by another thread at the fork would stay held in the worker for ever.
        assert engine._pool_context().get_start_method() == "spawn"
    finally:
        release.set()
        other.join()
    monkeypatch.setenv("INCIDENTROOM_SCAN_START", "spawn")
    assert engine._pool_context().get_start_method() == "spawn"


def test_a_bad_start_method_is_refused_by_name(
    archive: tuple[Path, Truth], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INCIDENTROOM_SCAN_START", "forkserver")
    root, _ = archive
    with pytest.raises(ScanError, match="INCIDENTROOM_SCAN_START") as raised:
        run_scan([root], tmp_path / "out", workers=2)
    assert raised.value.code == "bad_start_method"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_dask_cluster_gives_the_same_individuals(
    archive: tuple[Path, Truth], scanned: tuple[Path, ScanSummary], tmp_path: Path
) -> None:
    root, _ = archive
    reference, _ = scanned
    dask = str(Path(sys.executable).parent / "dask")
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}
    processes = [
        subprocess.Popen(
            [dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=tmp_path,
        )  # fmt: skip
    ]
    try:
        for i in range(2):
            processes.append(
                subprocess.Popen(
                    [
                        dask,
                        "worker",
                        address,
                        "--host",
                        "127.0.0.1",
                        "--nthreads",
                        "1",
                        "--no-dashboard",
                        "--name",
                        f"w{i}",
                        "--local-directory",
                        str(tmp_path / f"w{i}"),
                    ],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    cwd=tmp_path,
                )  # fmt: skip
            )
        wait = f"from distributed import Client; c = Client({address!r}, timeout=60); c.wait_for_workers(2, timeout=60); c.close()"
        subprocess.run([sys.executable, "-c", wait], check=True, timeout=120, capture_output=True)
        out = fresh_out(tmp_path, "out", reference)
        done = subprocess.run(
            [sys.executable, "-m", "incidentroom.scanner", str(root), "--out", str(out), "--cluster", address],
            capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert (out / "individuals.csv").read_bytes() == (reference / "individuals.csv").read_bytes()
        assert json.loads((out / "summary.json").read_text(encoding="utf-8"))["cluster"] == address
        # A big CSV is split into ranges that the two Dask workers share (split.py).
        register = tmp_path / "register"
        register.mkdir()
        write_register(register / "register.csv", rows=400, notes_every=101)
        whole = tmp_path / "register-whole"
        run_scan([register], whole, limits=Limits(split_bytes=0))
        ranges = tmp_path / "register-ranges"
        ranges.mkdir()
        (ranges / "scan.key").write_bytes((whole / "scan.key").read_bytes())
        done = subprocess.run(
            [sys.executable, "-m", "incidentroom.scanner", str(register), "--out", str(ranges),
             "--cluster", address, "--split-mb", "0.004"],
            capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        checkpointed = [
            item["task_key"]
            for path in (ranges / ".state" / "results").glob("*.json")
            for item in json.loads(path.read_text(encoding="utf-8"))["results"]
        ]
        assert len([k for k in checkpointed if "-0" in k]) >= 5  # scanned as ranges on the cluster
        assert (ranges / "individuals.csv").read_bytes() == (whole / "individuals.csv").read_bytes()
        assert pq.read_table(ranges / "detections.parquet").equals(
            pq.read_table(whole / "detections.parquet")
        )
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_checkpoint_json_is_the_whole_result(archive: tuple[Path, Truth]) -> None:
    """The hand-written serialiser gives what ``dataclasses.asdict`` gave, and round-trips."""
    root, _ = archive
    tasks = plan([root], Limits())
    with_records = 0
    for task in tasks[::3]:
        result = scan_task(task, b"k" * 32)
        data = result.to_json()
        assert data == asdict(result)
        assert json.loads(json.dumps(data)) == data
        assert FileResult.from_json(data) == result
        with_records += any(doc.records for doc in result.docs)
    assert with_records >= 10


def test_a_checkpoint_reads_back_what_was_written(archive: tuple[Path, Truth], tmp_path: Path) -> None:
    """Written by orjson, or by ``json`` where orjson refuses a string (a file name's
    undecodable bytes, kept as lone surrogates): either way the same data comes back."""
    root, _ = archive
    task = next(t for t in plan([root], Limits()) if t.relative.endswith(".eml"))
    item = scan_task(task, b"k" * 32).to_json()
    data = {"part": "", "results": [item]}
    engine.write_checkpoint(tmp_path, "plain", data)
    assert engine.read_checkpoint(tmp_path / "plain.json") == json.loads(json.dumps(data))
    odd = {"part": "", "results": [{**item, "task_key": "caf\udce9 Zo\u00eb"}]}
    engine.write_checkpoint(tmp_path, "odd", odd)
    assert engine.read_checkpoint(tmp_path / "odd.json") == odd
    assert list(tmp_path.glob("*.tmp")) == []


def _tasks(sizes: list[int]) -> list[Task]:
    return [Task(f"k{i:04d}", 0, "/r", f"f{i}", size, Limits()) for i, size in enumerate(sizes)]


def test_chunks_keep_order_and_put_a_big_file_alone() -> None:
    big = engine.CHUNK_BYTES + 1
    tasks = _tasks([10] * 5000 + [big] + [10] * 3)
    chunks = engine.chunked(tasks, workers=2, parts_dir="/p")
    assert [t for c in chunks for t in c.tasks] == tasks  # every file once, in path order
    assert max(len(c.tasks) for c in chunks) == engine.CHUNK_FILES
    assert any(c.tasks == (tasks[5000],) for c in chunks)
    assert len({c.key for c in chunks}) == len(chunks)
    # Few files: one per chunk, so progress and a stop request still move file by file.
    few = engine.chunked(_tasks([10] * 20), workers=1, parts_dir="/p")
    assert [len(c.tasks) for c in few] == [1] * 20
    assert engine.chunked([], workers=1, parts_dir="/p") == []


def test_the_pool_takes_the_largest_chunks_first_and_the_coordinator_the_smallest() -> None:
    big = engine.CHUNK_BYTES + 1
    # A big file last in path order must not be started last: every other process would wait.
    tasks = _tasks([10] * 40 + [big, big // 2] + [10] * 3)
    chunks = engine.chunked(tasks, workers=2, parts_dir="/p")
    queue = engine.by_size(chunks)
    assert sorted(queue, key=lambda c: c.key) == sorted(chunks, key=lambda c: c.key)
    assert queue[-1].tasks == (tasks[40],) and queue[-2].tasks == (tasks[41],)
    sizes = [sum(t.size for t in c.tasks) for c in queue]
    assert sizes == sorted(sizes)


def test_a_checkpoint_from_before_chunks_is_scanned_again(
    archive: tuple[Path, Truth], scanned: tuple[Path, ScanSummary], tmp_path: Path
) -> None:
    root, _ = archive
    reference, _ = scanned
    out = fresh_out(tmp_path, "out", reference)
    results = out / ".state" / "results"
    results.mkdir(parents=True)
    (results / "0123456789abcdef01234567.json").write_text('{"task_key": "x", "manifest": [], "docs": []}')
    run_scan([root], out, resume=True)
    same_outputs(out, reference)


def test_a_checkpoint_with_batch_ranges_is_scanned_again(
    archive: tuple[Path, Truth], scanned: tuple[Path, ScanSummary], tmp_path: Path
) -> None:
    """Before files shared batches a checkpoint gave each file's batch range ("batches"), and
    each file had batches of its own. Read as row ranges they would pick the wrong rows, so
    such a chunk is scanned again, and its new checkpoint read (it has the same name: the
    files left are chunked as before)."""
    root, _ = archive
    reference, _ = scanned
    out = fresh_out(tmp_path, "out", reference)
    seen: list[ScanProgress] = []
    run_scan([root], out, progress=seen.append, should_stop=lambda: len(seen) > 20)
    results = out / ".state" / "results"
    old = sorted(results.glob("*.json"))
    for path in old:
        data = json.loads(path.read_text(encoding="utf-8"))
        for item in data["results"]:
            first, count = item.pop("rows")
            item["batches"] = [first // 7, 1 if count else 0]  # what the old code wrote, roughly
        path.write_text(json.dumps(data), encoding="utf-8")
    assert len(old) >= 5
    resumed: list[ScanProgress] = []
    run_scan([root], out, resume=True, progress=resumed.append)
    assert resumed[0].files_done == 0  # every file is scanned again
    same_outputs(out, reference)
    for path in old:
        assert all("rows" in item for item in json.loads(path.read_text(encoding="utf-8"))["results"])
