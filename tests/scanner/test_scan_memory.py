"""A CSV that is one enormous line is read in bounded memory (issue 13 item 9).

Peak memory is measured in a fresh subprocess (VmHWM, reset just before the read), and the
bound is relative to the file's size, never a time.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from incidentroom.scanner import Limits
from incidentroom.scanner.model import RowUnit, TextUnit
from tests.helpers.scanhelp import extracted_units, scan

CHILD = r"""
import json, re, sys
from pathlib import Path
from incidentroom.scanner.extract import choose
from incidentroom.scanner.extract.base import Blob, Limits

def peak_and_now():
    text = Path("/proc/self/status").read_text()
    return [int(re.search(rf"{k}:\s+(\d+) kB", text).group(1)) * 1024 for k in ("VmHWM", "VmRSS")]

def units(path):
    blob = Blob(path.name, lambda: path.open("rb"), path.stat().st_size)
    text = 0
    for unit in choose(blob.extension, b"").extract(blob, Limits()):
        text += len(getattr(unit, "text", "")) + sum(len(c) for c in getattr(unit, "cells", ()))
    return text

warm = Path(sys.argv[2]); warm.write_text("name,ni\nMargaret Hughes,JK123456B\n")
units(warm)  # imports and first-use allocations happen here, not in the measurement
Path("/proc/self/clear_refs").write_text("5")  # reset the peak to the current size
before = peak_and_now()[1]
chars = units(Path(sys.argv[1]))
print(json.dumps({"growth": peak_and_now()[0] - before, "chars": chars}))
"""


def _one_line(path: Path, size: int) -> None:
    """About ``size`` bytes of comma-separated values with no line break at all."""
    cell = b"Margaret Hughes,JK123456B,W8 4AA," + b"service request closed,ward meeting notes," * 20
    with path.open("wb") as fh:
        written = 0
        while written < size:
            fh.write(cell)
            written += len(cell)


def _peak_growth(path: Path, tmp_path: Path) -> dict[str, int]:
    out = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", CHILD, str(path), str(tmp_path / f"warm{path.suffix}")],
        check=True,
        capture_output=True,
        text=True,
    )
    return dict(json.loads(out.stdout))


def test_a_single_line_csv_is_read_in_bounded_memory(tmp_path: Path) -> None:
    size = 64 << 20
    csv_file = tmp_path / "one-line.csv"
    _one_line(csv_file, size)
    txt_file = tmp_path / "one-line.txt"
    txt_file.hardlink_to(csv_file)
    as_csv = _peak_growth(csv_file, tmp_path)
    as_txt = _peak_growth(txt_file, tmp_path)
    # Every character still reaches the detectors (before: the line became a header, unread).
    assert as_csv["chars"] >= csv_file.stat().st_size * 0.99
    # csv.reader held the whole line and a cell object per value: about 10x the file.
    assert as_csv["growth"] < size / 4, as_csv
    assert as_csv["growth"] < as_txt["growth"] + size / 16, (as_csv, as_txt)


def test_an_overlong_record_is_scanned_as_text_and_the_rows_after_it_keep_their_columns(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    long_cell = "notes " * 400 + "Client: Robert O'Neill, DOB: 02/11/1980 " + "more notes " * 400
    (folder / "people.csv").write_text(
        "Name,DOB,NI number\n"
        f'Margaret Hughes,14/07/1958,JK123456B\n"{long_cell}",x,y\n'
        "Bashir Bello,03/03/1971,AB123456C\n",
        encoding="utf-8",
    )
    limits = Limits(csv_record_chars=1000)
    units = [u for u in extracted_units(folder, limits) if isinstance(u, RowUnit | TextUnit)]
    rows = [u for u in units if isinstance(u, RowUnit)]
    assert [r.cells[0] for r in rows] == ["Margaret Hughes", "Bashir Bello"]
    assert all(r.headers == ("Name", "DOB", "NI number") for r in rows)
    assert [r.location.row for r in rows] == [2, 4]
    texts = [u for u in units if isinstance(u, TextUnit)]
    assert "Robert O'Neill" in "".join(t.text for t in texts)
    assert all(len(t.text) <= 1 << 20 for t in texts)
    result = scan(folder, tmp_path / "out", limits=limits)
    assert {"Margaret Hughes", "Bashir Bello", "Robert O'Neill"} <= result.names()
