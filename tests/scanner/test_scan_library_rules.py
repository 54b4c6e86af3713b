"""Our check-digit rules agree with the well-kept library that has the same rule (python-stdnum).

Both detection paths are checked, the compiled core (``detect``) and the pure-Python
reference (``detect_reference``), over generated numbers of which about half pass the
library's check, so that both sides of every rule are exercised.

Rules without such a library are covered by the core/reference agreement tests
(test_scan_fastdetect.py) and their detectors' own vectors: python-stdnum has no UK
National Insurance number module (``stdnum.gb`` holds NHS, SEDOL, UPN, UTR and VAT),
and the sort-code detector pairs a sort code with an account number without modulus
checking, so there is no bank-modulus rule of ours to compare.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import luhn
from stdnum.gb import nhs

from incidentroom.scanner.detect.detectors.payment_card import TEST_PANS, issuer
from incidentroom.scanner.detect.matcher import detect, detect_reference
from incidentroom.scanner.model import Location

LOCATION = Location(page=1)


def found(text: str, category: str) -> tuple[list[str], list[str]]:
    """Normalised values of ``category`` found by the core and by the reference."""
    data = text.encode()
    return (
        [f.normalised for f in detect(data, LOCATION) if f.category == category],
        [f.normalised for f in detect_reference(data, LOCATION) if f.category == category],
    )


def grouped(number: str, sizes: tuple[int, ...], separator: str) -> str:
    """``number`` written in groups of ``sizes`` (the rest in one last group)."""
    parts, at = [], 0
    for size in sizes:
        if at >= len(number):
            break
        parts.append(number[at : at + size])
        at += size
    if at < len(number):
        parts.append(number[at:])
    return separator.join(parts)


@st.composite
def card_numbers(draw: st.DrawFn) -> str:
    """12-19 digits from a scheme's range or any range, Luhn-valid about half the time."""
    length = draw(st.integers(12, 19))
    prefix = draw(
        st.sampled_from(["4", "51", "2221", "34", "37", "50", "6011", "62", "3528", "36", "300", "1", "9"])
    )
    body = draw(
        st.text(alphabet="0123456789", min_size=length - len(prefix) - 1, max_size=length - len(prefix) - 1)
    )
    payload = prefix + body
    if draw(st.booleans()):
        return payload + luhn.calc_check_digit(payload)
    return payload + draw(st.sampled_from("0123456789"))


@settings(max_examples=400, deadline=None)
@given(card_numbers(), st.sampled_from([" ", "-", ""]))
def test_the_card_rule_agrees_with_stdnum_luhn(number: str, separator: str) -> None:
    expected = luhn.is_valid(number) and issuer(number) is not None and number not in TEST_PANS
    core, reference = found(f"Paid by card {grouped(number, (4, 4, 4, 4), separator)} today.", "payment_card")
    assert core == reference
    assert core == ([number] if expected else [])


@st.composite
def nhs_numbers(draw: st.DrawFn) -> str:
    """Ten digits passing stdnum's modulus 11 about half the time (when any check digit can)."""
    nine = draw(st.text(alphabet="0123456789", min_size=9, max_size=9))
    if draw(st.booleans()):
        for digit in "0123456789":
            if nhs.checksum(nine + digit) == 0:
                return nine + digit
    return nine + draw(st.sampled_from("0123456789"))


@settings(max_examples=400, deadline=None)
@given(nhs_numbers(), st.sampled_from(["NHS number {}", "NHS no. {}", "NHS: {}"]), st.booleans())
def test_the_nhs_rule_agrees_with_stdnum_gb_nhs(number: str, template: str, spaced: bool) -> None:
    written = f"{number[:3]} {number[3:6]} {number[6:]}" if spaced else number
    # On purpose, our rule differs in one way: ten times the same digit passes modulus
    # 11 for every digit (stdnum accepts '1111111111'), but it is a placeholder typed
    # into forms, never an issued number, so the detector rejects it.
    expected = nhs.is_valid(number) and len(set(number)) > 1
    core, reference = found(template.format(written) + " seen today.", "nhs_number")
    assert core == reference
    assert core == ([number] if expected else [])


def test_repeated_digits_are_the_one_difference_from_stdnum() -> None:
    for digit in "0123456789":
        number = digit * 10
        assert nhs.is_valid(number)  # modulus 11 holds for every repeated digit
        assert found(f"NHS number {number}", "nhs_number") == ([], [])
