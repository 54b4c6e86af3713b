"""UK sort codes with account numbers (Pay.UK's six-digit sort code, eight-digit account)."""

from __future__ import annotations

import pytest

from incidentroom.scanner.detect.detectors.bank_account import SortCodeAccountDetector
from tests.helpers.detector_vectors import assert_found_in_every_spelling, found_in_text

CATEGORY = "bank_account"


def test_the_docstring_names_the_rule() -> None:
    assert "Pay.UK" in (SortCodeAccountDetector.__doc__ or "")


@pytest.mark.parametrize(
    "written",
    [
        "20-00-00 12345678",
        "20-00-00, account 12345678",
        "20-00-00 a/c 12345678",
        "20 00 00 account number 12345678",
        "20-00-00 acc. no. 12345678",
    ],
)
def test_sort_code_with_account_number(written: str) -> None:
    assert_found_in_every_spelling(written, CATEGORY, "200000/12345678", label="sort code", header="Bank details",
                                   bare=False)  # fmt: skip


@pytest.mark.parametrize("text", ["sort code 20-00-00", "s/c: 20 00 00", "Bank: 40-11-62"])
def test_a_named_sort_code_alone(text: str) -> None:
    assert len(found_in_text(text, CATEGORY)) == 1


@pytest.mark.parametrize(
    "text", ["score 20 00 00 final", "version 12-34-56", "dated 12-03-19", "ref 12 34 56 12345678"]
)
def test_no_false_alarms(text: str) -> None:
    assert found_in_text(text, CATEGORY) == []
