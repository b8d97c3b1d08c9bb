"""The guldkorn forms: only fields; the rules and the gate are deviations.practices'."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalogue.models import Municipality
from deviations.models import GoodPractice, Unit, User
from deviations.practices import TRIAGE_PERMISSION, PracticeInput

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PracticeForm(forms.Form):
    title = forms.CharField(
        label=_("In short"),
        max_length=200,
        help_text=_("E.g. “Joint meeting before day 180”."),
        error_messages={"required": _("Say in a few words what the guldkorn is.")},
    )
    what_was_done = forms.CharField(
        label=_("What was done"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Describe the practice, not the person: no names or identity numbers."),
        error_messages={"required": _("Describe what was done.")},
    )
    who = forms.CharField(
        label=_("Who did it"),
        max_length=300,
        help_text=_("Agencies and roles, e.g. “FK:s handläggare, Af and the social services”."),
        error_messages={"required": _("Say which agencies or roles took part.")},
    )
    what_it_solved = forms.CharField(
        label=_("What it solved"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Which rules clashed, and what went right because of it."),
        error_messages={"required": _("Say what it solved.")},
    )
    occurred_on = forms.DateField(
        label=_("When"),
        widget=DATE,
        error_messages={
            "required": _("Give the date."),
            "invalid": _("Write the date as YYYY-MM-DD."),
        },
    )
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none(), empty_label=None)
    municipality = forms.ModelChoiceField(
        label=_("Municipality"),
        queryset=Municipality.objects.order_by("name"),
        empty_label=_("Choose a municipality"),
        error_messages={"required": _("Choose the municipality where it happened.")},
    )
    names_confirmed = forms.BooleanField(
        label=_("I have checked: the marked words are not the name of a person in the case."),
        required=False,
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = Unit.objects.order_by("name")
        if not user.has_perm(TRIAGE_PERMISSION):
            units = units.filter(pk__in=user.units.values("pk"))
        self.fields["unit"].queryset = units
        self.initial.setdefault("occurred_on", timezone.localdate())
        first = units.first()
        if first is not None:
            self.initial.setdefault("unit", first.pk)

    def to_input(self) -> PracticeInput:
        data = self.cleaned_data
        return PracticeInput(
            title=data["title"],
            what_was_done=data["what_was_done"],
            who=data["who"],
            what_it_solved=data["what_it_solved"],
            occurred_on=data["occurred_on"],
            unit=data["unit"],
            municipality=data["municipality"],
        )


class PracticeConfirmForm(forms.Form):
    """An analyst's decision: the tags that describe the practice, or not taken up."""

    tags = forms.MultipleChoiceField(
        label=_("Tags that describe it"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args: Any, practice: GoodPractice, labels: dict[str, str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        suggested = [tag["tag_id"] for tag in practice.suggested_tags]
        known = list(dict.fromkeys([*suggested, *practice.confirmed_tags]))
        self.fields["tags"].choices = [(tag, labels.get(tag, tag)) for tag in known]
        self.initial.setdefault("tags", practice.confirmed_tags or suggested)
