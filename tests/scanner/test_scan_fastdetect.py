"""The compiled detection core gives exactly the findings of the pure-Python reference."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incidentroom.scanner.detect.detectors.name import TITLES
from incidentroom.scanner.detect.matcher import (
    CELL_SEPARATOR,
    Layout,
    detect,
    detect_python,
    detect_reference,
    engine,
    pattern_table,
    reset_caches,
    serialized_database,
    start_layout,
)
from incidentroom.scanner.model import Location, RowUnit
from tests.helpers.scangen import PROSE, Truth
from tests.helpers.scanhelp import extracted_units

LOCATION = Location(page=2, offset=7)


def row_input(unit: RowUnit) -> tuple[bytes, list[int], tuple[str, ...]]:
    """A row as the record builder hands it to detect(): joined cells, offsets, headers."""
    starts, parts, offset = [], [], 0
    for cell in unit.cells:
        encoded = cell.encode("utf-8", "replace")
        starts.append(offset)
        parts.append(encoded)
        offset += len(encoded) + len(CELL_SEPARATOR)
    headers = tuple(h.strip().lower() for h in unit.headers)
    return CELL_SEPARATOR.encode().join(parts), starts, headers


def test_the_compiled_core_is_built() -> None:
    # Without it detection silently runs several times slower; make install builds it.
    assert engine() is not None


@pytest.mark.parametrize("kernels", [None, "without driving_licence"])
def test_a_core_built_from_an_older_source_is_refused_with_a_warning(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, kernels: str | None
) -> None:
    import types

    from incidentroom.scanner.detect import _fastdetect
    from incidentroom.scanner.detect import matcher as module

    text = b"Client: Mrs Jane Doe, DOB 01/02/1970, SW1A 1AA"
    expected = detect(text, LOCATION)
    stale = types.SimpleNamespace(
        Engine=None, libhs_version=lambda: "5.4.0"
    )  # the loop-only core had no KERNELS
    if kernels is not None:  # a core built before the licence kernel
        stale.KERNELS = {k: v for k, v in _fastdetect.KERNELS.items() if k != "driving_licence"}
    monkeypatch.setattr(module, "_fastdetect", stale)
    try:
        module.engine.cache_clear()
        with caplog.at_level("WARNING", logger="incidentroom.scanner.detect.matcher"):
            assert module.engine() is None
            assert detect(text, LOCATION) == expected  # on the reference path
        assert "older _fastdetect.pyx" in caplog.text
    finally:
        monkeypatch.undo()
        module.engine.cache_clear()


def test_core_agrees_with_the_reference_on_a_generated_archive(archive: tuple[Path, Truth]) -> None:
    root, _ = archive
    checked = findings = 0
    for warm in (False, True):  # cold, then with every memo filled
        if not warm:
            reset_caches()
        for unit in extracted_units(root):
            if isinstance(unit, RowUnit):
                data, starts, headers = row_input(unit)
                for skip in (True, False):
                    got = detect(data, unit.location, starts, headers, skip_names=skip)
                    assert got == detect_reference(data, unit.location, starts, headers, skip_names=skip), (
                        unit
                    )
                    findings += len(got)
            else:
                data = unit.text.encode()
                got = detect(data, unit.location)
                assert got == detect_reference(data, unit.location), unit.text[:200]
                findings += len(got)
            checked += 1
    assert checked > 500 and findings > 2000
    core = engine()
    assert core is not None
    contexts = core.context_expressions()
    # Every context expression the archive needed ran in hyperscan, not in re (religion's
    # is spelled without a lookahead for this: re searching it was a measurable share of a pass).
    assert len(contexts) >= 6, contexts
    assert all(contexts.values()), contexts


# Fragments that exercise every kernel's edge: labels, titles, initials, apostrophes,
# street names after house numbers, dates in every form, terms with negation and context.
FRAGMENTS = [
    "Name:", "Client: ", "tenant:", "Mr", "Mrs.", "Dr ", "John", "JOHN", "Smith", "O'Brien", "O’Neil",
    "J.", "Mary-Jane", "Street", "Council", "91 ", "Flat 3,", "Charlotte Green", ", ", " ", "  ", "\n", "\t",
    "DOB", "date of birth", "born ", "12/05/1980", "1980-05-12", "31/02/1980", "3rd March 1975",
    "29/02/2000", "29/02/1900", "1899-12-31", "SW1A 1AA", "w2 1jb", "EC1A1BB", "020 7946 0000",
    "+44 7700 900123", "AB123456C", "943 476 5919", "NHS", "diabetes", "not diabetic", "no history of asthma",
    "Indian", "ethnicity: Indian", "White British", "gay", "sexuality: gay", "convicted of theft",
    "john.smith@example.org", "j.smith@rbkc.gov.uk", "sort code 20-00-00 12345678", "passport 123456789",
    "reg AB51 ABC", "é", "ü", "\u00a0", ":", ".", "-", "\u2019", "Smith, Mrs Jane", "O’Neil, J.", "Drake",
    "Mrs.Smith", "Mr  ", "Dr. Who", "SMITH,John Paul", "Prof Jo", "ABC 123D", "XABC 12D", "21st March 1980",
    "31st Feb 1980", "1 Sept 2001", "GB123456A", "ab 12 34 56 c", "4242 4242 4242 4242", "4539148803436467",
    "2221000000000009", "378282246310005", "6759649826438453", "5105-1051-0510-5100",
    # Issue 12's spellings: case, separators, Unicode spaces, full-width digits, soft hyphens.
    "jk 49 30 21 d", "JK-49-30-21-D", "JK 493021 D", "AZ 123 456 A", "on 12-03-19 a", "NI ", "22-Nov-1972",
    "22 nov 72", "11/22/1972", "01/02/85", " is my birthday", "date of death ", "appointment ", "died ",
    "+44-20-7946-0958", "+44 (20) 7946 0958", "447911123456", "020 7946 0958x123", "ext.123", "#123", "tel:",
    "LN14-HGT", "ab26 cde", "AB76 CDE", "AB27 CDE", "IB51 ABC", "car ", "MORGA 753116 SM9IJ 35",
    "mo9g9753116sm9ij", "\u202f", "\u2009", "\u2007", "&nbsp;", "\uff19\uff14\uff13", "\u00ad", "\u2013",
    # Names in any script (issue 18), decomposed diacritics, punctuation after a name.
    "José", "Zoë", "Brontë-Hughes", "محمد علي", "Łukasz Wiśniewski", "Ιωάννης Παπαδόπουλος", "Nguyễn Thị Hương",
    "Oğuz Yılmaz", "e\u0301", "\u2014", "\u201c", "ΜΑΡΊΑ",
]  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=6)), max_size=40))
def test_core_agrees_with_the_reference_on_fuzzed_text(parts: list[str]) -> None:
    data = "".join(parts).encode("utf-8", "replace")
    assert detect(data, LOCATION) == detect_reference(data, LOCATION)
    # Unfolded, the two paths still agree (each character reaches both kernels and detectors).
    core = engine()
    assert core is not None
    assert core.detect(data, LOCATION, None, (), False) == detect_python(data, LOCATION)


@pytest.mark.parametrize("title", TITLES)
def test_core_and_reference_agree_on_every_title(title: str) -> None:
    # Every title of the one list reads the same in both paths, dotted, undotted and in
    # capitals, where a full stop may also end a sentence.
    for written in (title, f"{title}.", f"{title.upper()}."):
        for text in (
            f"Letter to {written} John Smith about the permit.",
            f"Client: Ann Jones {written} Brown visited. NI AB123456C",
            f"Seen by Mary Smith {written} Next visit on Monday.",
        ):
            data = text.encode()
            assert detect(data, LOCATION) == detect_reference(data, LOCATION), text
            core = engine()
            assert core is not None
            assert core.detect(data, LOCATION, None, (), False) == detect_python(data, LOCATION), text


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.sampled_from(FRAGMENTS + PROSE[:3]), min_size=1, max_size=6),
    st.lists(st.sampled_from(["name", "dob", "ethnicity", "health", "notes", "phone", ""]), max_size=6),
)
def test_core_agrees_with_the_reference_on_fuzzed_rows(cells: list[str], headers: list[str]) -> None:
    data, starts, padded = row_input(RowUnit(tuple(headers), tuple(cells), LOCATION))
    assert detect(data, LOCATION, starts, padded) == detect_reference(data, LOCATION, starts, padded)


# Name words as the gazetteer, the stop lists and the title list see them.
NAME_PIECES = [
    "John", "JOHN", "john", "Smith", "SMITH", "Jo", "J.", "J", "Mr", "Mrs.", "Dr", "Prof", "Drew", "Mrinal",
    "O'Brien", "O’NEIL", "o’neil", "Mary-Jane", "Street", "STREET", "street", "Council", "Road", "Chelsea",
    "Green", "Ltd", "Smith-Jones", "Mac", ".", ",", ", ", " ", "  ", "-", "'", "’", "A.", "Ab.", "Sir", "Lady.",
    "Sir.", "LADY", "Prof.", "Mx",
]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(NAME_PIECES), min_size=1, max_size=10), st.booleans())
def test_core_name_parse_agrees_with_the_reference(pieces: list[str], labelled: bool) -> None:
    from incidentroom.scanner.detect.detectors.name import parse_name_run, reachable_run

    core = engine()
    assert core is not None
    key = reachable_run("".join(pieces).encode())
    assert core.parse_name(key, labelled) == parse_name_run(key, labelled)


@settings(max_examples=400, deadline=None)
@given(
    st.text(alphabet="ABIOQZSNaz0125679 -", min_size=2, max_size=9),
    st.sampled_from(
        [2001 * 2 + 1, 2002 * 2, 2025 * 2 + 1, 2026 * 2 + 1, 2027 * 2, 2049 * 2 + 1, 2050 * 2 + 1]
    ),
)
def test_core_vehicle_mark_formats_agree_with_the_reference(mark: str, latest: int) -> None:
    from incidentroom.scanner.detect import _fastdetect
    from incidentroom.scanner.detect.detectors.vehicle_registration import judge_mark

    assert _fastdetect.judge_mark(mark.encode(), latest) == judge_mark(mark, latest)


EMAIL_PIECES = ["info", "INFO", "test", "Tester", "j.smith", "dpo", "x", "@", "example.org", "EXAMPLE.COM",
                "test", "localhost", "invalid", "mail.example.net", "rbkc.gov.uk", "notexample.org", ".", "-"]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(EMAIL_PIECES), min_size=1, max_size=6))
def test_core_email_kernel_agrees_with_the_reference(pieces: list[str]) -> None:
    data = (
        "Email " + "".join(pieces) + "@" + "".join(reversed(pieces)) + ".uk and x@" + "".join(pieces)
    ).encode()
    assert detect(data, LOCATION) == detect_reference(data, LOCATION)


SORT_CODE_PIECES = ["sort code ", "20-00-00", "12-34-56", " ", "12345678", "123456789", "a/c: ", "-", "x", "é", "_",
                    "Bank", "\n", "1234567", "::" * 10, "abcdefghij" * 2]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(SORT_CODE_PIECES), min_size=1, max_size=12))
def test_core_sort_code_kernel_agrees_with_the_reference(pieces: list[str]) -> None:
    data = "".join(pieces).encode()
    assert detect(data, LOCATION) == detect_reference(data, LOCATION)


LICENCE_PIECES = ["MORGA", "morga", "MO999", "MO9G9", "M9999", "MORG9", "MOR G", "é", "_", " ", "  ", "x",
                  "753116", "758116", "700116", "753196", "753136", "SM9IJ", "sm9ij", "S99IJ", "SM9I", "9M9IJ",
                  "35", "3", "351", "licence ", "\n", "-"]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(LICENCE_PIECES), min_size=1, max_size=10))
def test_core_licence_kernel_agrees_with_the_reference(pieces: list[str]) -> None:
    # The core reads the surname field back from the birth digits as validate() does.
    data = "".join(pieces).encode()
    assert detect(data, LOCATION) == detect_reference(data, LOCATION)
    core = engine()
    assert core is not None
    assert core.detect(data, LOCATION, None, (), False) == detect_python(data, LOCATION)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["Tel: ", "phone ", "", "call ", "Mobile: +", "fax 0"]),
            st.sampled_from(["+44 ", "+44 (0)", "0044 ", "0", "00", "44", "(0", ""]),
            st.text(alphabet="0123456789 -)", min_size=6, max_size=14),
        ),
        min_size=1,
        max_size=5,
    )
)
def test_core_phone_kernel_agrees_with_the_reference(numbers: list[tuple[str, str, str]]) -> None:
    # The core checks the numbering plan with a hyperscan database of its own; the
    # reference with phonenumbers' patterns through re.
    data = " and ".join("".join(parts) for parts in numbers).encode()
    assert detect(data, LOCATION) == detect_reference(data, LOCATION)


def test_only_word_list_expressions_go_without_start_tracking() -> None:
    owners, expressions = pattern_table()
    untracked = {owners[i].category for i, e in enumerate(expressions) if start_layout(e) is not None}
    assert {"name", "health", "religion", "ethnicity", "sexual_orientation", "criminal_offence"} == untracked
    assert start_layout(
        rb"(?i)\b(?:next of kin|name)[ \t]{0,8}:[ \t]{0,8}(?:[A-Za-z]|[\xc2-\xf4])"
    ) == Layout((b"next of kin", b"name"), True, 3, False)
    assert start_layout(rb"\b(?:Mr|Mrs)\.?[ ]+(?:[A-Z]|[\xc2-\xf4])") == Layout(
        (b"Mrs", b"Mr"), False, 2, True
    )
    for tracked in (rb"\b(?:Mr|Mrs)\d", rb"\b(?:a.b)\b", rb"(?:Mr)\b", rb"\b(?:Mr|-x)\b", rb"\b\d{3}\b"):
        assert start_layout(tracked) is None, tracked


def _listed_words() -> list[str]:
    words: list[str] = []
    for expression in pattern_table()[1]:
        layout = start_layout(expression)
        if layout is not None:
            words += [w.decode() for w in layout.words[:30]]
    return words


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.one_of(
                st.sampled_from(_listed_words()),
                st.sampled_from([" ", "\t", ":", ": ", ".", "_", "3", "Mr", "é"]),
            ),
            st.sampled_from([str, str.upper, str.title]),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_core_finds_word_list_starts_as_start_tracking_does(parts: list[tuple[str, object]]) -> None:
    data = "".join(case(word) for word, case in parts).encode()  # type: ignore[operator]
    assert detect(data, LOCATION) == detect_reference(data, LOCATION)


def test_a_worker_loads_the_coordinators_database() -> None:
    from incidentroom.scanner.detect import matcher as module

    text = b"Client: Mrs Jane Doe, DOB 01/02/1970, SW1A 1AA, NI AB123456C"
    expected = detect(text, LOCATION)
    payload = serialized_database()
    try:
        module.preload(payload)
        assert detect(text, LOCATION) == expected
        with pytest.raises(ValueError, match="does not load"):
            module.preload(payload[:1] + b"not a database")
            module.engine()
    finally:
        module._PRELOADED.clear()
        module.compiled.cache_clear()
        module.engine.cache_clear()


def test_the_compiled_patterns_are_cached_between_processes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from incidentroom.scanner.detect import matcher as module

    text = b"Client: Mrs Jane Doe, DOB 01/02/1970, SW1A 1AA, NI AB123456C"
    expected = detect(text, LOCATION)
    monkeypatch.setenv("INCIDENTROOM_CACHE_DIR", str(tmp_path))
    try:
        module.engine.cache_clear()
        assert detect(text, LOCATION) == expected
        (cached,) = tmp_path.glob("patterns-*.hs")
        written = cached.read_bytes()
        module.engine.cache_clear()
        assert detect(text, LOCATION) == expected  # loaded, not recompiled
        assert cached.read_bytes() == written
        cached.write_bytes(b"not a database")
        module.engine.cache_clear()
        with caplog.at_level("INFO", logger="incidentroom.scanner.detect.matcher"):
            assert detect(text, LOCATION) == expected
        assert "does not load" in caplog.text and cached.read_bytes() == written
        monkeypatch.setenv("INCIDENTROOM_CACHE_DIR", "")
        module.engine.cache_clear()
        assert detect(text, LOCATION) == expected
    finally:
        module.engine.cache_clear()


def test_the_context_databases_are_cached_between_processes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from incidentroom.scanner.detect import matcher as module

    # A date of birth after its context word, a 3-3-4 number beside 'NHS', a plate beside 'reg'.
    text = b"Client: Mrs Jane Doe, DOB 01/02/1970. NHS 943 476 5919, reg AB12 CDE, tel 020 7946 0958"
    expected = detect(text, LOCATION)
    assert {f.category for f in expected} >= {"date_of_birth", "nhs_number", "phone"}
    monkeypatch.setenv("INCIDENTROOM_CACHE_DIR", str(tmp_path))
    try:
        module.engine.cache_clear()
        assert detect(text, LOCATION) == expected
        written = {path.name: path.read_bytes() for path in tmp_path.glob("context-*.hs")}
        core = module.engine()
        assert core is not None
        assert len(written) == sum(core.context_expressions().values()) >= 3
        # The next engine loads them: a database that did not load would be compiled and
        # written again, and a file that is no database is compiled over.
        for path in tmp_path.glob("context-*.hs"):
            path.write_bytes(b"not a database" if path.name == min(written) else path.read_bytes())
        stamps = {path.name: path.stat().st_mtime_ns for path in tmp_path.glob("context-*.hs")}
        module.engine.cache_clear()
        assert detect(text, LOCATION) == expected
        after = {path.name: path.read_bytes() for path in tmp_path.glob("context-*.hs")}
        assert after == written
        rewritten = {p.name for p in tmp_path.glob("context-*.hs") if p.stat().st_mtime_ns != stamps[p.name]}
        assert rewritten == {min(written)}
    finally:
        module.engine.cache_clear()
