"""Email: EML and MBOX (stdlib email), MSG (OLE streams). Parties become rows, bodies text,
attachments nested files."""

from __future__ import annotations

import email.policy
import email.utils
import importlib
import re
from collections.abc import Iterable, Iterator
from email.message import Message
from email.parser import BytesParser
from typing import Any, ClassVar

import olefile

from ..model import Location, RowUnit, TextUnit
from ..pathnames import printable_name
from .base import (
    Blob,
    ExtractError,
    Extractor,
    Limits,
    MemberIssue,
    Output,
    OwnedText,
    Partial,
    bytes_blob,
    judges,
)
from .ole import open_ole
from .rtf import _striprtf
from .text import strip_markup

# compressed_rtf (MIT) ships no type hints; reach it through an Any-typed module.
compressed_rtf: Any = importlib.import_module("compressed_rtf")
PARTY_HEADERS = ("name", "email")


# Words of a team mailbox's display name ('Housing Options', 'Revenues Team').
_TEAM_WORDS = frozenset(
    """allocations options revenues enquiries enquiry complaints complaint licensing planning
    enforcement helpdesk admin administration support customer customers services service team
    office department unit council housing benefits benefit parking electoral registration
    finance payroll pensions reception info information noreply no-reply mailbox inbox desk
    centre center contact contacts hub duty care social highways waste recycling cashiers
    accounts exchequer estates tenancy lettings homelessness advice""".split()
)


def is_team(display: str) -> bool:
    """A display name that names a team or service, not a person ('Housing Allocations')."""
    words = [w.strip(".,'’()<>\"").lower() for w in display.replace("-", " ").split()]
    stopword = judges().stopword
    return any(w in _TEAM_WORDS or stopword(w.title()) for w in words if w)


def is_person(display: str, address: str) -> bool:
    """A party is a person when the address is not a role mailbox and the name parses."""
    return (
        bool(address)
        and not judges().role_mailbox(address)
        and not is_team(display)
        and judges().personal_name(display)
    )


def owner_of(parties: list[tuple[str, str, str]]) -> tuple[str, str] | None:
    """Whom the body is about: a personal sender, else a single personal recipient."""
    senders = [(n, a) for role, n, a in parties if role == "from" and is_person(n, a)]
    if senders:
        return senders[0]
    recipients = [(n, a) for role, n, a in parties if role != "from" and is_person(n, a)]
    return recipients[0] if len(recipients) == 1 else None


def message_outputs(message: Message, base: str, location: Location, limits: Limits) -> Iterator[Output]:
    """Rows for each party, the body as text owned by its subject, attachments as blobs."""
    raw = _raw_headers(message)
    parties: list[tuple[str, str, str]] = []
    for role in ("from", "to", "cc", "reply-to"):
        for display, address in _addresses(raw.get(role, []), role):
            parties.append((role if role == "from" else "to", display.strip(), address.strip()))
    yield from party_rows(parties, location)
    year = None
    try:
        date = _decoded(raw, "date")
        parsed_date = email.utils.parsedate_to_datetime(str(date)) if date else None
        year = parsed_date.year if parsed_date else None
    except (TypeError, ValueError):
        year = None
    texts: list[str] = []
    html_texts: list[str] = []
    attachment_number = 0
    for part in message.walk():
        if part.is_multipart():
            continue
        _modern_if_encoded(part)
        filename = _attachment_name(part)
        disposition = part.get_content_disposition()
        if filename or disposition == "attachment":
            attachment_number += 1
            payload = part.get_payload(decode=True)
            # A raw 8-bit name arrives with surrogates (the parser's surrogateescape).
            name = printable_name(filename) if filename else f"attachment-{attachment_number}"
            if isinstance(payload, bytes):
                yield bytes_blob(f"{base}/{name}", payload, year)
            else:
                yield MemberIssue(f"{base}/{name}", 0, "failed", "attachment could not be decoded", year)
            continue
        if part.get_content_maintype() != "text":
            continue
        try:
            content = _text_content(part)
        except (LookupError, UnicodeDecodeError, AssertionError):
            payload = part.get_payload(decode=True)
            content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
        (html_texts if part.get_content_subtype() == "html" else texts).append(content)
    subject = str(_decoded(raw, "subject") or "")
    body = "\n".join(texts) if texts else strip_markup("\n".join(html_texts))
    text = f"{subject}\n{body}" if subject else body
    if text.strip():
        unit = TextUnit(text, location)
        owner = owner_of(parties)
        yield OwnedText(unit, owner) if owner else unit


# Why compat32 and not policy.default: the modern policy builds a header object, parsing
# the header anew, every time one is read, and the parser and walk read Content-Type many
# times per part; that was most of the time spent on email. compat32 hands back the raw
# strings. The headers whose decoding matters are decoded explicitly below, by the modern
# policy's own header parser, so the text out is what policy.default gave.
_MODERN = email.policy.default
_CONTENT_HEADERS = ("content-type", "content-disposition", "content-transfer-encoding")


def _raw_headers(message: Message) -> dict[str, list[str]]:
    """Every header of the message as stored (not parsed), by lower-case name, in order."""
    found: dict[str, list[str]] = {}
    for name, value in message.raw_items():
        found.setdefault(name.lower(), []).append(value)
    return found


def _decoded(raw: dict[str, list[str]], name: str) -> str | None:
    """The first ``name`` header decoded (RFC 2047 words, folding) as policy.default reads it.

    Plain ASCII without encoded words decodes to itself, unfolded (the modern parser's
    value is then the text as written); anything else goes through the modern parser.
    """
    values = raw.get(name)
    if not values:
        return None
    value = values[0]
    if value.isascii() and "=?" not in value:
        return _unfold(value)
    return str(_MODERN.header_fetch_parse(name, value))


_LINE_BREAKS = re.compile(r"\r\n|\r|\n")


def _unfold(value: str) -> str:
    """A header's value with its line breaks removed, as the modern policy reads it."""
    return _LINE_BREAKS.sub("", value) if "\r" in value or "\n" in value else value


def _modern_if_encoded(part: Message) -> None:
    """Read a part's content headers with the modern policy when they hold encoded words or
    8-bit bytes (an RFC 2047 attachment name): compat32 would hand those back undecoded.
    Plain ASCII content headers read the same under both policies."""
    for name, value in part.raw_items():
        if name.lower() in _CONTENT_HEADERS and (not value.isascii() or "=?" in value):
            part.policy = _MODERN
            return


def _text_content(part: Message) -> str:
    """A text part's payload decoded by its charset, as policy.default's get_content does."""
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        raise AssertionError("a text part without a payload")
    charset = part.get_param("charset", "ASCII")
    if isinstance(charset, tuple):  # an RFC 2231 value: (charset, language, text)
        charset = str(email.utils.collapse_rfc2231_value(charset))
    return payload.decode(str(charset), errors="replace")


def _addresses(values: list[str], role: str) -> list[tuple[str, str]]:
    """(display name, address) of one header, display names decoded after the list is split.

    The modern policy's header objects split the list first and decode each RFC 2047
    word after, so '=?utf-8?q?Jones=2C_Sian?= <s@x>' stays one person 'Jones, Sian'.
    """
    found: list[tuple[str, str]] = []
    for value in values:
        simple = _simple_addresses(value)
        if simple is not None:
            found.extend(simple)
            continue
        header = _MODERN.header_fetch_parse(role, value)
        addresses = getattr(header, "addresses", None)
        if addresses is None:
            found.extend(email.utils.getaddresses([str(header)]))
            continue
        for item in addresses:
            found.append((str(item.display_name or ""), str(item.addr_spec or "")))
    return found


# The shapes nearly every address header takes: 'a.b@example.org', 'Given Surname
# <a.b@example.org>' and '"Surname, Given" <a.b@example.org>' (display names of plain
# words, or a quoted one of plain words and commas and dots). For these the modern parser's
# answer is known without running it (unquoted words joined by single spaces, a quoted name
# as written, the address as written); a property test checks the two agree. Quoted names
# with escapes or other characters, comments, groups, encoded words and anything else go to
# the modern parser (a third of the messages of a generated archive had a quoted name, and
# the modern parser took 0.4 ms a header).
_ADDR_SPEC = r"[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
_SIMPLE_ADDRESS = re.compile(
    r'[ \t]*(?:(?:"((?:[A-Za-z0-9\'.,-]+ )*[A-Za-z0-9\'.,-]+)"[ \t]*|((?:[A-Za-z0-9\'-]+[ \t]+)*))'
    rf"<({_ADDR_SPEC})>|({_ADDR_SPEC}))[ \t]*(?=,|\Z)"
)


def _simple_addresses(value: str) -> list[tuple[str, str]] | None:
    """(display name, address) pairs of a header made only of simple addresses, else ``None``."""
    if not value.isascii():
        return None
    text = _unfold(value)
    found: list[tuple[str, str]] = []
    at = 0
    while True:
        # Item by item rather than split at commas: a quoted name may hold one.
        match = _SIMPLE_ADDRESS.match(text, at)
        if match is None:
            return None
        if match.group(4) is not None:
            found.append(("", match.group(4)))
        elif match.group(1) is not None:
            found.append((match.group(1), match.group(3)))
        else:
            found.append((" ".join(match.group(2).split()), match.group(3)))
        at = match.end()
        if at == len(text):
            return found
        if text[at] != ",":
            return None
        at += 1


def party_rows(parties: list[tuple[str, str, str]], location: Location) -> Iterator[RowUnit]:
    """One row per distinct party; a team mailbox keeps its address but never a person's name."""
    seen: set[str] = set()
    for _, display, address in parties:
        if not address or address.lower() in seen:
            continue
        seen.add(address.lower())
        if is_team(display) or judges().role_mailbox(address):
            continue  # the organisation's own mailbox, not a data subject
        yield RowUnit(PARTY_HEADERS, (display, address), location)


_RAW_NAME = re.compile(r"""(?:^|;)\s*(?:file)?name\s*=\s*("(?:[^"\\]|\\.)*"|[^;\s]+)""", re.I)


def _attachment_name(part: Message) -> str | None:
    """The attachment's file name, keeping the bytes of a raw 8-bit name.

    The email package decodes names (RFC 2047/2231) but turns raw bytes that are not ASCII
    into U+FFFD, losing them. The raw header keeps them (as surrogates), so such a name is
    read from there and escaped like every other name that is not UTF-8.
    """
    name = part.get_filename()
    if name is None or "\ufffd" not in name:
        return name
    for key, value in part.raw_items():
        if key.lower() not in ("content-disposition", "content-type"):
            continue
        match = _RAW_NAME.search(value)
        if match and any("\udc80" <= ch <= "\udcff" for ch in match.group(1)):
            return email.utils.unquote(match.group(1).strip())
    return name


def parse_message(data: bytes) -> Message:
    """Parse RFC 5322 bytes with the compat32 policy (headers are decoded where read)."""
    return BytesParser(policy=email.policy.compat32).parsebytes(data)


class EmlExtractor(Extractor):
    """A single RFC 5322 message."""

    name = "eml"
    extensions: ClassVar[tuple[str, ...]] = ("eml",)

    def extract(self, blob: Blob, limits: Limits) -> Iterator[Output]:
        """Yield the message's parties, body and attachments."""
        data = blob.read_all(limits)
        if b":" not in data[:4096]:
            raise ExtractError("failed", "not an email message (no headers)")
        yield from message_outputs(parse_message(data), blob.path, Location(), limits)


def starts_message(line: bytes, previous_blank: bool) -> bool:
    """Whether ``line`` opens a message of an mbox: a 'From ' line at the start of the file
    or after a blank line (the one rule the extractor and the splitter both use)."""
    return previous_blank and line.startswith(b"From ")


def is_blank(line: bytes) -> bool:
    """A line of whitespace only, which lets the next 'From ' line open a message."""
    return line.strip() == b""


class MboxExtractor(Extractor):
    """A Unix mailbox, streamed message by message (a 1 GB mbox never sits in memory)."""

    name = "mbox"
    extensions: ClassVar[tuple[str, ...]] = ("mbox", "mbx")
    max_message: ClassVar[int] = 64 << 20

    def sniff(self, head: bytes) -> bool:
        """Mailboxes start with a 'From ' separator line."""
        return head.startswith(b"From ")

    def extract(self, blob: Blob, limits: Limits) -> Iterator[Output]:
        """Split on 'From ' lines after a blank line and parse each message in turn."""
        with blob.open() as fh:
            yield from self.messages(fh, blob.path, limits)

    def messages(
        self, lines: Iterable[bytes], path: str, limits: Limits, before: int = 0, first_line: int = 1
    ) -> Iterator[Output]:
        """The outputs of the messages in ``lines``, numbered after ``before`` messages and
        located from line ``first_line`` (a range of a split mbox starts at a message
        boundary; see ``pipeline/streams.py``)."""
        number = before
        start_line = first_line
        buffer: list[bytes] = []
        size = 0
        oversized = False
        previous_blank = True
        for line_number, line in enumerate(lines, first_line):
            if starts_message(line, previous_blank):
                if buffer or oversized:
                    number += 1
                    yield from self._message(buffer, oversized, path, number, start_line, limits)
                buffer, size, oversized, start_line = [], 0, False, line_number
                previous_blank = False
                continue
            previous_blank = is_blank(line)
            if oversized:
                continue
            size += len(line)
            if size > self.max_message:
                buffer, oversized = [], True
                continue
            # mboxrd quoting: '>From ' at the start of a body line was 'From '.
            buffer.append(line[1:] if line.startswith(b">From ") else line)
        if buffer or oversized:
            number += 1
            yield from self._message(buffer, oversized, path, number, start_line, limits)

    def _message(
        self, lines: list[bytes], oversized: bool, path: str, number: int, line: int, limits: Limits
    ) -> Iterator[Output]:
        base = f"{path}#message{number}"
        if oversized:
            yield MemberIssue(base, 0, "skipped", f"message larger than {self.max_message} bytes")
            return
        yield from message_outputs(parse_message(b"".join(lines)), base, Location(line=line), limits)


def _ole_text(ole: olefile.OleFileIO, stream: str) -> str:
    """A MAPI string property: '001F' is UTF-16LE, '001E' 8-bit."""
    for suffix, encoding in (("001F", "utf-16-le"), ("001E", "cp1252")):
        name = f"{stream}{suffix}"
        if ole.exists(name):
            return bytes(ole.openstream(name).read()).decode(encoding, "replace").rstrip("\x00")
    return ""


def _ole_bytes(ole: olefile.OleFileIO, stream: str) -> bytes | None:
    return bytes(ole.openstream(stream).read()) if ole.exists(stream) else None


#: PR_RTF_COMPRESSED: the body as MS-OXRTFCP compressed RTF, often the only copy.
_RTF_COMPRESSED = "__substg1.0_10090102"
_EMBEDDED = "__substg1.0_3701000D"
_MAX_NESTED_MESSAGES = 8


def rtf_body(raw: bytes) -> str:
    """Text of an RTF body: compressed (MS-OXRTFCP, 'LZFu' or the uncompressed 'MELA' form),
    as a .msg stores it, or already decompressed ('{\\rtf1...'), as libpff hands a PST's over."""
    rtf = raw if raw.lstrip()[:5] == b"{\\rtf" else compressed_rtf.decompress(raw)
    return str(_striprtf.rtf_to_text(rtf.decode("cp1252", "replace"), errors="ignore"))


def _ole_name(ole: olefile.OleFileIO, stream: str) -> str:
    """A MAPI string property that names a file: undecodable units are kept (unpaired
    surrogates, bytes cp1252 does not define) and escaped like every other file name."""
    for suffix, encoding, errors in (
        ("001F", "utf-16-le", "surrogatepass"),
        ("001E", "cp1252", "surrogateescape"),
    ):
        name = f"{stream}{suffix}"
        if ole.exists(name):
            return printable_name(bytes(ole.openstream(name).read()).decode(encoding, errors).rstrip("\x00"))
    return ""


class MsgExtractor(Extractor):
    """Outlook .msg (an OLE2 file of MAPI property streams); no GPL dependency needed.

    The body is the plain-text property, else the HTML one, else the compressed RTF one.
    An attached message (a forwarded complaint) is read as part of this file, with its
    own sender, body and attachments.
    """

    name = "msg"
    extensions: ClassVar[tuple[str, ...]] = ("msg",)

    def extract(self, blob: Blob, limits: Limits) -> Iterator[Output]:
        """Yield sender and recipients, the body, attachments and attached messages."""
        data = blob.read_all(limits)
        ole = open_ole(data, "Outlook message")
        try:
            if not any(
                ole.exists(name)
                for name in (
                    "__substg1.0_0037001F",
                    "__substg1.0_1000001F",
                    "__substg1.0_0037001E",
                    _RTF_COMPRESSED,
                )
            ):
                raise ExtractError("failed", "OLE file is not an Outlook message (no subject or body)")
            storages = [entry for entry in ole.listdir(streams=True, storages=True) if entry]
            yield from self._message(ole, storages, (), blob.path, blob.year, 0)
        finally:
            ole.close()

    def _message(
        self,
        ole: olefile.OleFileIO,
        entries: list[list[str]],
        prefix: tuple[str, ...],
        path: str,
        year: int | None,
        depth: int,
    ) -> Iterator[Output]:
        base = "".join(f"{p}/" for p in prefix)
        location = Location()
        sender = (
            _ole_text(ole, base + "__substg1.0_0C1A"),
            _ole_text(ole, base + "__substg1.0_5D01") or _ole_text(ole, base + "__substg1.0_0C1F"),
        )
        parties = [("from", *sender)]
        n = len(prefix)
        children = sorted({e[n] for e in entries if len(e) > n + 1 and tuple(e[:n]) == prefix})
        for storage in (c for c in children if c.startswith("__recip_version1.0_")):
            head = f"{base}{storage}/__substg1.0_"
            address = _ole_text(ole, head + "39FE") or _ole_text(ole, head + "3003")
            parties.append(("to", _ole_text(ole, head + "3001"), address))
        yield from party_rows(parties, location)
        subject = _ole_text(ole, base + "__substg1.0_0037")
        body = _ole_text(ole, base + "__substg1.0_1000")
        if not body.strip():
            html = _ole_text(ole, base + "__substg1.0_1013") or (
                (_ole_bytes(ole, base + "__substg1.0_10130102") or b"").decode("utf-8", "replace")
            )
            body = strip_markup(html) if html.strip() else ""
        if not body.strip():
            raw = _ole_bytes(ole, base + _RTF_COMPRESSED)
            if raw:
                try:
                    body = rtf_body(raw)
                except Exception:  # noqa: BLE001 - a corrupt RTF stream must not lose the rest
                    yield Partial("message body held only as compressed RTF could not be decompressed")
        text = f"{subject}\n{body}".strip()
        if text:
            unit = TextUnit(text, location)
            owner = owner_of(parties)
            yield OwnedText(unit, owner) if owner else unit
        for storage in (c for c in children if c.startswith("__attach_version1.0_")):
            head = f"{base}{storage}/__substg1.0_"
            filename = _ole_name(ole, head + "3707") or _ole_name(ole, head + "3704")
            payload = _ole_bytes(ole, head + "37010102")
            inner = (*prefix, storage, _EMBEDDED)
            if payload is not None:
                yield bytes_blob(f"{path}/{filename or storage}", payload, year)
            elif any(tuple(e[: len(inner)]) == inner for e in entries):
                if depth >= _MAX_NESTED_MESSAGES:
                    yield Partial(f"message nested deeper than {_MAX_NESTED_MESSAGES} levels not read")
                    continue
                title = filename or _ole_text(ole, head + "3001") or storage
                yield from self._message(ole, entries, inner, f"{path}/{title}", year, depth + 1)
            else:
                yield MemberIssue(
                    f"{path}/{filename or storage}",
                    0,
                    "skipped",
                    "embedded item without binary data or message (e.g. an OLE object)",
                )
