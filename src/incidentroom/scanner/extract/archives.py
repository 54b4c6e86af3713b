"""Containers: zip, tar (plain or compressed), gzip and 7z, opened to any depth.

Members are copied into spooled temporary files one at a time with the size and ratio
guards applied to the bytes actually produced, so a lying header cannot bomb us.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import io
import re
import struct
import tarfile
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import IO, ClassVar, cast

import py7zr
from py7zr import archiveinfo as py7zr_archiveinfo
from py7zr.io import Py7zIO, WriterFactory

from ..pathnames import printable_name
from .base import Blob, ExtractError, Extractor, Limits, MemberIssue, Output, file_blob, spool


def _member_path(container: str, name: str | bytes) -> str:
    return f"{container}!/{printable_name(name).lstrip('/')}"


def _zip_name(info: zipfile.ZipInfo) -> bytes:
    """A zip member's name as the bytes stored in the archive.

    zipfile decodes names without the UTF-8 flag as cp437, which maps every byte to one
    character, so encoding back gives the stored bytes; they are then read as UTF-8 (what
    most tools write) and anything else is escaped like every other non-UTF-8 name.
    """
    if info.flag_bits & 0x800:
        return info.orig_filename.encode("utf-8", "surrogateescape")
    return info.orig_filename.encode("cp437")


def _without_utf8_flags(fh: IO[bytes], cleanup: contextlib.ExitStack) -> zipfile.ZipFile:
    """The zip reopened from a copy whose names are all marked as legacy (cp437).

    :func:`_zip_name` reads every name back as its stored bytes whatever the flag says,
    so clearing the UTF-8 flag (bit 11) in the central directory and local headers changes
    nothing for valid names and lets zipfile open an archive with one invalid name.
    """
    fh.seek(0)
    copy: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=32 << 20)  # noqa: SIM115
    cleanup.callback(copy.close)  # zipfile does not close a file object it was given
    while block := fh.read(1 << 20):
        copy.write(block)
    size = copy.tell()
    try:
        copy.seek(max(0, size - 65557))
        tail = copy.read()
        at = tail.rfind(b"PK\x05\x06")
        if at < 0 or len(tail) < at + 22:
            raise ExtractError("failed", "corrupt zip: no end of central directory")
        cd_size, cd_offset = struct.unpack_from("<II", tail, at + 12)
        if cd_offset == 0xFFFFFFFF or cd_offset + cd_size > size:
            raise ExtractError(
                "failed", "corrupt zip: a name flagged UTF-8 is not UTF-8 (zip64 not repaired)"
            )
        copy.seek(cd_offset)
        directory = bytearray(copy.read(cd_size))
        pos = 0
        local_offsets = []
        while pos + 46 <= len(directory) and directory[pos : pos + 4] == b"PK\x01\x02":
            directory[pos + 9] &= 0xF7  # bit 11 is bit 3 of the flags' high byte
            name_len, extra_len, comment_len = struct.unpack_from("<HHH", directory, pos + 28)
            local_offsets.append(struct.unpack_from("<I", directory, pos + 42)[0])
            pos += 46 + name_len + extra_len + comment_len
        copy.seek(cd_offset)
        copy.write(directory)
        for offset in local_offsets:
            copy.seek(offset)
            header = copy.read(8)
            if len(header) == 8 and header[:4] == b"PK\x03\x04":
                copy.seek(offset + 7)
                copy.write(bytes([header[7] & 0xF7]))
        copy.seek(0)
        return zipfile.ZipFile(copy)
    except (zipfile.BadZipFile, OSError, ValueError, struct.error) as exc:
        raise ExtractError("failed", f"corrupt zip: {exc}") from exc


def _tar_special(member: tarfile.TarInfo) -> str | None:
    """Why a tar member that is not a regular file is not read (None for a directory)."""
    if member.isdir():
        return None
    target = printable_name(member.linkname)
    if member.issym():
        return f"symbolic link to {target} not followed"
    if member.islnk():
        return f"hard link to {target} not followed (its target is scanned where it is stored)"
    if member.ischr() or member.isblk():
        kind = "character" if member.ischr() else "block"
        return f"{kind} device not read ({member.devmajor},{member.devminor})"
    if member.isfifo():
        return "FIFO (named pipe) not read"
    return f"tar member of type {member.type!r} not read"


# The compression methods the standard library can decompress.
ZIP_METHODS = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA})


class ZipExtractor(Extractor):
    """ZIP archives; encrypted members and bombs are reported, not opened."""

    name = "zip"
    extensions: ClassVar[tuple[str, ...]] = ("zip",)
    container = True

    def sniff(self, head: bytes) -> bool:
        """Local file header signature."""
        return head.startswith(b"PK\x03\x04")

    def extract(self, blob: Blob, limits: Limits) -> Iterator[Output]:
        """Yield each member as a blob (or an issue)."""
        with blob.open() as fh, contextlib.ExitStack() as cleanup:
            try:
                archive = zipfile.ZipFile(fh)
            except UnicodeDecodeError:
                # A name flagged UTF-8 that is not: zipfile refuses the whole archive.
                archive = _without_utf8_flags(fh, cleanup)
            except (zipfile.BadZipFile, OSError, ValueError) as exc:
                raise ExtractError("failed", f"corrupt zip: {exc}") from exc
            with archive:
                total = 0
                for info in archive.infolist():
                    if info.is_dir():
                        continue
                    path = _member_path(blob.path, _zip_name(info))
                    year = info.date_time[0] if info.date_time[0] > 1980 else None
                    if info.flag_bits & 0x1:
                        yield MemberIssue(
                            path, info.file_size, "failed", "encrypted zip member (password protected)", year
                        )
                        continue
                    if info.compress_type not in ZIP_METHODS:
                        # Deflate64, PPMd, AES...: zipfile cannot read them, so say which
                        # method it is rather than report the member as corrupt.
                        yield MemberIssue(
                            path,
                            info.file_size,
                            "failed",
                            f"unsupported zip compression method {info.compress_type}",
                            year,
                        )
                        continue
                    if (
                        info.file_size > (1 << 20)
                        and info.file_size / max(info.compress_size, 1) > limits.max_ratio
                    ):
                        yield MemberIssue(
                            path,
                            info.file_size,
                            "skipped",
                            f"compression ratio above {limits.max_ratio:g} (zip bomb guard)",
                            year,
                        )
                        continue
                    total += info.file_size
                    if total > limits.max_archive_total:
                        yield MemberIssue(
                            path,
                            info.file_size,
                            "skipped",
                            f"archive expands beyond {limits.max_archive_total} bytes (zip bomb guard)",
                            year,
                        )
                        continue
                    try:
                        with archive.open(info) as member:
                            data = spool(member, limits, info.file_size, info.compress_size)
                    except ExtractError as exc:
                        yield MemberIssue(path, info.file_size, exc.status, exc.reason, year)
                        continue
                    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, RuntimeError) as exc:
                        yield MemberIssue(path, info.file_size, "failed", f"corrupt zip member: {exc}", year)
                        continue
                    try:
                        yield file_blob(path, data, info.file_size, year)
                    finally:
                        data.close()


class TarExtractor(Extractor):
    """Tar archives, plain or gzip/bzip2/xz compressed; also a lone .gz file."""

    name = "tar"
    extensions: ClassVar[tuple[str, ...]] = ("tar", "tgz", "gz", "tbz2", "bz2", "txz", "xz")
    container = True

    def extract(self, blob: Blob, limits: Limits) -> Iterator[Output]:
        """Yield regular-file members; a non-tar .gz is decompressed as one member."""
        with blob.open() as fh:
            try:
                # Names are kept as their bytes (surrogateescape) whatever the locale, and
                # escaped once by _member_path.
                archive = tarfile.open(  # noqa: SIM115
                    fileobj=fh, mode="r:*", encoding="utf-8", errors="surrogateescape"
                )
            except (tarfile.TarError, OSError, EOFError) as exc:
                if blob.extension == "gz":
                    yield from self._gzip(blob, limits)
                    return
                raise ExtractError("failed", f"corrupt tar archive: {exc}") from exc
            total = 0
            try:
                for member in archive:
                    path = _member_path(blob.path, member.name)
                    year = (
                        dt.datetime.fromtimestamp(member.mtime, tz=dt.UTC).year if member.mtime > 0 else None
                    )
                    if not member.isfile():
                        # Links, devices and FIFOs are listed, so the manifest accounts for
                        # every member; only directories (not files) are left out.
                        special = _tar_special(member)
                        if special is not None:
                            yield MemberIssue(path, 0, "skipped", special, year)
                        continue
                    total += member.size
                    if total > limits.max_archive_total:
                        yield MemberIssue(
                            path,
                            member.size,
                            "skipped",
                            f"archive expands beyond {limits.max_archive_total} bytes",
                            year,
                        )
                        continue
                    extracted = archive.extractfile(member)
                    if extracted is None:
                        continue
                    try:
                        data = spool(extracted, limits, member.size, max(blob.size, 1))
                    except ExtractError as exc:
                        yield MemberIssue(path, member.size, exc.status, exc.reason, year)
                        continue
                    try:
                        yield file_blob(path, data, member.size, year)
                    finally:
                        data.close()
            except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
                raise ExtractError("failed", f"truncated or corrupt tar archive: {exc}") from exc
            finally:
                archive.close()

    def _gzip(self, blob: Blob, limits: Limits) -> Iterator[Output]:
        inner = blob.path.rsplit("/", 1)[-1][:-3] or "content"
        path = _member_path(blob.path, inner)
        with blob.open() as fh:
            try:
                data = spool(cast(IO[bytes], gzip.GzipFile(fileobj=fh)), limits, -1, max(blob.size, 1))
            except ExtractError as exc:
                yield MemberIssue(path, 0, exc.status, exc.reason, blob.year)
                return
            except (OSError, EOFError, zlib.error) as exc:
                raise ExtractError("failed", f"corrupt gzip: {exc}") from exc
        data.seek(0, io.SEEK_END)
        size = data.tell()
        try:
            yield file_blob(path, data, size, blob.year)
        finally:
            data.close()


_SURROGATE = re.compile("[\ud800-\udfff]")
_STAND_IN = 0xF0000
_STAND_INS = re.compile("[\U000fd800-\U000fdfff]")


def _read_utf16_name(file: IO[bytes]) -> str:
    """A 7z member name (NUL-terminated UTF-16LE), keeping unpaired surrogates.

    py7zr decodes names strictly, so one name written by a broken tool made the whole
    archive unreadable. An unpaired surrogate is carried through py7zr (which resolves
    paths, so cannot take a surrogate) as a stand-in from the private use plane 15, and
    :func:`_7z_name` turns it back before the name is escaped like any other.
    """
    chunks = []
    while True:
        pair = file.read(2)
        if len(pair) < 2:
            raise py7zr.Bad7zFile("truncated archive: unterminated utf-16 string")
        if pair == b"\x00\x00":
            break
        chunks.append(pair)
    name = b"".join(chunks).decode("utf-16-le", "surrogatepass")
    return _SURROGATE.sub(lambda m: chr(_STAND_IN + ord(m.group())), name)


def _7z_name(name: str) -> str:
    """A name read by :func:`_read_utf16_name`, its unpaired surrogates restored."""
    return _STAND_INS.sub(lambda m: chr(ord(m.group()) - _STAND_IN), name)


# py7zr reads names through this module-level function; only reading is affected.
py7zr_archiveinfo.read_utf16 = _read_utf16_name


class _NumberedFile(Py7zIO):
    """One member written to a numbered file: the member's own name never reaches the disk,
    so a name the file system cannot encode does not stop the extraction."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fh: IO[bytes] | None = path.open("wb")
        self._size = 0

    def write(self, s: bytes | bytearray) -> int:
        if self._fh is None:
            raise ValueError("write to a closed 7z member")
        self._size += len(s)
        return self._fh.write(s)

    def read(self, size: int | None = None) -> bytes:
        return b""

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._fh.seek(offset, whence) if self._fh else 0

    def flush(self) -> None:
        if self._fh:
            self._fh.flush()

    def size(self) -> int:
        return self._size

    def close(self) -> None:
        if self._fh:
            self._fh.close()
            self._fh = None


class _NumberedFactory(WriterFactory):
    """Hands py7zr a numbered file per member and remembers which name went where."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.files: dict[str, _NumberedFile] = {}

    def create(self, filename: str) -> Py7zIO:
        product = _NumberedFile(self.folder / f"member-{len(self.files):08d}")
        self.files[filename] = product
        return product

    def close_all(self) -> None:
        for product in self.files.values():
            product.close()


class SevenZipExtractor(Extractor):
    """7z archives (py7zr); sizes are checked from the header before anything is unpacked."""

    name = "7z"
    extensions: ClassVar[tuple[str, ...]] = ("7z",)
    container = True

    def sniff(self, head: bytes) -> bool:
        """7z signature."""
        return head.startswith(b"7z\xbc\xaf\x27\x1c")

    def extract(self, blob: Blob, limits: Limits) -> Iterator[Output]:
        """Unpack into a private temporary directory, then yield each file."""
        with blob.open() as fh, tempfile.TemporaryDirectory(prefix="ir-7z-") as tmp:
            try:
                archive = py7zr.SevenZipFile(fh, mode="r")
            except (py7zr.Bad7zFile, py7zr.PasswordRequired, OSError, EOFError, ValueError, KeyError) as exc:
                reason = (
                    "encrypted 7z (password protected)"
                    if isinstance(exc, py7zr.PasswordRequired)
                    else f"corrupt 7z: {exc}"
                )
                raise ExtractError("failed", reason) from exc
            factory = _NumberedFactory(Path(tmp))
            with archive:
                if archive.needs_password():
                    raise ExtractError("failed", "encrypted 7z (password protected)")
                listed = [e for e in archive.list() if not e.is_directory]
                links = [e for e in listed if e.is_symlink]
                entries = [e for e in listed if not e.is_symlink]
                total = sum(e.uncompressed for e in entries)
                packed = max(blob.size, 1)
                if total > limits.max_archive_total or (
                    total > (1 << 20) and total / packed > limits.max_ratio
                ):
                    raise ExtractError("skipped", f"7z expands to {total} bytes from {packed} (bomb guard)")
                try:
                    # Safe: members go to numbered files in a private temporary directory
                    # whose total size was checked above.
                    archive.extractall(factory=factory)  # noqa: S202
                except (
                    py7zr.Bad7zFile,
                    OSError,
                    EOFError,
                    ValueError,
                    KeyError,
                    py7zr.exceptions.CrcError,
                ) as exc:
                    raise ExtractError("failed", f"corrupt 7z: {exc}") from exc
                finally:
                    factory.close_all()
            for entry in sorted(links, key=lambda e: e.filename):
                yield MemberIssue(
                    _member_path(blob.path, _7z_name(entry.filename)),
                    0,
                    "skipped",
                    "symbolic link not followed",
                )
            by_name = {PurePosixPath(name).as_posix(): f for name, f in factory.files.items()}
            for entry in sorted(entries, key=lambda e: e.filename):
                product = by_name.get(PurePosixPath(entry.filename).as_posix())
                path = _member_path(blob.path, _7z_name(entry.filename))
                year = entry.creationtime.year if entry.creationtime else None
                if product is None or not product.path.is_file():
                    yield MemberIssue(path, entry.uncompressed, "failed", "member missing after extraction")
                    continue
                with product.path.open("rb") as member:
                    data = spool(member, limits)
                try:
                    yield file_blob(path, data, entry.uncompressed, year)
                finally:
                    data.close()
