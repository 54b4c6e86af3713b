"""Put one vector in every place and spelling a detector must find it in, and check the finding.

Each vector is tried as the bare value, inside a sentence, and in a labelled table cell
(as the record builder hands a row to ``detect``), and each finding must point at the
ORIGINAL text: its offsets slice out exactly the value as written, its location offset
is the same place, and its value (what the mask is made from) is the original text.
The spelling variants (Unicode spaces, HTML ``&nbsp;``, full-width digits, soft
hyphens, letter case) are built here so every detector's module uses the same ones.
"""

from __future__ import annotations

from incidentroom.scanner.detect.matcher import CELL_SEPARATOR, detect, detect_reference
from incidentroom.scanner.model import Finding, Location
from incidentroom.scanner.pipeline.hashing import mask

#: Every character that may stand where a space is allowed, as people's tools write it.
SPACES = {
    "space": " ",
    "no-break space": "\u00a0",
    "narrow no-break space": "\u202f",
    "thin space": "\u2009",
    "figure space": "\u2007",
    "HTML &nbsp;": "&nbsp;",
}


def respace(value: str, space: str) -> str:
    """``value`` with each of its spaces written as ``space``."""
    return value.replace(" ", space)


def full_width(value: str) -> str:
    """``value`` with its ASCII digits written as full-width digits (U+FF10-U+FF19)."""
    return "".join(chr(0xFF10 + int(ch)) if ch.isdigit() and ch.isascii() else ch for ch in value)


def soft_hyphenated(value: str) -> str:
    """``value`` with a soft hyphen (U+00AD) in the middle, as copied from a web page."""
    middle = len(value) // 2
    return value[:middle] + "\u00ad" + value[middle:]


def spellings(value: str) -> dict[str, str]:
    """The Unicode spellings of one written form: every space, full-width digits, a soft hyphen."""
    out = {name: respace(value, space) for name, space in SPACES.items()}
    out["full-width digits"] = full_width(value)
    out["soft hyphen"] = soft_hyphenated(value)
    return out


def _of(findings: list[Finding], category: str) -> list[Finding]:
    return [f for f in findings if f.category == category]


def _check_points_at_original(encoded: bytes, finding: Finding, written: str, category: str) -> None:
    assert encoded[finding.start : finding.end].decode() == written, (finding, written)
    if category != "name":
        assert finding.value == written
        assert mask(category, finding.value) == mask(category, written)


def found_in_text(text: str, category: str) -> list[Finding]:
    """Findings of ``category`` in running text, the compiled core and the reference agreeing."""
    encoded = text.encode()
    location = Location(page=1, offset=100)
    got = detect(encoded, location)
    assert got == detect_reference(encoded, location), text
    for f in got:
        assert f.location.offset == 100 + f.start
    return _of(got, category)


def found_in_cell(header: str, written: str, category: str) -> list[Finding]:
    """Findings of ``category`` in a table row whose labelled cell holds ``written``."""
    cells = ["Jane Doe", written, "no notes"]
    headers = ("full name", header.lower(), "notes")
    parts = [c.encode() for c in cells]
    starts, offset = [], 0
    for part in parts:
        starts.append(offset)
        offset += len(part) + len(CELL_SEPARATOR)
    data = CELL_SEPARATOR.encode().join(parts)
    location = Location(sheet="Register", row=4)
    got = detect(data, location, starts, headers, skip_names=True)
    assert got == detect_reference(data, location, starts, headers, skip_names=True), written
    return [f for f in _of(got, category) if starts[1] <= f.start < starts[2]]


def assert_found_everywhere(
    written: str,
    category: str,
    normalised: str,
    *,
    label: str,
    header: str,
    bare: bool = True,
) -> None:
    """``written`` is found as ``normalised`` bare (when ``bare``), after ``label`` in a sentence and in a cell."""
    if bare:
        got = found_in_text(written, category)
        assert [f.normalised for f in got] == [normalised], (written, got)
        _check_points_at_original(written.encode(), got[0], written, category)
    sentence = f"On the form of 3 May the {label} {written} was given by the caller."
    got = found_in_text(sentence, category)
    assert [f.normalised for f in got] == [normalised], (sentence, got)
    _check_points_at_original(sentence.encode(), got[0], written, category)
    got = found_in_cell(header, written, category)
    assert [f.normalised for f in got] == [normalised], (header, written, got)
    cells = CELL_SEPARATOR.join(["Jane Doe", written, "no notes"]).encode()
    _check_points_at_original(cells, got[0], written, category)


def assert_found_in_every_spelling(
    written: str, category: str, normalised: str, *, label: str, header: str, bare: bool = True
) -> None:
    """:func:`assert_found_everywhere` for ``written`` and each of its :func:`spellings`."""
    assert_found_everywhere(written, category, normalised, label=label, header=header, bare=bare)
    for spelling in spellings(written).values():
        assert_found_everywhere(spelling, category, normalised, label=label, header=header, bare=bare)


def assert_nowhere(written: str, category: str, *, label: str, header: str) -> None:
    """``written`` is not found bare, after ``label`` or in a cell headed ``header``."""
    assert found_in_text(written, category) == [], written
    assert found_in_text(f"On the form the {label} {written} was given.", category) == [], written
    assert found_in_cell(header, written, category) == [], written
