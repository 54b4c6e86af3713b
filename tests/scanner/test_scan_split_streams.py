"""A big MBOX or log is cut into byte ranges, one task each, and the outputs are those of
the unsplit scan (issue 14 §4; ``pipeline/streams.py``).

The property tests scan in this process: the whole file as one task, then its ranges as
the planner cuts them (or at any line start, for the join's own checks), and compare the
joined manifest rows, documents (records) and detection rows with the whole file's. The
end-to-end tests compare the written outputs of a two-worker split scan with a one-worker
unsplit one. Thresholds and text pieces are a few hundred bytes so small files hold many.
"""

from __future__ import annotations

import base64
import io
import json
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from incidentroom.scanner import run_scan
from incidentroom.scanner.extract import Limits
from incidentroom.scanner.extract.mail import is_blank, starts_message
from incidentroom.scanner.model import FileResult
from incidentroom.scanner.output.outputs import PartFile
from incidentroom.scanner.pipeline import split
from incidentroom.scanner.pipeline.engine import plan
from incidentroom.scanner.pipeline.ranges import StreamRange
from incidentroom.scanner.pipeline.walk import Task, scan_task

KEY = bytes(range(32))
PROPERTY = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

# --- what the files hold -------------------------------------------------------------

PEOPLE = ["Jane Smith", "Owen Price", "Bethan Roberts", "Siân Hughes", "Zoë Patel"]
CSV_A = b"Name,Date of birth\r\nJane Smith,01/02/1960\r\nOwen Price,03/04/1971\r\n"
CSV_B = b"Name,NI number\r\nBethan Roberts,JA123456B\r\n"


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


# Attachments drawn from a few contents, so the same one turns up in several ranges (the
# whole scan reads it once); the zip holds CSV_A, which is also attached on its own.
ATTACHMENTS = [("list.csv", CSV_A), ("other.csv", CSV_B), ("forms.zip", _zip({"list.csv": CSV_A}))]
BODY_LINES = [
    "Dear team, I am {who}, born 14/03/1971, NI number JB{n:06d}C.",
    "My phone is 07700 900{n:03d} and my email {mail}@mail.example.",
    ">From the start of this year I have been unwell.",  # mboxrd-escaped 'From '
    "From what I know the form was sent.",  # 'From ' not after a blank line: body
    "",
    "   ",  # whitespace only: blank to the splitter, as to the extractor
    "Regards",
]


@st.composite
def messages(draw: st.DrawFn) -> list[str]:
    """The lines of one message (its 'From ' separator first)."""
    n = draw(st.integers(0, 999))
    who = draw(st.sampled_from(PEOPLE))
    mail = who.split()[0].lower()
    lines = [f"From {mail}@mail.example Mon Jan  1 00:00:00 2024", f"From: {who} <{mail}@mail.example>"]
    lines += ["To: Housing Options <housing@council.gov.uk>", f"Subject: case {n}"]
    body = [
        line.format(who=who, n=n, mail=mail)
        for line in draw(st.lists(st.sampled_from(BODY_LINES), min_size=1, max_size=5))
    ]
    attached = draw(st.lists(st.sampled_from(range(len(ATTACHMENTS))), max_size=2, unique=True))
    if not attached:
        return [*lines, "", *body]
    lines += ["MIME-Version: 1.0", 'Content-Type: multipart/mixed; boundary="b1"', "", "--b1"]
    lines += ["Content-Type: text/plain", "", *body]
    for index in attached:
        name, data = ATTACHMENTS[index]
        lines += ["--b1", f'Content-Type: application/octet-stream; name="{name}"']
        lines += [
            "Content-Transfer-Encoding: base64",
            f'Content-Disposition: attachment; filename="{name}"',
            "",
        ]
        lines.append(base64.b64encode(data).decode())
    return [*lines, "--b1--"]


@st.composite
def mbox_files(draw: st.DrawFn) -> bytes:
    """An mbox with the awkward parts real ones have: CRLF, no final line break, text before
    the first 'From ' line, and blank lines of spaces before a separator."""
    lines: list[str] = []
    if draw(st.booleans()):
        lines += ["This mailbox was exported by hand.", ""]
    for message in draw(st.lists(messages(), min_size=2, max_size=12)):
        lines += [*message, draw(st.sampled_from(["", " ", "\t"]))]
    end = draw(st.sampled_from(["\n", "\r\n"]))
    text = end.join(lines) + (end if draw(st.booleans()) else "")
    return text.encode("utf-8")


LOG_LINES = [
    '2024-01-01T00:00:{s:02d} INFO login user={mail}@mail.example name="{who}"',
    "2024-01-01T00:01:{s:02d} WARN case note: {who} DOB 14/03/1971 NI JB{n:06d}C",
    "2024-01-01T00:02:{s:02d} DEBUG request took {n} ms",
    "2024-01-01T00:03:{s:02d} INFO callback 07700 900{n:03d} for {who}",
    "2024-01-01T00:04:{s:02d} ERROR bad byte \x00 in record {n}",
    "Name: {who} Address: 14 Hill Road, London W1 2AB",
]


@st.composite
def log_files(draw: st.DrawFn) -> bytes:
    """A log with NULs, a line longer than a text piece, accents, cp1252 bytes in UTF-8."""
    lines = []
    for s in range(draw(st.integers(5, 60))):
        who = draw(st.sampled_from(PEOPLE))
        template = draw(st.sampled_from([*LOG_LINES, "LONG"]))
        if template == "LONG":
            lines.append(" ".join(f"{who} field{k}" for k in range(draw(st.integers(20, 90)))))
        else:
            lines.append(
                template.format(s=s % 60, n=draw(st.integers(0, 999)), who=who, mail=who.split()[0].lower())
            )
    end = draw(st.sampled_from(["\n", "\r\n"]))
    data = (end.join(lines) + (end if draw(st.booleans()) else "")).encode("utf-8")
    if draw(st.booleans()):
        data = data.replace("Zoë".encode(), b"Zo\xeb", 1)  # a cp1252 stretch inside UTF-8
    return data


# --- scanning in this process --------------------------------------------------------


def _task(path: Path, limits: Limits) -> Task:
    parts = path.parent / f"parts-{path.name}"
    parts.mkdir(exist_ok=True)
    [task] = plan([path], limits, str(parts))
    return task


def _rows(part: PartFile) -> list[dict[str, Any]]:
    with pa.OSFile(str(part.path), "rb") as source:
        reader = pa.ipc.open_file(source)
        return [
            row
            for i in range(reader.num_record_batches)
            for row in part.fixed(reader.get_batch(i)).to_pylist()
        ]


def _outputs(result: FileResult, parts: list[PartFile]) -> dict[str, Any]:
    """What the outputs are made of: manifest rows, documents with their records, and the
    detection rows of the documents kept (as ``outputs.write_detections`` keeps them)."""
    kept = {doc.path for doc in result.docs}
    return {
        "manifest": result.manifest,
        "docs": result.docs,
        "detections": [row for part in parts for row in _rows(part) if row["doc"] in kept],
    }


def _whole(task: Task) -> dict[str, Any]:
    result = scan_task(task, KEY)
    return _outputs(result, [PartFile(0, task.parts_path)] if task.parts_path.exists() else [])


def _joined(task: Task, ranges: list[Task]) -> dict[str, Any] | None:
    results = [scan_task(r, KEY) for r in ranges]
    located = [PartFile(0, r.parts_path) if r.parts_path.exists() else None for r in ranges]
    done = split.join(task, ranges, results, located)
    return None if done is None else _outputs(*done)


def _write(tmp: pytest.TempPathFactory, name: str, data: bytes) -> Path:
    path = tmp.mktemp("stream") / name
    path.write_bytes(data)
    return path


def _forced(task: Task, data: bytes, starts: list[int], kind: str) -> list[Task]:
    """Ranges cut at ``starts`` whatever the planner would say, told what came before each
    as the whole file's reader counts it (lines; messages by the extractor's rule)."""
    bounds = [0, *sorted({s for s in starts if 0 < s < len(data)}), len(data)]
    boundaries, previous_blank, at = [], True, 0
    pieces = data.split(b"\n")
    lines = [piece + b"\n" for piece in pieces[:-1]] + ([pieces[-1]] if pieces[-1] else [])
    for line in lines if kind == "mbox" else []:
        if starts_message(line, previous_blank) and at:
            boundaries.append(at)
        previous_blank = not starts_message(line, previous_blank) and is_blank(line)
        at += len(line)
    stat = Path(task.full_path).stat()
    out = []
    for index, (start, end) in enumerate(zip(bounds, bounds[1:], strict=False)):
        at_start = StreamRange(
            kind=kind,
            line=data[:start].count(b"\n") + 1,
            messages=sum(1 for b in boundaries if b <= start),
            encoding="utf-8",
            lines=data[start:end].count(b"\n"),
            file_size=stat.st_size,
            file_mtime_ns=stat.st_mtime_ns,
        )
        out.append(
            replace(
                task,
                key=f"{task.key}-{index:04d}",
                part=index,
                start=start,
                end=end,
                size=end - start,
                file_key=task.key,
                stream=at_start,
            )
        )
    return out


def _line_starts(data: bytes, fractions: list[float], before: bytes = b"\n") -> list[int]:
    """The line starts at or after the given fractions of the file (the first ones where
    ``before`` ends, to aim at 'From ' lines)."""
    found = []
    for fraction in fractions:
        newline = data.find(before, int(fraction * len(data)))
        if newline != -1:
            found.append(newline + 1)
    return found


# --- properties ----------------------------------------------------------------------


@pytest.mark.slow
@PROPERTY
@given(data=mbox_files(), share=st.integers(150, 3000))
def test_planned_mbox_ranges_give_the_whole_files_outputs(
    tmp_path_factory: pytest.TempPathFactory, data: bytes, share: int
) -> None:
    limits = Limits(split_bytes=share)
    path = _write(tmp_path_factory, "inbox.mbox", data)
    task = _task(path, limits)
    ranges = split.expand([task], lambda t: False)
    if len(ranges) == 1:
        return  # one message, or none past the first share: not split
    joined = _joined(task, ranges)
    event("joined" if joined is not None else "scanned whole")
    if joined is None:
        # Only a member renamed by its number in the file is refused here.
        results = [scan_task(r, KEY).split for r in ranges]
        assert any(r and "renamed" in r["problem"] for r in results), results
        return
    assert joined == _whole(task)


@pytest.mark.slow
@PROPERTY
@given(data=mbox_files(), cuts=st.lists(st.floats(0, 1), min_size=1, max_size=5), aim=st.booleans())
def test_mbox_cut_anywhere_joins_only_when_right(
    tmp_path_factory: pytest.TempPathFactory, data: bytes, cuts: list[float], aim: bool
) -> None:
    """A cut at any line start, inside a message or between a blank line and a 'From '
    line of a body: a range that does not start at a message says so, and the file is
    scanned whole; ranges that join give the whole file's outputs."""
    path = _write(tmp_path_factory, "inbox.mbox", data)
    task = _task(path, Limits(split_bytes=1))
    starts = _line_starts(data, cuts, b"\nFrom " if aim else b"\n")
    joined = _joined(task, _forced(task, data, starts, "mbox"))
    event("joined" if joined is not None else "scanned whole")
    if joined is not None:
        assert joined == _whole(task)


@pytest.mark.slow
@PROPERTY
@given(data=log_files(), share=st.integers(200, 3000), chunk=st.integers(64, 700))
def test_planned_log_ranges_give_the_whole_files_outputs(
    tmp_path_factory: pytest.TempPathFactory, data: bytes, share: int, chunk: int
) -> None:
    limits = Limits(split_bytes=share, text_chunk=chunk)
    path = _write(tmp_path_factory, "app.log", data)
    task = _task(path, limits)
    ranges = split.expand([task], lambda t: False)
    if len(ranges) == 1:
        return
    event(f"{len(ranges)} ranges")
    joined = _joined(task, ranges)
    assert joined is not None  # the planner cuts only where the pieces start
    assert joined == _whole(task)


@pytest.mark.slow
@PROPERTY
@given(data=log_files(), cuts=st.lists(st.floats(0, 1), min_size=1, max_size=5), chunk=st.integers(64, 700))
def test_log_cut_anywhere_joins_only_when_right(
    tmp_path_factory: pytest.TempPathFactory, data: bytes, cuts: list[float], chunk: int
) -> None:
    """A cut at any line start (most fall inside one of the reader's pieces): the range
    before it reads a piece past its end and says so, and the file is scanned whole."""
    path = _write(tmp_path_factory, "app.log", data)
    task = _task(path, Limits(split_bytes=1, text_chunk=chunk))
    joined = _joined(task, _forced(task, data, _line_starts(data, cuts), "text"))
    event("joined" if joined is not None else "scanned whole")
    if joined is not None:
        assert joined == _whole(task)


def test_a_cut_in_the_middle_of_a_piece_is_refused(tmp_path_factory: pytest.TempPathFactory) -> None:
    data = "".join(f"line {n} for Jane Smith DOB 14/03/1971\n" for n in range(40)).encode()
    path = _write(tmp_path_factory, "app.log", data)
    task = _task(path, Limits(split_bytes=1, text_chunk=400))
    assert _joined(task, _forced(task, data, [data.index(b"line 3 ")], "text")) is None


def test_a_cut_between_a_body_line_and_a_from_line_after_it_is_refused(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    data = b"From a@b Mon\nSubject: x\n\nJane Smith\nFrom what I know\nDOB 14/03/1971\n"
    path = _write(tmp_path_factory, "inbox.mbox", data)
    task = _task(path, Limits(split_bytes=1))
    assert _joined(task, _forced(task, data, [data.index(b"From what")], "mbox")) is None


def test_a_member_renamed_by_its_number_in_a_later_range_is_refused(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    # Two attachments of one name: the second is 'name#memberN', N counted over the whole
    # file, which a later range cannot know.
    twice = "\n".join(
        f'--b\nContent-Disposition: attachment; filename="a.csv"\nContent-Transfer-Encoding: base64\n\n'
        f"{base64.b64encode(data).decode()}"
        for data in (CSV_A, CSV_B)
    )
    head = 'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="b"\n\n'
    data = "".join(f"From p{n}@x Mon\nSubject: {n}\n{head}{twice}\n--b--\n\n" for n in range(6)).encode()
    path = _write(tmp_path_factory, "inbox.mbox", data)
    task = _task(path, Limits(split_bytes=len(data) // 3))
    ranges = split.expand([task], lambda t: False)
    assert len(ranges) == 3
    assert _joined(task, ranges) is None
    assert "a.csv#member" in "".join(row.path for row in _whole(task)["manifest"])


def test_a_changed_file_is_not_joined(tmp_path_factory: pytest.TempPathFactory) -> None:
    data = "".join(f"From p{n}@x Mon\nSubject: {n}\n\nJane Smith {n}\n\n" for n in range(30)).encode()
    path = _write(tmp_path_factory, "inbox.mbox", data)
    task = _task(path, Limits(split_bytes=200))
    ranges = split.expand([task], lambda t: False)
    assert len(ranges) > 2
    path.write_bytes(data + b"From late@x Mon\n\nBody\n")
    assert _joined(task, ranges) is None


def test_utf16_and_binary_logs_are_not_split(tmp_path_factory: pytest.TempPathFactory) -> None:
    text = "".join(f"Jane Smith {n} DOB 14/03/1971\n" for n in range(200))
    for name, data in (("u16.log", text.encode("utf-16")), ("bin.log", b"\x00\x01\x02" * 2000)):
        task = _task(_write(tmp_path_factory, name, data), Limits(split_bytes=300, text_chunk=200))
        assert split.expand([task], lambda t: False) == [task]


# --- end to end ----------------------------------------------------------------------


def _scan(src: Path, out: Path, limits: Limits, workers: int, key_from: Path | None = None) -> dict[str, Any]:
    if key_from is not None:
        out.mkdir()
        (out / "scan.key").write_bytes((key_from / "scan.key").read_bytes())
    run_scan([src], out, limits=limits, workers=workers)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    skip = ("out_dir", "started_at", "finished_at", "duration_seconds", "phase_seconds", "workers")
    return {
        "individuals": (out / "individuals.csv").read_bytes(),
        "detections": pq.read_table(out / "detections.parquet").to_pylist(),
        "manifest": pq.read_table(out / "manifest.parquet").to_pylist(),
        "figures": {k: v for k, v in summary.items() if k not in skip},
    }


def _range_keys(out: Path) -> list[str]:
    return sorted(
        item["task_key"]
        for path in (out / ".state" / "results").glob("*.json")
        for item in json.loads(path.read_text(encoding="utf-8"))["results"]
    )


def _mailbox(count: int) -> bytes:
    lines: list[str] = ["Exported by hand", ""]
    for n in range(count):
        who = PEOPLE[n % len(PEOPLE)]
        mail = who.split()[0].lower()
        lines += [f"From {mail}@x Mon Jan  1 00:00:00 2024", f"From: {who} <{mail}@mail.example>"]
        lines += [
            f"Subject: case {n}",
            "MIME-Version: 1.0",
            'Content-Type: multipart/mixed; boundary="b"',
            "",
        ]
        lines += ["--b", "Content-Type: text/plain", "", f"I am {who}, NI JB{n:06d}C.", ">From today."]
        name, data = ATTACHMENTS[n % len(ATTACHMENTS)]
        lines += [
            "--b",
            f'Content-Disposition: attachment; filename="{name}"',
            "Content-Transfer-Encoding: base64",
        ]
        lines += ["", base64.b64encode(data).decode(), "--b--", ""]
    return "\r\n".join(lines).encode()


@pytest.mark.slow
def test_split_mbox_and_log_scans_write_the_unsplit_outputs(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "inbox.mbox").write_bytes(_mailbox(60))
    log = "".join(
        f"2024-01-01 INFO {PEOPLE[n % 5]} DOB 14/03/1971 phone 07700 900{n:03d}\n" for n in range(400)
    )
    (folder / "app.log").write_text(log, encoding="utf-8")
    whole = _scan(folder, tmp_path / "whole", Limits(split_bytes=0, text_chunk=1000), 1)
    split_scan = _scan(
        folder, tmp_path / "split", Limits(split_bytes=4000, text_chunk=1000), 2, tmp_path / "whole"
    )
    assert split_scan == whole
    keys = _range_keys(tmp_path / "split")
    assert len(keys) > 8 and all("-" in k for k in keys), keys  # both split, joined, none rescanned
    assert any(row["status"] == "duplicate" for row in whole["manifest"])
    assert any(row["file"].startswith("app.log") for row in whole["detections"])


@pytest.mark.slow
def test_one_worker_does_not_split_an_mbox(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "inbox.mbox").write_bytes(_mailbox(30))
    run_scan([folder], tmp_path / "out", limits=Limits(split_bytes=2000))
    assert all("-" not in k for k in _range_keys(tmp_path / "out"))
