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
from dataclasses import dataclass, field

from .columns import NEGATIVE_CELLS, Column, classify
from .detect import CELL_SEPARATOR, detect
from .detectors.date_of_birth import parse_uk_date, plausible_birth_date
from .detectors.driving_licence import licence_matches
from .detectors.name import parse_name_at
from .detectors.phone import normalise_uk_phone
from .detectors.postcode import UkPostcodeDetector, normalise_postcode
from .hashing import keyed_hash, mask
from .model import DetectionRow, DocResult, Finding, Location, RecordData, RowUnit, TextUnit
from .names import first_names_compatible, parse_name
from .parts import DetectionSink
from .vocab import CATEGORIES

HASHED_CATEGORIES = frozenset(CATEGORIES) - {"name", "address", "email", "phone", "date_of_birth"}
_POSTCODE_RE = re.compile(r"[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}")
_LABEL_PREFIX = re.compile(r"^[^:]{0,30}:\s*")
_STREETISH = re.compile(
    r"\d|\b(?:street|road|avenue|lane|close|court|drive|way|place|square|gardens|terrace|crescent|grove|house|flat)\b",
    re.I,
)


@dataclass
class _Draft:
    """A record under construction: its findings and the address text next to them."""

    findings: list[Finding] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)
    surname: str = ""


def name_key(value: str) -> tuple[str, str]:
    """(given name, surname) of a display name, lower case, titles dropped."""
    parsed = parse_name(value)
    return parsed.first, parsed.last


_EXCEL_NUMBER = re.compile(r"[127]\d{9}(?:\.0)?")


def _excel_phone(cell: str) -> str | None:
    """A UK number whose leading 0 a spreadsheet dropped ('7723418963' under 'Mobile'), in E.164.

    Ten digits starting 1, 2 or 7 (geographic and mobile ranges) in a phone column are
    the national number without its trunk 0; the numbering plan still decides.
    """
    if not _EXCEL_NUMBER.fullmatch(cell):
        return None
    return normalise_uk_phone("0" + cell.removesuffix(".0"))


def _address_before(text: str, start: int) -> str:
    """The address block that ends at a postcode: same line, then up to three lines above."""
    line_start = text.rfind("\n", 0, start) + 1
    parts: list[str] = []
    same_line = _LABEL_PREFIX.sub("", text[line_start:start]).strip(" ,")
    if same_line:
        parts.append(same_line)
    cursor = line_start - 1
    if not same_line or not _STREETISH.search(same_line):
        for _ in range(3):
            if cursor <= 0:
                break
            prev_start = text.rfind("\n", 0, cursor) + 1
            line = text[prev_start:cursor].strip(" ,")
            if not line or ":" in line or len(line) > 60:
                break
            parts.insert(0, line)
            if _STREETISH.search(line) and re.match(r"^\d|^flat", line, re.I):
                break
            cursor = prev_start - 1
    return ", ".join(parts)


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

    @property
    def detection_total(self) -> int:
        """Detections emitted for this document so far."""
        return sum(self.result.detection_counts.values())

    def add_row(self, unit: RowUnit) -> None:
        """Detect in one table row and record its subject (and any next of kin)."""
        headers = tuple(h.strip().lower() for h in unit.headers)
        cells = list(unit.cells) + [""] * (len(headers) - len(unit.cells))
        cell_starts: list[int] = []
        parts: list[bytes] = []
        offset = 0
        for cell in cells:
            encoded = cell.encode("utf-8", "replace")
            cell_starts.append(offset)
            parts.append(encoded)
            offset += len(encoded) + len(CELL_SEPARATOR)
        data = CELL_SEPARATOR.encode().join(parts)
        padded = headers + ("",) * (len(cells) - len(headers))
        drafts: dict[int, _Draft] = {}
        columns = [classify(h) for h in padded]
        for finding in detect(data, unit.location, cell_starts, padded, skip_names=True):
            index = bisect_right(cell_starts, finding.start) - 1
            column = columns[index]
            if finding.category == "name" and column.field not in ("name", "first", "surname"):
                # A name inside a notes cell is someone else mentioned in passing; the row's
                # subject comes from its name columns.
                continue
            if finding.category == "name":
                continue
            drafts.setdefault(column.person, _Draft()).findings.append(finding)
        self._column_findings(cells, columns, unit.location, drafts)
        for person in sorted(drafts):
            self._commit(drafts[person], unit.location)

    def _column_findings(
        self, cells: list[str], columns: list[Column], location: Location, drafts: dict[int, _Draft]
    ) -> None:
        names: dict[int, dict[str, str]] = {}
        addresses: dict[int, list[str]] = {}
        for cell, column in zip(cells, columns, strict=False):
            value = cell.strip()
            if not value or value.lower() in NEGATIVE_CELLS:
                continue
            if column.field in ("name", "first", "surname", "title"):
                names.setdefault(column.person, {})[column.field] = value
            elif column.field in ("address",):
                addresses.setdefault(column.person, []).append(value)
            elif column.field == "postcode":
                addresses.setdefault(column.person, []).append(value)
            elif column.field == "account" and re.fullmatch(r"\d{8}", value.replace(" ", "")):
                draft = drafts.setdefault(column.person, _Draft())
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
            elif column.field == "phone":
                draft = drafts.setdefault(column.person, _Draft())
                number = _excel_phone(value)
                if number is not None and not any(f.category == "phone" for f in draft.findings):
                    draft.findings.append(
                        Finding("phone", "column_phone", value, number, 0, 0, 0.85, location)
                    )
            elif column.field == "dob":
                date = (
                    # The whole cell ('22-Nov-1972'), else its first ten characters
                    # (a spreadsheet's '1972-11-22 00:00:00').
                    (parse_uk_date(value) or parse_uk_date(value[:10]))
                    if not any(
                        f.category == "date_of_birth" for f in drafts.get(column.person, _Draft()).findings
                    )
                    else None
                )
                if date is not None and plausible_birth_date(date):
                    drafts.setdefault(column.person, _Draft()).findings.append(
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
                draft = drafts.setdefault(column.person, _Draft())
                if not any(f.category == column.field for f in draft.findings):
                    drafts.setdefault(column.person, _Draft()).findings.append(
                        Finding(
                            column.field, f"column_{column.field}", value, value.lower(), 0, 0, 0.9, location
                        )
                    )
        for person, name_parts in names.items():
            if "name" in name_parts:
                parsed = parse_name_at(name_parts["name"], labelled=True)
                full = parsed[0] if parsed else ""
            else:
                given, surname, title = (
                    name_parts.get("first", ""),
                    name_parts.get("surname", ""),
                    name_parts.get("title", ""),
                )
                full = (
                    " ".join(p for p in (title, given, surname) if p) if surname and (given or title) else ""
                )
            if full:
                first, last = name_key(full)
                drafts.setdefault(person, _Draft()).findings.append(
                    Finding("name", "column_name", full, f"{first} {last}", 0, 0, 0.95, location)
                )
        for person, parts in addresses.items():
            draft = drafts.setdefault(person, _Draft())
            draft.addresses.append(", ".join(parts))

    def add_text(self, unit: TextUnit, owner: tuple[str, str] | None = None) -> None:
        """Detect in running text and split it into records at each new person's name.

        ``owner`` is the (name, email) the text is by, e.g. an email's sender: what comes
        before the first name in the text is about them.
        """
        data = unit.text.encode("utf-8", "replace")
        findings = detect(data, unit.location)
        drafts: list[_Draft] = []
        current: _Draft | None = None
        if owner is not None:
            current = _Draft(surname=name_key(owner[0])[1])
            current.findings.append(
                Finding(
                    "name", "email_sender", owner[0], " ".join(name_key(owner[0])), 0, 0, 0.9, unit.location
                )
            )
            drafts.append(current)
        pending: list[Finding] = []
        pending_addresses: list[str] = []
        for finding in findings:
            if finding.category == "name":
                parsed = parse_name(finding.value)
                first, last = parsed.first, parsed.last
                match = next((d for d in drafts if d.surname == last and _compatible_first(d, first)), None)
                if match is None:
                    match = _Draft(surname=last)
                    if not any(d.surname for d in drafts):
                        # Identifiers before the first name (a reference line above an
                        # address block) are about the first person named.
                        match.findings.extend(pending)
                        match.addresses.extend(pending_addresses)
                        pending, pending_addresses = [], []
                    drafts.append(match)
                match.findings.append(finding)
                current = match
                continue
            if finding.category == "address" and finding.detector == UkPostcodeDetector.name:
                text_start = len(data[: finding.start].decode("utf-8", "replace"))
                parts = [p.strip() for p in _address_before(unit.text, text_start).split(",") if p.strip()]
                if parts and current is not None and current.surname and current.surname in parts[0].lower():
                    parts = parts[1:]
                address = ", ".join([*parts, finding.normalised])
                (current.addresses if current is not None else pending_addresses).append(address)
            if current is None:
                pending.append(finding)
            else:
                current.findings.append(finding)
        if (pending or pending_addresses) and not drafts:
            drafts.append(_Draft(findings=pending, addresses=pending_addresses))
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
        record = RecordData(
            doc=self.result.path,
            root=self.result.root,
            location=location.render(),
            seq=len(self.result.records),
        )
        names = [f for f in draft.findings if f.category == "name"]
        dobs = [f for f in draft.findings if f.category == "date_of_birth"]
        surname = name_key(names[0].value)[1] if names else ""
        dob = dt.date.fromisoformat(dobs[0].normalised) if dobs else None
        rows: list[DetectionRow] = []
        for finding in draft.findings:
            confidence = finding.confidence
            counted = True
            if (
                finding.category == "driving_licence_number"
                and names
                and not licence_matches(finding.normalised, surname, dob)
            ):
                # The licence encodes someone else's surname or birth date: keep the
                # detection for review but do not expose it as this person's.
                confidence, counted = 0.4, False
            if finding.detector == "email_sender" and finding.category == "name":
                counted = bool(finding.value)
            if finding.detector != "email_sender":
                rows.append(self._row(finding, confidence))
            if counted:
                self._apply(record, finding)
        for address in draft.addresses:
            record.addresses.append(address)
            match = _POSTCODE_RE.search(address.upper())
            if match:
                postcode = normalise_postcode(match.group(0))
                if postcode not in record.postcodes:
                    record.postcodes.append(postcode)
            if "address" not in record.categories:
                record.categories.append("address")
        seq = -1
        if record.categories:
            signature = (
                tuple(record.names), tuple(record.dobs), tuple(record.addresses), tuple(record.postcodes),
                tuple(record.emails), tuple(record.phones), tuple(sorted((k, tuple(v)) for k, v in record.ids.items())),
                tuple(record.categories),
            )  # fmt: skip
            seq = self.seen.get(signature, -1)
            if seq == -1:
                seq = self.seen[signature] = record.seq
                self.result.records.append(record)
        counts = self.result.detection_counts
        for row in rows:
            counts[row.category] = counts.get(row.category, 0) + 1
            self.sink.add(self.result.path, seq, row)

    def _apply(self, record: RecordData, finding: Finding) -> None:
        category = finding.category
        if category == "name":
            if finding.value not in record.names:
                record.names.append(finding.value)
        elif category == "date_of_birth":
            record.dobs.append(finding.normalised)
        elif category == "address":
            if finding.normalised not in record.postcodes:
                record.postcodes.append(finding.normalised)
        elif category == "email":
            record.emails.append(finding.normalised)
        elif category == "phone":
            record.phones.append(finding.normalised)
        else:
            record.ids.setdefault(category, []).append(keyed_hash(self.key, category, finding.normalised))
        if category not in record.categories:
            record.categories.append(category)

    def _row(self, finding: Finding, confidence: float) -> DetectionRow:
        loc = finding.location
        rendered = self._rendered.get(loc)
        if rendered is None:
            if len(self._rendered) > 4096:
                self._rendered.clear()
            rendered = self._rendered[loc] = loc.render()
        return DetectionRow(
            category=finding.category,
            detector=finding.detector,
            masked=mask(finding.category, finding.value),
            value_hash=keyed_hash(self.key, finding.category, finding.normalised),
            confidence=confidence,
            location=rendered,
            page=loc.page,
            sheet=loc.sheet,
            row=loc.row,
            line=loc.line,
            offset=loc.offset,
        )


def _compatible_first(draft: _Draft, first: str) -> bool:
    """A later mention is the same person when the given names agree (or one is absent)."""
    for finding in draft.findings:
        if finding.category == "name":
            other = parse_name(finding.value).first
            if other and first and not first_names_compatible(other, first):
                return False
    return True
