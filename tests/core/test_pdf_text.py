"""The text every PDF template receives: cleaned, and breakable however long a run is."""

from __future__ import annotations

import pytest

from incidentroom.core.pdf import breakable, clean_text, pdf_text

pytestmark = pytest.mark.nodb


def test_long_runs_get_a_break_opportunity_every_24_characters() -> None:
    out = breakable("a" * 50 + " " + "b" * 24)
    assert out == "a" * 24 + "\u200b" + "a" * 24 + "\u200b" + "aa " + "b" * 24
    assert breakable("short words stay as they are") == "short words stay as they are"


def test_no_break_inside_a_grapheme() -> None:
    # e + combining acute, and Devanagari consonant + virama + consonant (a conjunct).
    accented = "e\u0301" * 30
    assert "\u200b\u0301" not in breakable(accented)
    conjuncts = "क्ष" * 20
    out = breakable(conjuncts)
    assert "\u094d\u200b" not in out and out.replace("\u200b", "") == conjuncts


def test_line_ends_kept_and_controls_dropped() -> None:
    assert clean_text("one\r\ntwo\rthree\nfour\x0b\x00\x85\ufffe") == "one\ntwo\nthree\nfour"
    assert pdf_text("tab\tkept") == "tab\tkept"
