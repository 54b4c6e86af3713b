"""Outlook PST and OST mailboxes through libpff (``pypff``, LGPL, used as a library).

An archived mailbox is the most common exfiltrated file: every message in every folder
is read like an email (its parties, its body owned by its sender, its attachments as
nested files). When ``pypff`` is not installed the file is recorded as ``skipped`` with
that reason, never as a silent ``scanned``.
"""

from __future__ import annotations

import datetime as dt
import email.parser
import email.policy
import email.utils
import importlib
import io
import re
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any, ClassVar

from ..model import Location
from .base import Blob, ExtractError, Extractor, Limits, MemberIssue, Output, Partial, bytes_blob
from .mail import message_outputs, rtf_body

# A PST or OST file starts with '!BDN' (MS-PST 2.2.2.6 HEADER dwMagic).
_MAGIC = b"!BDN"
_MAX_FOLDER_DEPTH = 64


def _pypff() -> Any:
    """The libpff bindings, or ``None`` when they are not installed (typed ``Any``: no stubs)."""
    try:
        return importlib.import_module("pypff")
    except ImportError:
        return None


def _text(value: object) -> str:
    """A body or property as text: libpff returns bytes for bodies and str for the rest."""
    if value is None:
        return ""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace").rstrip("\x00")
    return str(value)


# MAPI property tags of a contact (MS-OXOCNTC) read as its card: what each line is.
_CONTACT_LINES: tuple[tuple[str, tuple[int, ...]], ...] = (
    ("Name", (0x3001,)),  # PidTagDisplayName
    ("Home address", (0x3A5D, 0x3A59, 0x3A5B)),  # home street, town, postcode
    # The work address (PidTagBusinessAddress...): labelled so, it is read as a place's.
    ("Business address", (0x3A29, 0x3A27, 0x3A2A)),
    ("Home telephone", (0x3A09,)),
    ("Mobile", (0x3A1C,)),
    ("Telephone", (0x3A1A, 0x3A1F)),  # primary and other
    ("Business telephone", (0x3A08,)),
)
_EMAIL_SHAPED = re.compile(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+")


def _properties(item: Any) -> dict[int, Any]:
    """The item's MAPI properties by tag (its first record set); empty when it has none."""
    try:
        if not getattr(item, "number_of_record_sets", 0):
            return {}
        record = item.get_record_set(0)
        return {
            entry.entry_type: entry
            for entry in (record.get_entry(i) for i in range(record.number_of_entries))
        }
    except (OSError, AttributeError):
        return {}


def _string(entry: Any) -> str:
    try:
        value = entry.get_data_as_string()
    except (OSError, AttributeError, TypeError):
        return ""
    return value.strip() if isinstance(value, str) else ""


def contact_text(properties: dict[int, Any]) -> str:
    """An Outlook contact as the card a person reads: name, home address, phones, emails,
    birthday. Its e-mail addresses are named properties whose tags differ from file to
    file, so every string property shaped like an address counts."""
    lines = []
    for label, tags in _CONTACT_LINES:
        parts = [value for tag in tags if tag in properties and (value := _string(properties[tag]))]
        if parts:
            lines.append(f"{label}: {', '.join(parts)}")
    birthday = properties.get(0x3A42)  # PidTagBirthday
    if birthday is not None:
        try:
            born = birthday.get_data_as_datetime()
        except (OSError, AttributeError, TypeError, ValueError):
            born = None
        if born is not None and born.year > 1800:
            lines.append(f"Date of birth: {born:%d/%m/%Y}")
    emails: list[str] = []
    for tag, entry in sorted(properties.items()):
        value = _string(entry) if tag >= 0x8000 and entry.value_type in (0x1E, 0x1F) else ""
        if _EMAIL_SHAPED.fullmatch(value) and value.lower() not in emails:
            emails.append(value.lower())
    lines.extend(f"Email: {value}" for value in emails)
    return "\n".join(lines) + "\n"


_ADDRESS_HEADERS = frozenset({"From", "To", "Cc", "Reply-To"})


def _time(item: Any, name: str) -> dt.datetime | None:
    """A time property of the item as an aware datetime: libpff gives FILETIMEs as naive UTC."""
    try:
        value = getattr(item, name, None)
    except (OSError, ValueError, OverflowError):
        return None
    if not isinstance(value, dt.datetime) or value.year < 1980:
        return None
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


def pst_message(item: Any) -> tuple[EmailMessage, list[str]]:
    """An email message built from a PST message item, and what of it could not be read.

    The internet headers an Outlook message kept (``transport_headers``) give its parties
    exactly as received; without them the sender's display name is all the store holds.
    """
    unread: list[str] = []
    properties = _properties(item)
    if _string(properties[0x1A]).startswith("IPM.Contact") if 0x1A in properties else False:
        # A contact card (PidTagMessageClass): a person's details, with no sender or body.
        card = EmailMessage()
        card.set_content(contact_text(properties))
        return card, unread
    headers = _text(getattr(item, "transport_headers", None))
    message: EmailMessage
    if headers.strip():
        parsed = email.parser.HeaderParser(policy=email.policy.default).parsestr(headers)
        message = EmailMessage()
        for key in ("From", "To", "Cc", "Reply-To", "Date", "Subject"):
            # Exchange often kept a header twice ('Date:' and 'date:', the same value): the
            # message takes one of each, and address headers every distinct address.
            values = list(dict.fromkeys(str(value) for value in parsed.get_all(key) or []))
            if not values:
                continue
            try:
                message[key] = ", ".join(values) if key in _ADDRESS_HEADERS else values[0]
            except (ValueError, TypeError):
                unread.append(f"{key} header")
    else:
        message = EmailMessage()
        sender = _text(getattr(item, "sender_name", None))
        if sender:
            # A display name with no address: the mail parser still reads it as a party.
            message["From"] = f'"{sender}" <>' if "@" not in sender else sender
    if "Date" not in message:
        # No internet headers (a message written in this mailbox, a calendar item): the time
        # the store recorded it is its date, which dates its attachments.
        sent = _time(item, "client_submit_time") or _time(item, "delivery_time")
        if sent is not None:
            message["Date"] = email.utils.format_datetime(sent)
    if "Subject" not in message:
        subject = _text(getattr(item, "subject", None))
        if subject:
            message["Subject"] = subject
    body = _text(getattr(item, "plain_text_body", None))
    if not body.strip():
        html = _text(getattr(item, "html_body", None))
        if html.strip():
            message.set_content(html, subtype="html")
            return message, unread
        try:
            rtf = getattr(item, "rtf_body", None)
        except OSError:
            rtf = None
            unread.append("RTF body")
        if isinstance(rtf, bytes) and rtf.strip():
            try:
                body = rtf_body(rtf)
            except Exception:  # noqa: BLE001 - compressed_rtf raises bare Exception; one body must not lose the mailbox
                unread.append("RTF body")
    message.set_content(body or "")
    return message, unread


def _year(message: EmailMessage) -> int | None:
    """The year the message was sent, which its attachments are dated by (as in an .eml)."""
    try:
        date = message["Date"]
        return date.datetime.year if date is not None and date.datetime is not None else None
    except (AttributeError, TypeError, ValueError):
        return None


class PstExtractor(Extractor):
    """Every message of every folder of an Outlook PST or OST file."""

    name = "pst"
    extensions: ClassVar[tuple[str, ...]] = ("pst", "ost")
    container: ClassVar[bool] = False

    def sniff(self, head: bytes) -> bool:
        """PST and OST files start with '!BDN'."""
        return head.startswith(_MAGIC)

    def extract(self, blob: Blob, limits: Limits) -> Iterator[Output]:
        """Walk the folder tree depth first; each message is read like an email."""
        pypff = _pypff()
        if pypff is None:
            raise ExtractError(
                "skipped", "Outlook PST/OST not read: the libpff-python library is not installed"
            )
        data = blob.read_all(limits)
        if not data.startswith(_MAGIC):
            raise ExtractError("failed", "not an Outlook PST/OST file (no '!BDN' header)")
        store = pypff.file()
        try:
            store.open_file_object(io.BytesIO(data))
        except (OSError, OverflowError) as exc:
            raise ExtractError("failed", f"unreadable PST/OST: {exc}") from exc
        try:
            root = store.get_root_folder()
            counter = [0]
            yield from self._folder(root, "", blob, limits, counter, 0)
        except OSError as exc:
            raise ExtractError("failed", f"unreadable PST/OST: {exc}") from exc
        finally:
            store.close()

    def _folder(
        self, folder: Any, path: str, blob: Blob, limits: Limits, counter: list[int], depth: int
    ) -> Iterator[Output]:
        if depth > _MAX_FOLDER_DEPTH:
            yield Partial(f"folders nested deeper than {_MAX_FOLDER_DEPTH} levels")
            return
        for index in range(folder.number_of_sub_messages):
            counter[0] += 1
            number = counter[0]
            base = f"{blob.path}#message{number}"
            try:
                item = folder.get_sub_message(index)
                message, unread = pst_message(item)
            except OSError as exc:
                yield MemberIssue(base, 0, "failed", f"message could not be read: {exc}")
                continue
            except Exception as exc:  # noqa: BLE001 - one message the mail library refuses must not lose the mailbox
                yield MemberIssue(
                    base, 0, "failed", f"message could not be read: {type(exc).__name__}: {exc}"
                )
                continue
            for what in unread:
                yield Partial(f"{what} of message {number}")
            # Where a reader finds the message: its folder and its number in the file.
            location = Location(sheet=path or "/", row=number)
            yield from message_outputs(message, base, location, limits)
            yield from self._attachments(item, base, number, _year(message))
        for index in range(folder.number_of_sub_folders):
            try:
                sub = folder.get_sub_folder(index)
                name = _text(sub.name) or f"folder{index + 1}"
            except OSError as exc:
                yield Partial(f"a folder under {path or '/'} ({exc})")
                continue
            yield from self._folder(sub, f"{path}/{name}", blob, limits, counter, depth + 1)

    def _attachments(self, item: Any, base: str, number: int, year: int | None) -> Iterator[Output]:
        # Items that are not messages (a folder's view definitions, free/busy data) have
        # no attachments, and no attribute for them either.
        for index in range(getattr(item, "number_of_attachments", 0)):
            try:
                attachment = item.get_attachment(index)
                name = _text(getattr(attachment, "long_filename", None)) or f"attachment-{index + 1}"
                size = attachment.get_size()
                payload = attachment.read_buffer(size) if size else b""
            except OSError:
                yield Partial(f"attachment {index + 1} of message {number}")
                continue
            # Same-named attachments of one message stay apart: each blob path is made
            # unique by the walker with its member index.
            yield bytes_blob(f"{base}/{name.replace('/', '_')}", bytes(payload), year)
