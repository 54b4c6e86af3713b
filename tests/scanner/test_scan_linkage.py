"""Linkage's candidate pairs come from an index, not from every pair of a block (issue 14 §3, §5).

A name-dense register puts thousands of people at one postcode; building every pair of such
a block and then dropping those whose names disagree was quadratic. ``_candidate_pairs``
now indexes each block by surname and given name. These tests hold it to the rule it
replaced, written out here the obvious way: every pair of each block (of each surname
initial above ``_BIG_BLOCK``), kept when either record has no name or some name of each
agrees, scored by the weight of the blocks the pair shares.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable

from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import JaroWinkler

from incidentroom.scanner.model import Location, RecordData
from incidentroom.scanner.people import linkage
from incidentroom.scanner.people.mentions import (
    _FIELD_LINE,
    _KIN_FIRST_WORDS,
    _KIN_NAME,
    DEATH_VOCABULARY,
    Words,
    _ByteOffsets,
    _field_lines,
    _Spans,
    kin_before,
    unnamed_relative_before,
    with_more_names,
)
from incidentroom.scanner.people.names import ParsedName, first_names_compatible, parse_name
from incidentroom.scanner.people.records import _DEATH_WORDS, _CharOffsets

# Names chosen to meet every branch of the comparison: equal, initial, nickname (one
# nickname for two names), typo by Jaro-Winkler in the surname and in the given name, a
# surname only, a title only (a name with no surname), a particle, and letters beyond ASCII.
NAMES = (
    "John Smith", "J Smith", "Jon Smith", "Johnny Smyth", "Jane Smith", "Mr Smith", "Smith", "Mr",
    "Bob Jones", "Robert Jones", "Rob Jones", "Sam Evans", "Samantha Evans", "Samuel Evans",
    "Siân Ó Dálaigh", "Sian O Dalaigh", "Ann Ashworth", "Ann Eshworth", "Katie Price", "K Price",
    "Catherine Price", "Smith, John", "Zoë Brontë-Hughes", "Zoe Bronte-Hughes",
)  # fmt: skip


def _reference_pairs(
    records: list[RecordData], names: list[list[ParsedName]]
) -> dict[tuple[int, int], float]:
    """The candidate pairs as link() built them before the index (every pair of a block)."""
    blocks: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, record in enumerate(records):
        for kind, value in set(linkage._evidence(record)):
            blocks[(kind, value)].append(index)
    scores: dict[tuple[int, int], float] = defaultdict(float)
    for (kind, _value), members in blocks.items():
        groups: Iterable[list[int]] = [members]
        if len(members) > linkage._BIG_BLOCK:
            by_initial: dict[str, list[int]] = defaultdict(list)
            for m in members:
                by_initial[min((n.last[:1] for n in names[m] if n.last), default="")].append(m)
            groups = by_initial.values()
        for group in groups:
            for x in range(len(group)):
                for y in range(x + 1, len(group)):
                    scores[(group[x], group[y])] += linkage._EVIDENCE_WEIGHT[kind]
    return {
        (i, j): score
        for (i, j), score in scores.items()
        if not (names[i] and names[j]) or linkage._names_agree(names[i], names[j])
    }


def _record(seq: int, names: list[str], dob: str, postcode: str, phone: str, ni: str) -> RecordData:
    record = RecordData(doc=f"doc{seq % 3}.txt", root=0, location="document", seq=seq, names=names)
    record.dobs = [dob] if dob else []
    record.postcodes = [postcode] if postcode else []
    record.phones = [phone] if phone else []
    if ni:
        record.ids["national_insurance_number"] = [ni]
    return record


_RECORDS = st.lists(
    st.tuples(
        st.lists(st.sampled_from(NAMES), max_size=2),
        st.sampled_from(("", "1960-01-02", "1971-03-04")),
        st.sampled_from(("", "W2 1JB", "LS1 4AP")),
        st.sampled_from(("", "02079460001", "02079460002")),
        st.sampled_from(("", "", "", "h1", "h2")),
    ),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(_RECORDS)
def test_candidate_pairs_are_the_pairs_of_every_block_whose_names_agree(
    rows: list[tuple[list[str], str, str, str, str]],
) -> None:
    records = [_record(i, *row) for i, row in enumerate(rows)]
    names = [[parse_name(n) for n in r.names] for r in records]
    reference = _reference_pairs(records, names)
    evidence = [set(linkage._evidence(r)) for r in records]
    assert dict(linkage._candidate_pairs(evidence, names)) == reference
    # The index itself, on blocks of every size (small ones are otherwise compared pair by pair).
    # And the lookup of compatible given names (otherwise only above _MANY_GIVEN names).
    small_group, many_given = linkage._SMALL_GROUP, linkage._MANY_GIVEN
    try:
        linkage._SMALL_GROUP = 0
        assert dict(linkage._candidate_pairs(evidence, names)) == reference
        linkage._MANY_GIVEN = 0
        assert dict(linkage._candidate_pairs(evidence, names)) == reference
    finally:
        linkage._SMALL_GROUP, linkage._MANY_GIVEN = small_group, many_given


def test_big_blocks_give_the_same_pairs_and_the_same_people() -> None:
    """Above _BIG_BLOCK records at one postcode (the name-dense register): same pairs, same people."""
    rng = random.Random(14)
    records = [
        _record(
            i,
            rng.sample(NAMES, rng.choice((0, 1, 1, 1, 2))),
            rng.choice(("", "1960-01-02", "1971-03-04", "1980-05-06")),
            "W2 1JB" if i % 5 else "LS1 4AP",
            rng.choice(("", "02079460001")),
            rng.choice(("", "", "h1")),
        )
        for i in range(3 * linkage._BIG_BLOCK)
    ]
    names = [[parse_name(n) for n in r.names] for r in records]
    reference = _reference_pairs(records, names)
    evidence = [set(linkage._evidence(r)) for r in records]
    assert dict(linkage._candidate_pairs(evidence, names)) == reference
    many_given = linkage._MANY_GIVEN
    try:
        linkage._MANY_GIVEN = 0
        assert dict(linkage._candidate_pairs(evidence, names)) == reference
    finally:
        linkage._MANY_GIVEN = many_given
    # And link() merges by them as before: greedily in (-score, pair) order, vetoes included.
    clusters = linkage.link(records)
    assert sorted(i for members in clusters for i in members) == list(range(len(records)))
    assert any(len(members) > 1 for members in clusters)


@given(st.text(alphabet=st.sampled_from("ab é€𝄞\n,"), max_size=60), st.data())
def test_character_offsets_count_forward_and_back(text: str, data: st.DataObject) -> None:
    encoded = text.encode("utf-8", "replace")
    starts = [len(text[:i].encode("utf-8")) for i in range(len(text) + 1)]
    offsets = _CharOffsets(encoded)
    for start in data.draw(st.lists(st.sampled_from(starts), max_size=8)):
        assert offsets.at(start) == len(encoded[:start].decode("utf-8", "replace"))


_SPAN = st.tuples(st.integers(0, 40), st.integers(0, 6)).map(lambda s: (s[0], s[0] + s[1]))


@given(st.lists(_SPAN, max_size=12), st.lists(_SPAN, max_size=6), st.lists(st.integers(0, 50), max_size=8))
def test_name_spans_answer_as_checking_every_span(
    spans: list[tuple[int, int]], more: list[tuple[int, int]], positions: list[int]
) -> None:
    """mentions._Spans (bisection over disjoint spans) against checking every span, overlapping or not."""
    held = _Spans(spans)
    every = list(spans)
    for start, end in more:
        assert held.overlaps(start, end) == any(a < end and start < b for a, b in every)
        held.add(start, end)
        every.append((start, end))
    for position in positions:
        assert held.holding(position) == any(a <= position < b for a, b in every)


@given(st.text(alphabet=st.sampled_from("ab é€𝄞\n:"), max_size=60), st.data())
def test_byte_offsets_count_forward_and_back(text: str, data: st.DataObject) -> None:
    offsets = _ByteOffsets(text)
    for char in data.draw(st.lists(st.integers(0, len(text)), max_size=8)):
        assert offsets.at(char) == len(text[:char].encode("utf-8"))


def test_every_name_of_a_form_shaped_register_is_found() -> None:
    """'Name: ...' 2,000 times in one text unit (quadratic before the spans): each name found once."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    surnames = [f"Pr{x}{y}ce" for x in letters for y in letters]
    lines = [
        f"Name: Mr {given} {surname}\nTel: 020 7946 0000\n"
        for given in ("Owen", "Rhys", "Ifan")
        for surname in surnames
    ]
    found = with_more_names("".join(lines).encode(), [], Location(line=1))
    assert len([f for f in found if f.detector == "field_name"]) == len(lines) == 2028


_KIN_PIECES = (
    "Son ", "son", "SON:", "sons ", "person ", "Next of kin: ", "next  of kin ", "NEXT OF KIN Mr ", "Mrs ",
    "Bethan Roberts ", "é", "_", "1", "daughter", "Daughter", "grandson ", "Joint Tenant ",
    "emergency contact", "late", "Deceased", "d.o.d", "D.O.D ", " ", "\n", "Mr. ", "O'Neil Smith", "Jones",
    "my ", "Her ", "step", "kids", "kid's ", "asthma", "Mum", "’s ", "next of kin: ", "sonJohn", "Daughter", "x",
)  # fmt: skip


@given(st.lists(st.sampled_from(_KIN_PIECES), max_size=14))
def test_words_find_the_matches_of_a_search_at_every_position(pieces: list[str]) -> None:
    """mentions.Words tries the kinship pattern only where a kinship word starts: the same
    matches as finditer; and a text whose words rule out every death word has none."""
    data = "".join(pieces).encode()
    words = Words(data)
    expected = [(m.span(), m.groups()) for m in _KIN_NAME.finditer(data)]
    assert [(m.span(), m.groups()) for m in words.matches(_KIN_NAME, data, _KIN_FIRST_WORDS)] == expected
    if _DEATH_WORDS.search(data):
        assert words.any_of(DEATH_VOCABULARY) or b"d.o.d" in words.lowered
    # And the relatives before a position are the same told the text's words.
    for start in range(len(data) + 1):
        assert kin_before(data, start, words) == kin_before(data, start)
        assert unnamed_relative_before(data, start, words) == unnamed_relative_before(data, start)


_FIELD_PIECES = (
    "Name",
    ":",
    " ",
    "\n",
    "Mr Owen Price",
    "a",
    "\t",
    ".",
    "Case note",
    "::",
    "é",
    "(x)",
    "\r\n",
    "'",
)


@given(st.lists(st.sampled_from(_FIELD_PIECES), max_size=16))
def test_field_lines_are_the_matches_of_the_whole_text(pieces: list[str]) -> None:
    """mentions._field_lines tries the labelled-field pattern only on lines with a colon."""
    text = "".join(pieces)
    expected = [(m.span(), m.groups()) for m in _FIELD_LINE.finditer(text)]
    assert [(m.span(), m.groups()) for m in _field_lines(text)] == expected


_GIVEN = st.sampled_from(["", "j", "jon", "john", "johnny", "jonathan", "bob", "robert", "rob", "sam", "samantha",
                          "samuel", "julia", "julie", "diane", "diana", "kate", "katie", "catherine", "zoë", "zoe"])  # fmt: skip


@given(_GIVEN, _GIVEN)
def test_first_names_compatible_by_the_rule_written_with_sets(a: str, b: str) -> None:
    """names.first_names_compatible (nickname groups compared case by case) against the rule
    with a one-name set for a name in no group."""
    from incidentroom.scanner.detect.gazetteer import nickname_canons

    canons = nickname_canons()
    if not a or not b:
        expected = True
    elif len(a) == 1 or len(b) == 1:
        expected = a[0] == b[0]
    else:
        expected = bool(canons.get(a, frozenset((a,))) & canons.get(b, frozenset((b,)))) or bool(
            JaroWinkler.normalized_similarity(a, b) >= 0.92
        )
    assert first_names_compatible.__wrapped__(a, b) == expected
    assert first_names_compatible.__wrapped__(a, a)  # records skips comparing a name with itself
