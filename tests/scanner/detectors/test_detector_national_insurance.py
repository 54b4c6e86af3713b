"""NI numbers by HMRC's rules (National Insurance Manual NIM39110), in every spelling people use."""

from __future__ import annotations

import pytest

from incidentroom.scanner.detect.detectors.national_insurance import NationalInsuranceDetector, is_valid_nino
from tests.helpers.detector_vectors import assert_found_in_every_spelling, assert_nowhere, found_in_text

CATEGORY = "national_insurance_number"
# Allocated prefixes: first letter not D, F, I, Q, U, V; second not D, F, I, O, Q, U, V;
# not BG, GB, KN, NK, NT, TN, ZZ. Suffix A-D.
VALID = [
    "JG103742C",
    "JK493021B",
    "JT493021A",
    "AZ123456A",
    "CE987654D",
    "ZY010203B",
    "TW112233C",
    "OA445566A",
]
# Each broken rule once: banned first letters, banned second letters, unallocated
# prefixes, a suffix outside A-D, a temporary reference (TN ... F).
INVALID = [
    "DA123456A", "FA123456A", "IA123456A", "QQ123456C", "UA123456A", "VA123456A",
    "AD123456A", "AF123456A", "AI123456A", "AO123456A", "AQ123456A", "AU123456A", "AV123456A",
    "BG123456A", "GB123456A", "KN123456A", "NK123456A", "NT123456A", "TN311258F", "ZZ123456D",
    "AB123456E", "AB123456Z",
]  # fmt: skip


def groupings(nino: str) -> list[str]:
    """Every grouping and separator HMRC's forms, payslips and people use."""
    p, d, s = nino[:2], nino[2:8], nino[8]
    pairs = f"{d[:2]} {d[2:4]} {d[4:]}"
    return [
        nino,
        f"{p} {pairs} {s}",
        f"{p}-{pairs.replace(' ', '-')}-{s}",
        f"{p} {d} {s}",
        f"{p} {d[:3]} {d[3:]} {s}",
        f"{p}{pairs}{s}".replace(" ", ""),
        f"{p} {pairs}{s}",
    ]


def cases(nino: str) -> list[str]:
    """Upper, lower and mixed case."""
    return [nino, nino.lower(), nino[:1] + nino[1:].lower()]


def test_the_docstring_names_hmrcs_rule() -> None:
    assert "HMRC" in (NationalInsuranceDetector.__doc__ or "")
    assert "NIM39110" in (NationalInsuranceDetector.__doc__ or "")


@pytest.mark.parametrize("nino", VALID)
def test_valid_numbers_are_found_in_every_grouping_case_and_spelling(nino: str) -> None:
    for grouped in groupings(nino):
        for written in cases(grouped):
            assert_found_in_every_spelling(written, CATEGORY, nino, label="NI number", header="NI number")


@pytest.mark.parametrize("nino", INVALID)
def test_numbers_breaking_hmrcs_rules_are_never_found(nino: str) -> None:
    assert not is_valid_nino(nino)
    for grouped in groupings(nino):
        for written in cases(grouped):
            assert_nowhere(written, CATEGORY, label="NINO", header="National Insurance number")


def test_prefix_rules_apply_after_a_word() -> None:
    # Presidio's bug: 'my BG123456A' passed the prefix rule through a leading space.
    assert found_in_text("my BG123456A was refused", CATEGORY) == []
    assert found_in_text("ref ZZ123456D", CATEGORY) == []


@pytest.mark.parametrize(
    "text",
    [
        "Seen on 12-03-19 a second time",  # a date: 'on' is not a prefix in lower case
        "at 10 30 45 a.m.",
        "version 1.2.3",
        "0.25 AB 12",
        "AB12345C",  # five digits
        "AB1234567C",  # seven digits
        "XAB123456CX",  # inside a longer token
    ],
)
def test_no_false_alarms(text: str) -> None:
    assert found_in_text(text, CATEGORY) == []


def test_realworld_case_02_every_form_of_the_casenotes() -> None:
    text = (
        "Applicant 1: Mr Owain Pritchard. NI number JG 10 37 42 C. Verified.\n"
        "Applicant 2: Ms Priya Ramanathan, NINO jk493021b (typed in lower case by the caller).\n"
        "Applicant 3: Mr Tomasz Nowak, National Insurance No. JK-49-30-21-D.\n"
        "Applicant 4: Mrs Grace Adeyemi, NI: JT 493021 A.\n"
        "  my BG123456A was refused\n  GB 12 34 56 A on old form\n  NINO: TN 31 12 58 F\n"
        "  ref ZZ123456D\n  code QQ123456C from the leaflet\n  DA123456A\n"
    )
    assert [f.normalised for f in found_in_text(text, CATEGORY)] == [
        "JG103742C", "JK493021B", "JK493021D", "JT493021A",
    ]  # fmt: skip
