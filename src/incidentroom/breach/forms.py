"""Forms that parse page input for the breach actions (the rules stay in the actions)."""

from __future__ import annotations

from typing import Any

from django import forms

from incidentroom.breach.models import ContactStatus, PeopleCategory, ReportKind, Risk
from incidentroom.incidents.forms import LocalDateTimeField
from incidentroom.scanner.detect.vocab import CATEGORIES

_TEXTAREA = {"class": "govuk-textarea", "rows": 3}
_CHECK = {"class": "govuk-checkboxes__input"}


def _text(required: bool = False, rows: int = 3) -> forms.CharField:
    return forms.CharField(
        required=required, max_length=20000, widget=forms.Textarea(attrs={**_TEXTAREA, "rows": rows})
    )


class BreachForm(forms.Form):
    """The breach assessment (record or update)."""

    organisation = forms.ChoiceField(required=False, widget=forms.Select(attrs={"class": "govuk-select"}))
    description = _text(required=True, rows=4)
    data_sets = _text(rows=2)
    occurred_at = LocalDateTimeField(label="When it happened", required=False)
    became_aware_at = LocalDateTimeField(label="Became aware at")
    discovery = _text(rows=2)
    cyber_incident = forms.BooleanField(
        required=False, initial=True, widget=forms.CheckboxInput(attrs=_CHECK)
    )
    confidentiality = forms.BooleanField(
        required=False, initial=True, widget=forms.CheckboxInput(attrs=_CHECK)
    )
    integrity = forms.BooleanField(required=False, widget=forms.CheckboxInput(attrs=_CHECK))
    availability = forms.BooleanField(required=False, widget=forms.CheckboxInput(attrs=_CHECK))
    people_categories = forms.MultipleChoiceField(
        required=False, choices=PeopleCategory.choices, widget=forms.CheckboxSelectMultiple(attrs=_CHECK)
    )
    likely_consequences = _text()
    measures_taken = _text()
    measures_proposed = _text()
    delay_reason = _text(rows=2)

    def __init__(self, *args: Any, org_choices: list[tuple[str, str]] | None = None, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["organisation"].choices = org_choices or []  # type: ignore[attr-defined]
        self.fields["organisation"].required = bool(org_choices)

    def details(self) -> dict[str, Any]:
        """Cleaned values for the action, without the organisation."""
        return {k: v for k, v in self.cleaned_data.items() if k != "organisation"}


class ScanForm(forms.Form):
    """Scan a folder or archive on the server, or an uploaded archive."""

    path = forms.CharField(
        required=False,
        max_length=1000,
        widget=forms.TextInput(attrs={"class": "govuk-input", "spellcheck": "false"}),
    )
    upload = forms.FileField(
        required=False, widget=forms.ClearableFileInput(attrs={"class": "govuk-file-upload"})
    )
    organisation = forms.ChoiceField(required=False, widget=forms.Select(attrs={"class": "govuk-select"}))

    def __init__(self, *args: Any, org_choices: list[tuple[str, str]], **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["organisation"].choices = [("", "This breach's organisation"), *org_choices]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        """Exactly one of a server path or an upload."""
        data = super().clean() or {}
        if bool(data.get("path")) == bool(data.get("upload")):
            raise forms.ValidationError(
                "Give either a folder or archive on the server, or upload an archive."
            )
        return data


class PeopleFilterForm(forms.Form):
    """Search and filters on the individuals page."""

    q = forms.CharField(
        required=False,
        max_length=200,
        label="Name, postcode, email or address",
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-!-width-one-third"}),
    )
    category = forms.ChoiceField(
        required=False,
        choices=[("", "Any category"), *[(c, c.replace("_", " ")) for c in CATEGORIES]],
        widget=forms.Select(attrs={"class": "govuk-select"}),
    )
    risk = forms.ChoiceField(
        required=False,
        choices=[("", "Any risk"), *Risk.choices],
        widget=forms.Select(attrs={"class": "govuk-select"}),
    )
    organisation = forms.ChoiceField(required=False, widget=forms.Select(attrs={"class": "govuk-select"}))
    status = forms.ChoiceField(
        required=False,
        choices=[("", "Any status"), *[c for c in ContactStatus.choices if c[0] != ContactStatus.MERGED]],
        widget=forms.Select(attrs={"class": "govuk-select"}),
    )

    def __init__(self, *args: Any, org_choices: list[tuple[str, str]], **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["organisation"].choices = [("", "This breach's organisation"), *org_choices]  # type: ignore[attr-defined]


class NotifiedForm(forms.Form):
    """How the person was told."""

    how = forms.CharField(
        max_length=100,
        initial="letter",
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-!-width-one-third"}),
    )


class ReasonForm(forms.Form):
    """Why not to contact the person."""

    reason = forms.CharField(max_length=300, widget=forms.TextInput(attrs={"class": "govuk-input"}))


class MergeForm(forms.Form):
    """Other records (ids) to merge into this one."""

    others = forms.CharField(
        max_length=1000, widget=forms.TextInput(attrs={"class": "govuk-input govuk-!-width-one-half"})
    )

    def ids(self) -> list[int]:
        """The ids typed, comma or space separated."""
        raw = self.cleaned_data["others"].replace(",", " ").split()
        if not all(x.isdigit() for x in raw):
            raise forms.ValidationError("List record numbers separated by commas.")
        return [int(x) for x in raw]


class SplitForm(forms.Form):
    """Documents to move to a new record, and who the new record is."""

    full_name = forms.CharField(max_length=300, widget=forms.TextInput(attrs={"class": "govuk-input"}))
    appearances = forms.MultipleChoiceField(widget=forms.CheckboxSelectMultiple(attrs=_CHECK))
    categories = forms.MultipleChoiceField(
        required=False,
        choices=[(c, c) for c in CATEGORIES],
        widget=forms.CheckboxSelectMultiple(attrs=_CHECK),
    )

    def __init__(self, *args: Any, appearance_choices: list[tuple[str, str]], **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["appearances"].choices = appearance_choices  # type: ignore[attr-defined]


class ReportForm(forms.Form):
    """Which report to draft."""

    kind = forms.ChoiceField(choices=ReportKind.choices)


class SubmitForm(forms.Form):
    """Record a report as filed."""

    external_reference = forms.CharField(
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-!-width-one-half"}),
    )
    submitted_at = LocalDateTimeField(label="Submitted at", required=False)


class RisksForm(forms.Form):
    """Risk levels to contact."""

    risks = forms.MultipleChoiceField(choices=Risk.choices, widget=forms.CheckboxSelectMultiple(attrs=_CHECK))
    subject = forms.CharField(
        required=False, max_length=200, widget=forms.TextInput(attrs={"class": "govuk-input"})
    )


class ResidentTextForm(forms.Form):
    """What residents read: four plain-English fields, written by the DPO."""

    resident_what_happened = forms.CharField(
        required=True, max_length=3000, widget=forms.Textarea(attrs={**_TEXTAREA, "rows": 5})
    )
    resident_what_it_means = forms.CharField(
        required=False, max_length=3000, widget=forms.Textarea(attrs={**_TEXTAREA, "rows": 3})
    )
    resident_what_we_are_doing = forms.CharField(
        required=False, max_length=3000, widget=forms.Textarea(attrs={**_TEXTAREA, "rows": 3})
    )
    resident_what_you_can_do = forms.CharField(
        required=False, max_length=3000, widget=forms.Textarea(attrs={**_TEXTAREA, "rows": 3})
    )


class ApproveForm(forms.Form):
    """Approve the wording the preview showed (its fingerprint)."""

    wording = forms.CharField(max_length=64)


class ConfirmSendForm(forms.Form):
    """The number of people the confirmation named."""

    recipients = forms.IntegerField(min_value=0, max_value=10_000_000)
