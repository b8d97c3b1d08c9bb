"""The federation's two doors between instances (docs/federation.md §4): a site answers a
national request, and takes in a national barrier told back to it.

No session or token: the documents authenticate themselves. A site answers only a request
signed by a national instance of its own directory, and keeps only notices signed so; its
answers are masked (no count can be read from one) and kept per stage, so asking again gets
the same document (federation.site.site_answer_kept).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework import permissions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from analytics.aggregates import AggregateError, aggregate_load
from api.serializers.analysis import ErrorSerializer
from catalogue.models import Forbund
from federation.errors import aggregate_reason
from federation.identity import DirectoryError, directory_load, identity_load
from federation.notices import notice_receive
from federation.site import site_answer_kept


def _refusal(detail: str, code: str, status: int = 400) -> Response:
    return Response({"detail": detail, "code": code}, status=status)


def _document_bytes(request: Request) -> bytes | Response:
    try:
        return request._request.body  # noqa: SLF001 - the signed bytes, unparsed
    except RequestDataTooBig:
        return _refusal(_("The document is too large."), "too_large", 413)


class _FederationDoor(APIView):
    authentication_classes: list[type] = []
    permission_classes = [permissions.AllowAny]

    def _unconfigured(self) -> Response:
        return _refusal(
            _("This instance takes no part in a federation."), "not_federated", status=404
        )


class FederationAnswerView(_FederationDoor):
    """A national round's request in, this site's signed and masked answer out."""

    @extend_schema(
        request=OpenApiTypes.OBJECT,
        responses={200: OpenApiTypes.OBJECT, 400: ErrorSerializer, 404: ErrorSerializer},
    )
    def post(self, request: Request) -> Response | JsonResponse:
        if not settings.FEDERATION_IDENTITY_FILE:
            return self._unconfigured()
        try:
            identity = identity_load(settings.FEDERATION_IDENTITY_FILE)
            directory = directory_load(settings.FEDERATION_DIRECTORY_FILE)
        except DirectoryError:
            return self._unconfigured()
        slug = settings.FEDERATION_ORGANISATION
        organisation = Forbund.objects.filter(slug=slug).first() if slug else None
        data = _document_bytes(request)
        if isinstance(data, Response):
            return data
        try:
            answer = site_answer_kept(
                aggregate_load(data),
                identity=identity,
                directory=directory,
                organisation=organisation,
            )
        except AggregateError as error:
            return _refusal(aggregate_reason(error), error.code)
        return JsonResponse(answer)


class FederationNoticeView(_FederationDoor):
    """A national barrier (its status and decisions) from a national instance, kept here."""

    @extend_schema(
        request=OpenApiTypes.OBJECT,
        responses={200: OpenApiTypes.OBJECT, 400: ErrorSerializer, 404: ErrorSerializer},
    )
    def post(self, request: Request) -> Response:
        if not settings.FEDERATION_DIRECTORY_FILE:
            return self._unconfigured()
        try:
            directory = directory_load(settings.FEDERATION_DIRECTORY_FILE)
        except DirectoryError:
            return self._unconfigured()
        data = _document_bytes(request)
        if isinstance(data, Response):
            return data
        notice = notice_receive(data, directory=directory)  # refusals: api.exceptions
        return Response({"received": notice.reference})
