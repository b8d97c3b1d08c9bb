"""OpenID Connect through mozilla-django-oidc: the authorization-code flow with PKCE and a
nonce, the ID token checked against the provider's keys (RS256), the claims from the token
and the userinfo endpoint. Configured from the environment (OIDC_* in knutpunkt/settings.py).
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from deviations.sso.accounts import (
    Identity,
    ProviderUnavailableError,
    SignInRefusedError,
    sso_sign_in,
)
from deviations.sso.enabled import oidc_enabled
from deviations.sso.refusals import refused_page, remember_refusal
from deviations.sso.rules import attributes_clean

PROTOCOL = "oidc"
log = logging.getLogger(__name__)


def identity_from_claims(claims: dict[str, Any]) -> Identity:
    attributes = attributes_clean(claims)
    attributes["groups"] = attributes.get(settings.OIDC_GROUPS_CLAIM, [])

    def first(name: str) -> str:
        values = attributes.get(name) or [""]
        return values[0].strip()

    return Identity(
        protocol=PROTOCOL,
        username=first(settings.OIDC_USERNAME_CLAIM),
        email=first("email"),
        first_name=first("given_name"),
        last_name=first("family_name"),
        attributes=attributes,
    )


class OIDCBackend(OIDCAuthenticationBackend):
    """Accounts through the mapping rules (deviations.sso.accounts) instead of the library's
    match by e-mail; a refusal is kept on the request for the callback to show."""

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> Any:
        if not oidc_enabled() or request is None:
            return None
        try:
            return super().authenticate(request, **kwargs)
        except (requests.ConnectionError, requests.Timeout) as error:
            log.warning("OpenID Connect provider unreachable: %s", error)
            remember_refusal(request, ProviderUnavailableError())
        except (requests.RequestException, SuspiciousOperation, ValueError) as error:
            # A refused code, a bad signature or nonce, an answer that is not JSON.
            log.warning("OpenID Connect answer not usable: %s", error)
        return None

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict) -> Any:
        claims = {**payload, **self.get_userinfo(access_token, id_token, payload)}
        try:
            return sso_sign_in(identity_from_claims(claims))
        except SignInRefusedError as refusal:
            remember_refusal(self.request, refusal)
            return None


class OIDCLogin(OIDCAuthenticationRequestView):
    """The way to the provider: 404 while OpenID Connect is not configured."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not oidc_enabled():
            return refused_page(request, status=404)
        return super().dispatch(request, *args, **kwargs)


class OIDCCallback(OIDCAuthenticationCallbackView):
    """The way back: signed in, or a page saying why not (never the library's bare redirect)."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not oidc_enabled():
            return refused_page(request, status=404)
        return super().dispatch(request, *args, **kwargs)

    def login_failure(self) -> HttpResponse:
        return refused_page(self.request)


def provider_logout_url(request: HttpRequest, id_token: str | None) -> str | None:
    """RP-initiated logout: the provider's end-session endpoint, back to our login page."""
    endpoint = settings.OIDC_OP_LOGOUT_ENDPOINT
    if not endpoint:
        return None
    params = {
        "client_id": settings.OIDC_RP_CLIENT_ID,
        "post_logout_redirect_uri": request.build_absolute_uri(reverse("login")),
    }
    if id_token:
        params["id_token_hint"] = id_token
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{urlencode(params)}"
