"""Formats council archives hold beyond the common ones: XLSB, Access MDB/ACCDB, Outlook PST/OST."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from incidentroom.scanner.extract import pst
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


REAL_PST = Path(__file__).parent / "data" / "outlook-dist-list.pst"


@pytest.mark.skipif(pst._pypff() is None, reason="libpff-python is not installed")
def test_real_outlook_pst_is_read_whole(tmp_path: Path) -> None:
    """A PST written by Outlook itself: items that are not messages (view definitions,
    free/busy data) do not fail the file, the appointment's body is read, and the contact
    card gives its e-mail address as a detection."""
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(REAL_PST, folder / "mailbox.pst")
    result = scan(folder, tmp_path / "out")
    assert result.status("mailbox.pst") == ("scanned", "")
    assert "contact1@rjohnson.id.au" in {p["email"] for p in result.individuals}


@pytest.mark.skipif(pst._pypff() is None, reason="libpff-python is not installed")
def test_real_outlook_pst_items_as_text() -> None:
    import io

    from incidentroom.scanner.extract.base import Blob, Limits
    from incidentroom.scanner.model import TextUnit

    data = REAL_PST.read_bytes()
    outputs = list(pst.PstExtractor().extract(Blob("m.pst", lambda: io.BytesIO(data), len(data)), Limits()))
    texts = [o.text for o in outputs if isinstance(o, TextUnit)]
    assert any("This is a complete test" in t for t in texts)
    assert "Name: contact name 1\nEmail: contact1@rjohnson.id.au\n" in texts


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
