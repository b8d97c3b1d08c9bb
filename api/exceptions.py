"""One mapping from domain and Django errors to JSON bodies with `detail` and `code`."""

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import DomainError


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DataError):
        # E.g. an id beyond the database's integer range: the request is wrong, not the server.
        return Response(
            {"detail": _("A value in the request is out of range."), "code": "out_of_range"},
            status=400,
        )
    if isinstance(exc, DomainError):
        return Response(
            {"detail": exc.message, "code": exc.code, **exc.extra}, status=exc.http_status
        )
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, Http404):  # as DRF's handler does, but keeping the code below
        exc = exceptions.NotFound(*exc.args)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.ValidationError):
        # Field errors keep their place; `detail` gives one sentence for people and logs.
        errors = response.data
        response.data = {"detail": _first_message(errors), "code": "invalid", "errors": errors}
    elif response is not None and isinstance(exc, exceptions.APIException):
        # Every refusal carries a stable code beside its sentence (parse_error, not_found, …).
        data = response.data
        if isinstance(data, dict) and "detail" in data and "code" not in data:
            codes = exc.get_codes()
            data["code"] = codes if isinstance(codes, str) else exc.default_code
    return response


def _first_message(errors: Any) -> str:
    if isinstance(errors, dict):
        for field, value in errors.items():
            message = _first_message(value)
            return message if field in ("non_field_errors", "detail") else f"{field}: {message}"
    if isinstance(errors, list) and errors:
        return _first_message(errors[0])
    return str(errors)
