"""django-filter's backend, made to refuse query parameters it does not know.

django-filter ignores unknown names (issue #603), so `?agnecy=FK` would silently return every
row; a 400 that names the parameter is the honest answer.
"""

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

GENERAL_PARAMETERS = {"page", "page_size", "format", "ordering", "search"}


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
        return super().filter_queryset(request, queryset, view)
