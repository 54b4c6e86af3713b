"""Column roles from what the cells hold, and export headers written with underscores.

Kinds from the independent archive (tests/scanner/independent/): a name column under a
header the word list does not know, a CSV with no header, numbered joint parties, and
direct-debit initials. The cases here are our own variants, not the generator's rows.
"""

from __future__ import annotations

from pathlib import Path

from incidentroom.scanner.people.columns import classify
from tests.helpers.scanhelp import scan


def _scan_csv(tmp_path: Path, name: str, text: str) -> list[dict[str, str]]:
    root = tmp_path / "in"
    root.mkdir()
    (root / name).write_text(text, encoding="utf-8")
    return scan(root, tmp_path / "out").individuals


def test_underscored_export_headers_are_read_as_words() -> None:
    assert classify("prop_pcode").field == "postcode"
    assert classify("corr_addr").field == "address"
    assert classify("prop_addr_3") == classify("prop addr")
    assert classify("dd_acc").field == "account"
    assert classify("dd_name").field == "name"
    assert classify("tel_2").field == "phone"
    first, second = classify("liable_party_1"), classify("liable_party_2")
    assert first.field == second.field == "name"
    assert first.person == 0 and second.person not in (0, classify("claimant_3").person)


def test_a_name_column_under_an_unknown_header_found_from_its_cells(tmp_path: Path) -> None:
    people = _scan_csv(
        tmp_path,
        "register.csv",
        "REF,REGISTRANT,HOME,PCODE_OUT,CONTACT_NO\n"
        'R1,"ŁUKASIEWICZ, Żaneta","12 Mill Lane, Leeds",LS6 2AB,0113 496 0111\n'
        'R2,"O\'NEILL, Bríd","Flat 2, 4 Kirk Street, Leeds",LS7 3CD,\n'
        'R3,Mr Oscar Pike,"9 Bell Road, Leeds",LS8 4EF,0113 496 0222\n',
    )
    by_name = {p["full_name"]: p for p in people}
    assert set(by_name) == {"Żaneta Łukasiewicz", "Bríd O'Neill", "Oscar Pike"}, sorted(by_name)
    assert by_name["Żaneta Łukasiewicz"]["phone"] == "+441134960111"
    assert by_name["Bríd O'Neill"]["postcode"] == "LS7 3CD"


def test_a_csv_with_no_header_keeps_its_name_column_for_every_row(tmp_path: Path) -> None:
    people = _scan_csv(
        tmp_path,
        "claims.csv",
        '501234,"KHAN, Imran",4 Rose Court,Bristol,BS5 6QT,JK123456C,03-Mar-1970\n'
        "501235,Oliwia Nowak,17 Ash Grove,Bristol,BS6 7RU,JK654321A,21-Jun-1981\n",
    )
    names = sorted(p["full_name"].lower() for p in people)
    assert names == ["imran khan", "oliwia nowak"]
    assert all("national_insurance_number" in p["categories"] for p in people)


def test_numbered_joint_parties_are_two_people_and_dd_initials_are_nobody(tmp_path: Path) -> None:
    people = _scan_csv(
        tmp_path,
        "ctax.csv",
        "Council tax export\n\n"
        "ACCOUNT_REF,CLAIMANT_1,CLAIMANT_2,PROP_ADDR_1,PROP_ADDR_2,PROP_PCODE,DD_SORT,DD_ACC,DD_NAME\n"
        '70001234,"HUGHES, Megan",Mr Rhys Hughes,3 Castle Way,Cardiff,CF10 1AA,40 11 22,12345678,MRS M HUGHES\n'
        "70001235,Mr Gareth Talbot,,8 Quay Street,Cardiff,CF10 2BB,401122,87654321,MR G TALBOT\n",
    )
    names = {p["full_name"].lower(): p for p in people}
    assert set(names) == {"megan hughes", "rhys hughes", "gareth talbot"}, sorted(names)
    assert "bank_account" in names["megan hughes"]["categories"]
    assert "bank_account" in names["gareth talbot"]["categories"]
    assert names["gareth talbot"]["postcode"] == "CF10 2BB"


def test_a_systems_dummy_row_is_nobody(tmp_path: Path) -> None:
    people = _scan_csv(
        tmp_path,
        "accounts.csv",
        "ACCOUNT_REF;LIABLE_PARTY_1;PROP_PCODE;TEL\n"
        "99999999;TEST ACCOUNT DO NOT USE;SE1 7PB;020 7946 0000\n"
        "99999998;Dummy Record;SE1 7PB;020 7946 0000\n"
        "12345678;Mrs Ffion Lloyd;CF11 9AB;029 2018 0000\n",
    )
    assert [p["full_name"] for p in people if p["full_name"]] == ["Ffion Lloyd"]


def test_a_partner_keeps_their_own_ni_number_and_shares_the_claim_address(tmp_path: Path) -> None:
    people = _scan_csv(
        tmp_path,
        "claims.csv",
        "CLAIM_REF,CLAIMANT,PARTNER,NINO,PARTNER_NINO,PROP_ADDR_1,PROP_PCODE,NOK_NAME,NOK_TEL\n"
        "HB1,Sioned Parry,Iwan Parry,JK123456C,JK654321A,2 Sea View,LL55 1AB,Mrs Ela Hughes,0117 496 0555\n"
        "HB2,Aled Jones,,JM111111A,JM222222B,9 Hill Street,LL57 2CD,,\n",
    )
    names = {p["full_name"]: p for p in people}
    # Aled's partner is unnamed: their NI number is a record of its own, never Aled's.
    assert set(names) == {"Sioned Parry", "Iwan Parry", "Ela Hughes", "Aled Jones", ""}, sorted(names)
    assert "national_insurance_number" in names[""]["categories"] and not names[""]["postcode"]
    assert names["Iwan Parry"]["postcode"] == "LL55 1AB"
    assert "national_insurance_number" in names["Iwan Parry"]["categories"]
    assert names["Ela Hughes"]["postcode"] == ""  # next of kin lives elsewhere
    assert names["Ela Hughes"]["phone"] == "+441174960555"


def test_sort_codes_without_dashes_beside_an_account_number_column(tmp_path: Path) -> None:
    people = _scan_csv(
        tmp_path,
        "staff.csv",
        "EMP_NO,SURNAME,FORENAME,SORT_CODE,ACCOUNT_NO\n"
        "E1,Morgan,Cerys,822739,65537233\n"
        "E2,Evans,Tomos,30 11 67,37636387\n"
        "E3,Price,Lowri,40-03-84,39747240\n",
    )
    assert len(people) == 3
    assert all("bank_account" in p["categories"] for p in people), people
