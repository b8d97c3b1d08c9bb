"""The staff filing form: field validation only; the rules live in services."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalogue.models import Municipality
from catalogue.selectors import tag_choices
from deviations.models import AgeBand, Category, Consequence, Gender, Severity, User
from deviations.selectors import unit_list
from deviations.services import DeviationInput

DESCRIPTION_MAX_CHARS = 5000


class TagListField(forms.Field):
    """Tag ids from the chips: one hidden input per chip, all named `tags`."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[str]:
        if not value:
            return []
        values = [value] if isinstance(value, str) else list(value)
        return [str(v).strip() for v in values if str(v).strip()]

    def validate(self, value: list[str]) -> None:
        super().validate(value)
        known = tag_choices()
        unknown = [v for v in value if v not in known]
        if unknown:
            raise forms.ValidationError(
                _("Unknown tag: %(tags)s. Choose from the catalogue."),
                code="unknown_tag",
                params={"tags": ", ".join(unknown[:5])},
            )


class DeviationForm(forms.Form):
    description = forms.CharField(
        label=_("What happened?"),
        help_text=_(
            "Describe the situation without names, identity numbers, phone numbers or addresses."
        ),
        widget=forms.Textarea(attrs={"rows": 8, "maxlength": DESCRIPTION_MAX_CHARS}),
        max_length=DESCRIPTION_MAX_CHARS,
        min_length=20,
        error_messages={
            "required": _("Describe what happened."),
            "min_length": _("Write at least %(limit_value)d characters about what happened."),
        },
    )
    occurred_on = forms.DateField(
        label=_("When did it happen?"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Give the date of the event."),
            "invalid": _("Write the date as YYYY-MM-DD."),
        },
    )
    unit = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=None,
        empty_label=None,
        error_messages={"required": _("Choose your unit.")},
    )
    municipality = forms.ModelChoiceField(
        label=_("Municipality"),
        queryset=Municipality.objects.order_by("name"),
        empty_label=_("Choose a municipality"),
        error_messages={"required": _("Choose the municipality where it happened.")},
    )
    category = forms.ChoiceField(
        label=_("Category"),
        choices=[("", _("Choose a category")), *Category.choices],
        error_messages={"required": _("Choose the category that fits best.")},
    )
    consequence = forms.ChoiceField(
        label=_("Consequence for the person"),
        choices=[("", _("Choose a consequence")), *Consequence.choices],
        required=False,
    )
    severity = forms.TypedChoiceField(
        label=_("Severity"),
        choices=[("", _("Not assessed")), *Severity.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    gender = forms.ChoiceField(
        label=_("Participant's gender"),
        choices=[("", _("Not stated")), *Gender.choices],
        required=False,
    )
    age_band = forms.ChoiceField(
        label=_("Participant's age"),
        choices=[("", _("Not stated")), *AgeBand.choices],
        required=False,
    )
    tags = TagListField(label=_("Agencies and provisions"), required=False)
    # Set by the chips script; without it the chips were never shown and every suggestion stays.
    tags_edited = forms.BooleanField(required=False, widget=forms.HiddenInput)
    names_confirmed = forms.BooleanField(
        label=_("I have checked: the marked words are not the name of a person in the case."),
        required=False,
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = unit_list(user=user).order_by("name")
        self.fields["unit"].queryset = units
        first = units.first()
        if first is not None and "unit" not in self.initial:
            self.initial["unit"] = first.pk
            only = list(first.municipalities.all()[:2])
            if len(only) == 1:
                self.initial.setdefault("municipality", only[0].pk)
        self.initial.setdefault("occurred_on", timezone.localdate())

    def clean_occurred_on(self) -> date:
        value: date = self.cleaned_data["occurred_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The event date cannot be in the future."))
        if value.year < 2000:
            raise forms.ValidationError(_("Give a date from the year 2000 or later."))
        return value

    def to_input(self) -> DeviationInput:
        return DeviationInput.from_fields(self.cleaned_data)

    def chosen_tags(self) -> list[str] | None:
        """The reporter's chips, or None when they never saw any (no JavaScript, no preview)."""
        return self.cleaned_data["tags"] if self.cleaned_data.get("tags_edited") else None
