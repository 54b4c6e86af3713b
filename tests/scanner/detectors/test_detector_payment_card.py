"""Payment cards by ISO/IEC 7812 (Luhn) and the card schemes' issuer ranges, in every spelling."""

from __future__ import annotations

import random

import pytest

from incidentroom.scanner.detect.detectors.payment_card import TEST_PANS, PaymentCardDetector
from tests.helpers.detector_vectors import assert_found_in_every_spelling, assert_nowhere, found_in_text

CATEGORY = "payment_card"
# (scheme, issuer prefix, length) from the schemes' published ranges.
RANGES = [
    ("Visa", "4", 16), ("Visa", "4", 13), ("Visa", "4", 19),
    ("Mastercard", "51", 16), ("Mastercard", "55", 16), ("Mastercard", "2221", 16), ("Mastercard", "2720", 16),
    ("American Express", "34", 15), ("American Express", "37", 15),
    ("Maestro", "50", 16), ("Maestro", "6759", 16), ("Maestro", "56", 12), ("Maestro", "6304", 19),
    ("Discover", "6011", 16), ("Discover", "644", 16), ("Discover", "65", 16), ("Discover", "65", 19),
    ("UnionPay", "62", 16), ("UnionPay", "62", 19), ("UnionPay", "622126", 17),
    ("JCB", "3528", 16), ("JCB", "3589", 16), ("JCB", "3560", 19),
    ("Diners Club", "300", 14), ("Diners Club", "305", 16), ("Diners Club", "3095", 14), ("Diners Club", "36", 14),
    ("Diners Club", "38", 16), ("Diners Club", "39", 19),
]  # fmt: skip


def luhn_complete(prefix: str, length: int, rng: random.Random) -> str:
    body = prefix + "".join(rng.choice("0123456789") for _ in range(length - len(prefix) - 1))
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return body + str((10 - total % 10) % 10)


def card(prefix: str, length: int) -> str:
    rng = random.Random(prefix + str(length))
    while True:
        number = luhn_complete(prefix, length, rng)
        if number not in TEST_PANS:
            return number


def groupings(number: str) -> list[str]:
    fours = " ".join(number[i : i + 4] for i in range(0, len(number), 4))
    forms = [number, fours, fours.replace(" ", "-")]
    if len(number) in (14, 15):  # Amex and Diners print 4-6-5 / 4-6-4
        forms.append(f"{number[:4]} {number[4:10]} {number[10:]}")
    return forms


def test_the_docstring_names_the_schemes_ranges() -> None:
    doc = PaymentCardDetector.__doc__ or ""
    for scheme in ("Luhn", "JCB", "Diners Club", "Discover", "UnionPay", "Maestro"):
        assert scheme in doc


@pytest.mark.parametrize(("scheme", "prefix", "length"), RANGES)
def test_every_issuer_range_is_found_in_every_grouping_and_spelling(
    scheme: str, prefix: str, length: int
) -> None:
    number = card(prefix, length)
    for written in groupings(number):
        assert_found_in_every_spelling(written, CATEGORY, number, label="card number", header="Card number")


@pytest.mark.parametrize("number", sorted(TEST_PANS))
def test_the_schemes_published_test_numbers_are_never_a_persons_card(number: str) -> None:
    for written in groupings(number):
        assert_nowhere(written, CATEGORY, label="card", header="Card number")


@pytest.mark.parametrize(
    "number",
    [
        "378734493671000",
        "371449635398431",
        "6011000990139424",
        "6011111111111117",
        "3530111333300000",
        "3566002020360505",
        "30569309025904",
        "38520000023237",
        "6200000000000005",
        "4222222222222",
    ],
)
def test_test_numbers_of_every_scheme_are_excluded(number: str) -> None:
    assert number in TEST_PANS
    assert found_in_text(f"card {number}", CATEGORY) == []


@pytest.mark.parametrize(
    "number",
    [
        "1234567812345670",  # no scheme issues from 1
        "7000000000000005",  # nor 7
        "3400000000000000",  # Amex prefix with 16 digits
        "3527000000000008",  # just below JCB
        "3590000000000000",  # just above JCB
        "3060000000000001",  # between Diners 305 and 3095
    ],
)
def test_luhn_valid_numbers_outside_every_range_are_never_found(number: str) -> None:
    assert_nowhere(number, CATEGORY, label="card", header="Card number")


def test_luhn_failures_are_never_found() -> None:
    number = card("3528", 16)
    broken = number[:-1] + str((int(number[-1]) + 1) % 10)
    assert_nowhere(broken, CATEGORY, label="card", header="Card number")
