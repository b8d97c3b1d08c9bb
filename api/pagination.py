"""The API's pages: 50 rows by default, up to 500; a text search (`q`) is counted only up to
core.search.COUNT_MAX, and `count_capped` says when the count stopped there."""

from typing import Any

from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from core.search import SearchPaginator


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    django_paginator_class = SearchPaginator

    def get_paginated_response(self, data: Any) -> Response:
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
        return described
