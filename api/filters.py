"""django-filter's backend, made to refuse query parameters it does not know.

django-filter ignores unknown names (issue #603), so `?agnecy=FK` would silently return every
row; a 400 that names the parameter is the honest answer.
"""

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

from catalogue.selectors import tag_search
from deviations.rules import FieldRuleError, check_occurred_on

GENERAL_PARAMETERS = {"page", "page_size", "cursor", "format", "ordering", "search"}
# An end date may reach a little ahead (the rest of this year, say); year 9999 is a slip.
DATE_BOUND_AHEAD = timedelta(days=366)


def date_bound_check(value: date) -> None:
    """A date used as a bound (filter, tagging date): the event-date rule of deviations.rules,
    with room for an end date up to DATE_BOUND_AHEAD from today. Raises FieldRuleError."""
    check_occurred_on(value, today=timezone.localdate() + DATE_BOUND_AHEAD)


def date_params_check(params: Any, names: Iterable[str]) -> None:
    """Refuse (400, naming the parameter) a date query parameter outside the sane range;
    values that are not dates are left to the filter's own message."""
    for name in names:
        for raw in params.getlist(name):
            try:
                value = date.fromisoformat(raw.strip())
            except ValueError:
                continue
            try:
                date_bound_check(value)
            except FieldRuleError as error:
                raise ValidationError({name: [error.message]}, code=error.code) from None


class StrictFilterBackend(DjangoFilterBackend):
    def filter_queryset(
        self, request: Request, queryset: QuerySet[Any], view: Any
    ) -> QuerySet[Any]:
        filterset_class = self.get_filterset_class(view, queryset)
        known = set(filterset_class.base_filters) if filterset_class else set()
        unknown = sorted(set(request.query_params) - known - GENERAL_PARAMETERS)
        if unknown:
            raise ValidationError(
                {"detail": _("Unknown query parameter: %(names)s.") % {"names": ", ".join(unknown)}}
            )
        if filterset_class:
            dates = [
                name
                for name, field in filterset_class.base_filters.items()
                if isinstance(field, django_filters.DateFilter)
            ]
            date_params_check(request.query_params, dates)
        return super().filter_queryset(request, queryset, view)


def _catalogue_search(kind: str, field: str) -> Any:
    """A `search` filter over the catalogue rows of one kind: every word of it must occur in
    the label, name or title (catalogue.selectors.tag_search, the search filing uses)."""

    def search(queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        if not value.strip():
            return queryset
        tags = tag_search(value, kind=kind)
        # A provision's key is its tag id; a law's and an agency's is what follows the kind
        # ("law:AFFS 2016:3" → "AFFS 2016:3": not every catalogued statute is an SFS number).
        keys = tags if kind == "provision" else [tag.partition(":")[2] for tag in tags]
        return queryset.filter(**{f"{field}__in": keys})

    return django_filters.CharFilter(
        method=search,
        label=_("Words of the label, name or title, e.g. “27 kap. 48 SFB” or “offentlighets”"),
    )


class ProvisionFilterSet(django_filters.FilterSet):
    search = _catalogue_search("provision", "tag_id")


class LawFilterSet(django_filters.FilterSet):
    search = _catalogue_search("law", "sfs")


class AgencyFilterSet(django_filters.FilterSet):
    search = _catalogue_search("agency", "code")
