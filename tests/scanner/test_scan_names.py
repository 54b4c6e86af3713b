"""Names that are not valid UTF-8, and members that are not regular files (issue 13 items 4, 14).

Every container and every place a file name comes from escapes such a name the same way
(``pathnames.printable_name``), so ``individuals.csv``, the manifest and the detections are
written, and the escape gives back the exact original.
"""

from __future__ import annotations

import io
import os
import struct
import tarfile
import zipfile
import zlib
from pathlib import Path

import py7zr
from hypothesis import given
from hypothesis import strategies as st

from incidentroom.scanner.pathnames import original_bytes, original_name, printable_name
from tests.helpers.ole_writer import write_cfb
from tests.helpers.scanhelp import Outputs, scan

GOOD = b"Name,DOB,NI number\nMargaret Hughes,14/07/1958,JK123456B\n"
RAW = b"r\xe9sum\xe9 \xff"  # Windows-1252 bytes: not UTF-8
SHOWN = "r\\xe9sum\\xe9 \\xff"


@given(st.binary(max_size=40))
def test_any_bytes_escape_to_valid_unicode_and_back(raw: bytes) -> None:
    shown = printable_name(raw)
    shown.encode("utf-8")  # never raises: no surrogates left
    assert original_bytes(shown) == raw


@given(st.text(alphabet=st.characters(codec=None, exclude_categories=["Cn"]), max_size=30))
def test_any_string_escapes_and_back(name: str) -> None:
    shown = printable_name(name)
    shown.encode("utf-8")
    assert original_name(shown) == name


def test_ordinary_names_and_backslashes_are_kept_readable() -> None:
    assert printable_name("Résumé 2009.csv") == "Résumé 2009.csv"
    assert printable_name(r"C:\data\file.csv") == r"C:\data\file.csv"
    assert printable_name(r"a\xff") == r"a\\xff"  # a literal backslash-x is doubled
    assert printable_name("\ud800.txt") == "\\ud800.txt"


def _one_document(result: Outputs, shown_suffix: str) -> None:
    """The scan finished, wrote individuals.csv and lists the escaped name everywhere."""
    (person,) = [p for p in result.individuals if p["full_name"] == "Margaret Hughes"]
    assert any(doc.endswith(shown_suffix) for doc in person["documents"].split(";")), person["documents"]
    assert result.status(shown_suffix)[0] == "scanned"
    assert any(d["file"].endswith(shown_suffix) for d in result.detections)
    (result.out / "individuals.csv").read_text(encoding="utf-8")


def test_tar_member_name(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    with tarfile.open(
        folder / "archive.tar", "w", format=tarfile.GNU_FORMAT, encoding="utf-8", errors="surrogateescape"
    ) as tar:
        info = tarfile.TarInfo((RAW + b".csv").decode("utf-8", "surrogateescape"))
        info.size = len(GOOD)
        tar.addfile(info, io.BytesIO(GOOD))
    result = scan(folder, tmp_path / "out")
    _one_document(result, f"archive.tar!/{SHOWN}.csv")
    assert original_bytes(f"{SHOWN}.csv") == RAW + b".csv"


def test_zip_member_names(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("PLACEHOLDER.csv", GOOD)
        z.writestr("caf\u00e9.txt", b"Client: Robert O'Neill, DOB: 02/11/1980")
    # A legacy tool's name: the stored bytes are Windows-1252 and the UTF-8 flag is clear.
    data = buf.getvalue().replace(b"PLACEHOLDER", RAW.ljust(11, b"_"))
    (folder / "archive.zip").write_bytes(data)
    result = scan(folder, tmp_path / "out")
    _one_document(result, f"archive.zip!/{SHOWN}{'_' * (11 - len(RAW))}.csv")
    assert result.status("archive.zip!/caf\u00e9.txt")[0] == "scanned"


def _7z_with_name(name_utf16: bytes, content: bytes) -> bytes:
    """A 7z whose one member's name is ``name_utf16`` (which py7zr could not write itself)."""
    placeholder = "Q" * (len(name_utf16) // 2)
    buf = io.BytesIO()
    archive = py7zr.SevenZipFile(buf, "w")
    archive.encoded_header_mode = False  # a plain header, so the name can be patched in place
    archive.writestr(content, placeholder + ".csv")
    archive.close()
    data = bytearray(buf.getvalue())
    at = data.index(placeholder.encode("utf-16-le"))
    data[at : at + len(name_utf16)] = name_utf16
    offset, size = struct.unpack_from("<QQ", data, 12)
    struct.pack_into("<I", data, 28, zlib.crc32(bytes(data[32 + offset : 32 + offset + size])))
    struct.pack_into("<I", data, 8, zlib.crc32(bytes(data[12:32])))
    return bytes(data)


def test_7z_member_name(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    # An unpaired surrogate: the UTF-16 counterpart of bytes that are not UTF-8.
    (folder / "archive.7z").write_bytes(_7z_with_name(b"\x00\xd8" + "r\u00e9".encode("utf-16-le"), GOOD))
    result = scan(folder, tmp_path / "out")
    _one_document(result, "archive.7z!/\\ud800r\u00e9.csv")
    assert original_name("\\ud800r\u00e9.csv") == "\ud800r\u00e9.csv"


def test_email_attachment_names(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    eml = (
        b"From: Parking <parking@rbkc.example.gov.uk>\r\nTo: x@example.org\r\nSubject: list\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\n"
        b"Content-Type: text/plain\r\n\r\nSee attached.\r\n--XX\r\nContent-Type: text/csv\r\n"
        b'Content-Disposition: attachment; filename="' + RAW + b'.csv"\r\n\r\n' + GOOD + b"\r\n--XX--\r\n"
    )
    (folder / "mail.eml").write_bytes(eml)
    prefix = "__attach_version1.0_#00000000/"
    msg = write_cfb(
        {
            "__substg1.0_0037001F": "list".encode("utf-16-le"),
            "__substg1.0_1000001F": "See attached.".encode("utf-16-le"),
            "__properties_version1.0": b"\0" * 32,
            prefix + "__substg1.0_3707001F": "\ud800list.csv".encode("utf-16-le", "surrogatepass"),
            prefix + "__substg1.0_37010102": GOOD.replace(b"Margaret", b"Maggie"),
        }
    )
    (folder / "note.msg").write_bytes(msg)
    result = scan(folder, tmp_path / "out")
    _one_document(result, f"mail.eml/{SHOWN}.csv")
    assert result.status("note.msg/\\ud800list.csv")[0] == "scanned"


def test_folder_names_on_disk(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    inner = os.path.join(os.fsencode(folder), RAW)
    os.makedirs(inner)
    with open(os.path.join(inner, b"people.csv"), "wb") as fh:
        fh.write(GOOD)
    result = scan(folder, tmp_path / "out")
    _one_document(result, f"{SHOWN}/people.csv")
    assert original_bytes(f"{SHOWN}/people.csv") == RAW + b"/people.csv"


# -- item 14: nothing missing from the manifest --------------------------------------------------


def test_tar_links_devices_and_fifos_are_listed_as_skipped(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    with tarfile.open(folder / "system.tar", "w") as tar:
        info = tarfile.TarInfo("data/people.csv")
        info.size = len(GOOD)
        tar.addfile(info, io.BytesIO(GOOD))
        for name, kind, extra in (
            ("data/link.csv", tarfile.SYMTYPE, {"linkname": "/etc/passwd"}),
            ("data/hard.csv", tarfile.LNKTYPE, {"linkname": "data/people.csv"}),
            ("dev/tty0", tarfile.CHRTYPE, {"devmajor": 4, "devminor": 0}),
            ("dev/sda", tarfile.BLKTYPE, {"devmajor": 8, "devminor": 0}),
            ("run/pipe", tarfile.FIFOTYPE, {}),
        ):
            special = tarfile.TarInfo(name)
            special.type = kind
            for key, value in extra.items():
                setattr(special, key, value)
            tar.addfile(special)
    result = scan(folder, tmp_path / "out")
    assert result.status("data/link.csv") == ("skipped", "symbolic link to /etc/passwd not followed")
    status, reason = result.status("data/hard.csv")
    assert status == "skipped" and reason.startswith("hard link to data/people.csv not followed")
    assert result.status("dev/tty0") == ("skipped", "character device not read (4,0)")
    assert result.status("dev/sda") == ("skipped", "block device not read (8,0)")
    assert result.status("run/pipe") == ("skipped", "FIFO (named pipe) not read")
    assert result.status("data/people.csv")[0] == "scanned"
    assert result.names() == {"Margaret Hughes"}


def test_directory_symlinks_on_disk_are_listed_as_skipped(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "secret.csv").write_bytes(GOOD)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "linked-folder").symlink_to(outside, target_is_directory=True)
    (folder / "real.txt").write_text("Client: Robert O'Neill, DOB: 02/11/1980", encoding="utf-8")
    result = scan(folder, tmp_path / "out")
    assert result.status("linked-folder") == ("skipped", "symbolic link not followed")
    assert not any("secret.csv" in m["path"] for m in result.manifest)
    assert result.names() == {"Robert O'Neill"}


def test_zip_member_flagged_utf8_that_is_not(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("caf\u00e9-PLACEHOLDER.csv", GOOD)  # non-ASCII: written with the UTF-8 flag
        z.writestr("other.txt", b"Client: Robert O'Neill, DOB: 02/11/1980")
    data = buf.getvalue().replace(b"PLACEHOLDER", RAW.ljust(11, b"_"))
    (folder / "archive.zip").write_bytes(data)
    result = scan(folder, tmp_path / "out")
    _one_document(result, f"archive.zip!/caf\u00e9-{SHOWN}{'_' * (11 - len(RAW))}.csv")
    assert result.status("archive.zip!/other.txt")[0] == "scanned"
