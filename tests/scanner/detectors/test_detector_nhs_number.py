"""NHS numbers by the NHS Data Dictionary's modulus 11 check, in every spelling."""

from __future__ import annotations

import random

import pytest

from incidentroom.scanner.detect.detectors.nhs_number import NhsNumberDetector
from tests.helpers.detector_vectors import assert_found_in_every_spelling, assert_nowhere, found_in_text

CATEGORY = "nhs_number"


def check_digit(nine: str) -> int:
    """The Data Dictionary's rule: weights 10..2, 11 minus the remainder mod 11 (11 -> 0; 10: invalid)."""
    total = sum(int(d) * (10 - i) for i, d in enumerate(nine))
    check = 11 - total % 11
    return 0 if check == 11 else check


def valid_numbers(count: int) -> list[str]:
    rng = random.Random(12)
    out = ["9434765919", "4010232137"]
    while len(out) < count:
        nine = "".join(rng.choice("0123456789") for _ in range(9))
        check = check_digit(nine)
        if check != 10 and len(set(nine)) > 1:
            out.append(nine + str(check))
    return out


def test_the_vectors_follow_the_data_dictionary() -> None:
    assert check_digit("943476591") == 9
    assert "modulus 11" in (NhsNumberDetector.__doc__ or "")


@pytest.mark.parametrize("number", valid_numbers(8))
def test_valid_numbers_grouped_3_3_4_are_found_in_every_spelling(number: str) -> None:
    spaced = f"{number[:3]} {number[3:6]} {number[6:]}"
    dashed = spaced.replace(" ", "-")
    for written in (spaced, dashed):
        assert_found_in_every_spelling(written, CATEGORY, number, label="NHS number", header="NHS number")


@pytest.mark.parametrize("number", valid_numbers(8))
def test_ungrouped_numbers_need_nhs_context(number: str) -> None:
    assert_found_in_every_spelling(number, CATEGORY, number, label="NHS no:", header="NHS number", bare=False)
    assert found_in_text(f"Order ref {number} dispatched", CATEGORY) == []


def invalid_numbers() -> list[str]:
    rng = random.Random(5)
    out = ["9434765910", "0000000000", "1111111111"]
    while len(out) < 9:
        nine = "".join(rng.choice("0123456789") for _ in range(9))
        if check_digit(nine) == 10:
            out.append(nine + "0")  # no valid check digit exists: never issued
        else:
            out.append(nine + str((check_digit(nine) + 1) % 10))
    return out


@pytest.mark.parametrize("number", invalid_numbers())
def test_numbers_failing_modulus_11_are_never_found(number: str) -> None:
    spaced = f"{number[:3]} {number[3:6]} {number[6:]}"
    for written in (number, spaced, spaced.replace(" ", "-")):
        assert_nowhere(written, CATEGORY, label="NHS number", header="NHS number")


@pytest.mark.parametrize(
    "text",
    [
        "tel +44 943 476 5919",
        "call +44 (0)943 476 5919",
        "+44-943-476-5919",
        "amount 943.476.5919",
        "9434765919.5",
    ],
)
def test_no_false_alarms(text: str) -> None:
    assert found_in_text(text, CATEGORY) == []
