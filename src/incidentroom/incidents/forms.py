"""Forms that parse page input for the incident actions (validation of rules stays in actions)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from incidentroom.core import times
from incidentroom.core.errors import InvalidInput, labelled
from incidentroom.incidents.models import (
    ActionStatus,
    Containment,
    EntryKind,
    NcscCategory,
    ObligationStatus,
    Severity,
    SystemState,
)


class UkDateTimeWidget(forms.Widget):
    """The GOV.UK date input pattern (Day, Month, Year boxes and the time as Hour and
    Minute), rendered by ``{% datetime_field %}`` (core/templatetags/ir_forms.py)."""

    template_name = "core/widgets/datetime_parts.html"

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        """Rendered on its own (``{{ form.field }}``) it still shows the boxes, with a plain
        legend; pages use ``{% datetime_field %}`` to give the legend and the errors."""
        return {
            "name": name,
            "id": (attrs or {}).get("id") or f"id_{name}",
            "legend": self.attrs.get("legend", "Date and time"),
            "hint": "",
            "parts": times.form_parts(value if isinstance(value, dt.datetime | str) else None),
            "errors": [],
            "optional": not self.is_required,
        }

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        """The boxes joined into ISO text, or the single value a client posted as ``name``."""
        try:
            return times.joined_parts(data, name)
        except InvalidInput as exc:
            # Kept so that the field's clean() reports it against this field.
            return exc

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        """Missing only when neither the single value nor any box was posted."""
        return name not in data and not any(f"{name}-{p}" in data for p in times.DATE_PARTS)


class LocalDateTimeField(forms.DateTimeField):
    """A date and time typed in the GOV.UK date input pattern, read as UK local time.

    Its messages name the field once by its label, as GOV.UK's do ("Became aware at must
    include a year"), so the box's message and the error summary can show them as they are."""

    widget = UkDateTimeWidget

    def __init__(self, *, label: str, **kwargs: Any) -> None:
        super().__init__(label=label, **kwargs)
        self.error_messages["required"] = f"{label} must include a date and time."

    def to_python(self, value: Any) -> dt.datetime | None:
        """Read the value as UK local time (or ISO with an offset), through the shared rules
        for range and clock changes; the stored value is UTC."""
        try:
            if isinstance(value, InvalidInput):
                raise value
            if isinstance(value, dt.datetime):
                return times.uk_local(value, "time")
            if value in self.empty_values:
                return None
            return times.parse_input(str(value), "time")
        except InvalidInput as exc:
            # The shared rules name the field by its code ("time", "became_aware_at"): the
            # page names it by its label, once.
            message = labelled(exc.message, str(self.label), exc.field, prefix=False)
            if exc.field == "time":
                message = labelled(message, str(self.label), "time", prefix=False)
            raise forms.ValidationError(message, code="invalid") from exc

    def prepare_value(self, value: Any) -> Any:
        """Keep a stored (UTC) time as is: the widget shows it in UK wall-clock boxes."""
        return value


def _select(choices: Any, label: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label, choices=choices, widget=forms.Select(attrs={"class": "govuk-select"})
    )


class IncidentForm(forms.Form):
    """Open an incident."""

    title = forms.CharField(
        label="Title", max_length=200, widget=forms.TextInput(attrs={"class": "govuk-input"})
    )
    origin = forms.ChoiceField(label="Where it began", widget=forms.Select(attrs={"class": "govuk-select"}))
    organisations = forms.MultipleChoiceField(
        label="Other councils involved", required=False, widget=forms.CheckboxSelectMultiple
    )
    detected_at = LocalDateTimeField(label="Detected at")
    ncsc_category = _select(NcscCategory.choices, "NCSC category")
    severity = _select(Severity.choices, "Severity")
    summary = forms.CharField(
        label="Summary", required=False, widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": 3})
    )

    def __init__(
        self, *args: Any, org_choices: list[tuple[str, str]], all_orgs: list[tuple[str, str]], **kw: Any
    ) -> None:
        super().__init__(*args, **kw)
        self.fields["origin"].choices = org_choices  # type: ignore[attr-defined]
        self.fields["organisations"].choices = all_orgs  # type: ignore[attr-defined]


class SystemStateForm(forms.Form):
    """Set a system's state."""

    system = forms.ChoiceField(label="System", widget=forms.Select(attrs={"class": "govuk-select"}))
    state = _select(SystemState.choices, "State")
    note = forms.CharField(
        label="Note", required=False, max_length=2000, widget=forms.TextInput(attrs={"class": "govuk-input"})
    )

    def __init__(self, *args: Any, system_choices: list[tuple[str, str]], **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["system"].choices = system_choices  # type: ignore[attr-defined]


class ContainmentForm(forms.Form):
    """Change an organisation's containment state."""

    organisation = forms.CharField(widget=forms.HiddenInput)
    containment = _select(Containment.choices, "Containment")


class AwarenessForm(forms.Form):
    """Set when a controller became aware."""

    organisation = forms.CharField(widget=forms.HiddenInput)
    became_aware_at = LocalDateTimeField(label="Became aware at")


class LogEntryForm(forms.Form):
    """Append to the log."""

    kind = _select(EntryKind.choices, "Kind of entry")
    text = forms.CharField(
        label="Entry", max_length=20000, widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": 3})
    )
    occurred_at = LocalDateTimeField(label="When it happened", required=False)
    corrects = forms.IntegerField(
        label="Corrects entry number",
        required=False,
        min_value=1,
        widget=forms.NumberInput(attrs={"class": "govuk-input govuk-input--width-4"}),
    )


class ActionForm(forms.Form):
    """Create an action."""

    title = forms.CharField(
        label="Action", max_length=300, widget=forms.TextInput(attrs={"class": "govuk-input"})
    )
    organisation = forms.ChoiceField(label="Council", widget=forms.Select(attrs={"class": "govuk-select"}))
    due_at = LocalDateTimeField(label="Due", required=False)

    def __init__(self, *args: Any, org_choices: list[tuple[str, str]], **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["organisation"].choices = org_choices  # type: ignore[attr-defined]


class ActionStatusForm(forms.Form):
    """Move an action on."""

    status = _select(ActionStatus.choices, "Status")


class ObligationForm(forms.Form):
    """Update a reporting obligation."""

    status = _select(ObligationStatus.choices, "Status")
    reason = forms.CharField(
        label="Reason (if not required)",
        required=False,
        max_length=2000,
        widget=forms.TextInput(attrs={"class": "govuk-input"}),
    )
    external_reference = forms.CharField(
        label="Reference given by the recipient",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-!-width-one-half"}),
    )


class BreachForm(forms.Form):
    """Declare a personal data breach for one controller."""

    organisation = forms.CharField(widget=forms.HiddenInput)
    became_aware_at = LocalDateTimeField(label="Became aware of the breach at")


class ObligationRecordForm(ObligationForm):
    """Record a report from the dashboard, picking which one from a list (kept out of the
    live panels so that a reference being typed is not wiped by the refresh)."""

    obligation = forms.ChoiceField(label="Report", widget=forms.Select(attrs={"class": "govuk-select"}))
    field_order = ["obligation", "status", "external_reference", "reason"]

    def __init__(self, *args: Any, obligation_choices: list[tuple[int, str]], **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["obligation"].choices = obligation_choices  # type: ignore[attr-defined]
        self.fields["status"].choices = [  # type: ignore[attr-defined]
            (v, label) for v, label in ObligationStatus.choices if v != ObligationStatus.DUE
        ]
