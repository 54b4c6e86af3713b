"""Group a document's findings into person records, and turn them into output rows.

A row of a table is one record (plus one for a next of kin described in the same row).
In running text, a name starts a record and what follows belongs to it until the next
name, so 'Client: John Smith ... Next of kin: Jane Smith ...' gives two people; a later
mention of an earlier name switches back to that person's record.
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_right
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import accumulate
from typing import NamedTuple

from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler

from ..detect.detectors.date_of_birth import parse_uk_date, plausible_birth_date
from ..detect.detectors.driving_licence import licence_matches
from ..detect.detectors.name import parse_name_at
from ..detect.detectors.postcode import UkPostcodeDetector, normalise_postcode
from ..detect.gazetteer import nickname_canons
from ..detect.matcher import CELL_SEPARATOR, detect
from ..detect.vocab import CATEGORIES
from ..model import DetectionRow, DocResult, Finding, Location, RecordData, RowUnit, TextUnit
from ..pipeline.hashing import keyed_hash, mask
from ..pipeline.parts import DetectionSink
from ..pipeline.phases import phase
from .columns import NEGATIVE_CELLS, Column, classify, same_household
from .mentions import (
    DEATH_VOCABULARY,
    SPECIAL_CATEGORIES,
    Words,
    kin_before,
    prose_about_subject,
    unnamed_relative_before,
    with_lines,
    with_more_names,
)
from .names import first_names_compatible, name_key, parse_name
from .premises import place_address_at
from .staff import staff_until

HASHED_CATEGORIES = frozenset(CATEGORIES) - {"name", "address", "email", "phone", "date_of_birth"}
_POSTCODE_RE = re.compile(r"[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}")
_LABEL_PREFIX = re.compile(r"^[^:]{0,30}:\s*")
# A part of a line that is not an address line: a date, a label, a title and name. The
# lookahead (the characters a match can start with) changes no match; it spares trying
# every alternative at every other character, half the cost of a search.
_NOT_ADDRESS = re.compile(
    r"(?=[\d@bdemnprt])"
    r"(?:\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\b(?:dob|d\.o\.b|born|date of birth|ni|nino|nhs|tel|phone|mobile|email|ref)\b"
    r"|\b(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.? [A-Z]|@)",
    re.I,
)
_ADDRESS_LEAD = re.compile(
    r"(?:^|\s)(?:of|at|living at|lives at|resides at|residing at|address(?: is)?)\s+", re.I
)
# A text without a word of mentions.DEATH_VOCABULARY (or 'd.o.d') is not searched for it.
_DEATH_WORDS = re.compile(rb"(?i)\b(?:deceased|date of death|died on|the late|d\.o\.d)\b")
_STREETISH = re.compile(
    r"\d|\b(?:street|road|avenue|lane|close|court|drive|way|place|square|gardens|terrace|crescent|grove|house|flat)\b",
    re.I,
)


class _Layout(NamedTuple):
    """What a table's header says about each of its rows, worked out once per table."""

    headers: tuple[str, ...]  # lower-cased
    padded: tuple[str, ...]  # to the row's width
    columns: tuple[Column, ...]  # each column's role by its header
    typed: tuple[int, ...]  # columns whose cells Excel may have retyped (see ``typed_cell``)
    subject_named: bool  # a column holds the row subject's name, by its header
    headerless: bool
    has_dob: bool
    acting: tuple[int, ...]  # the columns ``_column_findings`` reads (see ``_acting``)
    unlabelled: tuple[int, ...]  # columns of no field by their header: free text, or a name


_TYPED_FIELDS = frozenset({"phone", "dob", "account"})
# The fields whose cells ``_column_findings`` turns into a name, an address or a finding;
# a cell of any other field (an email or phone column, whose values detection finds, a
# reference number) does nothing there unless its column is about a dead person.
_CELL_FIELDS = frozenset(
    {"name", "first", "surname", "title", "address", "postcode", "account", "dob"}
    | (set(CATEGORIES) - {"name", "address", "email", "phone"})
)


def _acting(columns: Iterable[Column]) -> tuple[int, ...]:
    """The columns whose cells ``_column_findings`` has something to do with: a register's
    reference, phone and email columns are passed over without stripping a cell."""
    return tuple(i for i, c in enumerate(columns) if c.deceased or c.field in _CELL_FIELDS)


@dataclass
class _Draft:
    """A record under construction: its findings and the address text next to them."""

    findings: list[Finding] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)
    surname: str = ""
    deceased: bool = False
    #: Introduced as someone's relative ('Next of kin: Mrs S. Baker').
    kin: bool = False


def _draft_of(drafts: dict[int, _Draft], person: int) -> _Draft:
    """``drafts.setdefault(person, _Draft())`` without building a draft to throw away (asked
    for every cell and finding of a row, of a person who mostly has one already)."""
    draft = drafts.get(person)
    if draft is None:
        draft = drafts[person] = _Draft()
    return draft


def _address_tail(text: str) -> str:
    """The address part at the end of a line: 'Mrs X, DOB 14/02/1962, of 27 Wendell Road, London'
    gives '27 Wendell Road, London' (no date, label or name inside an address)."""
    kept: list[str] = []  # from the end
    for raw in reversed(text.split(",")):
        part = raw.strip()
        if not part:
            continue
        if _NOT_ADDRESS.search(part):
            # 'DOB 14/02/1962, of 27 Wendell Road': the address starts after 'of'.
            lead = _ADDRESS_LEAD.search(part)
            if lead and lead.end() < len(part):
                kept.append(part[lead.end() :].strip())
            break
        lead = _ADDRESS_LEAD.match(part)
        if lead:
            kept.append(part[lead.end() :].strip())
            break
        kept.append(part)
    kept.reverse()
    return ", ".join([k for k in kept if k])


# A reply's quotation marks ('> London, NW9 6PA'), and a sign-off, which ends the lines
# above an address block (the signer's name sits between it and the address).
_QUOTED = re.compile(r"^(?:[ \t]*>)+[ \t]*")
_SIGN_OFF = re.compile(
    r"(?i)^(?:yours (?:faithfully|sincerely|truly)|(?:kind |best |warm )?regards|many thanks|thanks"
    r"|thank you|best wishes|sincerely)\b"
)


def _address_before(text: str, start: int) -> str:
    """The address block that ends at a postcode: same line, then up to three lines above,
    read without a reply's quotation marks and never past a sign-off."""
    line_start = text.rfind("\n", 0, start) + 1
    parts: list[str] = []
    here = text[line_start:start]
    # Neither pattern matches without its '>' or ':' (most lines have neither).
    if ">" in here:
        here = _QUOTED.sub("", here)
    if ":" in here:
        here = _LABEL_PREFIX.sub("", here)
    same_line = _address_tail(here.strip(" ,")).strip(" ,")
    if same_line:
        parts.append(same_line)
    cursor = line_start - 1
    if not same_line or not _STREETISH.search(same_line):
        for _ in range(3):
            if cursor <= 0:
                break
            prev_start = text.rfind("\n", 0, cursor) + 1
            line = _QUOTED.sub("", text[prev_start:cursor]).strip(" ,")
            if not line or ":" in line or len(line) > 60 or _SIGN_OFF.match(line):
                break
            parts.insert(0, line)
            if _STREETISH.search(line) and re.match(r"^\d|^flat", line, re.I):
                break
            cursor = prev_start - 1
    return ", ".join(parts)


def record_signature(record: RecordData) -> tuple[object, ...]:
    """What makes two records of one document the same (kept once): everything but where."""
    return (
        tuple(record.names), tuple(record.dobs), tuple(record.addresses), tuple(record.postcodes),
        tuple(record.emails), tuple(record.phones),
        # Most records have no other identifier: no sort to set up for them.
        tuple(sorted((k, tuple(v)) for k, v in record.ids.items())) if record.ids else (),
        tuple(record.categories), record.deceased,
    )  # fmt: skip


class DocumentBuilder:
    """Accumulates findings and records for one document, hashing as it goes."""

    def __init__(
        self, path: str, root: int, sha256: str, key: bytes, sink: DetectionSink | None = None
    ) -> None:
        """Start an empty result for the document at ``path``; detections go to ``sink``."""
        self.result = DocResult(path=path, root=root, sha256=sha256)
        self.key = key
        self.sink = sink or DetectionSink(None)
        # One record per distinct content: a CSV listing the same resident on 10,000 rows
        # keeps one record (memory follows people, not rows).
        self.seen: dict[tuple[object, ...], int] = {}
        self._rendered: dict[Location, str] = {}
        # Per table (its headers): the column found by content to hold the subject's name.
        self._content_names: dict[tuple[str, ...], int] = {}
        self._layouts: dict[tuple[tuple[str, ...], int], _Layout] = {}

    @property
    def content_name_columns(self) -> bool:
        """Whether some table's name column was found by content rather than by header
        (a split CSV's ranges would each have to find it again; see ``pipeline/split.py``)."""
        return bool(self._content_names)

    @property
    def detection_total(self) -> int:
        """Detections emitted for this document so far."""
        return sum(self.result.detection_counts.values())

    def add_row(self, unit: RowUnit) -> None:
        """Detect in one table row and record its subject (and any next of kin)."""
        layout = self._layouts.get((unit.headers, len(unit.cells)))
        if layout is None:
            layout = self._layout(unit.headers, len(unit.cells))
        headers, padded = layout.headers, layout.padded
        columns = list(layout.columns)  # this row may give a column a role by its content
        cells = list(unit.cells) + [""] * (len(headers) - len(unit.cells))
        for at in layout.typed:
            cells[at] = typed_cell(cells[at], columns[at], unit.date1904)
        text = CELL_SEPARATOR.join(cells)
        if cells and text.isascii():
            # One character a byte: the cells' offsets follow from their lengths, and the
            # row is encoded once (most register rows are plain ASCII).
            data = text.encode()
            # Each cell starts one separator after the end of the one before: the lengths
            # summed with C-level callables, no Python frame per cell.
            cell_starts = list(accumulate(map(len(CELL_SEPARATOR).__add__, map(len, cells[:-1])), initial=0))
        else:
            cell_starts = []
            parts: list[bytes] = []
            offset = 0
            for cell in cells:
                encoded = cell.encode("utf-8", "replace")
                cell_starts.append(offset)
                parts.append(encoded)
                offset += len(encoded) + len(CELL_SEPARATOR)
            data = CELL_SEPARATOR.encode().join(parts)
        drafts: dict[int, _Draft] = {}
        # The layout's columns for ``_column_findings``, unless this row gives one a role.
        acting: tuple[int, ...] | None = layout.acting
        # Free-text cells naming someone ('Daughter Bethan Roberts DOB ...'): what follows
        # a name there is that person's, never the row subject's.
        mentioned: dict[int, list[tuple[int, _Draft]]] = {}
        for at in layout.unlabelled:
            if _FREE_TEXT.search(cells[at]):
                found = self._mentions(cells[at], unit.location)
                if found:
                    mentioned[at] = found
        if not layout.subject_named:
            # No name column by header ('ELECTOR', no header at all): a column whose cells
            # are written as names ('DUMANLI, Selcen', 'Mrs Katy Saunders') is the subject's
            # name column, and stays so for the rest of that table.
            index = self._content_names.get(headers)
            if index is None:
                index = next(
                    (
                        i
                        for i, c in enumerate(columns)
                        if not c.field and _NAME_SHAPED.fullmatch(cells[i].strip())
                    ),
                    None,
                )
                if index is not None:
                    self._content_names[headers] = index
            if index is not None and index < len(cells) and not columns[index].field:
                columns[index] = Column("name", 0)
                mentioned.pop(index, None)
                acting = None
        if layout.headerless and not layout.has_dob:
            # No header at all: a cell that is wholly a birth date is the subject's date of
            # birth; of several, the earliest (a birth comes before any event about them).
            dated = [
                (date, i)
                for i, c in enumerate(columns)
                if not c.field
                and (date := parse_uk_date(cells[i].strip())) is not None
                and plausible_birth_date(date)
            ]
            if dated:
                columns[min(dated)[1]] = Column("dob", 0)
                acting = None
        if mentioned and not any(c.field in ("name", "first", "surname") and not c.person for c in columns):
            # No name column by header ('Liable Party', no header at all): a column whose
            # cell is wholly a name is the subject's name column (its role from its content).
            for index in sorted(mentioned):
                found = mentioned[index]
                if len(found) == 1 and found[0][0] == 0 and _whole_cell(cells[index], found[0][1]):
                    columns[index] = Column("name", 0)
                    del mentioned[index]
                    acting = None
                    break
        with phase("detect"):
            hits = detect(data, unit.location, cell_starts, padded, skip_names=True)
        for finding in hits:
            index = bisect_right(cell_starts, finding.start) - 1
            column = columns[index]
            if finding.category == "name" or _DECIMAL.fullmatch(cells[index].strip()):
                # Names come from the name columns; the digits of a decimal number
                # ('1234.4532015112830366') are never an identifier.
                continue
            if column.field == "place":
                self._emit_unowned([finding])  # the premises' postcode or phone, nobody's
                continue
            names_here = mentioned.get(index)
            if names_here:
                owner = _owner_in_cell(names_here, finding.start - cell_starts[index])
                if owner is not None:
                    owner.findings.append(finding)
                    continue
            _draft_of(drafts, column.person).findings.append(finding)
        self._column_findings(
            cells, columns, _acting(columns) if acting is None else acting, unit.location, drafts
        )
        for person in sorted(drafts):
            self._commit(drafts[person], unit.location)
        for found in mentioned.values():
            for _, draft in found:
                self._commit(draft, unit.location)

    def _layout(self, raw_headers: tuple[str, ...], width: int) -> _Layout:
        """A table's headers, padded to a row of ``width`` cells, with their columns: decided
        once per table, not once per row (a register repeats one header on every row)."""
        headers = tuple(h.strip().lower() for h in raw_headers)
        padded = headers + ("",) * (width - len(headers))
        columns = tuple(classify(h) for h in padded)
        layout = _Layout(
            headers,
            padded,
            columns,
            typed=tuple(i for i, column in enumerate(columns) if column.field in _TYPED_FIELDS),
            subject_named=any(c.field in ("name", "first", "surname") and not c.person for c in columns),
            headerless=not any(headers),
            has_dob=any(c.field == "dob" for c in columns),
            acting=_acting(columns),
            unlabelled=tuple(i for i, column in enumerate(columns) if not column.field),
        )
        if len(self._layouts) > 256:
            self._layouts.clear()  # a file of many small tables: keep the cache bounded
        self._layouts[(raw_headers, width)] = layout
        return layout

    def _mentions(self, cell: str, location: Location) -> list[tuple[int, _Draft]]:
        """People named in a free-text cell: (byte offset of the name in the cell, their draft)."""
        found: list[tuple[int, _Draft]] = []
        data = cell.encode("utf-8", "replace")
        with phase("detect"):
            hits = detect(data, location)
        for finding in with_more_names(data, hits, location):
            if finding.category != "name":
                continue
            draft = _Draft(surname=parse_name(finding.value).last)
            draft.findings.append(finding._replace(location=location))
            found.append((finding.start, draft))
        return found

    def _column_findings(
        self,
        cells: list[str],
        columns: list[Column],
        acting: tuple[int, ...],
        location: Location,
        drafts: dict[int, _Draft],
    ) -> None:
        """The row's names, addresses and column-given findings, from the ``acting`` columns'
        cells (every other column's would come to nothing here)."""
        names: dict[int, dict[str, str]] = {}
        addresses: dict[int, list[str]] = {}
        for index in acting:
            column = columns[index]
            value = cells[index].strip()
            lowered = value.lower()
            if not value or lowered in NEGATIVE_CELLS:
                continue
            if column.deceased and (column.field == "name" or lowered not in ("alive", "living")):
                _draft_of(drafts, column.person).deceased = True
            if column.field == "death":
                continue  # a date of death is never a date of birth
            if column.field in ("name", "first", "surname", "title"):
                # The first filled column of each part wins ('Name' before 'Known as').
                held = names.get(column.person)
                if held is None:
                    held = names[column.person] = {}
                held.setdefault(column.field, value)
            elif column.field in ("address",):
                addresses.setdefault(column.person, []).append(value)
            elif column.field == "postcode":
                addresses.setdefault(column.person, []).append(value)
            elif column.field == "account" and re.fullmatch(r"\d{8}", value.replace(" ", "")):
                draft = _draft_of(drafts, column.person)
                if not any(f.category == "bank_account" for f in draft.findings):
                    draft.findings.append(
                        Finding(
                            "bank_account",
                            "column_account_number",
                            value,
                            value.replace(" ", ""),
                            0,
                            0,
                            0.85,
                            location,
                        )
                    )
            elif column.field == "dob":
                date = (
                    # The whole cell ('22-Nov-1972'), else its first ten characters
                    # (a spreadsheet's '1972-11-22 00:00:00').
                    (parse_uk_date(value) or parse_uk_date(value[:10]))
                    if column.person not in drafts
                    # A list, not any() over a generator: a row's draft holds a few findings.
                    or "date_of_birth" not in [f.category for f in drafts[column.person].findings]
                    else None
                )
                if date is not None and plausible_birth_date(date):
                    _draft_of(drafts, column.person).findings.append(
                        Finding(
                            "date_of_birth",
                            "column_date_of_birth",
                            value,
                            date.isoformat(),
                            0,
                            0,
                            0.9,
                            location,
                        )
                    )
            elif column.field in CATEGORIES and column.field not in ("name", "address", "email", "phone"):
                draft = _draft_of(drafts, column.person)
                if not any(f.category == column.field for f in draft.findings):
                    _draft_of(drafts, column.person).findings.append(
                        Finding(
                            column.field, f"column_{column.field}", value, value.lower(), 0, 0, 0.9, location
                        )
                    )
        for person, name_parts in names.items():
            if "name" in name_parts:
                full = cell_name(name_parts["name"])
            else:
                given, surname, title = (
                    name_parts.get("first", ""),
                    name_parts.get("surname", ""),
                    name_parts.get("title", ""),
                )
                full = (
                    " ".join([p for p in (title, given, surname) if p])
                    if surname and (given or title)
                    else ""
                )
            if full:
                first, last = name_key(full)
                _draft_of(drafts, person).findings.append(
                    Finding("name", "column_name", full, f"{first} {last}", 0, 0, 0.95, location)
                )
        for person in names:
            if person and person not in addresses and same_household(person) and 0 in addresses:
                # A partner or joint party with no address columns of their own lives at
                # the claim's or account's property.
                addresses[person] = addresses[0]
        for person, parts in addresses.items():
            draft = _draft_of(drafts, person)
            draft.addresses.append(", ".join(parts))

    def add_text(self, unit: TextUnit, owner: tuple[str, str] | None = None) -> None:
        """Detect in running text and split it into records at each new person's name.

        ``owner`` is the (name, email) the text is by, e.g. an email's sender: what comes
        before the first name in the text is about them.
        """
        data = unit.text.encode("utf-8", "replace")
        with phase("detect"):
            hits = detect(data, unit.location)
        words = Words(data)
        findings = with_lines(data, with_more_names(data, hits, unit.location, words), unit.location)
        deaths: deque[int] = deque()
        if words.any_of(DEATH_VOCABULARY) or b"d.o.d" in words.lowered:
            deaths.extend(m.start() for m in _DEATH_WORDS.finditer(data))
        drafts: list[_Draft] = []
        # The drafts by surname: a name is looked up among its surname's drafts, not all
        # of them (a register typed as prose has thousands).
        by_surname: dict[str, _Surname] = {}
        named = False  # whether any draft so far has a surname
        chars = _CharOffsets(data)
        # Asked of every finding and every postcode, answered for most texts at once: a
        # text without "'s" has no possessive ("Steven's phone:"), one without a colon no
        # label above an address ('Premises:').
        possessives = b"'s" in data or b"\x99s" in data
        labels = b":" in data
        current: _Draft | None = None
        if owner is not None:
            current = _Draft(surname=name_key(owner[0])[1])
            current.findings.append(
                Finding(
                    "name", "email_sender", owner[0], " ".join(name_key(owner[0])), 0, 0, 0.9, unit.location
                )
            )
            drafts.append(current)
            senders = by_surname[current.surname] = _Surname()
            senders.named(senders.start(current), name_key(owner[0])[0])
            named = bool(current.surname)
        pending: list[Finding] = []
        pending_addresses: list[str] = []
        unowned: list[Finding] = []
        dead_next = False
        muted_until = -1
        kin_line_end = -1  # where the line that named the current relative ends
        text = unit.text
        postcode_detector = UkPostcodeDetector.name
        for finding in findings:
            # Unpacked once: a name-dense text has four findings a line, and this loop's own
            # attribute reads were a good part of its cost.
            category, detector, value, normalised, start, end, _, _ = finding
            if start < muted_until:
                continue  # a staff member's own line: their office's details, nobody's
            while deaths and deaths[0] < start:
                # 'Date of death: ...' marks the person being written about; 'Deceased:
                # Mr X' and 'the late Mr X' mark the name that follows on the same line.
                at = deaths.popleft()
                if category == "name" and data.find(b"\n", at, start) == -1:
                    dead_next = True
                elif current is not None:
                    current.deceased = True
            if category == "name":
                staff = staff_until(data, start, end)
                if staff is not None:
                    muted_until = staff
                    continue
                parsed = parse_name(value)
                first, last = parsed.first, parsed.last
                # A relative is never the person whose relative they are: 'Next of kin: Mrs
                # S. Baker' under 'Case note: Shane Baker' is a second person, so a name a
                # kin word introduces only joins an earlier relative of that name.
                kin = kin_before(data, start, words)
                surname = by_surname.get(last)
                if surname is None:
                    surname = by_surname[last] = _Surname()
                position = surname.earlier(first, kin)
                if position is None:
                    match = _Draft(surname=last, kin=kin)
                    if not named and not kin:
                        # Identifiers before the first name (a reference line above an
                        # address block) are about the first person named.
                        match.findings.extend(pending)
                        match.addresses.extend(pending_addresses)
                        pending, pending_addresses = [], []
                    drafts.append(match)
                    position = surname.start(match)
                    named = named or bool(last)
                else:
                    match = surname.drafts[position]
                match.findings.append(finding)
                surname.named(position, first)
                match.deceased = match.deceased or dead_next
                dead_next = False
                current = match
                if match.kin:
                    kin_line_end = _line_end(data, start)
                continue
            special = category in SPECIAL_CATEGORIES
            if special and current is not None and current.kin and start > kin_line_end:
                # Past the relative's line, a condition or belief in prose that names nobody
                # and opens with no pronoun ('Diagnosed with epilepsy in 2016.') is about the
                # record's subject, and the note is again. Contact details there ('Lives at
                # 14 Hill Road.') stay the relative's.
                subject = next((d for d in drafts if d.surname and not d.kin), None)
                if subject is not None and prose_about_subject(data, start):
                    current = subject
            if category == "address" and detector == postcode_detector:
                text_start = chars.at(start)
                if labels and place_address_at(text, text_start):
                    unowned.append(finding)  # 'Premises: The Crown, ... SE1 7PB': the pub's
                    continue
                parts = [p.strip() for p in _address_before(text, text_start).split(",") if p.strip()]
                if parts and current is not None and current.surname and current.surname in parts[0].lower():
                    parts = parts[1:]
                address = ", ".join([*parts, normalised])
                (current.addresses if current is not None else pending_addresses).append(address)
            if special and unnamed_relative_before(data, start, words):
                # 'my son's asthma', 'her husband is Catholic': about someone the text
                # does not name, never the writer's or the subject's. Kept as a detection.
                unowned.append(finding)
                continue
            owner_here = _possessor(data, start, drafts) if possessives else None
            if owner_here is not None:
                # "Steven's phone: ...": the identifier is the person the possessive names.
                owner_here.findings.append(finding)
            elif current is None:
                pending.append(finding)
            else:
                current.findings.append(finding)
        if deaths and current is not None:
            current.deceased = True
        if pending or pending_addresses:
            # Nobody named took them (no name at all, or only relatives introduced as
            # such): a record of their own, never another person's.
            drafts.append(_Draft(findings=pending, addresses=pending_addresses))
        self._emit_unowned(unowned)
        for draft in drafts:
            if owner is not None and draft is drafts[0]:
                draft.findings.append(
                    Finding("email", "email_sender", owner[1], owner[1].lower(), 0, 0, 0.9, unit.location)
                )
            self._commit(draft, unit.location)

    def _commit(self, draft: _Draft, location: Location) -> None:
        """Turn a draft into detections and a record; a draft without a name or identifier is not a person."""
        if not draft.findings and not draft.addresses:
            return
        result = self.result
        record = RecordData(
            doc=result.path,
            root=result.root,
            location=self._render(location),
            seq=len(result.records),
            deceased=draft.deceased,
        )
        # Whose a driving licence number must be, worked out only for a draft that has one
        # (few do; every row of a register would otherwise parse its name and date here).
        owner: tuple[bool, str, dt.date | None] | None = None
        rows: list[DetectionRow] = []
        # Once per finding of every person: the detection row (as ``_row`` builds it) and
        # the record's fields, with the lookups hoisted and the value hashed once for both.
        key, categories = self.key, record.categories
        counts = result.detection_counts
        for finding in draft.findings:
            category, detector, value, normalised, _, _, confidence, loc = finding
            counted = True
            if category == "driving_licence_number":
                if owner is None:
                    owner = _licence_owner(draft.findings)
                named, surname, dob = owner
                if named and not licence_matches(normalised, surname, dob):
                    # The licence encodes someone else's surname or birth date: keep the
                    # detection for review but do not expose it as this person's.
                    confidence, counted = 0.4, False
            value_hash = ""
            if detector == "email_sender":
                if category == "name":
                    counted = bool(value)
            else:
                # A row's findings are where its record is (the same location, already
                # rendered); a text's each have a line and offset of their own, so looking
                # them up among those already rendered would only miss.
                rendered = record.location if loc is location else loc.render()
                value_hash = keyed_hash(key, category, normalised)
                # Positional: a named tuple's keyword arguments cost more than the rest of the row.
                rows.append(
                    DetectionRow(
                        category, detector, mask(category, value), value_hash, confidence, rendered, *loc
                    )
                )
                # Counted here, in the rows' order, rather than in a loop of its own after.
                counts[category] = counts.get(category, 0) + 1
            if not counted:
                continue
            if category == "name":
                if value not in record.names:
                    record.names.append(value)
            elif category == "date_of_birth":
                record.dobs.append(normalised)
            elif category == "address":
                if normalised not in record.postcodes:
                    record.postcodes.append(normalised)
            elif category == "email":
                record.emails.append(normalised)
            elif category == "phone":
                record.phones.append(normalised)
            else:
                record.ids.setdefault(category, []).append(
                    value_hash or keyed_hash(key, category, normalised)
                )
            if category not in categories:
                categories.append(category)
        for address in draft.addresses:
            record.addresses.append(address)
            match = _POSTCODE_RE.search(address.upper())
            if match:
                postcode = normalise_postcode(match.group(0))
                if postcode not in record.postcodes:
                    record.postcodes.append(postcode)
            if "address" not in categories:
                categories.append("address")
        seq = -1
        if categories:
            signature = record_signature(record)
            seq = self.seen.get(signature, -1)
            if seq == -1:
                seq = self.seen[signature] = record.seq
                result.records.append(record)
        # The record's rows in one call: they share its document and number.
        self.sink.extend(result.path, seq, rows)

    def _emit_unowned(self, findings: list[Finding]) -> None:
        """Detections that belong to no person in the outputs (still counted and listed)."""
        counts = self.result.detection_counts
        rows = [self._row(finding, finding.confidence) for finding in findings]
        for row in rows:
            counts[row.category] = counts.get(row.category, 0) + 1
        self.sink.extend(self.result.path, -1, rows)

    def _render(self, loc: Location) -> str:
        """``loc.render()``, remembered: a row's record and its detections share one location."""
        rendered = self._rendered.get(loc)
        if rendered is None:
            if len(self._rendered) > 4096:
                self._rendered.clear()
            rendered = self._rendered[loc] = loc.render()
        return rendered

    def _row(self, finding: Finding, confidence: float) -> DetectionRow:
        loc = finding.location
        rendered = self._render(loc)
        category = finding.category
        # Positional: a named tuple's keyword arguments cost more than the rest of the row.
        return DetectionRow(
            category,
            finding.detector,
            mask(category, finding.value),
            keyed_hash(self.key, category, finding.normalised),
            confidence,
            rendered,
            loc.page,
            loc.sheet,
            loc.row,
            loc.line,
            loc.offset,
        )


class _CharOffsets:
    """Character offsets of byte offsets into one UTF-8 text, counted forward incrementally.

    ``len(data[:start].decode())`` for every postcode of a text unit is quadratic in the
    unit's length (a 1 MB register typed as prose has 10,000 postcodes).
    """

    __slots__ = ("_ascii", "_byte", "_char", "_data")

    def __init__(self, data: bytes) -> None:
        """Count in ``data``, valid UTF-8 as ``str.encode(..., "replace")`` writes it."""
        self._data = data
        self._ascii = data.isascii()
        self._byte = self._char = 0

    def at(self, start: int) -> int:
        """The character offset of byte offset ``start`` (the start of a character)."""
        if self._ascii:
            return start
        if start < self._byte:  # not in order: count from the beginning again
            self._byte = self._char = 0
        self._char += len(self._data[self._byte : start].decode("utf-8", "replace"))
        self._byte = start
        return self._char


_POSSESSIVE = re.compile(rb"\b([A-Z][a-z]+)(?:'|\xe2\x80\x99)s\b[^.\n]{0,30}$")


def _possessor(data: bytes, start: int, drafts: list[_Draft]) -> _Draft | None:
    """The person a possessive just before ``start`` on its line names ("Steven's phone:"),
    when one of ``drafts`` has that given name or surname; else ``None``."""
    line_start = data.rfind(b"\n", 0, start) + 1
    # The 's of a possessive ends at most 31 bytes before ``start``: without one there, the
    # pattern (tried at every byte of the line otherwise) cannot match.
    near = max(line_start, start - 40)
    if data.find(b"'s", near, start) == -1 and data.find(b"\x99s", near, start) == -1:
        return None
    match = _POSSESSIVE.search(data, line_start, start)
    if match is None:
        return None
    word = match.group(1).decode().lower()
    for draft in drafts:
        names = [f for f in draft.findings if f.category == "name"]
        if names and word in (name_key(names[0].value)[0], draft.surname):
            return draft
    return None


def _licence_owner(findings: list[Finding]) -> tuple[bool, str, dt.date | None]:
    """Whether the findings name someone, the first name's surname and the first date of birth."""
    names = [f for f in findings if f.category == "name"]
    dobs = [f for f in findings if f.category == "date_of_birth"]
    surname = name_key(names[0].value)[1] if names else ""
    dob = dt.date.fromisoformat(dobs[0].normalised) if dobs else None
    return bool(names), surname, dob


def _line_end(data: bytes, start: int) -> int:
    end = data.find(b"\n", start)
    return len(data) if end == -1 else end


# The comparison itself, not through its cache: here most pairs are new (a name-dense text
# compares each name with the given names of its surname once), and the cache's miss costs
# more than the comparison.
_first_names_compatible = first_names_compatible.__wrapped__
# Below what ``first_names_compatible`` asks of Jaro-Winkler (0.92), so that rapidfuzz's
# batch scores only narrow the candidates; each is then compared exactly.
_NEAR_FIRST_NAME = 0.85
_JARO_WINKLER = JaroWinkler.normalized_similarity


class _Surname:
    """The drafts of one surname in a text unit, in the order they were started, and the
    given names their name findings hold.

    A later mention joins the first draft whose given names all agree with its own (equal,
    initial of, nickname of, or a typo). A name-dense text compared each name with every
    draft of its surname, a hundred thousand comparisons a megabyte; here the surname's
    given names that agree with a name are found first (a lookup for equal names, initials
    and nicknames, one rapidfuzz call over the distinct given names for typos), and only
    the drafts holding one of them, or none at all, are looked at.
    """

    __slots__ = ("_by_canon", "_by_letter", "_firsts", "_holding", "_names", "_nameless", "drafts")

    def __init__(self) -> None:
        """No drafts yet."""
        self.drafts: list[_Draft] = []
        self._firsts: list[set[str]] = []  # each draft's given names (never empty strings)
        self._nameless: list[int] = []  # the drafts with no given name yet, in order
        self._holding: dict[str, list[int]] = {}  # a given name: the drafts holding it
        self._names: list[str] = []  # the distinct given names, as rapidfuzz's choices
        self._by_letter: dict[str, list[str]] = {}
        # A nickname group's canonical name (or a name in none: the name itself) and the
        # given names under it; ``first_names_compatible`` calls two names nicknames when
        # their groups meet.
        self._by_canon: dict[str, list[str]] = {}

    def start(self, draft: _Draft) -> int:
        """Add a new draft (without its name yet); its position among the surname's."""
        self.drafts.append(draft)
        self._firsts.append(set())
        position = len(self.drafts) - 1
        self._nameless.append(position)
        return position

    def named(self, position: int, first: str) -> None:
        """The draft at ``position`` has a name finding with given name ``first``."""
        firsts = self._firsts[position]
        if not first or first in firsts:
            return
        if not firsts:
            self._nameless.remove(position)
        firsts.add(first)
        holding = self._holding.get(first)
        if holding is None:
            holding = self._holding[first] = []
            self._names.append(first)
            self._by_letter.setdefault(first[0], []).append(first)
            for canon in nickname_canons().get(first) or (first,):
                self._by_canon.setdefault(canon, []).append(first)
        holding.append(position)

    def earlier(self, first: str, kin: bool) -> int | None:
        """The position of the first draft that a later mention with given name ``first``
        is: every given name of the draft agrees with it (a draft with none agrees with
        any), and a relative only joins a relative."""
        drafts = self.drafts
        if not first:
            for position, draft in enumerate(drafts):
                if not kin or draft.kin:
                    return position
            return None
        agreeing = self._agreeing(first)
        positions = set(self._nameless)
        for name in agreeing:
            positions.update(self._holding[name])
        for position in sorted(positions):
            if (not kin or drafts[position].kin) and self._firsts[position] <= agreeing:
                return position
        return None

    def _agreeing(self, first: str) -> set[str]:
        """The surname's given names that are ``first`` or compatible with it."""
        names = self._names
        if not names:
            return set()
        if len(first) == 1:
            # An initial agrees with the names it begins, and with nothing else.
            candidates = self._by_letter.get(first, [])
        else:
            candidates = [
                found
                for found, _, _ in process.extract(
                    first,
                    names,
                    scorer=_JARO_WINKLER,
                    processor=None,
                    score_cutoff=_NEAR_FIRST_NAME,
                    limit=None,
                )
            ]
            candidates += (first, first[0])  # itself, its initial
            by_canon = self._by_canon
            for canon in nickname_canons().get(first) or (first,):
                candidates += by_canon.get(canon, ())
        holding = self._holding
        return {
            name
            for name in candidates
            if name in holding and (name == first or _first_names_compatible(name, first))
        }


# A cell written as a person's name: 'SURNAME, Given [Middle]' in any script, or a title
# and two or three words ('Mrs Katy Saunders'). No digits, no '@': never an address line.
_WORD = r"[^\W\d_](?:[^\W\d_]|['’.-])*"
_NAME_SHAPED = re.compile(
    rf"{_WORD}(?:[ -]{_WORD})?, ?{_WORD}(?: {_WORD}){{0,2}}"
    rf"|(?i:mr|mrs|ms|miss|mx|dr)\.? {_WORD}(?: {_WORD}){{1,2}}"
)
_FREE_TEXT = re.compile(r"[A-Z][a-z'’]+ [A-Z]")
_DECIMAL = re.compile(r"[-+]?\d*[.,]\d+")
_SCIENTIFIC = re.compile(r"[-+]?\d(?:\.\d+)?[eE]\+?\d{1,2}")
_EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 is 1900-01-01, counting Excel's 29/02/1900
_EXCEL_EPOCH_1904 = dt.date(1904, 1, 1)


def _owner_in_cell(found: list[tuple[int, _Draft]], offset: int) -> _Draft | None:
    """The person named last before ``offset`` in a free-text cell (``None`` before any name)."""
    owner = None
    for start, draft in found:
        if start <= offset:
            owner = draft
    return owner


def typed_cell(value: str, column: Column, date1904: bool = False) -> str:
    """A cell as the person who typed it meant it, before Excel changed it.

    Phone numbers stored as numbers lose their leading zero (7723418963) or turn into
    scientific notation (7.72342E+09); a date of birth stored as a number is an Excel
    serial date, counted from 1900 or, when the workbook says so, from 1904.
    """
    text = value.strip()
    if not text or column.field not in ("phone", "dob", "account"):
        return value
    if not text.isdigit() and not text.endswith(".0") and "e" not in text and "E" not in text:
        # Every change below is made to digits alone, as typed or once the scientific form
        # or a trailing '.0' is undone ('12/03/1950', '020 7946 0000' are kept): asked
        # before the expression, for every such cell of a register.
        return value
    if _SCIENTIFIC.fullmatch(text):
        try:
            text = str(int(float(text)))
        except (OverflowError, ValueError):
            return value
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    if column.field == "account":
        # An account number stored as a number: shown as 4.6446640E+07, or 7 digits
        # after Excel dropped its leading zero.
        return text.zfill(8) if text.isdigit() and 6 <= len(text) <= 8 else value
    if column.field == "phone":
        if text.isdigit() and len(text) == 10 and text[0] in "123578":
            return "0" + text  # a UK number whose leading zero Excel dropped
        if text.isdigit() and len(text) == 12 and text.startswith("44"):
            return "+" + text
        return value
    if text.isdigit() and 3000 <= int(text) <= 80000:
        # From 1908 on: a four-digit year of birth alone (1958) is not a serial date.
        epoch = _EXCEL_EPOCH_1904 if date1904 else _EXCEL_EPOCH
        return (epoch + dt.timedelta(days=int(text))).strftime("%d/%m/%Y")
    return value


def _whole_cell(cell: str, draft: _Draft) -> bool:
    """The draft's name spans the whole cell (the cell is a name, not a note naming someone)."""
    names = [f for f in draft.findings if f.category == "name"]
    return bool(names) and names[0].end >= len(cell.rstrip().encode("utf-8", "replace")) - 1


_PLACEHOLDER_CELL = re.compile(
    r"(?i)^(?:test|dummy|sample)\b|\b(?:do not use|not a real|test (?:account|record|permit|entry))\b"
)
_PARENTHESES = re.compile(r"\s*\([^)]*\)")
_LETTERS_NAME = re.compile(r"(?:[^\W\d_]|['’.-])+(?:,?[ ]+(?:[^\W\d_]|['’.-])+){1,4}")


def cell_name(value: str) -> str:
    """The display name in a name column: 'Mrs Bethan Roberts (daughter)', 'Jones, Siân'.

    ASCII names go through the name parser (titles, 'Surname, Forename', stop words); a
    name with letters beyond ASCII is kept whole as typed, reordered when written
    surname first, so 'Siân' never becomes 'Si'.
    """
    text = _PARENTHESES.sub("", value).strip()
    if _PLACEHOLDER_CELL.search(text):
        return ""  # 'TEST ACCOUNT DO NOT USE', 'Test permit - ignore': a system's dummy row
    if not text.isascii() and _LETTERS_NAME.fullmatch(text):
        if "," in text:
            surname, _, given = text.partition(",")
            text = f"{given.strip()} {surname.strip()}"
        return text
    parsed = parse_name_at(value, labelled=True)
    return parsed[0] if parsed else ""
