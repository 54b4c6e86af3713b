"""UK postcodes by Royal Mail's format (Programmers' Guide to the PAF), in every spelling."""

from __future__ import annotations

import pytest

from incidentroom.scanner.detect.detectors.postcode import UkPostcodeDetector
from tests.helpers.detector_vectors import assert_found_in_every_spelling, assert_nowhere, found_in_text

CATEGORY = "address"
# One of each outward format: A9, A99, AA9, AA99, A9A, AA9A.
VALID = [
    "M1 1AE",
    "B33 8TH",
    "CR2 6XH",
    "DN55 1PT",
    "W1A 1HQ",
    "EC1A 1BB",
    "SW1A 0AA",
    "EC2V 7HH",
    "GU16 7HF",
]
# Each position rule broken once: Q, V, X never first; I, J, Z never second; the third
# position letter from ABCDEFGHJKPSTUW; the fourth from ABEHMNPRVWXY; the inward letters
# never C, I, K, M, O, V.
INVALID = ["QA1 1AA", "VA1 1AA", "XA1 1AA", "AI1 1AA", "AJ1 1AA", "AZ1 1AA", "A1L 1AA", "AA1C 1AA",
           "SW1A 1AC", "SW1A 1AI", "SW1A 1AK", "SW1A 1AM", "SW1A 1AO", "SW1A 1AV"]  # fmt: skip


def variants(postcode: str) -> list[str]:
    """Upper, lower and mixed case ('sw1a 0aa', 'EC2V 7hh'), with and without the space."""
    outward, inward = postcode.split()
    forms = [postcode, postcode.lower(), f"{outward} {inward.lower()}", f"{outward.lower()} {inward}"]
    return forms + [f.replace(" ", "") for f in forms]


def test_the_docstring_names_royal_mails_rule() -> None:
    assert "Royal Mail" in (UkPostcodeDetector.__doc__ or "")


def ordinal_after_capitals(written: str) -> bool:
    """'B33 8th': capitals, then an inward code that reads as an ordinal (see the detector)."""
    inward = written.replace(" ", "")[-3:]
    suffix = {"1": "st", "2": "nd", "3": "rd"}.get(inward[0], "th")
    return inward[1:] == suffix and not written[:-3].islower()


@pytest.mark.parametrize("postcode", VALID)
def test_valid_postcodes_are_found_in_every_case_and_spelling(postcode: str) -> None:
    for written in variants(postcode):
        if ordinal_after_capitals(written):
            assert found_in_text(f"room {written} floor", CATEGORY) == []
            continue
        assert_found_in_every_spelling(written, CATEGORY, postcode, label="postcode", header="Postcode")


@pytest.mark.parametrize("postcode", INVALID)
def test_postcodes_breaking_the_position_rules_are_never_found(postcode: str) -> None:
    for written in variants(postcode):
        assert_nowhere(written, CATEGORY, label="postcode", header="Postcode")


@pytest.mark.parametrize("text", ["ratio 1.5 to 2", "flat 3a", "room B12 3rd floor", "SW1A0AAB", "ASW1A 0AA"])
def test_no_false_alarms(text: str) -> None:
    assert found_in_text(text, CATEGORY) == []
