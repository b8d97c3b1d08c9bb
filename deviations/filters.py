"""The one FilterSet for deviation lists, shared by the HTML list and the API (R6)."""

from __future__ import annotations

from collections.abc import Callable

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from catalogue.models import Municipality
from catalogue.tagids import agency_tag_id, is_tag_id, law_tag_id, parse_tag_id
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


@extend_schema_field(OpenApiTypes.STR)
class MunicipalityCodeFilter(django_filters.ModelMultipleChoiceFilter):
    """Municipalities by SCB code, repeatable; typed for the OpenAPI schema."""


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
        to_field_name="code",
        queryset=Municipality.objects.all(),
        label=_("Municipality (SCB code)"),
    )
    unit = django_filters.ModelChoiceFilter(queryset=Unit.objects.all(), label=_("Unit"))
    status = django_filters.MultipleChoiceFilter(
        choices=Deviation.Status.choices, label=_("Status")
    )
    category = django_filters.MultipleChoiceFilter(choices=Category.choices, label=_("Category"))
    severity = django_filters.NumberFilter(
        field_name="severity", lookup_expr="gte", label=_("Severity at least")
    )
    agency = django_filters.CharFilter(
        method="filter_agency",
        label=_("Agency code, e.g. FK"),
        validators=[_valid(lambda v: agency_tag_id(v.upper()))],
    )
    law = django_filters.CharFilter(
        method="filter_law",
        label=_("Law SFS number, e.g. 2010:110"),
        validators=[_valid(law_tag_id)],
    )
    provision = django_filters.CharFilter(
        method="filter_tag",
        label=_("Provision tag, e.g. prov:2010:110#K27P48"),
        validators=[_valid(lambda v: v, kind="provision")],
    )
    tag = django_filters.CharFilter(
        method="filter_tag", label=_("Any tag identifier"), validators=[_valid(lambda v: v)]
    )
    mine = django_filters.BooleanFilter(method="filter_mine", label=_("Only my own deviations"))

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
        ]

    def _with_confirmed_tag(
        self, queryset: QuerySet[Deviation], tag_id: str
    ) -> QuerySet[Deviation]:
        tagged = Tagging.objects.filter(tag_id=tag_id, state=Tagging.State.CONFIRMED)
        return queryset.filter(pk__in=tagged.values("deviation_id"))

    def filter_agency(
        self, queryset: QuerySet[Deviation], name: str, value: str
    ) -> QuerySet[Deviation]:
        return self._with_confirmed_tag(queryset, agency_tag_id(value.strip().upper()))

    def filter_law(
        self, queryset: QuerySet[Deviation], name: str, value: str
    ) -> QuerySet[Deviation]:
        return self._with_confirmed_tag(queryset, law_tag_id(value.strip()))

    def filter_tag(
        self, queryset: QuerySet[Deviation], name: str, value: str
    ) -> QuerySet[Deviation]:
        return self._with_confirmed_tag(queryset, value.strip())

    def filter_mine(
        self, queryset: QuerySet[Deviation], name: str, value: bool | None
    ) -> QuerySet[Deviation]:
        if not value or self.request is None:
            return queryset
        return queryset.filter(reporter=self.request.user)
