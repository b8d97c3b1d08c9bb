"""SAML 2.0 through djangosaml2 (pysaml2, which signs and checks with Debian's xmlsec1).

The service-provider configuration is built per request from the settings (SAML_* in
knutpunkt/settings.py), so its addresses follow the site's own; the identity provider's
metadata comes from a URL or a file. Responses and assertions must be signed.
"""

from __future__ import annotations

import logging
import shutil
from typing import Any

import requests
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from djangosaml2 import views as saml_views
from djangosaml2.backends import Saml2Backend
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import SPConfig
from saml2.httpbase import ConnectionError as SAMLConnectionError
from saml2.mdstore import SourceNotFound
from saml2.saml import NAMEID_FORMAT_UNSPECIFIED

from deviations.sso.accounts import (
    Identity,
    ProviderUnavailableError,
    SignInRefusedError,
    sso_sign_in,
)
from deviations.sso.enabled import saml_enabled
from deviations.sso.refusals import refused_page, remember_refusal
from deviations.sso.rules import attributes_clean

PROTOCOL = "saml"
log = logging.getLogger(__name__)


def sp_config(request: HttpRequest | None = None) -> SPConfig:
    """Knutpunkt as a service provider (what djangosaml2 calls the config loader)."""

    def absolute(name: str) -> str:
        path = reverse(name)
        if settings.SITE_URL:
            return settings.SITE_URL.rstrip("/") + path
        return request.build_absolute_uri(path) if request is not None else path

    if settings.SAML_IDP_METADATA_URL:
        metadata = {
            "remote": [
                {"url": settings.SAML_IDP_METADATA_URL, "cert": settings.SAML_IDP_CERT_FILE or None}
            ]
        }
    else:
        metadata = {"local": [settings.SAML_IDP_METADATA_FILE]}
    signing = bool(settings.SAML_SP_KEY_FILE and settings.SAML_SP_CERT_FILE)
    config: dict[str, Any] = {
        "entityid": settings.SAML_SP_ENTITY_ID or absolute("sso:saml_metadata"),
        "xmlsec_binary": shutil.which("xmlsec1") or "/usr/bin/xmlsec1",
        "allow_unknown_attributes": True,
        "accepted_time_diff": 60,
        "service": {
            "sp": {
                "name": "Knutpunkt",
                "name_id_format": NAMEID_FORMAT_UNSPECIFIED,
                "endpoints": {
                    "assertion_consumer_service": [(absolute("sso:saml_acs"), BINDING_HTTP_POST)],
                    "single_logout_service": [
                        (absolute("sso:saml_logout"), BINDING_HTTP_REDIRECT),
                        (absolute("sso:saml_logout"), BINDING_HTTP_POST),
                    ],
                },
                "allow_unsolicited": False,
                "want_response_signed": True,
                "want_assertions_signed": True,
                "authn_requests_signed": signing,
                "logout_requests_signed": signing,
            }
        },
        "metadata": metadata,
        "debug": 0,
    }
    if signing:
        config["key_file"] = settings.SAML_SP_KEY_FILE
        config["cert_file"] = settings.SAML_SP_CERT_FILE
    conf = SPConfig()
    conf.load(config)
    return conf


def identity_from_session(session_info: dict[str, Any]) -> Identity:
    attributes = attributes_clean(session_info.get("ava") or {})
    # The rules speak of "groups" and "email" whatever the protocol calls them.
    attributes["groups"] = attributes.get(settings.SAML_GROUPS_ATTRIBUTE, [])
    attributes.setdefault("email", attributes.get("mail", []))

    def first(name: str) -> str:
        values = attributes.get(name) or [""]
        return values[0].strip()

    name_id = session_info.get("name_id")
    username = (
        first(settings.SAML_USERNAME_ATTRIBUTE)
        if settings.SAML_USERNAME_ATTRIBUTE
        else (getattr(name_id, "text", "") or "").strip()
    )
    return Identity(
        protocol=PROTOCOL,
        username=username,
        email=first("mail") or first("email"),
        first_name=first("givenName"),
        last_name=first("sn") or first("surname"),
        attributes=attributes,
    )


class SAMLBackend(Saml2Backend):
    """Accounts through the mapping rules (deviations.sso.accounts), not djangosaml2's
    attribute mapping; a refusal is kept on the request for the failure page."""

    def authenticate(
        self, request: HttpRequest | None, session_info: dict | None = None, **kwargs: Any
    ) -> Any:
        if session_info is None or request is None or not saml_enabled():
            return None
        try:
            return sso_sign_in(identity_from_session(session_info))
        except SignInRefusedError as refusal:
            remember_refusal(request, refusal)
            return None


# --- djangosaml2's views with our configuration and our failure page ----------------------------


class ConfigFromSettings:
    """Each view builds the SP configuration with `sp_config` (not a loader named in settings)
    and answers 404 while SAML is off."""

    def get_config_loader_path(self, request: HttpRequest) -> Any:
        return sp_config

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not saml_enabled():
            return refused_page(request, status=404)
        try:
            return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
        except (requests.RequestException, SAMLConnectionError, SourceNotFound) as error:
            log.warning("SAML identity provider's metadata unavailable: %s", error)
            remember_refusal(request, ProviderUnavailableError())
            return refused_page(request)


class SAMLLogin(ConfigFromSettings, saml_views.LoginView):
    """Sends the AuthnRequest to the identity provider (HTTP-Redirect)."""


# The identity provider posts these from its own page: signed SAML, not our form (no CSRF token).
@method_decorator(csrf_exempt, name="dispatch")
class SAMLAssertionConsumer(ConfigFromSettings, saml_views.AssertionConsumerServiceView):
    """Checks the signed response and signs in, or shows why not (never djangosaml2's page)."""

    def handle_acs_failure(
        self, request: HttpRequest, exception: Any = None, status: int = 403, **kwargs: Any
    ) -> HttpResponse:
        return refused_page(request, status=status)


class SAMLMetadata(ConfigFromSettings, saml_views.MetadataView):
    """Knutpunkt's SP metadata, for the identity provider's administrator."""


@method_decorator(csrf_exempt, name="dispatch")
class SAMLLogout(ConfigFromSettings, saml_views.LogoutView):
    """Logout requests and responses from the identity provider."""
