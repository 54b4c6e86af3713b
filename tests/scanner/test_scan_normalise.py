"""Look-alike characters are folded before detection, and offsets map back to the original exactly."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from incidentroom.scanner.detect.matcher import detect, detect_reference
from incidentroom.scanner.detect.normalise import fold, needs_folding
from incidentroom.scanner.model import Location

# (original, folded) pieces: ASCII stays, every folded spelling becomes its ASCII.
FOLDED = [
    ("\u00a0", " "), ("\u202f", " "), ("\u2009", " "), ("\u2007", " "), ("\u3000", " "), ("&nbsp;", " "),
    ("&NBSP;", " "), ("&#160;", " "), ("&#xa0;", " "), ("\u00ad", ""), ("\u200b", ""), ("\ufeff", ""),
    ("\uff10", "0"), ("\uff19", "9"), ("\uff21", "A"), ("\uff5a", "z"), ("\uff0b", "+"), ("\u2013", "-"),
    ("\u2011", "-"), ("\u2212", "-"),
]  # fmt: skip
KEPT = ["a", "Z", "0", "9", " ", "-", "&", "&nb", ";", "é", "£", "’", "\u2014", "\n", "\x1e", "NHS"]


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.one_of(st.sampled_from(FOLDED), st.sampled_from(KEPT).map(lambda k: (k, None))), max_size=30)
)
def test_offsets_map_back_to_the_original(pieces: list[tuple[str, str | None]]) -> None:
    original = b""
    expected = b""
    starts: list[int] = []  # original offset of each folded byte
    ends: list[int] = []  # original end of the piece each folded byte came from
    for text, folded in pieces:
        raw = text.encode()
        out = raw if folded is None else folded.encode()
        for i in range(len(out)):
            starts.append(len(original) + (i if folded is None else 0))
            ends.append(len(original) + (i + 1 if folded is None else len(raw)))
        original += raw
        expected += out
    got, mapping = fold(original)
    if got == original:
        return
    assert needs_folding(original)
    assert got == expected
    for p in range(len(got)):
        assert mapping.start(p) == starts[p], p
        assert mapping.end(p + 1) == ends[p], p


def test_plain_ascii_is_not_copied() -> None:
    assert not needs_folding(b"NI AB123456C, postcode SW1A 1AA & co")
    assert needs_folding(b"SW1A&nbsp;1AA")
    assert not needs_folding("Zoë Brontë-Hughes £5 ‘quoted’".encode())


def test_findings_point_at_the_original_text() -> None:
    text = "Tel\u00a0: ０２０\u202f7946\u20090958 · NI JK\u00ad49 30 21 D · postcode SW1A&nbsp;1AA"
    data = text.encode()
    location = Location(page=3, offset=1000)
    got = detect(data, location)
    assert got == detect_reference(data, location)
    by_category = {f.category: f for f in got}
    assert (
        data[by_category["phone"].start : by_category["phone"].end].decode() == "０２０\u202f7946\u20090958"
    )
    assert by_category["phone"].normalised == "+442079460958"
    assert by_category["phone"].value == "０２０\u202f7946\u20090958"
    assert by_category["national_insurance_number"].value == "JK\u00ad49 30 21 D"
    assert by_category["address"].value == "SW1A&nbsp;1AA"
    assert by_category["address"].normalised == "SW1A 1AA"
    for f in got:
        assert f.location.offset == 1000 + f.start
