"""Formats council archives hold beyond the common ones: XLSB, Access MDB/ACCDB, Outlook PST/OST."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

from incidentroom.scanner.extract import pst
from incidentroom.scanner.extract.base import Blob, Limits, MemberIssue, Output, OwnedText, Partial
from incidentroom.scanner.model import RowUnit, TextUnit
from tests.helpers.scanhelp import scan
from tests.helpers.xlsb_writer import write_xlsb

DATA = Path(__file__).parent / "data"


def test_xlsb_register_with_title_row_typed_numbers_and_amounts(tmp_path: Path) -> None:
    """An XLSB export read like an XLSX: header found under a title row, a phone stored as a
    number with its zero lost, a date of birth as an Excel serial, an amount never a card."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "register.xlsb").write_bytes(
        write_xlsb(
            {
                "Claims": [
                    ["Housing benefit extract 2014"],
                    [],
                    ["Claimant", "Date of birth", "Mobile", "Postcode", "Weekly amount"],
                    ["Gwen Pritchard", 22340.0, 7911123456.0, "LS6 2AB", 4532015112.830366],
                    ["Tomasz Nowak", "03/09/1979", "020 7946 0123", "BS1 4ST", 120.5],
                ]
            }
        )
    )
    result = scan(folder, tmp_path / "out")
    assert result.status("register.xlsb")[0] == "scanned"
    people = {p["full_name"]: p for p in result.individuals}
    assert set(people) == {"Gwen Pritchard", "Tomasz Nowak"}
    gwen = people["Gwen Pritchard"]
    assert gwen["date_of_birth"] == "1961-02-28"  # serial 22340 in the 1900 system
    assert gwen["phone"].lstrip("'") == "+447911123456"
    assert gwen["postcode"] == "LS6 2AB"
    assert "payment_card" not in gwen["categories"]
    assert people["Tomasz Nowak"]["date_of_birth"] == "1979-09-03"


def test_access_database_tables_are_read_as_rows(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(DATA / "merchant_taylors.mdb", folder / "freemen.mdb")
    result = scan(folder, tmp_path / "out")
    assert result.status("freemen.mdb") == ("scanned", "")
    names = result.names()
    # Surname and forenames in separate columns make one name per record.
    assert {"William Aaron", "Richard Abbey", "John Abbis"} <= names
    assert len(names) >= 15
    people = [p for p in result.individuals if p["full_name"] == "William Aaron"]
    assert people and "freemen.mdb" in people[0]["documents"]
    # The same bytes under an unknown extension are recognised by the Jet header.
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(DATA / "merchant_taylors.mdb", other / "restored.dat")
    again = scan(other, tmp_path / "out2")
    assert again.status("restored.dat") == ("scanned", "") and "William Aaron" in again.names()


def test_access_file_that_is_not_a_database_fails_with_a_reason(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "old.mdb").write_bytes(b"\x00\x01\x00\x00Not a Jet file at all" + b"\x00" * 200)
    result = scan(folder, tmp_path / "out")
    status, reason = result.status("old.mdb")
    assert status == "failed" and "Access" in reason


def test_pst_that_is_not_a_mailbox_fails_with_a_reason(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "archive.pst").write_bytes(b"not a mailbox " * 64)
    (folder / "cut.ost").write_bytes(b"!BDN" + b"\x00" * 300)  # a header and nothing after
    result = scan(folder, tmp_path / "out")
    assert result.status("archive.pst")[0] in ("failed", "skipped")
    status, reason = result.status("cut.ost")
    assert status in ("failed", "skipped") and ("PST" in reason or "libpff" in reason), reason


def test_pst_without_libpff_is_skipped_with_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Never a silent 'scanned': without the library the manifest says the mailbox was not read."""
    monkeypatch.setattr(pst, "_pypff", lambda: None)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "mailbox.pst").write_bytes(b"!BDN" + b"\x00" * 600)
    result = scan(folder, tmp_path / "out", workers=1)
    status, reason = result.status("mailbox.pst")
    assert status == "skipped" and "libpff" in reason


def test_pst_message_is_read_like_an_email() -> None:
    """The message a PST item becomes: its internet headers' parties, its plain body."""

    class Item:
        transport_headers = (
            "From: =?utf-8?q?Wi=C5=9Bniewski=2C_=C5=81ukasz?= <lw@example.com>\r\n"
            "To: Housing Options <housingoptions@council.example.gov.uk>\r\nSubject: Repairs\r\n\r\n"
        )
        sender_name = "Łukasz Wiśniewski"
        subject = "Repairs"
        plain_text_body = b"My date of birth is 02/03/1957.\r\n"
        html_body = None
        rtf_body = None

    message, unread = pst.pst_message(Item())
    assert not unread
    assert message["From"].addresses[0].display_name == "Wiśniewski, Łukasz"
    assert "02/03/1957" in message.get_content()

    class Bare:
        transport_headers = None
        sender_name = "Gwen Pritchard"
        subject = "Parking"
        plain_text_body = None
        html_body = b"<p>Tel 020 7946 0123</p>"
        rtf_body = None

    message, _ = pst.pst_message(Bare())
    assert message["From"].addresses[0].display_name == "Gwen Pritchard"
    assert "020 7946 0123" in message.get_content()


# Real Outlook mailboxes: the test data of the npm package pst-extractor 1.12.0 (MIT), which
# `make install` and CI install with `npm ci` (origin in tests/scanner/data/README.md).
OUTLOOK_TESTDATA = Path(__file__).parents[2] / "node_modules" / "pst-extractor" / "example" / "testdata"
ENRON_PST = "enron.pst"
OUTLOOK_OST = "pstextractortest@outlook.com.ost"


def outlook_file(name: str) -> Path:
    """One of the real mailboxes; a missing one fails the test (never a silent skip)."""
    path = OUTLOOK_TESTDATA / name
    if not path.is_file():
        pytest.fail(f"{path} is missing: run `make install` (npm ci installs pst-extractor's mailboxes)")
    return path


def pst_outputs(name: str) -> list[Output]:
    """Everything the PST extractor yields for one real mailbox, read whole."""
    data = outlook_file(name).read_bytes()
    return list(pst.PstExtractor().extract(Blob(name, lambda: io.BytesIO(data), len(data)), Limits()))


def message_texts(outputs: list[Output]) -> dict[int, str]:
    """Each message's subject and body by its number in the file (the location's row)."""
    texts: dict[int, str] = {}
    for output in outputs:
        unit = output.unit if isinstance(output, OwnedText) else output
        if isinstance(unit, TextUnit) and unit.location.row is not None:
            texts[unit.location.row] = texts.get(unit.location.row, "") + unit.text
    return texts


@pytest.mark.skipif(pst._pypff() is None, reason="libpff-python is not installed")
def test_real_enron_pst_messages_senders_and_dates() -> None:
    """Michelle Lokay's Enron mailbox (71 messages in 11 folders, checked with pypff): each
    message's subject and body, its parties with their addresses, its attachments dated by
    its Date header, which Exchange kept twice ('Date:' and 'date:') in messages 21, 24 and
    45 and which used to be refused as a second Date."""
    outputs = pst_outputs(ENRON_PST)
    assert [o for o in outputs if isinstance(o, (Partial, MemberIssue))] == []
    texts = message_texts(outputs)
    assert len(texts) == 71
    assert texts[2].startswith("New OBA's\nThe attached OBA's have been submitted")
    assert texts[21].startswith("Email Retention Policy")
    assert texts[23].startswith("Cirque du Soleil - Dralion")
    parties = {(o.cells, o.location.row) for o in outputs if isinstance(o, RowUnit)}
    assert (("Lee Dennis", "Dennis.Lee@ENRON.com"), 2) in parties
    assert (("Lindberg Lorraine", "Lorraine.Lindberg@ENRON.com"), 2) in parties
    blobs = {o.path: o for o in outputs if isinstance(o, Blob)}
    assert len(blobs) == 70
    assert blobs["enron.pst#message2/OBA_27602_Citizens.doc"].size == 53760
    # Message 45 is one of those with the doubled Date header: its attachment is dated.
    assert blobs["enron.pst#message45/#1.dat"].year == 2001


@pytest.mark.skipif(pst._pypff() is None, reason="libpff-python is not installed")
def test_real_ost_with_rtf_only_calendar_items_is_read_whole() -> None:
    """An Outlook.com OST (183 items): its 'United States holidays' calendar items hold their
    body only as RTF, which libpff hands over already decompressed; passing that to the
    decompressor again raised 'Unknown type of RTF compression!' and failed the whole file.
    Messages with no internet headers are dated by the time the store recorded them."""
    outputs = pst_outputs(OUTLOOK_OST)
    assert [o for o in outputs if isinstance(o, (Partial, MemberIssue))] == []
    texts = message_texts(outputs)
    assert len(texts) == 183
    assert texts[8].startswith("text, jpg, pdf attachments")
    assert texts[23].startswith("Day After Thanksgiving Day")
    blobs = {o.path: o for o in outputs if isinstance(o, Blob)}
    assert {
        "pstextractortest@outlook.com.ost#message8/text.txt",
        "pstextractortest@outlook.com.ost#message8/Clinometer Usage.pdf",
    } <= set(blobs)
    # Message 13 (Sent Items) has no transport headers: its client submit time dates it.
    assert blobs["pstextractortest@outlook.com.ost#message13/text.txt"].year == 2021
    assert (
        blobs["pstextractortest@outlook.com.ost#message8/text.txt"].read_all(Limits())
        == outlook_file("attachments/text.txt").read_bytes()
    )


@pytest.mark.skipif(pst._pypff() is None, reason="libpff-python is not installed")
def test_real_mailboxes_scan_people_attachments_and_manifest(tmp_path: Path) -> None:
    """The scan of a folder holding the Enron PST and the OST: both read whole, attachments
    scanned as documents of their own, the parties found as people with their addresses."""
    folder = tmp_path / "in"
    folder.mkdir()
    for name in (ENRON_PST, OUTLOOK_OST):
        shutil.copy(outlook_file(name), folder / name)
    result = scan(folder, tmp_path / "out")
    assert result.status(ENRON_PST) == ("scanned", "")
    assert result.status(OUTLOOK_OST) == ("scanned", "")
    assert result.status("enron.pst#message2/OBA_27602_Citizens.doc") == ("scanned", "")
    assert result.status(f"{OUTLOOK_OST}#message7/Clinometer Usage.pdf") == ("scanned", "")
    assert result.status(f"{OUTLOOK_OST}#message8/Clinometer Usage.pdf")[0] == "duplicate"
    # Right to fail: the Enron corpus replaced this attachment with a 120-byte note
    # ('Attachment C:\\Enron Data\\attach\\... not found!'), not a GIF.
    status, reason = result.status("enron.pst#message1/image001.gif")
    assert (status, reason.split(" (")[0]) == ("failed", "not an image")
    emails = {p["email"]: p for p in result.individuals}
    assert emails["lorraine.lindberg@enron.com"]["full_name"] == "Lindberg Lorraine"
    assert emails["michelle.lokay@enron.com"]["documents"] == ENRON_PST
    assert OUTLOOK_OST in emails["epfromer@gmail.com"]["documents"].split(";")


def test_pst_rtf_body_decompressed_or_not_and_a_corrupt_one() -> None:
    """libpff's RTF body is already decompressed and read as it is; a compressed one that
    will not decompress leaves that message's body unread, named, not the mailbox failed."""

    class RtfOnly:
        transport_headers = None
        sender_name = "Gwen Pritchard"
        subject = "Parking"
        plain_text_body = None
        html_body = None
        rtf_body = b"{\\rtf1\\ansi\\ansicpg1252 Tel 020 7946 0123\\par}"

    message, unread = pst.pst_message(RtfOnly())
    assert not unread
    assert "020 7946 0123" in message.get_content()

    class Corrupt(RtfOnly):
        rtf_body = b"\x10\x00\x00\x00\x20\x00\x00\x00XXXX\x00\x00\x00\x00 not compressed RTF"

    message, unread = pst.pst_message(Corrupt())
    assert unread == ["RTF body"]
    assert message["Subject"] == "Parking"


def test_contact_card_gives_home_address_phones_birthday_and_emails() -> None:
    """The properties of an Outlook contact (MS-OXOCNTC tags; no library writes a PST with
    them, so the entries are built here the way libpff hands them over)."""
    import datetime as dt

    class Entry:
        def __init__(self, value: object, value_type: int = 0x1F) -> None:
            self.value, self.value_type = value, value_type

        def get_data_as_string(self) -> object:
            return self.value

        def get_data_as_datetime(self) -> object:
            return self.value

    card = pst.contact_text(
        {
            0x3001: Entry("Bethan Roberts"),
            0x3A5D: Entry("Flat 3, 14 Hill Road"),
            0x3A59: Entry("London"),
            0x3A5B: Entry("N1 2AB"),
            0x3A1C: Entry("07700 900123"),
            0x3A42: Entry(dt.datetime(1957, 3, 2), 0x40),
            0x8083: Entry("b.roberts@example.com"),
            0x8084: Entry("SMTP"),  # the address type, not an address
            0x3A29: Entry("Town Hall, 1 High Street"),
        }
    )
    assert card == (
        "Name: Bethan Roberts\nHome address: Flat 3, 14 Hill Road, London, N1 2AB\n"
        "Business address: Town Hall, 1 High Street\nMobile: 07700 900123\nDate of birth: 02/03/1957\n"
        "Email: b.roberts@example.com\n"
    )


def test_pst_item_that_is_not_a_message_is_passed_over() -> None:
    """A folder's view definitions or free/busy data come from libpff as bare items with no
    headers, body or attachments: they give nothing and do not fail the folder (the real
    mailboxes above hold none, so the item is built here with none of those attributes)."""

    class Bare:
        pass

    class Mail:
        transport_headers = "From: Gwen Pritchard <gwen@example.com>\r\nSubject: Parking\r\n\r\n"
        plain_text_body = b"Tel 020 7946 0123"
        number_of_attachments = 0

    class Folder:
        number_of_sub_messages = 2
        number_of_sub_folders = 0

        def get_sub_message(self, index: int) -> object:
            return (Bare(), Mail())[index]

    blob = Blob("m.pst", lambda: io.BytesIO(b""), 0)
    outputs = list(pst.PstExtractor()._folder(Folder(), "", blob, Limits(), [0], 0))
    assert [o for o in outputs if isinstance(o, (Partial, MemberIssue))] == []
    assert message_texts(outputs) == {2: "Parking\nTel 020 7946 0123\n"}
