"""IBANs by ISO 13616 and the SWIFT IBAN registry (every length from 15 to 33 in use), in every spelling."""

from __future__ import annotations

import pytest

from incidentroom.scanner.detect.detectors.iban import IbanDetector
from tests.helpers.detector_vectors import assert_found_in_every_spelling, assert_nowhere, found_in_text

CATEGORY = "bank_account"
# The registry's example IBANs, one per length in use: Norway has the shortest (15),
# Russia the longest (33).
REGISTRY_EXAMPLES = [
    "NO9386011117947", "DK5000400440116243", "NL91ABNA0417164300", "GB29NWBK60161331926819",
    "DE89370400440532013000", "ES9121000418450200051332", "LY83002048000020100120361",
    "FR1420041010050500013M02606", "AL47212110090000000235698741", "BR1800360305000010009795493C1",
    "JO94CBJO0010000000000131000302", "MT84MALT011000012345MTLCAST001S", "LC55HEMM000100010012001200023015",
    "RU0204452560040702810412345678901",
]  # fmt: skip


def grouped(iban: str) -> str:
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))


def test_the_docstring_names_the_registry() -> None:
    assert "SWIFT IBAN registry" in (IbanDetector.__doc__ or "")
    assert {len(x) for x in REGISTRY_EXAMPLES} >= {15, 18, 22, 24, 25, 27, 28, 29, 30, 31, 32, 33}


@pytest.mark.parametrize("iban", REGISTRY_EXAMPLES)
def test_every_registry_length_is_found_grouped_or_not_in_every_spelling(iban: str) -> None:
    for written in (iban, grouped(iban)):
        assert_found_in_every_spelling(written, CATEGORY, iban, label="IBAN", header="IBAN")


@pytest.mark.parametrize("iban", REGISTRY_EXAMPLES)
@pytest.mark.parametrize("word", ["EUR", "GBP", "USD", "A", "OK"])
def test_the_valid_iban_inside_a_longer_candidate_is_found(iban: str, word: str) -> None:
    # 'ES91 2100 0418 4502 0005 1332 EUR': the word joins the candidate and breaks mod 97.
    text = f"Pay to {grouped(iban)} {word} by Friday"
    got = found_in_text(text, CATEGORY)
    assert [f.normalised for f in got] == [iban], text
    assert text.encode()[got[0].start : got[0].end].decode() == grouped(iban)


@pytest.mark.parametrize(
    "written",
    [
        "GB28NWBK60161331926819",  # check digits wrong
        "GB29NWBK6016133192681",  # one character short of the UK length
        "NO9386011117948",
        "XX29NWBK60161331926819",  # no such country
    ],
)
def test_invalid_ibans_are_never_found(written: str) -> None:
    assert_nowhere(written, CATEGORY, label="IBAN", header="IBAN")


def test_no_false_alarms() -> None:
    assert found_in_text("Order AB12 3456 7890 1234 shipped", CATEGORY) == []
