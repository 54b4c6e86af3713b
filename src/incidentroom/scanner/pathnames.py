"""One way to show a file name that is not valid UTF-8, wherever it comes from.

Folder and file names on disk, zip, tar and 7z members and email attachment names can hold
bytes that are not UTF-8 (a 2008 archive written on a Windows-1252 machine) or, from UTF-16
sources, unpaired surrogates. Python carries such names as strings with lone surrogates,
which cannot be written to a UTF-8 CSV, Parquet file or database. Every name the scanner
reports goes through :func:`printable_name`:

* a byte that is not part of valid UTF-8 becomes ``\\xNN``;
* an unpaired UTF-16 surrogate becomes ``\\uDNNN``;
* a backslash that would make the result ambiguous (one followed by ``x``, ``u``, another
  backslash or an escaped character) is doubled; every other character is kept as it is.

The escape is visible and reversible: :func:`original_name` gives back the exact bytes (or
the exact string), so the file can be found on disk or in the archive again.
"""

from __future__ import annotations

import re

_SURROGATE = re.compile(r"[\ud800-\udfff]")
# A backslash before x, u, another backslash or a character about to become an escape.
_AMBIGUOUS = re.compile("\\\\(?=[\\\\xu\ud800-\udfff])")
_ESCAPE = re.compile(r"\\(\\|x[0-9a-f]{2}|u[0-9a-f]{4})")


def _escape_surrogate(match: re.Match[str]) -> str:
    code = ord(match.group())
    # U+DC80..U+DCFF is how surrogateescape carries an undecodable byte 0x80..0xFF.
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"


def printable_name(name: str | bytes) -> str:
    """``name`` as valid Unicode, with undecodable bytes and lone surrogates escaped.

    Bytes are decoded as UTF-8; a string is taken as Python holds file names (lone
    surrogates from ``surrogateescape`` or from broken UTF-16).
    """
    text = name.decode("utf-8", "surrogateescape") if isinstance(name, bytes) else name
    text = _AMBIGUOUS.sub(r"\\\\", text)
    return _SURROGATE.sub(_escape_surrogate, text)


def original_name(printable: str) -> str:
    """The name :func:`printable_name` was given, as Python holds file names (``os.fsencode``
    of it gives the bytes on disk)."""

    def unescape(match: re.Match[str]) -> str:
        escape = match.group(1)
        if escape == "\\":
            return "\\"
        if escape[0] == "x":
            return chr(0xDC00 + int(escape[1:], 16))
        return chr(int(escape[1:], 16))

    return _ESCAPE.sub(unescape, printable)


def original_bytes(printable: str) -> bytes:
    """The exact bytes of a name escaped by :func:`printable_name` (UTF-8 on disk).

    Raises ``UnicodeEncodeError`` for a name that held an unpaired UTF-16 surrogate: such a
    name (from a 7z or Outlook header) never had a UTF-8 byte form.
    """
    return original_name(printable).encode("utf-8", "surrogateescape")
