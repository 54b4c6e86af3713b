"""The extractors' previous, slower paths, kept only as baselines for agreement tests and benches.

``message_outputs`` below is the email extractor as it was with ``policy.default`` (every
header parsed into a header object each time it is read); ``docx_text`` reads a Word file
with python-docx. The scanner no longer uses either: tests check that the scanner's text
agrees with the first, and ``bench/extract_formats.py`` prints both speeds side by side.
"""

from __future__ import annotations

import email.policy
import email.utils
import io
from collections.abc import Iterator
from email.message import EmailMessage
from email.parser import BytesParser

from incidentroom.scanner.extract.base import Limits, MemberIssue, Output, OwnedText, bytes_blob
from incidentroom.scanner.extract.mail import _RAW_NAME, owner_of, party_rows
from incidentroom.scanner.extract.text import strip_markup
from incidentroom.scanner.model import Location, TextUnit
from incidentroom.scanner.pathnames import printable_name


def parse_message(data: bytes) -> EmailMessage:
    """Parse RFC 5322 bytes with the modern policy (the baseline)."""
    message = BytesParser(policy=email.policy.default).parsebytes(data)
    assert isinstance(message, EmailMessage)
    return message


def message_outputs(message: EmailMessage, base: str, location: Location, limits: Limits) -> Iterator[Output]:
    """Rows for each party, the body as text owned by its subject, attachments as blobs (baseline)."""
    parties: list[tuple[str, str, str]] = []
    for role in ("from", "to", "cc", "reply-to"):
        for display, address in _addresses(message, role):
            parties.append((role if role == "from" else "to", display.strip(), address.strip()))
    yield from party_rows(parties, location)
    year = None
    try:
        date = message.get("date")
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
        filename = _attachment_name(part)
        disposition = part.get_content_disposition()
        if filename or disposition == "attachment":
            attachment_number += 1
            payload = part.get_payload(decode=True)
            name = printable_name(filename) if filename else f"attachment-{attachment_number}"
            if isinstance(payload, bytes):
                yield bytes_blob(f"{base}/{name}", payload, year)
            else:
                yield MemberIssue(f"{base}/{name}", 0, "failed", "attachment could not be decoded", year)
            continue
        if part.get_content_maintype() != "text":
            continue
        try:
            content = part.get_content()
        except (LookupError, UnicodeDecodeError, AssertionError):
            raw = part.get_payload(decode=True)
            content = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else ""
        (html_texts if part.get_content_subtype() == "html" else texts).append(str(content))
    subject = str(message.get("subject", "") or "")
    body = "\n".join(texts) if texts else strip_markup("\n".join(html_texts))
    text = f"{subject}\n{body}" if subject else body
    if text.strip():
        unit = TextUnit(text, location)
        owner = owner_of(parties)
        yield OwnedText(unit, owner) if owner else unit


def _addresses(message: EmailMessage, role: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for header in message.get_all(role, []):
        addresses = getattr(header, "addresses", None)
        if addresses is None:
            found.extend(email.utils.getaddresses([str(header)]))
            continue
        for item in addresses:
            found.append((str(item.display_name or ""), str(item.addr_spec or "")))
    return found


def _attachment_name(part: EmailMessage) -> str | None:
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


def eml_outputs(data: bytes, path: str = "message.eml") -> list[Output]:
    """Everything the baseline EML extractor yields for one message."""
    return list(message_outputs(parse_message(data), path, Location(), Limits()))


def docx_text(data: bytes) -> str:
    """A Word file's body paragraphs and table cells through python-docx (the baseline reader)."""
    import docx  # python-docx: only the baseline needs it

    document = docx.Document(io.BytesIO(data))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.extend(cell.text for cell in row.cells)
    return "\n".join(lines)
