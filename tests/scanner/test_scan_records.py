"""The kinds behind the real-world cases, each with the variants a council archive holds.

Record identity, several people in one row or note, the header row found, spreadsheet
values as typed, decoding per stretch, names ending at the sentence end, addresses holding
only address lines, email people, the deceased, complete DOCX and MSG extraction with
``partial:`` reasons, and real line numbers.
"""

from __future__ import annotations

import io
import tarfile
import zipfile
from pathlib import Path

import compressed_rtf
from hypothesis import given
from hypothesis import strategies as st

from incidentroom.scanner.people.columns import classify
from tests.helpers.office_writers import write_xlsx
from tests.helpers.ole_writer import write_cfb
from tests.helpers.scanhelp import Outputs, scan


def run(tmp_path: Path, files: dict[str, bytes]) -> Outputs:
    """Write ``files`` into a fresh folder and scan it."""
    root = tmp_path / "in"
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return scan(root, tmp_path / "out")


def by_name(result: Outputs) -> dict[str, dict[str, str]]:
    """Individuals keyed by full name (each name must be unique)."""
    names = [p["full_name"] for p in result.individuals]
    assert len(names) == len(set(names)), names
    return {p["full_name"]: p for p in result.individuals}


def cats(row: dict[str, str]) -> set[str]:
    """An individual's categories."""
    return set(filter(None, row["categories"].split(";")))


# -- record identity ---------------------------------------------------------------------------


def test_same_named_tar_and_nested_zip_members_are_separate_documents(tmp_path: Path) -> None:
    tar_buf = io.BytesIO()
    with tarfile.open(fileobj=tar_buf, mode="w") as tar:
        for text in (b"Client: Mrs Carys Bowen\nDate of birth: 01/01/1955\n",
                     b"Client: Mr Ieuan Price\nDate of birth: 02/02/1966\n"):  # fmt: skip
            info = tarfile.TarInfo("forms/form.txt")
            info.size = len(text)
            tar.addfile(info, io.BytesIO(text))
    zip_buf = io.BytesIO()
    with zipfile.ZipFile(zip_buf, "w") as z, __import__("warnings").catch_warnings():
        __import__("warnings").simplefilter("ignore")  # zipfile warns about the duplicate name
        z.writestr("a.csv", "Name,Date of birth\nAlys Hopkin,12/05/1961\n")
        z.writestr("a.csv", "Name,Date of birth\nBedwyr Lake,30/10/1988\n")
    people = by_name(run(tmp_path, {"export.tar": tar_buf.getvalue(), "export.zip": zip_buf.getvalue()}))
    assert {n: p["date_of_birth"] for n, p in people.items()} == {
        "Carys Bowen": "1955-01-01",
        "Ieuan Price": "1966-02-02",
        "Alys Hopkin": "1961-05-12",
        "Bedwyr Lake": "1988-10-30",
    }
    assert people["Ieuan Price"]["documents"] == "export.tar!/forms/form.txt#member2"


# -- several people in one row or note -----------------------------------------------------------


def test_every_role_column_is_its_own_person(tmp_path: Path) -> None:
    csv = (
        "Lead tenant,Phone,Joint tenant,Joint tenant phone,Emergency contact,Emergency contact phone,"
        "Guarantor,Appointee,Partner,Notes\n"
        "Mr Alun Pryce,07723 418950,Mrs Mair Pryce,07723 418951,Mr Dai Rees,07723 418952,"
        "Ms Gwen Hughes,Mr Tom Evans,Ms Non Parry,Son Rhodri Pryce DOB 03/03/1990 called\n"
    )
    people = by_name(run(tmp_path, {"tenancies.csv": csv.encode()}))
    assert people["Alun Pryce"]["phone"] == "+447723418950" and not people["Alun Pryce"]["date_of_birth"]
    assert people["Mair Pryce"]["phone"] == "+447723418951"
    assert people["Dai Rees"]["phone"] == "+447723418952"
    assert people["Rhodri Pryce"]["date_of_birth"] == "1990-03-03"
    assert {"Gwen Hughes", "Tom Evans", "Non Parry"} <= set(people)
    assert not any(p["phone"] for n, p in people.items() if n in ("Gwen Hughes", "Tom Evans", "Non Parry"))


def test_roles_classified_from_headers() -> None:
    assert classify("next of kin") == classify("next of kin name")
    assert classify("next of kin").person != classify("informant").person
    assert classify("next of kin phone").field == "phone"
    assert classify("date of death").field == "death" and classify("date of death").deceased
    assert classify("deceased name").field == "name" and classify("deceased name").person == 0
    assert classify("mobile").field == "phone" and classify("dob").field == "dob"


def test_identifiers_in_a_letter_belong_to_the_person_the_sentence_names(tmp_path: Path) -> None:
    text = (
        "Client: Mrs Enid Harries, tel 07723 418969.\n"
        "Her daughter Bethan Roberts DOB 02/02/1970 NI JG103742C asked for copies.\n"
    )
    people = by_name(run(tmp_path, {"note.txt": text.encode()}))
    assert people["Enid Harries"]["phone"] == "+447723418969"
    assert not people["Enid Harries"]["date_of_birth"]
    assert "national_insurance_number" not in cats(people["Enid Harries"])
    assert people["Bethan Roberts"]["date_of_birth"] == "1970-02-02"


# -- header row found ----------------------------------------------------------------------------


def test_title_rows_blank_rows_and_a_two_row_header(tmp_path: Path) -> None:
    csv = (
        "Council tax reductions 2015\n"
        "Exported 03/03/2015 by revenues\n"
        "\n"
        "Claimant,,Partner,\n"
        "Name,Date of birth,Name,Date of birth\n"
        "Mr Alun Pryce,01/02/1960,Mrs Mair Pryce,03/04/1962\n"
    )
    people = by_name(run(tmp_path, {"ctr.csv": csv.encode()}))
    assert people["Alun Pryce"]["date_of_birth"] == "1960-02-01"
    assert people["Mair Pryce"]["date_of_birth"] == "1962-04-03"
    assert len(people) == 2


def test_several_tables_on_one_sheet_and_no_header(tmp_path: Path) -> None:
    sheet: list[list[str | float]] = [
        ["Tenants"],
        ["Name", "Date of birth", "Postcode"],
        ["Alys Hopkin", "12/05/1961", "W6 9JJ"],
        [],
        ["Forename", "Surname", "NI number"],
        ["Bedwyr", "Lake", "JK493021B"],
    ]
    no_header = "Mrs Carys Bowen,01/01/1955,W3 7LR\nMr Ieuan Price,02/02/1966,W14 8LR\n"
    result = run(tmp_path, {"register.xlsx": write_xlsx({"People": sheet}), "plain.csv": no_header.encode()})
    people = by_name(result)
    assert people["Alys Hopkin"]["date_of_birth"] == "1961-05-12"
    assert "national_insurance_number" in cats(people["Bedwyr Lake"])
    # No header: the name column is known from its content, and each row is its own person.
    assert people["Carys Bowen"]["postcode"] == "W3 7LR"
    assert people["Ieuan Price"]["postcode"] == "W14 8LR"


def test_sep_line_with_a_comma_and_a_quoted_hint(tmp_path: Path) -> None:
    csv = '"sep=,"\r\nForename,Surname,Date of birth\r\nZoë,Whitté,05/06/1977\r\n'
    people = by_name(run(tmp_path, {"export.csv": csv.encode("cp1252")}))
    assert people["Zoë Whitté"]["date_of_birth"] == "1977-06-05"


def test_special_category_columns_saying_none_declared_are_not_special(tmp_path: Path) -> None:
    csv = (
        "Name,Date of birth,Disability,Religion,Unspent convictions\n"
        "Alys Hopkin,12/05/1961,None declared,Prefer not to say,N/A\n"
        "Bedwyr Lake,30/10/1988,Not declared,Declined,No\n"
    )
    people = by_name(run(tmp_path, {"equality.csv": csv.encode()}))
    for person in people.values():
        assert cats(person) == {"name", "date_of_birth"}, person


def test_council_role_headers_and_bank_details_in_separate_columns(tmp_path: Path) -> None:
    dd = "Payee,Sort code,DD Account,Ratepayer ref\nMr Alun Pryce,401234,31926819,RP12345\n"
    ctax = "Liable Party,Property,Sort Code,Account No\nMrs Mair Pryce,4 Oak Road W6 9JJ,40 12 34,41926819\n"
    people = by_name(run(tmp_path, {"dd.csv": dd.encode(), "ctax.csv": ctax.encode()}))
    assert "bank_account" in cats(people["Alun Pryce"])
    assert {"bank_account", "address"} <= cats(people["Mair Pryce"])
    assert len(people) == 2


# -- spreadsheet values as typed -----------------------------------------------------------------


def test_numbers_as_excel_stores_them(tmp_path: Path) -> None:
    sheet: list[list[str | float]] = [
        ["Name", "Mobile", "Date of birth", "Balance"],
        ["Cerys Mathias", 7723418963, 22000, 4532015112.830366],
        ["Gareth Pugh", "7.723418964E+09", "23000", "0.4532015112830366"],
    ]
    people = by_name(run(tmp_path, {"badges.xlsx": write_xlsx({"Sheet1": sheet})}))
    assert people["Cerys Mathias"]["phone"] == "+447723418963"
    assert people["Cerys Mathias"]["date_of_birth"] == "1960-03-25"  # Excel serial 22000
    assert people["Gareth Pugh"]["phone"] == "+447723418964"
    assert people["Gareth Pugh"]["date_of_birth"] == "1962-12-20"
    assert not any("payment_card" in cats(p) for p in people.values())


def test_serial_dates_of_a_1904_workbook(tmp_path: Path) -> None:
    sheet: list[list[str | float]] = [["Name", "Date of birth"], ["Cerys Mathias", 20538]]
    plain = write_xlsx({"Sheet1": sheet})
    source = zipfile.ZipFile(io.BytesIO(plain))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/workbook.xml":
                data = data.replace(b"<sheets>", b'<workbookPr date1904="1"/><sheets>')
            target.writestr(item, data)
    people = by_name(run(tmp_path, {"mac.xlsx": buf.getvalue()}))
    assert people["Cerys Mathias"]["date_of_birth"] == "1960-03-25"  # 20538 days after 1904-01-01


def test_xlsx_cell_comments_and_images(tmp_path: Path) -> None:
    plain = write_xlsx({"Sheet1": [["Name", "Postcode"], ["Cerys Mathias", "W6 9JJ"]]})
    source = zipfile.ZipFile(io.BytesIO(plain))
    buf = io.BytesIO()
    comment = (
        '<comments xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><commentList>'
        '<comment ref="A2"><text><r><t>Client: Mr Gareth Pugh, DOB 02/02/1966</t></r></text></comment>'
        "</commentList></comments>"
    )
    with zipfile.ZipFile(buf, "w") as target:
        for item in source.infolist():
            target.writestr(item, source.read(item))
        target.writestr("xl/comments1.xml", comment)
        target.writestr("xl/media/image1.png", b"\x89PNG")
    result = run(tmp_path, {"book.xlsx": buf.getvalue()})
    people = by_name(result)
    assert people["Gareth Pugh"]["date_of_birth"] == "1966-02-02"
    assert people["Cerys Mathias"]["postcode"] == "W6 9JJ"
    status, reason = result.status("book.xlsx")
    assert status == "scanned" and reason.startswith("partial: 1 image(s) in the workbook")


# -- decoding per stretch ------------------------------------------------------------------------


def test_utf16_without_bom_and_a_stray_nul(tmp_path: Path) -> None:
    table = "Forename,Surname,Date of birth\nSiân,Ó Dálaigh,23/08/1969\n"
    rows = "".join(f"Person{i},Row{i},\n" for i in range(300))
    with_nul = f"Forename,Surname,Date of birth\n{rows}Zoë,Bront\x00ë-Hughes,11/04/1981\n"
    result = run(
        tmp_path,
        {
            "le.csv": table.encode("utf-16-le"),
            "be.csv": table.replace("Siân", "Rhodri").replace("Ó Dálaigh", "Prosser").encode("utf-16-be"),
            "nul.csv": with_nul.encode("utf-8"),
        },
    )
    people = by_name(result)
    assert people["Siân Ó Dálaigh"]["date_of_birth"] == "1969-08-23"
    assert people["Rhodri Prosser"]["date_of_birth"] == "1969-08-23"
    assert people["Zoë Brontë-Hughes"]["date_of_birth"] == "1981-04-11"
    assert {m["status"] for m in result.manifest} == {"scanned"}


def test_a_late_cp1252_byte_in_a_text_file(tmp_path: Path) -> None:
    text = "x" * 100 + "\n"
    late = "Client: Mrs Zoe Bronte, DOB 11/04/1981, of 4 Élysée Close, London W6 9JJ\n"
    people = by_name(run(tmp_path, {"notes.txt": (text * 800).encode() + late.encode("cp1252")}))
    assert people["Zoe Bronte"]["address"] == "4 Élysée Close, London, W6 9JJ"


# -- names, addresses and line numbers -----------------------------------------------------------


def test_names_stop_at_sentences_and_label_words(tmp_path: Path) -> None:
    text = (
        "Visited Mrs Sian Rowlands. Dafydd her son was there.\n"
        "Called Mr Huw Bowen. She said nothing.\n"
        "Spoke to Ms Nerys Jenkins Tel 07723 418962.\n"
    )
    names = set(by_name(run(tmp_path, {"log.txt": text.encode()})))
    assert {"Sian Rowlands", "Huw Bowen", "Nerys Jenkins"} <= names
    assert not any(n.split()[-1] in ("Dafydd", "She", "Tel") for n in names)


def test_address_holds_only_address_lines(tmp_path: Path) -> None:
    text = "Client: Mr Alun Pryce, born 01/02/1960, living at Flat 2, 9 Oak Road, London W6 9JJ.\n"
    people = by_name(run(tmp_path, {"letter.txt": text.encode()}))
    assert people["Alun Pryce"]["address"] == "Flat 2, 9 Oak Road, London, W6 9JJ"


def test_text_hits_carry_their_own_line_number(tmp_path: Path) -> None:
    text = "Case notes\n\n\n\n\nClient: Mr Alun Pryce\n\nNI number JK 49 30 21 B\n"
    result = run(tmp_path, {"notes.txt": text.encode()})
    lines = {d["category"]: d["line"] for d in result.detections}
    assert lines == {"name": 6, "national_insurance_number": 8}
    assert next(d for d in result.detections if d["category"] == "name")["location"].startswith("line=6")


# -- the deceased --------------------------------------------------------------------------------


def test_deceased_in_running_text_and_columns(tmp_path: Path) -> None:
    text = (
        "Estate of the late Mr Emrys Lloyd, DOB 19/12/1931.\nExecutor: Mrs Ffion Lloyd, tel 07723 418961.\n"
    )
    csv = "Name,DoD,Next of kin\nMrs Enid Harries,01/10/2018,Mr Iolo Harries\n"
    people = by_name(run(tmp_path, {"estate.txt": text.encode(), "deaths.csv": csv.encode()}))
    assert (
        people["Emrys Lloyd"]["deceased"] == "yes" and people["Emrys Lloyd"]["date_of_birth"] == "1931-12-19"
    )
    assert people["Ffion Lloyd"]["deceased"] == ""
    assert people["Enid Harries"]["deceased"] == "yes" and not people["Enid Harries"]["date_of_birth"]
    assert people["Iolo Harries"]["deceased"] == ""


# -- email people --------------------------------------------------------------------------------


def test_rfc2047_names_with_commas_and_team_mailboxes(tmp_path: Path) -> None:
    eml = (
        "From: =?utf-8?q?Jones=2C_Si=C3=A2n?= <sian.jones77@gmail.com>\r\n"
        "To: Housing Options <housingoptions@wlc-council.gov.uk>, Revenues Team <rev@wlc-council.gov.uk>\r\n"
        "Subject: my application\r\n\r\n"
        "My date of birth is 02/02/1977.\r\n"
    )
    result = run(tmp_path, {"mail.eml": eml.encode()})
    people = by_name(result)
    assert set(people) == {"Siân Jones"}
    assert people["Siân Jones"]["email"] == "sian.jones77@gmail.com"
    assert people["Siân Jones"]["date_of_birth"] == "1977-02-02"


# -- complete DOCX and MSG extraction -------------------------------------------------------------

_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
_NS = (
    f'{_W} xmlns:v="urn:schemas-microsoft-com:vml" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
)


def _p(text: str) -> str:
    return f'<w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>'


def _docx(body: str, parts: dict[str, str], media: bool = False) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", f"<w:document {_NS}><w:body>{body}</w:body></w:document>")
        for name, xml in parts.items():
            z.writestr(name, xml)
        if media:
            z.writestr("word/media/image1.png", b"\x89PNG\r\n\x1a\n")
    return buf.getvalue()


def test_docx_notes_comments_vml_boxes_and_deletions(tmp_path: Path) -> None:
    body = (
        _p("Dear Mr Thomas,")
        + "<w:p><w:r><w:pict><v:shape><v:textbox><w:txbxContent>"
        + _p("Client: Mrs Heledd Owen")
        + _p("Date of birth: 17/05/1971")
        + "</w:txbxContent></v:textbox></v:shape></w:pict></w:r></w:p>"
        + '<w:p><w:del w:id="1"><w:r><w:delText>Mr Removed Person NI number JG 10 37 42 C</w:delText></w:r></w:del></w:p>'
    )
    parts = {
        "word/footnotes.xml": f"<w:footnotes {_W}><w:footnote>{_p('Client: Mr Emlyn Vaughan, NI number JK 49 30 21 B')}</w:footnote></w:footnotes>",
        "word/endnotes.xml": f"<w:endnotes {_W}><w:endnote>{_p('Client: Ms Non Parry, DOB 03/03/1990')}</w:endnote></w:endnotes>",
        "word/comments.xml": f"<w:comments {_W}><w:comment>{_p('Client: Mr Dai Rees, tel 07723 418952')}</w:comment></w:comments>",
    }
    result = run(tmp_path, {"letter.docx": _docx(body, parts, media=True)})
    people = by_name(result)
    assert people["Heledd Owen"]["date_of_birth"] == "1971-05-17"
    assert "national_insurance_number" in cats(people["Emlyn Vaughan"])
    assert people["Non Parry"]["date_of_birth"] == "1990-03-03"
    assert people["Dai Rees"]["phone"] == "+447723418952"
    assert not any("Removed" in n for n in people)
    status, reason = result.status("letter.docx")
    assert status == "scanned" and reason.startswith("partial: 1 image(s)")


def _rtf_msg(body_rtf: bytes, extra: dict[str, bytes] | None = None, raw: bytes | None = None) -> bytes:
    streams = {
        "__substg1.0_0037001F": "Transfer".encode("utf-16-le"),
        "__substg1.0_0C1A001F": "Lowri Bevan".encode("utf-16-le"),
        "__substg1.0_0C1F001F": "lowri.bevan83@outlook.com".encode("utf-16-le"),
        "__substg1.0_10090102": raw
        if raw is not None
        else compressed_rtf.compress(body_rtf, compressed=True),
        "__properties_version1.0": b"\0" * 32,
    }
    streams.update(extra or {})
    return write_cfb(streams)


def test_msg_lzfu_rtf_body_and_an_embedded_message_with_its_attachment(tmp_path: Path) -> None:
    rtf = rb"{\rtf1\ansi Dear team,\par Date of birth: 21/07/1983\par NI number JK 49 30 21 B\par}"
    inner = "__attach_version1.0_#00000000/__substg1.0_3701000D/"
    extra = {
        "__attach_version1.0_#00000000/__substg1.0_3001001F": "Fwd".encode("utf-16-le"),
        inner + "__substg1.0_0037001F": "Noise".encode("utf-16-le"),
        inner + "__substg1.0_0C1A001F": "Iestyn Parry".encode("utf-16-le"),
        inner + "__substg1.0_0C1F001F": "iestyn.parry75@gmail.com".encode("utf-16-le"),
        inner + "__substg1.0_1000001F": "I am Mr Iestyn Parry, DOB 30/09/1975.".encode("utf-16-le"),
        inner + "__attach_version1.0_#00000000/__substg1.0_3707001F": "tenancy.csv".encode("utf-16-le"),
        inner
        + "__attach_version1.0_#00000000/__substg1.0_37010102": b"Name,NI number\nIestyn Parry,JT493021A\n",
    }
    result = run(tmp_path, {"transfer.msg": _rtf_msg(rtf, extra)})
    people = by_name(result)
    assert people["Lowri Bevan"]["date_of_birth"] == "1983-07-21"
    assert "national_insurance_number" in cats(people["Lowri Bevan"])
    assert people["Iestyn Parry"]["date_of_birth"] == "1975-09-30"
    assert "national_insurance_number" in cats(people["Iestyn Parry"])
    assert any(m["path"].endswith("Fwd/tenancy.csv") for m in result.manifest)


def test_msg_with_an_unreadable_rtf_body_says_partial(tmp_path: Path) -> None:
    broken = b"\x20\x00\x00\x00\x40\x00\x00\x00LZFu\x00\x00\x00\x00" + b"\xff" * 16  # bad CRC
    result = run(tmp_path, {"broken.msg": _rtf_msg(b"", raw=broken)})
    status, reason = result.status("broken.msg")
    assert status == "scanned" and reason.startswith("partial: message body held only as compressed RTF")


# Given names a text may hold for one surname: whole names, initials, nicknames of one
# another ('bob', 'robert'), typos ('jon', 'john'; 'julia', 'julie', 0.92 exactly), none.
_GIVEN = ["", *"j r b john jon jonathan jane julia julie robert bob rob bobby".split()]


@given(st.lists(st.tuples(st.sampled_from(_GIVEN), st.booleans()), max_size=30))
def test_a_later_mention_joins_the_first_draft_every_given_name_of_which_agrees(
    mentions: list[tuple[str, bool]],
) -> None:
    """``_Surname.earlier`` (an index by given name) picks the draft a comparison with every
    draft in turn picks: the first whose given names all agree with the mention's (a draft
    with none agrees with any), a relative only joining a relative."""
    from incidentroom.scanner.people.names import first_names_compatible
    from incidentroom.scanner.people.records import _Draft, _Surname

    surname = _Surname()
    firsts: list[set[str]] = []
    for first, kin in mentions:
        expected = next(
            (
                position
                for position, draft in enumerate(surname.drafts)
                if (not kin or draft.kin)
                and (not first or all(first_names_compatible(other, first) for other in firsts[position]))
            ),
            None,
        )
        position = surname.earlier(first, kin)
        assert position == expected
        if position is None:
            position = surname.start(_Draft(kin=kin))
            firsts.append(set())
        if first:
            firsts[position].add(first)
        surname.named(position, first)
