"""The API's pages: 50 rows by default, up to 500.

Page numbers (`page`) by default, with `count`; a text search (`q`) is counted only up to
core.search.COUNT_MAX, and `count_capped` says when the count stopped there. Keyset pages
(`cursor`, empty for the first page) follow the list's own order from where the last page
ended, a tuple of the ordering fields' values (the primary key breaking ties), instead of
counting rows off from the start, so the last page of a million rows costs what the first
does; their answers carry `next` and `previous` but no count.
"""

import base64
import binascii
import json
import uuid
from decimal import Decimal
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import BasePagination, PageNumberPagination
from rest_framework.response import Response

from core.search import RANK, SearchPaginator


def whole_number(request: Any, name: str, default: int, *, most: int | None = None) -> int:
    """A page parameter (`page`, `page_size`): a whole number from 1 (up to `most`), or a 400
    that says so; `default` when it is not given."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    top = most or 10**9
    if not raw.isdecimal() or not 1 <= int(raw) <= top:
        message = _("%(name)s must be a whole number from 1 to %(most)d.") % {
            "name": name,
            "most": top,
        }
        raise ValidationError({name: [message]})
    return int(raw)


class _Keyset(BasePagination):
    """Keyset pages in the list's own order: the cursor holds the last row's values of every
    ordering field (the primary key added to break ties), and the next page is the rows after
    that tuple. Nullable fields have no place in such an order: those lists are refused."""

    page_size = 50
    max_page_size = 500

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> list[Any]:
        self.request = request
        self.ordering = self._ordering(queryset)
        self.page_size = self._size(request)
        raw = request.query_params.get("cursor") or ""
        after, backwards = self._decode(raw, queryset.model) if raw else (None, False)
        order = [_flipped(field) for field in self.ordering] if backwards else self.ordering
        rows = queryset.order_by(*order)
        if after is not None:
            rows = rows.filter(_after(order, after))
        found = list(rows[: self.page_size + 1])
        more, page = len(found) > self.page_size, found[: self.page_size]
        if backwards:
            page.reverse()
        self.page = page
        self.next_values = self._values(page[-1]) if page and (more or backwards) else None
        self.previous_values = (
            self._values(page[0]) if page and raw and (more or not backwards) else None
        )
        return page

    def get_paginated_response(self, data: Any) -> Response:
        return Response(
            {
                "next": self._link(self.next_values, backwards=False),
                "previous": self._link(self.previous_values, backwards=True),
                "results": data,
            }
        )

    def _ordering(self, queryset: Any) -> list[str]:
        ordering = list(queryset.query.order_by or queryset.model._meta.ordering)
        refused = _("Cursor pages follow a fixed order of required fields; this list has none.")
        if not ordering or not all(isinstance(field, str) for field in ordering):
            raise ValidationError({"cursor": [refused]})
        meta = queryset.model._meta
        for field in ordering:
            name = field.lstrip("-")
            if name == RANK:
                raise ValidationError(
                    {
                        "cursor": [
                            _("Cursor pages follow a fixed order; this list is ranked. Use page.")
                        ]
                    }
                )
            try:
                model_field = meta.get_field("id" if name == "pk" else name)
            except FieldDoesNotExist:
                raise ValidationError({"cursor": [refused]}) from None
            if model_field.null:
                raise ValidationError({"cursor": [refused]})
        # A unique field decides every tie: the order ends there (the list's index serves it);
        # otherwise the primary key breaks the ties.
        for i, field in enumerate(ordering):
            name = field.lstrip("-")
            if name in ("pk", "id", meta.pk.name) or meta.get_field(name).unique:
                return ordering[: i + 1]
        ordering.append("-pk" if ordering[-1].startswith("-") else "pk")
        return ordering

    def _size(self, request: Any) -> int:
        return whole_number(request, "page_size", self.page_size, most=self.max_page_size)

    def _values(self, row: Any) -> list[Any]:
        return [getattr(row, field.lstrip("-")) for field in self.ordering]

    def _link(self, values: list[Any] | None, *, backwards: bool) -> str | None:
        if values is None:
            return None
        token = json.dumps([backwards, [_plain(value) for value in values]])
        query = self.request.query_params.copy()
        query["cursor"] = base64.urlsafe_b64encode(token.encode()).decode()
        return self.request.build_absolute_uri("?" + query.urlencode())

    def _decode(self, raw: str, model: Any) -> tuple[list[Any], bool]:
        meta = model._meta
        try:
            backwards, values = json.loads(base64.urlsafe_b64decode(raw.encode()).decode())
            if not isinstance(backwards, bool) or len(values) != len(self.ordering):
                raise ValueError
            fields = [
                meta.get_field("id" if f.lstrip("-") == "pk" else f.lstrip("-"))
                for f in self.ordering
            ]
            return [f.to_python(v) for f, v in zip(fields, values, strict=True)], backwards
        except (ValueError, TypeError, UnicodeDecodeError, binascii.Error, DjangoValidationError):
            raise NotFound(_("Invalid cursor: follow a next or previous link.")) from None


def _flipped(field: str) -> str:
    return field[1:] if field.startswith("-") else f"-{field}"


def _after(order: list[str], values: list[Any]) -> Q:
    """Rows after `values` in `order`: (a, b, c) > (x, y, z) written out field by field, with
    a ≥ x (or ≤) in front, so the database scans the list's index from there instead of
    testing the whole table against the disjunction."""
    first = order[0]
    bound = Q(**{f"{first.lstrip('-')}__{'lte' if first.startswith('-') else 'gte'}": values[0]})
    condition = Q(pk__in=[])
    for i, field in enumerate(order):
        name = field.lstrip("-")
        step = Q(**{f"{name}__lt" if field.startswith("-") else f"{name}__gt": values[i]})
        for earlier, value in zip(order[:i], values[:i], strict=True):
            step &= Q(**{earlier.lstrip("-"): value})
        condition |= step
    return bound & condition


def _plain(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    return value


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
        described["required"] = [name for name in described.get("required", []) if name != "count"]
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
