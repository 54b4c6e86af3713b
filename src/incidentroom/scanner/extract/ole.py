"""Helpers for OLE2 compound files (legacy Office, MSG) and encrypted Office documents."""

from __future__ import annotations

import io

import olefile

from .base import ExtractError

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def raise_if_encrypted_ole(data: bytes, kind: str) -> None:
    """An OOXML file saved with a password is an OLE container holding 'EncryptedPackage'."""
    if not data.startswith(OLE_MAGIC):
        return
    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except OSError:
        return
    try:
        if ole.exists("EncryptedPackage") or ole.exists("EncryptionInfo"):
            raise ExtractError("failed", f"encrypted {kind} (password protected)")
    finally:
        ole.close()


def open_ole(data: bytes, kind: str) -> olefile.OleFileIO:
    """Open an OLE2 file or raise a clear extraction error."""
    if not data.startswith(OLE_MAGIC):
        raise ExtractError("failed", f"not an OLE2 {kind} file")
    try:
        return olefile.OleFileIO(io.BytesIO(data))
    except OSError as exc:
        raise ExtractError("failed", f"corrupt {kind}: {exc}") from exc
