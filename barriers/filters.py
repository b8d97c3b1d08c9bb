"""The one FilterSet for barrier lists, shared by the HTML list and the API."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from barriers.models import Barrier
from core.search import search


class EqualityWidget(forms.CheckboxInput):
    """A tick on the page; in a query "1", "true", "on" tick it and "0", "false", "off" do
    not (a plain checkbox reads every non-empty value, "0" too, as ticked)."""

    def value_from_datadict(self, data, files, name):  # noqa: ANN001, ANN201
        value = data.get(name)
        if isinstance(value, str):
            return value.strip().lower() in ("1", "true", "on", "yes")
        return bool(value)


class BarrierFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Barrier.Status.choices, label=_("Status"))
    q = django_filters.CharFilter(method="filter_text", label=_("Search the text"), max_length=200)
    equality_issue = django_filters.BooleanFilter(
        label=_("Equality issues only"), method="filter_equality", widget=EqualityWidget
    )

    class Meta:
        model = Barrier
        fields = ["status", "q", "equality_issue"]

    def filter_equality(
        self, queryset: QuerySet[Barrier], name: str, value: bool | None
    ) -> QuerySet[Barrier]:
        return queryset.filter(equality_issue=True) if value else queryset

    def filter_text(self, queryset: QuerySet[Barrier], name: str, value: str) -> QuerySet[Barrier]:
        """Title, description, root cause and proposed change, Swedish stemming (core.search)."""
        return search(queryset, value)
