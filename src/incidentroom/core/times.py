"""Time at the boundary and in front of people: one place for range checks, UK local input,
elapsed-hour deadlines and the way a time is written down.

The rules (docs/design.md, "Times and time zones"):

- Every time is stored in UTC (Django does this with ``USE_TZ``; :func:`check_datetime`
  also normalises to UTC so nothing downstream ever holds a wall-clock zone).
- A reporting clock is *elapsed* time. Adding ``timedelta(hours=72)`` to a datetime whose
  tzinfo is ``Europe/London`` is wall-clock arithmetic in Python (10:00 BST Saturday + 72 h
  gives 10:00 GMT Tuesday, which is 73 hours later), so :func:`after` always adds in UTC.
- A time typed into a page has no zone: it is read as UK local time. A local time that
  never happened (the hour skipped when clocks go forward) is refused with a message that
  says so; a local time that happened twice (the hour repeated when clocks go back) is read
  as its *first* occurrence (BST), the earlier instant, so a deadline counted from it can
  only come early, never late. The page then shows the time with its zone, and a user who
  meant the second occurrence can type it with an offset (``2026-10-25T01:30+00:00``).
- Every time shown to a person goes through :func:`uk_time`, which writes UK local time
  with its zone (GMT or BST).
- A time that says when something happened (:func:`not_future`) may not be later than now,
  give or take :data:`FUTURE_SKEW` of clock drift.
- Every time accepted from outside (API, forms, CLI, scenario files) must lie in
  1990..2099: a year-1 date overflows SQLite and is stored by PostgreSQL as 1 BC, after
  which every page that shows it fails.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime

from incidentroom.core.errors import InvalidInput

UK = zoneinfo.ZoneInfo("Europe/London")
EARLIEST = dt.datetime(1990, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)
RANGE_TEXT = "between 1 January 1990 and 31 December 2099"

Style = Literal["long", "short", "date", "time"]


class OutOfRange(ValueError):
    """A datetime outside :data:`EARLIEST` .. :data:`LATEST` (or without a zone)."""


def _range_problem(value: dt.datetime) -> str | None:
    if value.tzinfo is None or value.utcoffset() is None:
        return "needs a time zone (for example 2026-11-24T09:30:00+00:00)"
    # Comparing aware datetimes never converts them, so a year-1 value with a positive
    # offset (which cannot be moved to UTC without overflowing) is still compared safely.
    if not EARLIEST <= value < LATEST:
        return f"must be {RANGE_TEXT}"
    return None


def check_datetime(value: dt.datetime, field: str) -> dt.datetime:
    """``value`` in UTC, or :class:`InvalidInput` naming ``field`` (no zone, or out of range)."""
    problem = _range_problem(value)
    if problem is not None:
        raise InvalidInput(f"{field} {problem}.", field=field)
    return value.astimezone(dt.UTC)


# Clocks on different machines drift; a time a few minutes ahead is a typo-free entry from a
# laptop, not a claim about the future.
FUTURE_SKEW = dt.timedelta(minutes=5)


def not_future(value: dt.datetime, field: str) -> dt.datetime:
    """:func:`check_datetime`, and refuse a time later than now (allowing :data:`FUTURE_SKEW`):
    when something was detected, collected or happened cannot be in the future."""
    value = check_datetime(value, field)
    if value > dt.datetime.now(dt.UTC) + FUTURE_SKEW:
        raise InvalidInput(f"{field} cannot be in the future.", field=field)
    return value


def not_future_optional(value: dt.datetime | None, field: str) -> dt.datetime | None:
    """:func:`not_future` for a value that may be absent."""
    return None if value is None else not_future(value, field)


def check_optional(value: dt.datetime | None, field: str) -> dt.datetime | None:
    """:func:`check_datetime` for a value that may be absent."""
    return None if value is None else check_datetime(value, field)


def _validate(value: dt.datetime) -> dt.datetime:
    problem = _range_problem(value)
    if problem is not None:
        raise OutOfRange(problem)
    return value.astimezone(dt.UTC)


BoundedDatetime = Annotated[AwareDatetime, AfterValidator(_validate)]
"""The type every API schema and data file uses for a time: aware, 1990..2099, in UTC.
A bad value is a 422 whose ``loc`` names the field."""


def uk_local(naive: dt.datetime, field: str) -> dt.datetime:
    """A wall-clock time typed by a person in the UK, as an aware UTC datetime.

    Refuses a time that does not exist (skipped when the clocks go forward); reads a
    repeated time (clocks go back) as its first occurrence, in BST."""
    if naive.tzinfo is not None:
        return check_datetime(naive, field)
    if not EARLIEST.year <= naive.year < LATEST.year:
        raise InvalidInput(f"{field} must be {RANGE_TEXT}.", field=field)
    first = naive.replace(tzinfo=UK, fold=0)
    # A skipped time does not survive the round trip through UTC: 01:30 on the last Sunday
    # of March comes back as 02:30 BST.
    if first.astimezone(dt.UTC).astimezone(UK).replace(tzinfo=None) != naive:
        before = (naive - dt.timedelta(hours=1)).replace(tzinfo=UK)
        raise InvalidInput(
            f"{field} must be a time that happened: {naive:%H:%M} on {naive:%-d %B %Y} does not exist "
            f"in UK time (the clocks go forward from 01:00 GMT to 02:00 BST that night). Enter a time "
            f"before 01:00 or from 02:00, for example {before:%H:%M}.",
            field=field,
        )
    return check_datetime(first, field)


def parse_input(raw: str, field: str, example: str = "2026-11-24T09:30") -> dt.datetime | None:
    """A time typed into a page (``datetime-local``, or ISO with an offset), as UTC; None if blank.

    Every page route that takes a time reads it here, so the range check and the UK-local
    reading (including the clock-change rules above) are the same everywhere."""
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        value = dt.datetime.fromisoformat(raw)
    except ValueError as exc:
        raise InvalidInput(f"{field} must be a date and time like {example}.", field=field) from exc
    return uk_local(value, field)


def is_ambiguous(naive: dt.datetime) -> bool:
    """The wall-clock time happened twice in the UK (the hour repeated when clocks go back)."""
    return naive.replace(tzinfo=UK, fold=0).utcoffset() != naive.replace(tzinfo=UK, fold=1).utcoffset()


def after(anchor: dt.datetime, period: dt.timedelta) -> dt.datetime:
    """``period`` of elapsed time after ``anchor`` (added in UTC, so a clock change in
    between neither adds nor removes an hour)."""
    return anchor.astimezone(dt.UTC) + period


def hours(value: float) -> dt.timedelta:
    """A period of ``value`` elapsed hours."""
    return dt.timedelta(hours=value)


def zone_label(value: dt.datetime) -> str:
    """'GMT' or 'BST' for the UK at that instant."""
    return value.astimezone(UK).tzname() or "UK time"


def uk_time(value: dt.datetime | None, style: Style = "long", *, missing: str = "Not known") -> str:
    """THE way a time is written for a person, on every page, document, email, feed and CSV.

    UK local time with its zone, so 10:00 on a BST day is never read as GMT or UTC:

    - ``long``: ``Tuesday 27 October 2026, 10:00 GMT``
    - ``short``: ``27 Oct 2026 10:00 GMT``
    - ``time``: ``10:00 GMT``
    - ``date``: ``27 October 2026`` (a whole day needs no zone)
    """
    if value is None:
        return missing
    if value.tzinfo is None:
        # Django hands naive values only when USE_TZ is off; they are UTC by convention here.
        value = value.replace(tzinfo=dt.UTC)
    local = value.astimezone(UK)
    zone = local.tzname() or "UK time"
    if style == "date":
        return f"{local:%-d %B %Y}"
    if style == "time":
        return f"{local:%H:%M} {zone}"
    if style == "short":
        return f"{local:%-d %b %Y %H:%M} {zone}"
    return f"{local:%A %-d %B %Y, %H:%M} {zone}"


def gov_date(value: dt.date | dt.datetime | None, *, missing: str = "Not known") -> str:
    """A date the GOV.UK way, for letters and pages residents read: ``30 November 2026``
    (no leading zero, the month in full, no day name or ordinal). A datetime is dated in UK
    local time, so 23:30 GMT on the 30th stays the 30th and 00:30 BST is the next day."""
    if value is None:
        return missing
    if isinstance(value, dt.datetime):
        return uk_time(value, "date")
    return f"{value.day} {value:%B %Y}"


def form_value(value: dt.datetime | None) -> str:
    """A stored time as the UK wall-clock value a ``datetime-local`` input shows."""
    return "" if value is None else f"{value.astimezone(UK):%Y-%m-%dT%H:%M}"


# The GOV.UK date input pattern: a time typed as separate Day, Month, Year, Hour and Minute
# boxes (the browser's datetime-local shows mm/dd/yyyy in some locales and cannot be read
# aloud reliably). The boxes are named ``<field>-day`` ... ``<field>-minute``.
DATE_PARTS = ("day", "month", "year", "hour", "minute")
_PART_LIMITS = {"day": (1, 31), "month": (1, 12), "year": (1, 9999), "hour": (0, 23), "minute": (0, 59)}


def joined_parts(data: Mapping[str, str], name: str, label: str | None = None) -> str:
    """The ISO text for the boxes of field ``name`` (``""`` when all are blank), or the single
    value posted as ``name`` itself (API-style clients and older pages send one string).

    Says which box is missing or wrong as GOV.UK's date input does, naming the field once:
    "In force until must include a year", "... must be a real date" (a box out of range or
    not a number, or a day the month does not have), "... must be a real time"."""
    single = str(data.get(name, "") or "").strip()
    if single:
        return single
    label = label or name.replace("_", " ").capitalize()
    raw = {p: str(data.get(f"{name}-{p}", "") or "").strip() for p in DATE_PARTS}
    if not any(raw.values()):
        return ""
    missing = [p for p in ("day", "month", "year") if not raw[p]]
    if missing:
        raise InvalidInput(f"{label} must include a {' and '.join(missing)}.", field=name)
    if not raw["hour"]:
        raise InvalidInput(f"{label} must include a time (hour and minute, 24-hour clock).", field=name)
    values: dict[str, int] = {}
    for part in DATE_PARTS:
        text = raw[part] or "0"
        low, high = _PART_LIMITS[part]
        if not text.isdigit() or not low <= int(text) <= high:
            what = "time" if part in ("hour", "minute") else "date"
            raise InvalidInput(f"{label} must be a real {what}.", field=name)
        values[part] = int(text)
    try:
        typed = dt.datetime(values["year"], values["month"], values["day"], values["hour"], values["minute"])  # noqa: DTZ001 - a UK wall-clock time, read by uk_local
    except ValueError as exc:
        raise InvalidInput(f"{label} must be a real date.", field=name) from exc
    return typed.isoformat(timespec="minutes")


def form_parts(value: dt.datetime | str | None) -> dict[str, str]:
    """A stored time (or the ISO text a page posted) as the UK wall-clock boxes to show."""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value) if value.strip() else None
        except ValueError:
            value = None
    if value is None:
        return dict.fromkeys(DATE_PARTS, "")
    try:
        local = value.astimezone(UK) if value.tzinfo is not None else value
    except OverflowError:  # a refused year-1 value is shown back as typed
        local = value
    return {
        "day": str(local.day),
        "month": str(local.month),
        "year": str(local.year),
        "hour": f"{local:%H}",
        "minute": f"{local:%M}",
    }


def countdown(until: dt.datetime, now: dt.datetime) -> str:
    """Time left to a deadline as the dashboard's ticking clocks write it ("1d 04h 05m 09s
    left", "0h 12m 00s overdue"); static/incidentroom/countdown.js writes the same text."""
    seconds = int((until - now).total_seconds())
    late, seconds = seconds < 0, abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    text = (f"{days}d " if days else "") + f"{hours}h {minutes:02d}m {secs:02d}s"
    return text + (" overdue" if late else " left")
