"""Advice follows the person's own categories: nobody is told about a card that was not taken,
and a person who lost both a bank account and a card is told each thing once."""

from __future__ import annotations

import pytest

from incidentroom.breach import categories as cat
from incidentroom.breach.letters import build_letter
from incidentroom.breach.models import Breach, Individual


def _text(advice: list[str]) -> str:
    return " ".join(advice)


def test_bank_account_without_a_card_gets_no_card_advice() -> None:
    advice = _text(cat.advice_for(["name", "bank_account"]))
    assert "bank statements" in advice and "Call your bank" in advice
    assert "card" not in advice.lower()


def test_card_without_a_bank_account_gets_no_direct_debit_advice() -> None:
    advice = _text(cat.advice_for(["name", "payment_card"]))
    assert "back of your card" in advice and "card statements" in advice
    assert "direct debit" not in advice.lower() and "bank statement" not in advice.lower()


def test_bank_account_and_card_are_each_said_once() -> None:
    advice = _text(cat.advice_for(["payment_card", "bank_account"]))
    assert advice.count("Call your bank") == 1 and advice.count("Watch your") == 1
    assert "back of your card" in advice and "direct debits" in advice


def test_every_category_points_at_advice_that_exists() -> None:
    for code, text in cat.TEXT.items():
        for key in text.advice:
            assert key in cat.ADVICE, (code, key)
    for parts, combined in cat.COMBINED_ADVICE.items():
        assert combined in cat.ADVICE and parts <= set(cat.ADVICE)


@pytest.mark.django_db
def test_the_letter_of_a_person_whose_bank_account_was_taken_mentions_no_card(scanned: Breach) -> None:
    person = Individual.objects.filter(breach=scanned).first()
    assert person is not None
    person.set_categories(["name", "address", "bank_account"])
    advice = next(s for s in build_letter(scanned, person).sections if s.heading == "What you can do")
    assert "card" not in " ".join(advice.bullets).lower()
    assert any(b.startswith("Call your bank") for b in advice.bullets)
