"""The staff filing form and the admin's deviation form: both check with deviations.rules."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalogue.models import Municipality
from core.errors import PersonalDataError
from deviations import rules
from deviations.models import (
    QUOTE_MAX_CHARS,
    AgeBand,
    Category,
    Consequence,
    Gender,
    Severity,
    User,
)
from deviations.rules import DESCRIPTION_MAX_CHARS, FieldRuleError
from deviations.selectors import unit_list
from deviations.services import CORRECTABLE, REASON_MAX_CHARS, DeviationInput, quote_check
from privacy.forms import PersonalDataModelForm


def _refusal(error: FieldRuleError) -> forms.ValidationError:
    return forms.ValidationError(error.message, code=error.code)


class RuleChoiceField(forms.TypedChoiceField):
    """A choice list whose refusal is the rule's, worded as on every other way in."""

    def __init__(self, *args: Any, rule: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rule = rule

    def validate(self, value: Any) -> None:
        forms.Field.validate(self, value)  # required; the choice list is the rule's job
        try:
            rules.check_choice(self.rule, value)
        except FieldRuleError as error:
            raise _refusal(error) from None


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
        try:
            rules.check_tags(value)
        except FieldRuleError as error:
            raise _refusal(error) from None


class DeviationForm(forms.Form):
    description = forms.CharField(
        label=_("What happened?"),
        help_text=_(
            "Describe the situation without names, identity numbers, phone numbers or addresses."
        ),
        widget=forms.Textarea(attrs={"rows": 8, "maxlength": DESCRIPTION_MAX_CHARS}),
        error_messages={"required": rules.DESCRIPTION_REQUIRED_MESSAGE},
    )
    occurred_on = forms.DateField(
        label=_("When did it happen?"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Give the date of the event."),
            "invalid": rules.DATE_FORMAT_MESSAGE,
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
    category = RuleChoiceField(
        rule="category",
        label=_("Category"),
        choices=[("", _("Choose a category")), *Category.choices],
        error_messages={"required": _("Choose the category that fits best.")},
    )
    consequence = RuleChoiceField(
        rule="consequence",
        label=_("Consequence for the person"),
        choices=[("", _("Choose a consequence")), *Consequence.choices],
        required=False,
    )
    severity = RuleChoiceField(
        rule="severity",
        label=_("Severity"),
        choices=[("", _("Not assessed")), *Severity.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    gender = RuleChoiceField(
        rule="gender",
        label=_("Participant's gender"),
        choices=[("", _("Not stated")), *Gender.choices],
        required=False,
    )
    age_band = RuleChoiceField(
        rule="age_band",
        label=_("Participant's age"),
        choices=[("", _("Not stated")), *AgeBand.choices],
        required=False,
    )
    participant_quote = forms.CharField(
        label=_("The participant's own words"),
        help_text=_(
            "A sentence or two, only if the participant agrees. Never their name or anything "
            "that tells who they are."
        ),
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": QUOTE_MAX_CHARS}),
        max_length=QUOTE_MAX_CHARS,
        required=False,
    )
    participant_consent = forms.BooleanField(
        label=_("The participant agreed that their words are kept and may be read anonymously."),
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

    def clean_description(self) -> str:
        value: str = self.cleaned_data["description"]
        try:
            rules.check_description(value, typed=True)
        except FieldRuleError as error:
            raise _refusal(error) from None
        return value

    def clean_participant_quote(self) -> str:
        value: str = self.cleaned_data["participant_quote"]
        try:
            quote_check(text=value)
        except PersonalDataError as error:
            raise forms.ValidationError(error.message, code=error.code) from None
        return value

    def clean_occurred_on(self) -> date:
        value: date = self.cleaned_data["occurred_on"]
        try:
            rules.check_occurred_on(value)
        except FieldRuleError as error:
            raise _refusal(error) from None
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        try:
            rules.check_quote(
                cleaned.get("participant_quote", ""), consent=cleaned.get("participant_consent")
            )
        except FieldRuleError as error:
            self.add_error(error.field, _refusal(error))
        if cleaned.get("unit") and cleaned.get("municipality"):
            try:
                rules.check_place(unit=cleaned["unit"], municipality=cleaned["municipality"])
            except FieldRuleError as error:
                self.add_error(error.field, _refusal(error))
        return cleaned

    def to_input(self) -> DeviationInput:
        return DeviationInput.from_fields(self.cleaned_data)

    def chosen_tags(self) -> list[str] | None:
        """The reporter's chips, or None when they never saw any (no JavaScript, no preview)."""
        return self.cleaned_data["tags"] if self.cleaned_data.get("tags_edited") else None


class DeviationAdminForm(PersonalDataModelForm):
    """The admin's edit form: the same rules as filing, for the values an administrator changes.

    Stored values nobody touched are not judged again, so correcting the status of an old record
    never fails on a rule that came later. The description has no minimum here: the text was
    written by someone else, as with an import. The admin supplies the model and the fields.
    """

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        changed = set(self.changed_data)
        description, occurred_on = cleaned.get("description"), cleaned.get("occurred_on")
        unit, municipality = cleaned.get("unit"), cleaned.get("municipality")
        if "description" in changed and description is not None:
            self._check(rules.check_description, description, typed=False)
        if "occurred_on" in changed and occurred_on is not None:
            self._check(rules.check_occurred_on, occurred_on)
        if changed & {"unit", "municipality"} and unit and municipality:
            self._check(rules.check_place, unit=unit, municipality=municipality)
        if changed & {"participant_quote", "participant_consent"}:
            consent = bool(cleaned.get("participant_consent"))
            self._check(rules.check_quote, cleaned.get("participant_quote") or "", consent=consent)
        return cleaned

    def _check(self, rule: Callable[..., None], *args: Any, **kwargs: Any) -> None:
        """Run one rule and show its refusal next to the field it is about."""
        try:
            rule(*args, **kwargs)
        except FieldRuleError as error:
            self.add_error(error.field, _refusal(error))


class TaggingAdminForm(PersonalDataModelForm):
    """A tag an administrator adds or corrects passes the same tag rule as everywhere else."""

    def clean_tag_id(self) -> str:
        value: str = self.cleaned_data["tag_id"]
        if "tag_id" in self.changed_data:
            try:
                rules.check_tags([value])
            except FieldRuleError as error:
                raise _refusal(error) from None
        return value


class CorrectionForm(forms.Form):
    """The reporter's correction: the filing form's own fields (one definition of each), and
    why. deviations.services.deviation_correct applies the rules and the gate again."""

    reason = forms.CharField(
        label=_("Why the correction?"),
        help_text=_("A short note for the analysts, e.g. “wrong date” or “a word was missing”."),
        max_length=REASON_MAX_CHARS,
    )
    names_confirmed = DeviationForm.base_fields["names_confirmed"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        copied = {name: copy.deepcopy(DeviationForm.base_fields[name]) for name in CORRECTABLE}
        self.fields = {**copied, **self.fields}


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why withdraw it?"),
        help_text=_("E.g. “filed twice” or “filed by mistake”."),
        max_length=REASON_MAX_CHARS,
    )
