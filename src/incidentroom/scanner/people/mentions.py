"""Findings a document's detection pass cannot see alone: line numbers for text hits, the
names of relatives ("Daughter Bethan Roberts"), names that fill a labelled field ("Case
note: X") and names in another script inside English text. ``people.records`` groups what
these return into person records; the rules are kept here so records stays about grouping.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator

from ..detect.detectors.name import char_class, parse_name_at
from ..detect.gazetteer import first_names, stopwords
from ..model import Finding, Location
from .columns import classify
from .names import name_key


def with_lines(data: bytes, findings: list[Finding], location: Location) -> list[Finding]:
    """Findings located by the line they are on, not the first line of their text unit."""
    if location.line is None or b"\n" not in data or not findings:
        return findings
    first = location.line
    out: list[Finding] = []
    append = out.append
    cursor = newlines = 0
    # Built with tuple.__new__, not the named tuples' own __new__ (a Python function with
    # keyword defaults; _replace is slower still): two of them per finding were most of
    # this function on a name-dense text. The findings of one line share its location.
    new = tuple.__new__
    last_loc: Location | None = None
    last_line = -1
    line_loc = location
    for finding in findings:  # in start order: count each stretch of the text once
        start = finding.start
        if start > cursor:
            newlines += data.count(b"\n", cursor, start)
            cursor = start
        loc = finding.location
        if loc is not last_loc or newlines != last_line:
            line_loc = new(Location, (loc.page, loc.sheet, loc.row, first + newlines, loc.offset))
            last_loc, last_line = loc, newlines
        append(new(Finding, (*finding[:7], line_loc)))
    return out


class _Spans:
    """Byte spans of names in one text unit, asked 'does this overlap one?' in log time.

    A form-shaped register ('Name: Mr Owen Price' 10,000 times in a 1 MB text unit) asked
    that of every name against every other: quadratic. Names do not overlap one another
    (detection resolves overlaps, and a name is only added where none is), so the spans
    are disjoint and sorted, and the one span that can overlap or hold a position is
    found by bisection. Should they ever overlap, every span is checked as before.
    """

    __slots__ = ("_disjoint", "_spans", "_starts")

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        """Hold ``spans`` (start, end), in any order."""
        self._spans = sorted(spans)
        self._starts = [a for a, _ in self._spans]
        self._disjoint = all(
            nxt[0] >= prev[1] for prev, nxt in zip(self._spans, self._spans[1:], strict=False)
        )

    def overlaps(self, start: int, end: int) -> bool:
        """Whether some span ``(a, b)`` has ``a < end and start < b``."""
        if not self._disjoint:
            return any(a < end and start < b for a, b in self._spans)
        index = bisect_left(self._starts, end)  # the spans starting before ``end``
        # Disjoint and sorted, so the last of them ends last.
        return index > 0 and start < self._spans[index - 1][1]

    def holding(self, position: int) -> bool:
        """Whether some span ``(a, b)`` has ``a <= position < b``."""
        if not self._disjoint:
            return any(a <= position < b for a, b in self._spans)
        index = bisect_right(self._starts, position)
        return index > 0 and position < self._spans[index - 1][1]

    def add(self, start: int, end: int) -> None:
        """Take one more span."""
        index = bisect_right(self._starts, start)
        self._spans.insert(index, (start, end))
        self._starts.insert(index, start)
        if (index > 0 and self._spans[index - 1][1] > start) or (
            index + 1 < len(self._spans) and end > self._spans[index + 1][0]
        ):
            self._disjoint = False


class _ByteOffsets:
    """UTF-8 byte offsets of character offsets into one text, counted forward from the last.

    Encoding the text's prefix at every name found was quadratic in a long text unit.
    """

    __slots__ = ("_ascii", "_byte", "_char", "_text")

    def __init__(self, text: str) -> None:
        """Count in ``text``."""
        self._text = text
        self._ascii = text.isascii()
        self._byte = self._char = 0

    def at(self, char: int) -> int:
        """``len(text[:char].encode("utf-8"))``."""
        if self._ascii:
            return char
        if char < self._char:  # asked out of order: count from the beginning again
            self._byte = self._char = 0
        self._byte += len(self._text[self._char : char].encode("utf-8"))
        self._char = char
        return self._byte


# 'Daughter Bethan Roberts DOB ...', 'her son Rhodri Evans': a relative named in free text
# is a person of their own even when the given name is not in the gazetteer.
_KIN_NAME = re.compile(
    rb"(?i:\b(?:daughter|son|wife|husband|partner|mother|father|brother|sister|grandson|granddaughter"
    rb"|grandmother|grandfather|niece|nephew|aunt|uncle|cousin|carer|neighbour|friend|informant"
    rb"|guarantor|appointee|executor|next of kin|joint tenant|emergency contact)\b)[ \t]*:?[ \t]*"
    rb"((?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?[ ]+)?([A-Z][A-Za-z'\x80-\xff-]+(?:[ ]+[A-Z][A-Za-z'\x80-\xff-]+){1,3})"
)


# The first word of each kinship term of ``_KIN_NAME`` ('next' of 'next of kin').
_KIN_FIRST_WORDS = frozenset(
    word.split()[0].encode()
    for word in (
        "daughter son wife husband partner mother father brother sister grandson granddaughter grandmother"
        " grandfather niece nephew aunt uncle cousin carer neighbour friend informant guarantor appointee"
        " executor next joint emergency"
    ).split()
)
# What a bytes pattern's \b counts as a word character (ASCII letters, digits, '_'), kept
# by this table after lower-casing; every other byte becomes a space.
_WORD_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyz0123456789_")
_WORDS_ONLY = bytes(b if b in _WORD_BYTES else 0x20 for b in range(256))


class Words:
    """The ASCII words of one text unit, lower-cased, as a bytes pattern's \b delimits them.

    Python's re tries an alternation of case-insensitive words ('daughter|son|wife...')
    at every byte of a text, which cost more than the rest of building a text's records.
    Splitting the text into words once tells which such words it holds at all (most hold
    none), and where they start, so that a pattern is tried only there.
    """

    __slots__ = ("_answers", "lowered", "words")

    def __init__(self, data: bytes) -> None:
        """Split ``data`` (bytes.lower folds ASCII only, as re's IGNORECASE does for bytes)."""
        self.lowered = data.lower()
        # Only the words some rule asks about (a handful, mostly none): the vocabularies
        # are then compared with a small set, not with every word of the text each time.
        self.words = _ASKED.intersection(self.lowered.translate(_WORDS_ONLY).split())
        self._answers: dict[frozenset[bytes], bool] = {}

    def any_of(self, vocabulary: frozenset[bytes]) -> bool:
        """Whether one of the words is in ``vocabulary`` (one of this module's)."""
        answer = self._answers.get(vocabulary)
        if answer is None:
            _check_asked(vocabulary)
            answer = self._answers[vocabulary] = not vocabulary.isdisjoint(self.words)
        return answer

    def matches(
        self, pattern: re.Pattern[bytes], data: bytes, vocabulary: frozenset[bytes]
    ) -> list[re.Match[bytes]]:
        """``list(pattern.finditer(data))`` for a pattern every match of which starts with a
        whole word of ``vocabulary`` (one of this module's): tried only where such a word starts."""
        _check_asked(vocabulary)
        lowered = self.lowered
        starts: set[int] = set()
        for word in vocabulary.intersection(self.words):
            at = lowered.find(word)
            while at != -1:
                if at == 0 or lowered[at - 1] not in _WORD_BYTES:
                    starts.add(at)
                at = lowered.find(word, at + 1)
        found: list[re.Match[bytes]] = []
        end = 0
        for at in sorted(starts):
            if at >= end:  # finditer's matches do not overlap
                match = pattern.match(data, at)
                if match is not None:
                    found.append(match)
                    end = match.end()
        return found


def _check_asked(vocabulary: frozenset[bytes]) -> None:
    if not vocabulary <= _ASKED:
        raise ValueError("Words keep only the words of this module's vocabularies (add it to _ASKED)")


def _with_kin(data: bytes, findings: list[Finding], location: Location, words: Words) -> list[Finding]:
    """Add the names of relatives introduced by a kinship word that the detectors did not find."""
    if not words.any_of(_KIN_FIRST_WORDS):
        return findings
    matches = words.matches(_KIN_NAME, data, _KIN_FIRST_WORDS)
    if not matches:
        return findings
    added: list[Finding] = []
    taken = _Spans((f.start, f.end) for f in findings if f.category == "name")
    for match in matches:
        start = match.start(1) if match.group(1) else match.start(2)
        text = data[start : match.end(2)].decode("utf-8", "replace")
        parsed = parse_name_at(text, labelled=True)
        if parsed is None or taken.overlaps(start, start + parsed[1]):
            continue
        value, length = parsed
        first, last = name_key(value)
        if not first or not last:
            continue
        end = start + len(text[:length].encode("utf-8"))
        loc = location if location.line is None and location.row is not None else location.shifted(start)
        added.append(Finding("name", "kin_mention", value, f"{first} {last}", start, end, 0.85, loc))
    if not added:
        return findings
    spans = _Spans((a.start, a.end) for a in added)
    kept = [f for f in findings if not (f.category == "name" and spans.holding(f.start))]
    return sorted([*kept, *added], key=lambda f: f.start)


SPECIAL_CATEGORIES = frozenset({"health", "religion", "ethnicity", "sexual_orientation", "criminal_offence"})
_KIN_WORDS = (
    rb"daughter|son|wife|husband|partner|mother|father|mum|dad|brother|sister|grandson|granddaughter"
    rb"|grandmother|grandfather|niece|nephew|aunt|uncle|cousin|child|children|baby|kids?|boyfriend|girlfriend"
)
#: The word that starts every match of ``_KIN_JUST_BEFORE``: a text with none of them has
#: no name introduced as a relative.
RELATIVE_WORDS = frozenset(_KIN_WORDS.replace(b"kids?", b"kid|kids").split(b"|")) | {b"next"}
#: The words that start every match of ``_UNNAMED_RELATIVE`` (its relative may be written
#: as part of a longer word, 'stepson').
RELATIVE_POSSESSIVES = frozenset({b"my", b"his", b"her", b"their", b"our", b"your"})
#: A word of every match of records' death-word pattern but 'd.o.d' ('date of death').
DEATH_VOCABULARY = frozenset({b"deceased", b"death", b"died", b"late"})
# The only words a text's ``Words`` are asked about, so the only ones they keep.
_ASKED = _KIN_FIRST_WORDS | RELATIVE_WORDS | RELATIVE_POSSESSIVES | DEATH_VOCABULARY
_KIN_JUST_BEFORE = re.compile(
    rb"(?i:\b(?:" + _KIN_WORDS + rb"|next of kin)\b)[ \t]*:?[ \t]*(?:(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?[ \t]+)?$"
)
_UNNAMED_RELATIVE = re.compile(
    rb"(?i:\b(?:my|his|her|their|our|your)[ \t]+(?:(?:late|elderly|eldest|youngest|older|younger|little|step)[ \t-]*)?(?:"
    + _KIN_WORDS
    + rb")(?:'s|\xe2\x80\x99s)?\b)"
)


def kin_before(data: bytes, start: int, words: Words | None = None) -> bool:
    """The name at ``start`` is introduced as someone's relative ('Daughter Bethan Roberts').

    ``words`` (``data``'s) answer at once for most texts: one with no word for a relative
    has none before any name, unless that word runs into the name with nothing between
    ('sonJohn': the search stops at ``start``, so the word ends there for the pattern).
    """
    if (
        words is not None
        and not words.any_of(RELATIVE_WORDS)
        and not (start and words.lowered[start - 1] in _WORD_BYTES)
    ):
        return False
    return _KIN_JUST_BEFORE.search(data, max(0, start - 40), start) is not None


# A line that opens with a pronoun or a possessive goes on about the last person named.
_PRONOUN_START = re.compile(rb"(?i)[ \t>]*(?:he|she|they|his|her|hers|their|him|them)\b")
_LINE_LABEL = re.compile(rb"^[^:\n]{1,40}:")


def prose_about_subject(data: bytes, start: int) -> bool:
    """The line holding ``start`` is a sentence of a note that does not go on about a
    relative just named: it ends with a full stop, has four words or more, no label, and
    opens with no pronoun ('Diagnosed with epilepsy in 2016.', not 'She has asthma.')."""
    begin = data.rfind(b"\n", 0, start) + 1
    end = data.find(b"\n", start)
    line = data[begin : len(data) if end == -1 else end].strip()
    return (
        line.endswith(b".")
        and line.count(b" ") >= 3
        and _LINE_LABEL.match(line) is None
        and _PRONOUN_START.match(line) is None
    )


def unnamed_relative_before(data: bytes, start: int, words: Words | None = None) -> bool:
    """A relative the text does not name ('my son's asthma') stands earlier in the clause.

    The clause runs back to the last sentence end or line break; a name between the
    relative word and the finding would have started that person's record. A text whose
    ``words`` include no 'my', 'her'... has none.
    """
    if words is not None and not words.any_of(RELATIVE_POSSESSIVES):
        return False
    begin = max(data.rfind(b"\n", 0, start), data.rfind(b". ", 0, start), data.rfind(b"; ", 0, start)) + 1
    # The last relative word in the clause is the one the finding follows.
    match = next(reversed(list(_UNNAMED_RELATIVE.finditer(data, begin, start))), None)
    if match is None:
        return False
    # 'my son's asthma' yes; 'my son said that I have asthma' is the writer's: a
    # first-person word after the relative gives the condition back to the writer.
    return re.search(rb"\b(?:I|me|my|I'm|I've)\b", data[match.end() : start]) is None


# A labelled field of a form or note filled by a name: 'Case note: Adam Bryant',
# 'Personal licence holder: Rosie Davies', 'Signed: ...'. Any label, as long as the
# label is not another field's ('Address:', 'Ethnicity:') and the name fills the line.
# Combining marks (Arabic vowel signs, decomposed accents) go on inside a word.
_MARKS = char_class(("Mn", "Mc"))
_FIELD_LINE = re.compile(r"(?m)^[ \t]*([A-Za-z][A-Za-z '’/()-]{0,40}?)[ \t]*:[ \t]*([^\n:]{3,80}?)[ \t.]*$")


def _field_lines(text: str) -> Iterator[re.Match[str]]:
    """``_FIELD_LINE.finditer(text)``, tried only at the start of lines that hold a colon.

    A match is one whole line (it starts at a line's start and holds no line break), so
    a line without a colon has none; finditer would try every character of every line.
    """
    colon = text.find(":")
    while colon != -1:
        match = _FIELD_LINE.match(text, text.rfind("\n", 0, colon) + 1)
        if match is not None:
            yield match
        line_end = text.find("\n", colon)
        if line_end == -1:
            return
        colon = text.find(":", line_end)


# A name in a script other than Latin inside Latin text ('Son Авдей Одинцов visits'):
# two to four words of one run, each capitalised where the script has capitals.
_SCRIPT_WORD = (
    r"[^\W\d_A-Za-z\u00c0-\u024f\u1e00-\u1eff]"
    rf"(?:[^\W\d_A-Za-z\u00c0-\u024f\u1e00-\u1eff]|['’-]|[{_MARKS}])*"
)
_NON_LATIN = r"[^\W\d_A-Za-z\u00c0-\u024f\u1e00-\u1eff]"
_SCRIPT_RUN = re.compile(
    rf"(?<!{_NON_LATIN})(?<!{_NON_LATIN} )({_SCRIPT_WORD}(?: {_SCRIPT_WORD}){{1,5}})(?!{_NON_LATIN})(?! {_NON_LATIN})"
)
_LATIN_LETTER = re.compile(r"[A-Za-z\u00c0-\u024f]")


# Labels a care, housing or benefits record puts before the person it is about ('Case note:
# Nikodem Mendyka', 'Case record for:', 'Person:'): the value is that person's name even
# when neither word is a known name, unless a word of it is one no name holds ('Parking
# Permit'). Text labels only: a column headed 'Case note' holds the note, not a name.
_SUBJECT_LABEL = re.compile(
    r"(?i)(?:case|file|contact|visit|support|progress|review|assessment|casework)[ -]"
    r"(?:notes?|records?|recording|summary|file)(?: (?:for|on|re|about|of))?"
    r"|person|individual|child|young person|adult|service user|subject|client name"
)


def _plausible_field_name(value: str, label: str) -> str | None:
    """The display name when a labelled field's value is wholly a person's name."""
    column = classify(label.strip().lower())
    if column.field not in ("", "name") or column.deceased:
        return None
    parsed = parse_name_at(value, labelled=True)
    if parsed is None or value[parsed[1] :].strip(" .,") or any(c.isdigit() for c in value):
        return None
    display = parsed[0]
    tokens = [t.strip(".") for t in display.split()]
    titled = tokens[0] in ("Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Rev", "Prof")
    given = tokens[1] if titled and len(tokens) > 1 else tokens[0]
    beyond_ascii = not display.isascii()
    # A label that says it holds a name ('Licence holder') vouches for it; any other
    # label needs a title, a known given name or a spelling beyond ASCII.
    if column.field == "name" or titled or beyond_ascii or given.title() in first_names() or "," in value:
        return display
    if _SUBJECT_LABEL.fullmatch(label.strip()) and not any(t.title() in stopwords() for t in tokens):
        return display
    return None


def with_more_names(
    data: bytes, findings: list[Finding], location: Location, text_words: Words | None = None
) -> list[Finding]:
    """Names the detectors leave to context: relatives after a kinship word, a name filling
    a labelled field, and names written in another script than the text around them
    (``text_words`` are ``data``'s, when the caller has them already)."""
    findings = _with_kin(data, findings, location, text_words or Words(data))
    if not data.isascii() or b":" in data:
        text = data.decode("utf-8", "replace")
        added: list[Finding] = []
        taken = _Spans((f.start, f.end) for f in findings if f.category == "name")
        offsets = _ByteOffsets(text)

        def add(char_start: int, value: str, detector: str, length: int) -> None:
            start = offsets.at(char_start)
            end = start + len(text[char_start : char_start + length].encode("utf-8"))
            if taken.overlaps(start, end):
                return
            first, last = name_key(value)
            if not first or not last:
                return
            taken.add(start, end)
            loc = location if location.line is None and location.row is not None else location.shifted(start)
            added.append(Finding("name", detector, value, f"{first} {last}", start, end, 0.85, loc))

        for match in _field_lines(text):
            display = _plausible_field_name(match.group(2), match.group(1))
            if display is not None:
                add(match.start(2), display, "field_name", len(match.group(2)))
        # Counted only for text beyond ASCII (a character loop over a 1 MB unit otherwise).
        if not text.isascii() and len(_LATIN_LETTER.findall(text)) > (
            len(text) - len(_LATIN_LETTER.findall(text)) - sum(1 for c in text if not c.isalpha())
        ):
            # Only inside Latin text: in a page wholly in another script, short runs of
            # words are its sentences, not names.
            for match in _SCRIPT_RUN.finditer(text):
                words = match.group(1).split()
                if len(words) > 4 or any(w[0].lower() == w[0] and w[0].upper() != w[0] for w in words):
                    continue  # a sentence, or a lower-case word of a cased script
                value = " ".join(words)
                add(match.start(1), value, "script_name", len(match.group(1)))
        if added:
            spans = _Spans((a.start, a.end) for a in added)
            kept = [f for f in findings if not (f.category == "name" and spans.holding(f.start))]
            findings = sorted([*kept, *added], key=lambda f: f.start)
    return findings
