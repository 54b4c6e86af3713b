"""The extractor plugin contract: a file in, text units, table rows and nested files out."""

from __future__ import annotations

import codecs
import io
import re
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any, ClassVar

import charset_normalizer

from ..model import Location, RowUnit, TextUnit

TEXT_CHUNK = 1 << 20
_MEMBER_SUFFIX = re.compile(r"#member\d+\+*$")


@dataclass(frozen=True)
class Limits:
    """Guards against hostile archives; every limit hit becomes a manifest row, not a crash."""

    max_depth: int = 8
    max_ratio: float = 200.0
    max_member_bytes: int = 4 << 30
    max_archive_total: int = 16 << 30
    spool_in_memory: int = 32 << 20
    csv_field_bytes: int = 16 << 20
    # A CSV record longer than this (one huge line) is scanned as text, in bounded chunks.
    csv_record_chars: int = 1 << 20
    max_whole_file: int = 256 << 20
    # A top-level CSV/TSV, MBOX or log larger than this is cut into byte ranges of about
    # this size at row, message or text-piece boundaries, one task each, so every worker
    # reads it (0: never split).
    split_bytes: int = 64 << 20
    # Plain text and logs are detected in pieces of at most this many characters (tests
    # make it small so that a small log holds several).
    text_chunk: int = TEXT_CHUNK


@dataclass
class Blob:
    """A file or container member: a display path, a way to open it, its size and year."""

    path: str
    opener: Callable[[], IO[bytes]]
    size: int
    year: int | None = None

    def open(self) -> IO[bytes]:
        """A fresh binary stream positioned at the start."""
        return self.opener()

    def read_all(self, limits: Limits) -> bytes:
        """The whole content, refusing anything larger than ``limits.max_whole_file``."""
        if self.size > limits.max_whole_file:
            raise ExtractError(
                "skipped", f"too large to load whole ({self.size} bytes > {limits.max_whole_file})"
            )
        with self.open() as fh:
            return fh.read(limits.max_whole_file + 1)

    @property
    def extension(self) -> str:
        """Lower-case extension without the dot ('' if none)."""
        # A repeated member name carries its index ('form.txt#member2'), not part of the type.
        name = _MEMBER_SUFFIX.sub("", self.path.rsplit("/", 1)[-1])
        return name.rsplit(".", 1)[-1].lower() if "." in name else ""


@dataclass(frozen=True)
class OwnedText:
    """Text written by a known person (an email body and its sender's name and address)."""

    unit: TextUnit
    owner: tuple[str, str]


@dataclass(frozen=True)
class MemberIssue:
    """A container member that was not opened, with the status and reason for the manifest."""

    path: str
    size: int
    status: str
    reason: str
    year: int | None = None


@dataclass(frozen=True)
class NeedsOcr:
    """Pages without a text layer that were not (or could not be) OCRed."""

    pages: tuple[int, ...]
    ocr_done: bool


@dataclass(frozen=True)
class Partial:
    """Something in the file that was present but not read (the manifest says ``partial: what``)."""

    what: str


Output = TextUnit | RowUnit | OwnedText | Blob | MemberIssue | NeedsOcr | Partial


class ExtractError(Exception):
    """The file cannot be read: ``status`` is ``failed`` or ``skipped``, ``reason`` says why."""

    def __init__(self, status: str, reason: str) -> None:
        """Record the manifest status and a one-line reason."""
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class Judges:
    """The few judgements extraction needs from detection, handed in rather than imported.

    Extraction stays below detection (an import-linter contract holds it there), yet a
    table's header row is told from a data row by whether its cells name known fields, and
    an email's subject is its personal sender or recipient, not a team mailbox. The
    pipeline installs the detectors' answers (``pipeline/walk.py``, imported with the
    package) with :func:`install_judges`.
    """

    #: A header cell (lower case) that names a field the scanner knows ('surname', 'dob').
    known_field: Callable[[str], bool]
    #: An email address that is a role or test mailbox ('enquiries@', '@example.org').
    role_mailbox: Callable[[str], bool]
    #: A display name that parses as a person's name, read as if after a label.
    personal_name: Callable[[str], bool]
    #: A word (title case) that is never part of a name ('Housing', 'Council').
    stopword: Callable[[str], bool]
    #: OCR text with look-alike misreadings put right where a field's rules can check them
    #: (a postcode's format, a known surname): 'E17 7H)' -> 'E17 7HJ'.
    ocr_repair: Callable[[str], str]


_JUDGES: list[Judges] = []


def install_judges(judges: Judges) -> None:
    """Use ``judges`` for every extraction in this process."""
    _JUDGES[:] = [judges]


def judges() -> Judges:
    """The installed judges; importing :mod:`incidentroom.scanner` installs them."""
    if not _JUDGES:
        raise RuntimeError("no extraction judges installed: import incidentroom.scanner first")
    return _JUDGES[0]


# Extractor name -> the class that claimed it ("module.QualName"). The manifest's ``type``
# and the registry are keyed by name, so a second class with the same name would silently
# replace the first: it is refused when its module is imported instead.
_CLAIMED_NAMES: dict[str, str] = {}


def _is_abstract(cls: type) -> bool:
    # ABCMeta sets __abstractmethods__ only after __init_subclass__ has run, so look at the
    # methods themselves.
    return any(getattr(getattr(cls, attr, None), "__isabstractmethod__", False) for attr in dir(cls))


class Extractor(ABC):
    """Base class of every format plugin (one subclass per file in this package).

    Every concrete subclass declares its own ``name``, unique among extractors; a class that
    repeats a name, or inherits one, raises ``TypeError`` when it is defined.
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if _is_abstract(cls):
            return
        name = cls.__dict__.get("name")
        where = f"{cls.__module__}.{cls.__qualname__}"
        if not isinstance(name, str) or not name:
            raise TypeError(f"extractor {where} must declare its own name")
        claimed = _CLAIMED_NAMES.setdefault(name, where)
        if claimed != where:
            raise TypeError(f"extractor name {name!r} of {where} is already taken by {claimed}")

    #: Stable type name written to the manifest.
    name: ClassVar[str]
    #: Lower-case extensions this extractor claims.
    extensions: ClassVar[tuple[str, ...]]
    #: True for archives whose members are files in their own right.
    container: ClassVar[bool] = False

    def sniff(self, head: bytes) -> bool:
        """True when the first bytes say the file is this format (for unknown extensions)."""
        return False

    @abstractmethod
    def extract(self, blob: Blob, limits: Limits) -> Iterator[Output]:
        """Yield text units, rows and nested blobs; raise :class:`ExtractError` if unreadable."""


def _cp1252_stretch(exc: UnicodeError) -> tuple[str, int]:
    """Decode bytes that are not UTF-8 as cp1252 (latin-1 where cp1252 has a gap).

    A file that began as ASCII is sniffed as UTF-8; a Windows export with its first 'ë'
    70 KB in is then cp1252 from there on. Each stretch is decoded as what it is, so
    'Zoë' never becomes 'Zo\ufffd'.
    """
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    raw = exc.object[exc.start : exc.end]
    return "".join(bytes((b,)).decode("cp1252", "ignore") or chr(b) for b in raw), exc.end


codecs.register_error("incidentroom-cp1252", _cp1252_stretch)


def decode_errors(encoding: str) -> str:
    """The error handler to decode ``encoding`` with: cp1252 stretches inside UTF-8."""
    return "incidentroom-cp1252" if encoding.replace("_", "-").startswith("utf-8") else "replace"


def detect_encoding(sample: bytes) -> str:
    """BOMs first, then strict UTF-8, then charset-normaliser's best guess, then cp1252."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if (
        len(sample) > 8
        and sample[1::2].count(0) > len(sample) // 4
        and sample[0::2].count(0) < len(sample) // 40
    ):
        # BOM-less UTF-16LE text: zeros in the high bytes only (valid UTF-8 too, so first).
        return "utf-16-le"
    if (
        len(sample) > 8
        and sample[0::2].count(0) > len(sample) // 4
        and sample[1::2].count(0) < len(sample) // 40
    ):
        return "utf-16-be"
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start > len(sample) - 4:
            return "utf-8"  # a multi-byte character cut by the sample boundary
    if sample.isascii() or _mostly_utf8(sample):
        # ASCII or UTF-8 with a few stray bytes: decoded as UTF-8 with cp1252 stretches.
        return "utf-8"
    best = charset_normalizer.from_bytes(sample[:65536]).best()
    if best is not None and best.encoding not in ("utf_8", "ascii"):
        guess = str(best.encoding)
        if (
            guess != "cp1252"
            and _single_byte(guess)
            and _odd_characters(sample, "cp1252") <= _odd_characters(sample, guess)
        ):
            # A few accented letters ('Lê') read as letters in several Latin code pages;
            # the guess between them is a coin toss, and a UK export is Windows-1252
            # unless that gives symbols inside words ('£ukasz' for cp1250's 'Łukasz').
            return "cp1252"
        return guess
    return "cp1252"


def _single_byte(encoding: str) -> bool:
    """True for a one-byte-per-character code page (cp125x, iso8859-x, mac_*...)."""
    try:
        return len("é".encode(encoding, "ignore")) <= 1 and codecs.lookup(encoding).name != "utf-8"
    except LookupError:
        return False


def _odd_characters(sample: bytes, encoding: str) -> int:
    """Characters beyond ASCII that are not letters yet stand inside a word, in ``encoding``."""
    text = sample[:65536].decode(encoding, "replace")
    odd = 0
    for i, ch in enumerate(text):
        if ord(ch) > 127 and not ch.isalpha():
            before = text[i - 1] if i else " "
            after = text[i + 1] if i + 1 < len(text) else " "
            odd += before.isalpha() or after.isalpha()
    return odd


def _mostly_utf8(sample: bytes) -> bool:
    """Valid UTF-8 multi-byte sequences and no more than a few bytes that are not."""
    text = sample.decode("utf-8", "replace")
    bad = text.count("\ufffd")
    return bad * 200 < len(sample) and any(ord(c) > 127 and c != "\ufffd" for c in text)


# Every byte but the control bytes that no text uses (below tab, and 14-31): deleting these
# from a sample leaves only those controls, counted in C rather than byte by byte.
_NOT_CONTROL_BYTES = bytes(b for b in range(256) if not (b < 9 or 13 < b < 32))


def looks_binary(sample: bytes, encoding: str) -> bool:
    """True for content that is not text in ``encoding`` (many NULs or control bytes).

    A stray NUL or two (one bad cell in a 300-row export) does not make a file binary.
    """
    if encoding.startswith("utf-16") or not sample:
        return False
    controls = len(sample.translate(None, _NOT_CONTROL_BYTES))  # what is left: the control bytes
    return sample.count(0) > max(2, len(sample) // 1000) or controls > len(sample) // 20


def iter_text_chunks(stream: IO[bytes], chunk_bytes: int = TEXT_CHUNK) -> Iterator[tuple[int, str]]:
    """Decode a byte stream into (line number, text) chunks of about ``chunk_bytes``.

    Chunks end at a line break where there is one, else at a space, so that a single
    100 MB line is still read in bounded pieces.
    """
    head = stream.read(65536)
    encoding = detect_encoding(head)
    if looks_binary(head[:8192], encoding):
        raise ExtractError("failed", "binary content, not text")
    line = 1
    for piece in text_pieces(stream, encoding, head, chunk_bytes):
        yield line, piece.replace("\x00", "")
        line += piece.count("\n")


def text_pieces(
    stream: IO[bytes], encoding: str, head: bytes = b"", chunk_bytes: int = TEXT_CHUNK
) -> Iterator[str]:
    """The text of ``head`` and then ``stream``, decoded as ``encoding``, cut into pieces of
    at most ``chunk_bytes`` characters (see :func:`iter_text_chunks`).

    Where a piece ends depends only on the text from the piece's start on, never on how
    the bytes were read: reading from the start of any piece gives the same pieces after
    it, which is what lets a big log be split (``pipeline/streams.py``).
    """
    decoder = codecs.getincrementaldecoder(encoding)(errors=decode_errors(encoding))
    buffer = decoder.decode(head)
    while True:
        block = stream.read(chunk_bytes)
        buffer += decoder.decode(block, final=not block)
        while len(buffer) >= chunk_bytes or (not block and buffer):
            cut = buffer.rfind("\n", 0, chunk_bytes)
            if cut == -1:
                cut = buffer.rfind(" ", 0, chunk_bytes)
            if cut == -1 or not block and len(buffer) < chunk_bytes:
                cut = min(len(buffer), chunk_bytes) - 1
            piece, buffer = buffer[: cut + 1], buffer[cut + 1 :]
            yield piece
        if not block:
            return


def spool(stream: IO[bytes], limits: Limits, declared: int = -1, compressed: int = -1) -> IO[bytes]:
    """Copy a member into a spooled temporary file, enforcing size and ratio limits."""
    out: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=limits.spool_in_memory)  # noqa: SIM115
    total = 0
    try:
        while True:
            block = stream.read(1 << 20)
            if not block:
                break
            total += len(block)
            if total > limits.max_member_bytes:
                raise ExtractError("skipped", f"member larger than {limits.max_member_bytes} bytes")
            if compressed > 0 and total / compressed > limits.max_ratio and total > (1 << 20):
                raise ExtractError(
                    "skipped", f"compression ratio above {limits.max_ratio:g} (zip bomb guard)"
                )
            out.write(block)
    except BaseException:
        out.close()  # a corrupt or hostile member: never leak the temporary file
        raise
    out.seek(0)
    return out


def bytes_blob(path: str, data: bytes, year: int | None = None) -> Blob:
    """A blob over bytes already in memory (an email attachment)."""
    return Blob(path, lambda: io.BytesIO(data), len(data), year)


class _SharedReader(io.RawIOBase):
    """A view of a shared spooled file: closing the view leaves the file open for the next."""

    def __init__(self, fh: IO[bytes]) -> None:
        self._fh = fh
        fh.seek(0)

    def readable(self) -> bool:
        """Always readable."""
        return True

    def seekable(self) -> bool:
        """Always seekable."""
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        """Read from the shared file at this view's position."""
        data = self._fh.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def seek(self, offset: int, whence: int = 0) -> int:
        """Seek the shared file."""
        return self._fh.seek(offset, whence)

    def tell(self) -> int:
        """Position in the shared file."""
        return self._fh.tell()


def file_blob(path: str, fh: IO[bytes], size: int, year: int | None = None) -> Blob:
    """A blob over a spooled file; each open returns a fresh buffered view from the start."""
    return Blob(path, lambda: io.BufferedReader(_SharedReader(fh)), size, year)


def paragraph_units(paragraphs: list[str], location: Location) -> Iterator[TextUnit]:
    """Group paragraphs into text units of about a chunk each, tracking the paragraph number."""
    buf: list[str] = []
    size = 0
    first = 1
    for number, para in enumerate(paragraphs, 1):
        buf.append(para)
        size += len(para) + 1
        if size >= TEXT_CHUNK:
            yield TextUnit("\n".join(buf), Location(page=location.page, line=first))
            buf, size, first = [], 0, number + 1
    if buf:
        yield TextUnit("\n".join(buf), Location(page=location.page, line=first))
