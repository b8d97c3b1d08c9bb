"""API tokens over the API: get one with a user name and password, revoke it, revoke all yours.

Tokens are django-rest-knox's (a digest stored, an expiry set); the request and the `token` in
the answer are as they were with DRF's authtoken, `expiry` is new beside it.
"""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from knox.auth import TokenAuthentication
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.serializers.analysis import ErrorSerializer
from api.tokens import token_create, token_revoke, tokens_revoke_all
from core.requests import request_user
from core.two_factor import (
    code_failed,
    code_match,
    second_factor_enrolled,
    second_factor_required,
)

TokenSerializer = inline_serializer(
    "Token",
    fields={
        "token": serializers.CharField(help_text="Send as `Authorization: Token <token>`."),
        "expiry": serializers.DateTimeField(help_text="The token stops working at this time."),
    },
)


class TokenObtainView(APIView):
    """A new token for the user name and password (throttled by the login lock-out), and for
    `otp`, a current code, when the person has a second factor or the policy requires one.
    Tokens themselves are then used without codes: the code guards their creation."""

    authentication_classes: list[type] = []
    permission_classes = [permissions.AllowAny]
    serializer_class = AuthTokenSerializer

    @extend_schema(
        request=AuthTokenSerializer, responses={200: TokenSerializer, 400: ErrorSerializer}
    )
    def post(self, request: Request) -> Response:
        credentials = AuthTokenSerializer(data=request.data, context={"request": request})
        credentials.is_valid(raise_exception=True)
        user = credentials.validated_data["user"]
        _second_factor_check(request, user)
        instance, key = token_create(user=user)
        user_logged_in.send(sender=type(user), request=request, user=user)
        expiry = serializers.DateTimeField().to_representation(instance.expiry)
        return Response({"token": key, "expiry": expiry})


def _second_factor_check(request: Request, user: object) -> None:
    if not second_factor_enrolled(user):
        if second_factor_required(user):
            raise exceptions.PermissionDenied(
                _(
                    "Your account requires two-step verification: turn it on in Knutpunkt "
                    "(My settings) before you create API keys."
                ),
                code="otp_enrolment_required",
            )
        return
    if code_match(user, str(request.data.get("otp", ""))) is None:
        code_failed(request._request, user)  # counts toward the login lock-out
        raise exceptions.ValidationError(
            {
                "otp": [
                    _("A current code from your authenticator app (or a backup code) is required.")
                ]
            },
            code="otp_required",
        )


class TokenRevokeView(APIView):
    """Revoke the token this request carries."""

    authentication_classes = [TokenAuthentication]
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=None, responses={204: None, 401: ErrorSerializer})
    def post(self, request: Request) -> Response:
        token_revoke(user=request_user(request), digest=request.auth.digest)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenRevokeAllView(APIView):
    """Revoke every token of the signed-in user, this one included."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=None, responses={204: None, 401: ErrorSerializer})
    def post(self, request: Request) -> Response:
        tokens_revoke_all(user=request_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)
