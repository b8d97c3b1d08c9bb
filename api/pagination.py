"""The API's pages: 50 rows by default, up to 500.

Page numbers (`page`) by default, with `count`; a text search (`q`) is counted only up to
core.search.COUNT_MAX, and `count_capped` says when the count stopped there. Keyset pages
(`cursor`, empty for the first page) follow the list's own order from where the last page
ended instead of counting rows off from the start, so the last page of a million rows costs
what the first does; their answers carry `next` and `previous` but no count.
"""

from typing import Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.response import Response

from core.search import RANK, SearchPaginator


class _Keyset(CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_ordering(self, request: Any, queryset: Any, view: Any) -> tuple[str, ...]:
        """The list's own order: the first field positions the page, the rest break ties."""
        ordering = list(queryset.query.order_by or queryset.model._meta.ordering)
        plain = all(isinstance(field, str) for field in ordering)
        if not ordering or not plain or any(field.lstrip("-") == RANK for field in ordering):
            raise ValidationError(
                {"cursor": [_("Cursor pages follow a fixed order; this list is ranked. Use page.")]}
            )
        return tuple(ordering)

    def decode_cursor(self, request: Any) -> Any:
        if request.query_params.get(self.cursor_query_param) == "":
            return None  # `cursor=`: the first page
        return super().decode_cursor(request)


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    django_paginator_class = SearchPaginator

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> Any:
        self.keyset: _Keyset | None = None
        if "cursor" in request.query_params:
            if "page" in request.query_params:
                raise ValidationError({"cursor": [_("Ask for a cursor or a page, not both.")]})
            self.keyset = _Keyset()
            return self.keyset.paginate_queryset(queryset, request, view)
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data: Any) -> Response:
        if self.keyset is not None:
            return self.keyset.get_paginated_response(data)
        response = super().get_paginated_response(data)
        response.data["count_capped"] = bool(getattr(self.page.paginator, "capped", False))
        return response

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        described = super().get_paginated_response_schema(schema)
        described["properties"]["count_capped"] = {
            "type": "boolean",
            "description": "True when a text search (q) matched more rows than were counted "
            "(count stops at 10 000): add words or filters to narrow it.",
        }
        described["properties"]["count"]["description"] = "Absent from keyset (cursor) pages."
        return described

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            *super().get_schema_operation_parameters(view),
            {
                "name": "cursor",
                "required": False,
                "in": "query",
                "description": "Keyset pages: empty for the first, then the `next` or "
                "`previous` link's value. Faster than page numbers deep into a long list.",
                "schema": {"type": "string"},
            },
        ]
