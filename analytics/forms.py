"""The filter every analysis page shares: period, förbund or municipalities, unit, support."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from analytics.extract import AnalysisFilter
from analytics.types import KnotParams
from catalogue.models import Forbund, Municipality
from deviations.models import Unit


class AnalysisFilterForm(forms.Form):
    since = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Write the date as YYYY-MM-DD.")},
    )
    until = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Write the date as YYYY-MM-DD.")},
    )
    forbund = forms.ModelChoiceField(
        label=_("Samordningsförbund"),
        queryset=Forbund.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label=_("All"),
    )
    municipality = forms.ModelMultipleChoiceField(
        label=_("Municipalities"),
        queryset=Municipality.objects.order_by("name"),
        to_field_name="code",
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    unit = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=Unit.objects.order_by("name"),
        required=False,
        empty_label=_("All"),
    )
    min_support = forms.IntegerField(
        label=_("Minimum number of deviations"),
        min_value=2,
        max_value=10_000,
        required=False,
        initial=KnotParams().min_support,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["min_support"].widget.attrs["inputmode"] = "numeric"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end date is before the start date."))
        return data

    def to_filter(self) -> AnalysisFilter:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return AnalysisFilter(
            since=data.get("since"),
            until=data.get("until"),
            municipalities=tuple(m.code for m in data.get("municipality") or ()),
            forbund=data["forbund"].slug if data.get("forbund") else None,
            units=(data["unit"].pk,) if data.get("unit") else (),
        )

    def params(self) -> KnotParams:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return KnotParams(min_support=data.get("min_support") or KnotParams().min_support)
