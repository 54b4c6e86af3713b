"""The shared mechanisms in core (issue 16): each rule has one home, and the apps that use it
answer exactly as the explicit rule would."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django import forms
from django.contrib.auth.models import User

from incidentroom import csvfile
from incidentroom.core import times
from incidentroom.core.errors import InvalidInput, NotFound, form_error
from incidentroom.core.models import Organisation
from incidentroom.core.scoping import get_scoped
from incidentroom.estate.models import System
from incidentroom.incidents import queries
from incidentroom.incidents.models import Action, Incident, LogEntry, Obligation
from tests.helpers.db import first


def test_not_future_allows_clock_skew_and_refuses_beyond_it_naming_the_field() -> None:
    now = dt.datetime.now(dt.UTC)
    inside = now + times.FUTURE_SKEW - dt.timedelta(seconds=30)
    assert times.not_future(inside, "detected_at") == inside
    with pytest.raises(InvalidInput) as err:
        times.not_future(now + times.FUTURE_SKEW + dt.timedelta(minutes=1), "detected_at")
    assert err.value.field == "detected_at"
    assert "future" in err.value.message
    # The shared range and zone rules come first.
    with pytest.raises(InvalidInput):
        times.not_future(dt.datetime(1989, 12, 31, tzinfo=dt.UTC), "at")
    with pytest.raises(InvalidInput):
        times.not_future(dt.datetime(2026, 1, 1), "at")  # noqa: DTZ001 - a naive time is the input
    assert times.not_future_optional(None, "at") is None


class _Form(forms.Form):
    organisation = forms.CharField()


def test_form_error_names_the_first_bad_field() -> None:
    form = _Form(data={})
    assert not form.is_valid()
    err = form_error(form)
    assert err.field == "organisation"
    # Named in words (its label, else its name), never by the code name alone.
    assert err.message.startswith("Organisation: ")


def test_unguard_row_undoes_the_formula_guard_and_drops_overflow() -> None:
    assert csvfile.unguard_row({"a": "'=1+1", "b": None, None: "extra"}) == {"a": "=1+1", "b": ""}
    assert csvfile.unguard_row({"a": csvfile.guard("'quoted")}) == {"a": "'quoted"}


@pytest.mark.parametrize("model", [LogEntry, Action, Obligation])
def test_via_parent_is_the_parents_rule(
    model: Any, rbkc_gold: User, outsider_viewer: User, incident: Incident
) -> None:
    for user in (rbkc_gold, outsider_viewer):
        explicit = model.objects.filter(incident__in=Incident.objects.for_user(user))
        assert set(model.objects.for_user(user)) == set(explicit)


def test_via_parent_refuses_a_field_that_is_not_a_foreign_key(db: None, rbkc_gold: User) -> None:
    with pytest.raises(TypeError):
        LogEntry.objects.all().via_parent("text", rbkc_gold)


def test_incident_reads_are_scoped_and_name_the_incident(
    rbkc_gold: User, outsider_viewer: User, incident: Incident
) -> None:
    assert queries.incident_for(rbkc_gold, incident.reference) == incident
    with pytest.raises(NotFound):
        queries.incident_for(outsider_viewer, incident.reference)
    involved = first(incident.organisations.all())
    assert queries.involved_organisation(incident, involved.code.lower()) == involved
    stranger = Organisation.objects.exclude(pk__in=incident.organisations.all()).first()
    assert stranger is not None
    with pytest.raises(InvalidInput) as err:
        queries.involved_organisation(incident, stranger.code)
    assert incident.reference in err.value.message
    with pytest.raises(InvalidInput):
        queries.check_involved(incident, stranger)


def test_an_incidents_systems_are_those_of_its_organisations(incident: Incident) -> None:
    orgs = incident.organisations.all()
    explicit = (System.objects.filter(owner__in=orgs) | System.objects.filter(served__in=orgs)).distinct()
    assert set(queries.systems_in(incident)) == set(explicit)
    codes = [s.code for s in explicit[:2]]
    assert [s.code for s in queries.systems_by_code(incident, [*codes, codes[0]])] == codes
    with pytest.raises(InvalidInput) as err:
        queries.systems_by_code(incident, ["no-such-system"], "systems")
    assert err.value.field == "systems"


def test_get_scoped_hides_what_the_user_cannot_see(
    rbkc_gold: User, outsider_viewer: User, incident: Incident
) -> None:
    assert get_scoped(Incident.objects.for_user(rbkc_gold), "incident", pk=incident.pk) == incident
    with pytest.raises(NotFound):
        get_scoped(Incident.objects.for_user(outsider_viewer), "incident", pk=incident.pk)


def test_form_error_uses_the_pages_own_label_when_given() -> None:
    form = _Form(data={})
    assert not form.is_valid()
    assert form_error(form, {"organisation": "Council"}).message.startswith("Council: ")
