"""Containers: zip, tar (plain or compressed), gzip and 7z, opened to any depth.

Members are copied into spooled temporary files one at a time with the size and ratio
guards applied to the bytes actually produced, so a lying header cannot bomb us.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import tarfile
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, ClassVar, cast

import py7zr

from .base import Blob, ExtractError, Extractor, Limits, MemberIssue, Output, file_blob, spool


def _member_path(container: str, name: str) -> str:
    return f"{container}!/{name.lstrip('/')}"


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
        with blob.open() as fh:
            try:
                archive = zipfile.ZipFile(fh)
            except (zipfile.BadZipFile, OSError, ValueError) as exc:
                raise ExtractError("failed", f"corrupt zip: {exc}") from exc
            with archive:
                total = 0
                for info in archive.infolist():
                    if info.is_dir():
                        continue
                    path = _member_path(blob.path, info.filename)
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
                archive = tarfile.open(fileobj=fh, mode="r:*")  # noqa: SIM115
            except (tarfile.TarError, OSError, EOFError) as exc:
                if blob.extension == "gz":
                    yield from self._gzip(blob, limits)
                    return
                raise ExtractError("failed", f"corrupt tar archive: {exc}") from exc
            total = 0
            try:
                for member in archive:
                    if not member.isfile():
                        continue
                    path = _member_path(blob.path, member.name)
                    year = (
                        dt.datetime.fromtimestamp(member.mtime, tz=dt.UTC).year if member.mtime > 0 else None
                    )
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
            with archive:
                if archive.needs_password():
                    raise ExtractError("failed", "encrypted 7z (password protected)")
                entries = [e for e in archive.list() if not e.is_directory]
                total = sum(e.uncompressed for e in entries)
                packed = max(blob.size, 1)
                if total > limits.max_archive_total or (
                    total > (1 << 20) and total / packed > limits.max_ratio
                ):
                    raise ExtractError("skipped", f"7z expands to {total} bytes from {packed} (bomb guard)")
                try:
                    # Safe: py7zr refuses members that escape the target, and the target is
                    # a private temporary directory whose total size was checked above.
                    archive.extractall(path=tmp)  # noqa: S202
                except (
                    py7zr.Bad7zFile,
                    OSError,
                    EOFError,
                    ValueError,
                    KeyError,
                    py7zr.exceptions.CrcError,
                ) as exc:
                    raise ExtractError("failed", f"corrupt 7z: {exc}") from exc
            root = Path(tmp)
            for entry in sorted(entries, key=lambda e: e.filename):
                target = root / entry.filename
                path = _member_path(blob.path, entry.filename)
                year = entry.creationtime.year if entry.creationtime else None
                if not target.is_file():
                    yield MemberIssue(path, entry.uncompressed, "failed", "member missing after extraction")
                    continue
                with target.open("rb") as member:
                    data = spool(member, limits)
                try:
                    yield file_blob(path, data, entry.uncompressed, year)
                finally:
                    data.close()
