"""The one FilterSet for barrier lists, shared by the HTML list and the API."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from barriers.models import Barrier
from core.search import search


class BarrierFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Barrier.Status.choices, label=_("Status"))
    q = django_filters.CharFilter(method="filter_text", label=_("Search the text"), max_length=200)

    class Meta:
        model = Barrier
        fields = ["status", "q"]

    def filter_text(self, queryset: QuerySet[Barrier], name: str, value: str) -> QuerySet[Barrier]:
        """Title, description, root cause and proposed change, Swedish stemming (core.search)."""
        return search(queryset, value)
