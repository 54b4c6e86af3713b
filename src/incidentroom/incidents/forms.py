"""Forms that parse page input for the incident actions (validation of rules stays in actions)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from incidentroom.core import times
from incidentroom.core.errors import InvalidInput
from incidentroom.incidents.models import (
    ActionStatus,
    Containment,
    EntryKind,
    NcscCategory,
    ObligationStatus,
    Severity,
    SystemState,
)


class LocalDateTimeField(forms.DateTimeField):
    """A browser ``datetime-local`` value, read as UK local time."""

    widget = forms.DateTimeInput(
        attrs={"type": "datetime-local", "class": "govuk-input govuk-!-width-one-third"},
        format="%Y-%m-%dT%H:%M",
    )

    def to_python(self, value: Any) -> dt.datetime | None:
        """Read the value as UK local time (or ISO with an offset), through the shared rules
        for range and clock changes; the stored value is UTC."""
        try:
            if isinstance(value, dt.datetime):
                return times.uk_local(value, "time")
            if value in self.empty_values:
                return None
            return times.parse_input(str(value), "time")
        except InvalidInput as exc:
            # The form names the field; the message need not say "time" twice.
            raise forms.ValidationError(exc.message.removeprefix("time: "), code="invalid") from exc

    def prepare_value(self, value: Any) -> Any:
        """Show a stored (UTC) time as the UK wall-clock value the input expects."""
        if isinstance(value, dt.datetime):
            return times.form_value(value)
        return value


def _select(choices: Any) -> forms.ChoiceField:
    return forms.ChoiceField(choices=choices, widget=forms.Select(attrs={"class": "govuk-select"}))


class IncidentForm(forms.Form):
    """Open an incident."""

    title = forms.CharField(max_length=200, widget=forms.TextInput(attrs={"class": "govuk-input"}))
    origin = forms.ChoiceField(widget=forms.Select(attrs={"class": "govuk-select"}))
    organisations = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    detected_at = LocalDateTimeField()
    ncsc_category = _select(NcscCategory.choices)
    severity = _select(Severity.choices)
    summary = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": 3})
    )

    def __init__(
        self, *args: Any, org_choices: list[tuple[str, str]], all_orgs: list[tuple[str, str]], **kw: Any
    ) -> None:
        super().__init__(*args, **kw)
        self.fields["origin"].choices = org_choices  # type: ignore[attr-defined]
        self.fields["organisations"].choices = all_orgs  # type: ignore[attr-defined]


class SystemStateForm(forms.Form):
    """Set a system's state."""

    system = forms.ChoiceField(widget=forms.Select(attrs={"class": "govuk-select"}))
    state = _select(SystemState.choices)
    note = forms.CharField(
        required=False, max_length=2000, widget=forms.TextInput(attrs={"class": "govuk-input"})
    )

    def __init__(self, *args: Any, system_choices: list[tuple[str, str]], **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["system"].choices = system_choices  # type: ignore[attr-defined]


class ContainmentForm(forms.Form):
    """Change an organisation's containment state."""

    organisation = forms.CharField(widget=forms.HiddenInput)
    containment = _select(Containment.choices)


class AwarenessForm(forms.Form):
    """Set when a controller became aware."""

    organisation = forms.CharField(widget=forms.HiddenInput)
    became_aware_at = LocalDateTimeField()


class LogEntryForm(forms.Form):
    """Append to the log."""

    kind = _select(EntryKind.choices)
    text = forms.CharField(
        max_length=20000, widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": 3})
    )
    occurred_at = LocalDateTimeField(required=False)
    corrects = forms.IntegerField(
        required=False,
        min_value=1,
        widget=forms.NumberInput(attrs={"class": "govuk-input govuk-input--width-4"}),
    )


class ActionForm(forms.Form):
    """Create an action."""

    title = forms.CharField(max_length=300, widget=forms.TextInput(attrs={"class": "govuk-input"}))
    organisation = forms.ChoiceField(widget=forms.Select(attrs={"class": "govuk-select"}))
    due_at = LocalDateTimeField(required=False)

    def __init__(self, *args: Any, org_choices: list[tuple[str, str]], **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["organisation"].choices = org_choices  # type: ignore[attr-defined]


class ActionStatusForm(forms.Form):
    """Move an action on."""

    status = _select(ActionStatus.choices)


class ObligationForm(forms.Form):
    """Update a reporting obligation."""

    status = _select(ObligationStatus.choices)
    reason = forms.CharField(
        required=False, max_length=2000, widget=forms.TextInput(attrs={"class": "govuk-input"})
    )
    external_reference = forms.CharField(
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-!-width-one-half"}),
    )


class BreachForm(forms.Form):
    """Declare a personal data breach for one controller."""

    organisation = forms.CharField(widget=forms.HiddenInput)
    became_aware_at = LocalDateTimeField()
