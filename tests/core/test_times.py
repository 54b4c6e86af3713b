"""The one time module: range checks, UK-local input across both 2026 clock changes,
elapsed-hour arithmetic and the one display format."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import BaseModel, ValidationError

from incidentroom.core import times
from incidentroom.core.errors import InvalidInput

pytestmark = pytest.mark.nodb
UTC = dt.UTC


def test_a_skipped_spring_time_is_refused_naming_the_field() -> None:
    with pytest.raises(InvalidInput) as err:
        times.uk_local(dt.datetime(2026, 3, 29, 1, 30), "detected_at")
    assert err.value.field == "detected_at"
    assert "does not exist in UK time" in err.value.message


def test_a_repeated_autumn_time_is_its_first_occurrence_in_bst() -> None:
    assert times.is_ambiguous(dt.datetime(2026, 10, 25, 1, 30))
    assert times.uk_local(dt.datetime(2026, 10, 25, 1, 30), "t") == dt.datetime(
        2026, 10, 25, 0, 30, tzinfo=UTC
    )
    # A user who meant the second 01:30 says so with an offset.
    assert times.parse_input("2026-10-25T01:30+00:00", "t") == dt.datetime(2026, 10, 25, 1, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("local", "utc"),
    [
        ("2026-03-29T00:59", dt.datetime(2026, 3, 29, 0, 59, tzinfo=UTC)),
        ("2026-03-29T02:00", dt.datetime(2026, 3, 29, 1, 0, tzinfo=UTC)),
        ("2026-10-24T10:00", dt.datetime(2026, 10, 24, 9, 0, tzinfo=UTC)),
        ("2026-10-25T02:00", dt.datetime(2026, 10, 25, 2, 0, tzinfo=UTC)),
        ("2026-12-01T09:30", dt.datetime(2026, 12, 1, 9, 30, tzinfo=UTC)),
    ],
)
def test_form_input_is_uk_local_time_stored_as_utc(local: str, utc: dt.datetime) -> None:
    value = times.parse_input(local, "t")
    assert value == utc
    assert value is not None and value.utcoffset() == dt.timedelta(0)


@pytest.mark.parametrize(
    ("anchor", "hours"),
    [
        (dt.datetime(2026, 10, 24, 10, 0), 72),
        (dt.datetime(2026, 10, 24, 10, 0), 24),
        (dt.datetime(2026, 10, 24, 10, 0), 48),
        (dt.datetime(2026, 3, 28, 10, 0), 72),
        (dt.datetime(2026, 3, 28, 10, 0), 24),
        (dt.datetime(2026, 3, 28, 10, 0), 48),
    ],
)
def test_after_is_elapsed_time_even_from_a_london_aware_value(anchor: dt.datetime, hours: int) -> None:
    # A London-tz value is what Django's make_aware produced: wall-clock arithmetic on it
    # is the bug this module exists for.
    london = anchor.replace(tzinfo=times.UK)
    deadline = times.after(london, dt.timedelta(hours=hours))
    assert (deadline - london.astimezone(UTC)).total_seconds() == hours * 3600
    assert deadline.astimezone(UTC) - london.astimezone(UTC) == dt.timedelta(hours=hours)
    naive_wall = london + dt.timedelta(hours=hours)  # what the old code stored
    assert (naive_wall - london) == dt.timedelta(hours=hours)  # Python says 72 h...
    assert naive_wall.astimezone(UTC) != deadline  # ...but the instant is an hour off.


def test_uk_time_labels_the_zone_in_each_season() -> None:
    summer = dt.datetime(2026, 10, 24, 9, 0, tzinfo=UTC)
    winter = dt.datetime(2026, 10, 27, 9, 0, tzinfo=UTC)
    assert times.uk_time(summer) == "Saturday 24 October 2026, 10:00 BST"
    assert times.uk_time(winter) == "Tuesday 27 October 2026, 09:00 GMT"
    assert times.uk_time(winter, "short") == "27 Oct 2026 09:00 GMT"
    assert times.uk_time(summer, "time") == "10:00 BST"
    assert times.uk_time(summer, "date") == "24 October 2026"
    assert times.uk_time(None) == "Not known"


@pytest.mark.parametrize(
    "value",
    [
        "0001-01-01T00:00:00+01:00",
        "0001-01-01T00:00:00-01:00",
        "1989-12-31T23:59:59+00:00",
        "2100-01-01T00:00:00+00:00",
        "9999-12-31T23:59:59-01:00",
        "9999-12-31T23:59:59+14:00",
        "2026-01-01T00:00:00",
    ],
)
def test_out_of_range_or_naive_values_are_refused_by_the_shared_type(value: str) -> None:
    class Body(BaseModel):
        when: times.BoundedDatetime

    with pytest.raises(ValidationError) as err:
        Body(when=value)  # type: ignore[arg-type]
    assert err.value.errors()[0]["loc"] == ("when",)
    with pytest.raises(InvalidInput) as domain:
        times.check_datetime(dt.datetime.fromisoformat(value), "when")
    assert domain.value.field == "when"


def test_in_range_values_are_kept_as_the_same_instant_in_utc() -> None:
    class Body(BaseModel):
        when: times.BoundedDatetime

    value = Body(when="2026-10-24T10:00:00+01:00").when  # type: ignore[arg-type]
    assert value == dt.datetime(2026, 10, 24, 9, 0, tzinfo=UTC) and value.utcoffset() == dt.timedelta(0)
    assert Body(when="1990-01-01T00:00:00Z").when.year == 1990  # type: ignore[arg-type]


@pytest.mark.parametrize("raw", ["0001-01-01T00:00", "9999-12-31T23:59", "1989-06-01T12:00"])
def test_form_input_out_of_range_is_refused(raw: str) -> None:
    with pytest.raises(InvalidInput) as err:
        times.parse_input(raw, "due_at")
    assert err.value.field == "due_at" and "1990" in err.value.message


# -- one formatting function --------------------------------------------------------------

SRC = __import__("pathlib").Path(__file__).resolve().parents[2] / "src" / "incidentroom"
# Machine formats, not text for a person: the hashed log form, the datetime-local widget's
# value format, a download's file-name stamp, and machine JSON/CSV (ISO with offset).
ALLOWED = {
    "incidents/logchain.py",
    "incidents/forms.py",
    "continuity/views.py",
    "core/times.py",
    # Machine formats, never shown to a person: the hash chain's canonical UTC text, and
    # the timestamp layouts of the log formats a sweep parses.
    "incidents/hashchain.py",
    "threats/sweep/formats/syslog.py",
    "threats/sweep/formats/base.py",
}


def test_no_page_or_document_formats_a_time_itself() -> None:
    """Every time a person reads goes through times.uk_time (or the |uk_time filter): a
    template ``|date`` with hours, or an strftime with hours, elsewhere is a regression."""
    import re

    offenders = []
    for path in SRC.rglob("*"):
        rel = path.relative_to(SRC).as_posix()
        if rel.startswith(("scanner/", "static/")) or "/migrations/" in rel or rel in ALLOWED:
            continue
        if path.suffix == ".html":
            text = path.read_text(encoding="utf-8")
            for fmt in re.findall(r"\|date:[\"']([^\"']*)[\"']", text):
                if re.search(r"[HGgiAaPs]", fmt) and fmt not in ("c", "Y-m-d\\TH:i"):
                    offenders.append(f"{rel}: |date:{fmt!r}")
        elif path.suffix == ".py":
            text = path.read_text(encoding="utf-8")
            offenders += [f"{rel}: {m}" for m in re.findall(r"[:\"'][^\"'\n]*%H[^\"'\n]*", text)]
            if "timezone.localtime(" in text:
                offenders.append(f"{rel}: timezone.localtime")
    assert offenders == []
