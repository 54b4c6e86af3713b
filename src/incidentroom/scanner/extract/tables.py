"""Find a table's header row instead of assuming it is the first row.

Council exports put title rows and blank rows above the header, split a header over two
rows (a merged 'Next of kin' cell above 'Name' and 'Phone'), put several tables on one
sheet, or have no header at all. Rows are read in order and the header is chosen from
what the rows hold: a row whose cells are column labels (at least one a known field, and
none holding data such as a date or a number) and that is followed by data.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass

from ..model import Location, RowUnit, TextUnit
from .base import judges

#: Rows read before deciding there is no header.
LOOKAHEAD = 12
_DATA_LIKE = re.compile(r"\d{3}|@|\d[/.-]\d")
_SEP_LINE = re.compile(r"^sep=(.)$", re.IGNORECASE)


def sep_line(line: str) -> str | None:
    """The delimiter Excel's ``sep=;`` first line names, else ``None``."""
    match = _SEP_LINE.match(line.strip().lstrip("\ufeff").strip("\"'"))
    return match.group(1) if match else None


def _filled(cells: tuple[str, ...]) -> list[str]:
    return [c.strip() for c in cells if c.strip()]


def _labels(cells: tuple[str, ...]) -> bool:
    """Cells that are column labels: none holds data and at least one is a known field."""
    filled = _filled(cells)
    if not filled or any(_DATA_LIKE.search(c) or len(c) > 60 for c in filled):
        return False
    known_field = judges().known_field
    return any(known_field(c.lower()) for c in filled)


def _plain_labels(cells: tuple[str, ...]) -> bool:
    """Two or more short text cells with no data in them (a header of unknown words)."""
    filled = _filled(cells)
    return len(filled) >= 2 and not any(_DATA_LIKE.search(c) or len(c) > 60 for c in filled)


def _new_header(cells: tuple[str, ...], headers: tuple[str, ...]) -> bool:
    """After a blank row: a second table's header (most of its cells known labels)."""
    filled = _filled(cells)
    known_field = judges().known_field
    known = sum(1 for c in filled if known_field(c.lower()))
    return cells != headers and _labels(cells) and known >= max(2, (len(filled) + 1) // 2)


def _has_data(cells: tuple[str, ...]) -> bool:
    return any(_DATA_LIKE.search(c) for c in cells)


def _merge(top: tuple[str, ...], below: tuple[str, ...]) -> tuple[str, ...]:
    """A two-row header: the upper row's label carried across its merged cells."""
    width = max(len(top), len(below))
    carried = ""
    merged: list[str] = []
    for i in range(width):
        upper = top[i].strip() if i < len(top) else ""
        lower = below[i].strip() if i < len(below) else ""
        carried = upper or carried
        merged.append(f"{carried} {lower}".strip() if lower else carried)
    return tuple(merged)


@dataclass
class TableState:
    """Where the header search stands: the headers in force (``None`` before one is
    settled), the row number of the header row, and whether the last row was blank.

    A range of a split CSV (see ``pipeline/split.py``) starts from the state the file's
    head settled on, and reports its own final state so the coordinator can check that
    each range started where the one before it ended.
    """

    headers: tuple[str, ...] | None = None
    header_row: int = -1
    after_blank: bool = False
    last_row: int = 0


def table_units(
    rows: Iterable[tuple[int, tuple[str, ...]] | TextUnit],
    location: Callable[[int], Location],
    state: TableState | None = None,
) -> Iterator[RowUnit | TextUnit]:
    """Rows as :class:`RowUnit` under the header found for them.

    ``rows`` are (1-based row number, cells). Rows above the first header (titles,
    notes) come out as text; a blank row followed by another header row starts a new
    table; a file with no header gives rows with empty headers. A :class:`TextUnit` among
    them (a record too long to hold as cells, see the delimited extractor) passes through.
    ``state``, when given, is where to start (its headers already settled, for a range
    that is not the file's first) and holds the final state once the rows are exhausted.
    """
    state = state if state is not None else TableState()
    headers = state.headers
    pending: list[tuple[int, tuple[str, ...]]] = []
    after_blank = state.after_blank
    header_row = state.header_row
    for item in rows:
        if isinstance(item, TextUnit):
            yield item
            continue
        number, cells = item
        state.last_row = number
        if headers is None:
            pending.append((number, cells))
            if len(pending) < LOOKAHEAD:
                continue
            headers, header_row = yield from _settle(pending, location)
            pending = []
            continue
        if not any(map(str.strip, cells)):  # ``not _filled(cells)``, without building the list
            after_blank = True
            continue
        if (
            number == header_row + 1
            and _labels(cells)
            and not _has_data(cells)
            and any(not h.strip() for h in headers)
        ):
            # A two-row header: 'Next of kin' above 'Name' and 'Phone'.
            headers = _merge(headers, cells)
            continue
        if after_blank and _new_header(cells, headers):
            headers, header_row, after_blank = tuple(cells), number, False
            continue
        after_blank = False
        yield RowUnit(headers, cells, location(number))
    if headers is None and pending:
        headers, header_row = yield from _settle(pending, location)
        after_blank = False
    state.headers, state.header_row, state.after_blank = headers, header_row, after_blank


def _settle(
    pending: list[tuple[int, tuple[str, ...]]], location: Callable[[int], Location]
) -> Generator[RowUnit | TextUnit, None, tuple[tuple[str, ...], int]]:
    """Choose the header among the first rows and emit those rows; returns (headers, row)."""
    filled = [(n, c) for n, c in pending if _filled(c)]
    choice = next((i for i, (_, c) in enumerate(filled) if _labels(c)), -1)
    if choice == -1:
        # No known label: an unknown-worded header is a row of text cells followed by data.
        choice = next(
            (i for i, (_, c) in enumerate(filled[:-1]) if _plain_labels(c) and _has_data(filled[i + 1][1])),
            -1,
        )
    if choice == -1:
        width = max((len(c) for _, c in filled), default=0)
        headers: tuple[str, ...] = ("",) * width
        for number, cells in filled:
            yield RowUnit(headers, cells, location(number))
        return headers, -1
    for number, cells in filled[:choice]:
        # Title rows above the header: read as text, they may still name someone.
        yield TextUnit("  ".join(_filled(cells)), location(number))
    header_number, headers = filled[choice]
    headers = tuple(headers)
    rest = filled[choice + 1 :]
    if (
        rest
        and rest[0][0] == header_number + 1
        and _labels(rest[0][1])
        and any(not h.strip() for h in headers)
    ):
        headers = _merge(headers, rest[0][1])
        header_number = rest[0][0]
        rest = rest[1:]
    previous = header_number
    for number, cells in rest:
        if number > previous + 1 and _new_header(cells, headers):
            headers, header_number = tuple(cells), number
        else:
            yield RowUnit(headers, cells, location(number))
        previous = number
    return headers, header_number
