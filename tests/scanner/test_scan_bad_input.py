"""Hostile and broken input becomes a manifest row with a reason; the scan carries on."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import py7zr
from reportlab.pdfgen import canvas

from incidentroom.scanner import Limits
from tests.helpers.office_writers import write_doc, write_encrypted_office
from tests.helpers.scanhelp import read_outputs, scan

GOOD = b"Name,DOB,NI number\nMargaret Hughes,14/07/1958,JK123456B\n"


def _encrypted_pdf() -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, encrypt="secret", invariant=1)
    c.drawString(50, 800, "Client: Margaret Hughes")
    c.save()
    return buf.getvalue()


def _encrypted_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("secret.csv", b"\0" * 64)
        z.writestr("open.csv", GOOD)
    data = bytearray(buf.getvalue())
    # Set the 'encrypted' general-purpose flag of the first member in its local header
    # and its central-directory entry: what a password-protected member looks like.
    data[data.index(b"PK\x03\x04") + 6] |= 0x1
    data[data.index(b"PK\x01\x02") + 8] |= 0x1
    return bytes(data)


def _deflate64_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("old.csv", GOOD)
        z.writestr("open.csv", b"Reference,Note\nR1,boiler service booked\n")
    data = bytearray(buf.getvalue())
    # Mark the first member as Deflate64 (method 9), which zipfile cannot decompress, in
    # its local header and its central-directory entry.
    data[data.index(b"PK\x03\x04") + 8] = 9
    data[data.index(b"PK\x01\x02") + 10] = 9
    return bytes(data)


def test_encrypted_and_corrupt_files_are_reported_and_the_scan_carries_on(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.csv").write_bytes(GOOD)
    (folder / "locked.zip").write_bytes(_encrypted_zip())
    (folder / "deflate64.zip").write_bytes(_deflate64_zip())
    (folder / "locked.pdf").write_bytes(_encrypted_pdf())
    (folder / "locked.docx").write_bytes(write_encrypted_office())
    (folder / "locked.xlsx").write_bytes(write_encrypted_office(b"workbook"))
    (folder / "locked.doc").write_bytes(write_doc("Client: Margaret Hughes", encrypted=True))
    with py7zr.SevenZipFile(folder / "locked.7z", "w", password="secret") as archive:
        archive.writestr(GOOD, "people.csv")
    whole = io.BytesIO()
    with zipfile.ZipFile(whole, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("a.csv", GOOD * 200)
    (folder / "truncated.zip").write_bytes(whole.getvalue()[: len(whole.getvalue()) // 2])
    (folder / "truncated.pdf").write_bytes(_encrypted_pdf()[:200])
    (folder / "truncated.xlsx").write_bytes(b"PK\x03\x04" + os.urandom(300))
    (folder / "junk.csv").write_bytes(bytes(range(256)) * 40)
    (folder / "picture.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 100)
    result = scan(folder, tmp_path / "out")
    expectations = {
        "locked.zip!/secret.csv": ("failed", "encrypted"),
        "deflate64.zip!/old.csv": ("failed", "unsupported zip compression method 9"),
        "locked.pdf": ("failed", "encrypted"),
        "locked.docx": ("failed", "encrypted"),
        "locked.xlsx": ("failed", "encrypted"),
        "locked.doc": ("failed", "encrypted"),
        "locked.7z": ("failed", "encrypted"),
        "truncated.zip": ("failed", "zip"),
        "truncated.pdf": ("failed", "PDF"),
        "truncated.xlsx": ("failed", "spreadsheet"),
        "junk.csv": ("failed", "binary"),
        "picture.png": ("failed", "OCR"),  # a corrupt image: tesseract cannot read it
    }
    for path, (status, word) in expectations.items():
        got_status, reason = result.status(path)
        assert got_status == status, (path, got_status, reason)
        assert word.lower() in reason.lower(), (path, reason)
    assert result.status("good.csv")[0] == "scanned"
    assert result.status("deflate64.zip!/open.csv")[0] == "scanned"
    assert result.status("locked.zip!/open.csv")[0] == "duplicate"
    assert result.names() == {"Margaret Hughes"}


def test_zip_bomb_ratio_and_total_size_limits(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    with zipfile.ZipFile(folder / "bomb.zip", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("zeros.txt", b"0" * (30 << 20))
        z.writestr("ok.csv", GOOD)
    with zipfile.ZipFile(folder / "big.zip", "w", zipfile.ZIP_STORED) as z:
        for i in range(4):
            z.writestr(f"part{i}.txt", os.urandom(300_000))
    result = scan(folder, tmp_path / "out", limits=Limits(max_archive_total=1_000_000))
    status, reason = result.status("bomb.zip!/zeros.txt")
    assert status == "skipped" and "ratio" in reason
    assert result.status("bomb.zip!/ok.csv")[0] == "scanned"
    statuses = sorted(result.status(f"big.zip!/part{i}.txt")[0] for i in range(4))
    assert statuses.count("skipped") == 1
    assert "archive expands beyond" in result.status("big.zip!/part3.txt")[1]


def test_deep_nesting_stops_at_the_limit(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    data = GOOD
    name = "people.csv"
    for depth in range(12):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr(name, data)
        data, name = buf.getvalue(), f"level{depth}.zip"
    (folder / name).write_bytes(data)
    result = scan(folder, tmp_path / "out", limits=Limits(max_depth=5))
    skipped = [m for m in result.manifest if m["status"] == "skipped"]
    assert len(skipped) == 1 and "nested deeper than 5" in skipped[0]["reason"]
    assert result.individuals == []


PEAK_RSS = (
    "import resource, sys; from pathlib import Path; from incidentroom.scanner import run_scan;"
    "run_scan([Path(sys.argv[1])], Path(sys.argv[2]));"
    "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
)


def _peak_rss_kib(folder: Path, out: Path) -> int:
    """Peak RSS of a scan run in a fresh interpreter (so earlier tests cannot mask it)."""
    done = subprocess.run(
        [sys.executable, "-c", PEAK_RSS, str(folder), str(out)], capture_output=True, text=True, check=True
    )
    return int(done.stdout.strip().splitlines()[-1])


def test_large_single_line_file_is_streamed(tmp_path: Path) -> None:
    small, large = tmp_path / "small", tmp_path / "large"
    small.mkdir()
    large.mkdir()
    (small / "one_line.txt").write_bytes(
        b"NI number JK123456B for Client: Margaret Hughes passport number 123456789 end"
    )
    size = 32 << 20
    with (large / "one_line.txt").open("wb") as fh:
        fh.write(b"NI number JK123456B for Client: Margaret Hughes ")
        block = b"lorem ipsum " * 8192
        while fh.tell() < size:
            fh.write(block)
        fh.write(b" passport number 123456789 end")
    baseline = _peak_rss_kib(small, tmp_path / "out-small")
    peak = _peak_rss_kib(large, tmp_path / "out-large")
    result = read_outputs(tmp_path / "out-large")
    assert result.status("one_line.txt")[0] == "scanned"
    assert {"national_insurance_number", "passport_number"} <= result.categories()
    # Chunks are ~1 MB; holding the 32 MB line (plus its decoded copy) would add 64+ MB.
    assert peak - baseline < 40_000, (baseline, peak)


def test_odd_and_invalid_utf8_file_names(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    odd = os.fsencode(folder) + b"/caf\xe9 \xff\xfe;name\n.csv"
    with open(odd, "wb") as fh:
        fh.write(GOOD)
    (folder / "spaces & 'quotes' ünïcode.txt").write_text(
        "Client: Robert O'Neill, DOB: 02/11/1980", encoding="utf-8"
    )
    result = scan(folder, tmp_path / "out")
    paths = sorted(m["path"] for m in result.manifest)
    assert "caf\\xe9 \\xff\\xfe;name\n.csv" in paths
    assert all(m["status"] == "scanned" for m in result.manifest)
    assert result.names() == {"Margaret Hughes", "Robert O'Neill"}


def test_symlinks_and_special_files_are_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside.csv"
    outside.write_bytes(GOOD)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "link.csv").symlink_to(outside)
    os.mkfifo(folder / "pipe.csv")
    (folder / "real.txt").write_text("Client: Robert O'Neill, DOB: 02/11/1980", encoding="utf-8")
    result = scan(folder, tmp_path / "out")
    assert result.status("link.csv") == ("skipped", "symbolic link not followed")
    assert result.status("pipe.csv")[0] == "skipped"
    assert result.names() == {"Robert O'Neill"}
