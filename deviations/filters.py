"""The one FilterSet for deviation lists, shared by the HTML list and the API (R6)."""

from __future__ import annotations

from collections.abc import Callable

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from catalogue.models import Municipality
from catalogue.selectors import tag_display, tag_for_text
from catalogue.tagids import agency_tag_id, is_tag_id, law_tag_id, parse_tag_id
from core.search import search
from deviations.models import Category, Deviation, Tagging, Unit


def _valid(to_tag_id: Callable[[str], str], kind: str | None = None) -> Callable[[str], None]:
    """A form validator: the value must name a well-formed tag (of `kind`, if given)."""

    def validate(value: str) -> None:
        tag_id = to_tag_id(value.strip())
        if not is_tag_id(tag_id) or (kind and parse_tag_id(tag_id).kind != kind):
            raise ValidationError(
                _("“%(value)s” is not a valid value here."), code="invalid", params={"value": value}
            )

    return validate


def _agency(value: str) -> str:
    return tag_for_text(value, "agency") or agency_tag_id(value.strip().upper())


def _law(value: str) -> str:
    return tag_for_text(value, "law") or law_tag_id(value.strip())


def _provision(value: str) -> str:
    return tag_for_text(value, "provision") or value.strip()


def _any_tag(value: str) -> str:
    return tag_for_text(value) or value.strip()


class TagTextInput(forms.TextInput):
    """A tag filter people read: a tag id in the query (a link from a knot) shows as its label."""

    def format_value(self, value: object) -> str | None:
        shown = super().format_value(value)
        return tag_display(shown) if shown else shown


@extend_schema_field(OpenApiTypes.STR)
class MunicipalityCodeFilter(django_filters.ModelMultipleChoiceFilter):
    """Municipalities by SCB code, repeatable; typed for the OpenAPI schema."""


def searched_text(filterset: django_filters.FilterSet) -> str:
    """The words searched for, when the filters were valid (for the snippets)."""
    if not filterset.is_bound or not filterset.is_valid():
        return ""
    return filterset.form.cleaned_data.get("q") or ""


class DeviationFilterSet(django_filters.FilterSet):
    """Filters on confirmed tags only: suggestions are not yet facts about a deviation."""

    occurred_after = django_filters.DateFilter(
        field_name="occurred_on", lookup_expr="gte", label=_("Event date from")
    )
    occurred_before = django_filters.DateFilter(
        field_name="occurred_on", lookup_expr="lte", label=_("Event date to")
    )
    municipality = MunicipalityCodeFilter(
        field_name="municipality__code",
        distinct=False,  # a deviation has one municipality: the join repeats no row
        to_field_name="code",
        queryset=Municipality.objects.all(),
        label=_("Municipality (SCB code)"),
    )
    unit = django_filters.ModelChoiceFilter(queryset=Unit.objects.all(), label=_("Unit"))
    # Columns of the deviation itself: no join, so no DISTINCT (django-filter's default for
    # multiple choices), which made counting a filtered list of 1M rows cost 0.3 s.
    status = django_filters.MultipleChoiceFilter(
        choices=Deviation.Status.choices, label=_("Status"), distinct=False
    )
    category = django_filters.MultipleChoiceFilter(
        choices=Category.choices, label=_("Category"), distinct=False
    )
    severity = django_filters.NumberFilter(
        field_name="severity", lookup_expr="gte", label=_("Severity at least")
    )
    # Each takes what people read (a name or label) or what machines send (a code or tag id).
    agency = django_filters.CharFilter(
        method="filter_agency",
        label=_("Agency, e.g. Försäkringskassan or FK"),
        validators=[_valid(_agency)],
        widget=TagTextInput,
    )
    law = django_filters.CharFilter(
        method="filter_law",
        label=_("Law, e.g. SFB or 2010:110"),
        validators=[_valid(_law)],
        widget=TagTextInput,
    )
    provision = django_filters.CharFilter(
        method="filter_provision",
        label=_("Provision, e.g. 27 kap. 48 § SFB"),
        validators=[_valid(_provision, kind="provision")],
        widget=TagTextInput,
    )
    tag = django_filters.CharFilter(
        method="filter_tag",
        label=_("Any agency, law or provision"),
        validators=[_valid(_any_tag)],
        widget=TagTextInput,
    )
    mine = django_filters.BooleanFilter(method="filter_mine", label=_("Only my own deviations"))
    q = django_filters.CharFilter(method="filter_text", label=_("Search the text"), max_length=200)

    class Meta:
        model = Deviation
        fields = [
            "occurred_after",
            "occurred_before",
            "municipality",
            "unit",
            "status",
            "category",
            "severity",
            "agency",
            "law",
            "provision",
            "tag",
            "mine",
            "q",
        ]

    def _with_confirmed_tag(
        self, queryset: QuerySet[Deviation], tag_id: str
    ) -> QuerySet[Deviation]:
        tagged = Tagging.objects.filter(tag_id=tag_id, state=Tagging.State.CONFIRMED)
        return queryset.filter(pk__in=tagged.values("deviation_id"))

    def filter_agency(
        self, queryset: QuerySet[Deviation], name: str, value: str
    ) -> QuerySet[Deviation]:
        return self._with_confirmed_tag(queryset, _agency(value))

    def filter_law(
        self, queryset: QuerySet[Deviation], name: str, value: str
    ) -> QuerySet[Deviation]:
        return self._with_confirmed_tag(queryset, _law(value))

    def filter_provision(
        self, queryset: QuerySet[Deviation], name: str, value: str
    ) -> QuerySet[Deviation]:
        return self._with_confirmed_tag(queryset, _provision(value))

    def filter_tag(
        self, queryset: QuerySet[Deviation], name: str, value: str
    ) -> QuerySet[Deviation]:
        return self._with_confirmed_tag(queryset, _any_tag(value))

    def filter_text(
        self, queryset: QuerySet[Deviation], name: str, value: str
    ) -> QuerySet[Deviation]:
        """Full-text search with Swedish stemming, best answers first (core.search)."""
        return search(queryset, value)

    def filter_mine(
        self, queryset: QuerySet[Deviation], name: str, value: bool | None
    ) -> QuerySet[Deviation]:
        if not value or self.request is None:
            return queryset
        return queryset.filter(reporter=self.request.user)
