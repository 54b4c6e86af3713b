"""Detectors validate, not just match: checksums, prefix rules, context."""

from __future__ import annotations

import datetime as dt
import random
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from incidentroom.scanner.detect.detectors import all_detectors
from incidentroom.scanner.detect.detectors.driving_licence import licence_matches
from incidentroom.scanner.detect.detectors.name import LABELS, house_number_before, label_before
from incidentroom.scanner.detect.detectors.religion import ReligionDetector
from incidentroom.scanner.detect.matcher import detect
from incidentroom.scanner.detect.vocab import CATEGORIES
from incidentroom.scanner.model import Location
from tests.helpers.scangen import luhn_complete, make_card, make_licence, make_nhs, make_nino


def found(text: str, category: str) -> list[str]:
    return [f.normalised for f in detect(text.encode(), Location()) if f.category == category]


def test_registry_covers_the_whole_vocabulary_with_unique_names() -> None:
    detectors = all_detectors()
    names = [d.name for d in detectors]
    assert len(names) == len(set(names))
    assert {d.category for d in detectors} | {"address"} == set(CATEGORIES)
    assert all(d.category in CATEGORIES for d in detectors)


@pytest.mark.parametrize("seed", range(5))
def test_generated_identifiers_are_found(seed: int) -> None:
    rng = random.Random(seed)
    nino, nhs, card = make_nino(rng), make_nhs(rng), make_card(rng)
    text = f"NI: {nino}. NHS number {nhs[:3]} {nhs[3:6]} {nhs[6:]}. Card {card}."
    assert found(text, "national_insurance_number") == [nino]
    assert found(text, "nhs_number") == [nhs]
    assert found(text, "payment_card") == [card]


def test_national_insurance_prefix_rules() -> None:
    assert found("NI AB123456C", "national_insurance_number") == ["AB123456C"]
    for bad in ("GB123456A", "BG123456A", "NK123456A", "DA123456A", "AO123456A", "QQ123456C", "AB123456E"):
        assert found(f"NI {bad}", "national_insurance_number") == [], bad


def test_nhs_number_checksum_and_context() -> None:
    assert found("NHS 943 476 5919", "nhs_number") == ["9434765919"]
    assert found("NHS 943 476 5910", "nhs_number") == []  # fails modulus 11
    assert found("ref 9434765919", "nhs_number") == []  # ungrouped without NHS context
    assert found("NHS no: 9434765919", "nhs_number") == ["9434765919"]
    assert found("tel +44 943 476 5919", "nhs_number") == []  # a phone number in NHS grouping
    assert found("tel +44 (0)943 476 5919", "nhs_number") == []


def test_card_schemes_luhn_and_test_numbers() -> None:
    rng = random.Random(3)
    mastercard_2 = luhn_complete("2221", 16, rng)
    amex = luhn_complete("37", 15, rng)
    maestro = luhn_complete("6759", 16, rng)
    for number in (mastercard_2, amex, maestro):
        assert found(f"card {number}", "payment_card") == [number]
    broken = mastercard_2[:-1] + str((int(mastercard_2[-1]) + 1) % 10)
    assert found(f"card {broken}", "payment_card") == []
    assert found("card 4111 1111 1111 1111", "payment_card") == []  # scheme test number
    assert found("card " + luhn_complete("9", 16, rng), "payment_card") == []  # no issuer


def test_bank_accounts_need_an_account_number_or_context() -> None:
    assert found("sort code 20-00-00 account 12345678", "bank_account") == ["200000/12345678"]
    assert found("version 10-12-14 released", "bank_account") == []
    assert found("IBAN GB82 WEST 1234 5698 7654 32", "bank_account") == ["GB82WEST12345698765432"]
    assert found("IBAN GB82 WEST 1234 5698 7654 33", "bank_account") == []


def test_uk_phone_numbers_by_numbering_plan() -> None:
    assert found("call 020 7946 0123", "phone") == ["+442079460123"]
    assert found("call +44 (0)7911 123456", "phone") == ["+447911123456"]
    assert found("call 0044 161 496 0000", "phone") == ["+441614960000"]
    assert found("call 01234", "phone") == []
    assert found("call 0999 123 4567", "phone") == []  # not an allocated range


def test_postcode_format_rules() -> None:
    assert found("London W8 7NX", "address") == ["W8 7NX"]
    assert found("EC1A1BB", "address") == ["EC1A 1BB"]
    assert found("QA1 1AA", "address") == []  # Q never first
    assert found("W8 7CX", "address") == []  # C never in the inward code


def test_vehicle_registration_formats() -> None:
    assert found("AB12 CDE", "vehicle_registration") == ["AB12CDE"]
    assert found("vehicle reg A123 BCD", "vehicle_registration") == ["A123BCD"]
    assert found("vehicle reg ABC 123D", "vehicle_registration") == ["ABC123D"]
    assert found("vehicle reg AIZ 1234", "vehicle_registration") == ["AIZ1234"]
    assert found("form A123 BCD", "vehicle_registration") == []  # prefix format needs context
    assert found("AB99 CDE", "vehicle_registration") == []  # no such age identifier


def test_driving_licence_structure_and_cross_check() -> None:
    dob = dt.date(1956, 4, 4)
    licence = make_licence("Smith", "Helen", dob, True, random.Random(1))
    assert found(f"licence {licence}", "driving_licence_number") == [licence]
    assert licence_matches(licence, "smith", dob)
    assert not licence_matches(licence, "jones", dob)
    assert not licence_matches(licence, "smith", dt.date(1956, 4, 5))


def test_passport_only_with_context() -> None:
    assert found("passport number 123456789", "passport_number") == ["123456789"]
    assert found("invoice 123456789", "passport_number") == []


def test_dates_of_birth_only_with_context() -> None:
    assert found("DOB: 01/02/1980", "date_of_birth") == ["1980-02-01"]
    assert found("born on 3 March 1975", "date_of_birth") == ["1975-03-03"]
    assert found("Date: 01/02/2012", "date_of_birth") == []
    assert found("DOB: 31/02/1980", "date_of_birth") == []  # not a date


def test_names_from_labels_titles_and_gazetteer() -> None:
    assert found("Client: Holland, Chelsea", "name") == ["chelsea holland"]
    assert found("Dear Mrs Patel,", "name") == ["patel"]
    assert found("I met Sarah Jones today", "name") == ["sarah jones"]
    assert found("at 91 Charlotte Green, Leeds", "name") == []  # a street, not a person
    assert found("Grace Street is closed", "name") == []


def test_special_categories_need_specific_terms_or_context() -> None:
    assert found("The client has schizophrenia.", "health") == ["schizophrenia"]
    assert found("No known diabetes.", "health") == []
    assert found("Religion: Muslim", "religion") == ["muslim"]
    assert found("Christian Smith called", "religion") == []
    assert found("Ethnicity: White British", "ethnicity") == ["white british"]
    assert found("Sexual orientation: bisexual", "sexual_orientation") == ["bisexual"]
    assert found("He was convicted of theft in 2009.", "criminal_offence") == ["convicted of", "theft"]


def test_phone_fast_path_agrees_with_phonenumbers() -> None:
    import phonenumbers

    from incidentroom.scanner.detect.detectors.phone import normalise_uk_phone

    rng = random.Random(0)
    prefixes = [
        "01",
        "02",
        "03",
        "05",
        "07",
        "08",
        "09",
        "0161",
        "0207",
        "07700",
        "0800",
        "0845",
        "01534",
        "01624",
        "01481",
    ]
    agree = valid = 0
    for _ in range(3000):
        prefix = rng.choice(prefixes)
        number = prefix + "".join(
            rng.choice("0123456789") for _ in range(rng.randint(8, 11) - len(prefix) + 1)
        )
        parsed = phonenumbers.parse(number, "GB")
        expected = phonenumbers.is_valid_number(parsed) and phonenumbers.region_code_for_number(parsed) in (
            "GB",
            "GG",
            "JE",
            "IM",
        )
        valid += expected
        agree += expected == (normalise_uk_phone(number) is not None)
    assert agree == 3000 and valid > 300


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [b"1", b"12", b"a", b"B", b",", b" ", b"\t", b"flat", b"House", b"apartment", b"x", b"\xc3\xa9"]
            + [b"Name", b"next of kin", b"CLIENT", b"full name", b"tenant"]
        ),
        max_size=8,
    )
)
def test_label_and_house_number_checks_match_their_expressions(parts: list[bytes]) -> None:
    # The name detector checks these without regexes; the expressions are the specification.
    text = b"".join(parts)
    house = re.compile(rb"(?:\d+[a-z]?,?|flat|house|apartment)[ \t]*$")
    label = re.compile(rf"(?i)(?:{LABELS})[ \t]*:[ \t]*$".encode())
    assert house_number_before(text.lower()) == bool(house.search(text.lower()))
    assert label_before(text + b":", 0, len(text)) == bool(label.search(text + b":"))


def test_religion_said_of_a_person_with_a_verb() -> None:
    """Case notes state faith as an adjective after a verb, without 'a' or a label."""
    assert found("He is Hindu and asked that visits avoid prayer times.", "religion") == ["hindu"]
    assert found("She is Jewish and keeps kosher.", "religion") == ["jewish"]
    assert found("They are Sikh.", "religion") == ["sikh"]
    assert found("He was raised Catholic.", "religion") == ["catholic"]
    assert found("Mr Khan is devout Muslim.", "religion") == ["muslim"]
    assert found("She is not Muslim.", "religion") == []  # negated
    assert found("Christian Smith called about the Catholic school run.", "religion") == []
    # A sign-off is no faith: 'faithfully' before a street named Christian.
    assert found("Yours faithfully,\nJoan Dobson\nFlat 51f, Christian Ferry", "religion") == []


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.sampled_from([b"faith", b"f", b"u", b"l", b"ful", b"ly", b" ", b"\n", b"x", b"is "]), max_size=8
    )
)
def test_religion_context_says_faith_not_faithful_without_a_lookahead(parts: list[bytes]) -> None:
    # Spelled without (?!ful) so that hyperscan can scan it; the lookahead is the specification.
    window = b"".join(parts)
    faith = re.compile(rb"faith(?!ful)")
    context = ReligionDetector.context
    without_faith = re.compile(context.pattern.replace(rb"faith(?:[^f]|f[^u]|fu[^l]|(?:fu?)?$)|", b""))
    assert without_faith.pattern != context.pattern
    assert bool(context.search(window)) == bool(faith.search(window) or without_faith.search(window))


def test_conviction_stated_with_its_year() -> None:
    """Licensing declarations put the year between the verb and the offence."""
    line = "Relevant offences: convicted 2013 of selling alcohol to a child, Westminster Magistrates' Court"
    assert found(line, "criminal_offence") == ["convicted"]
    assert found("He was sentenced to 12 months in 2004.", "criminal_offence") == ["sentenced to"]
    assert found("Relevant offences: None", "criminal_offence") == []
    assert found("Applicant has never been convicted.", "criminal_offence") == []
