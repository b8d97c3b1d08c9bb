"""At start: single sign-on half configured, or unusable rules, stop the server rather than
fail at the first person's sign-in."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from deviations.sso.accounts import sso_rules
from deviations.sso.enabled import oidc_enabled, saml_enabled

OIDC_REQUIRED = (
    "OIDC_RP_CLIENT_SECRET",
    "OIDC_OP_AUTHORIZATION_ENDPOINT",
    "OIDC_OP_TOKEN_ENDPOINT",
    "OIDC_OP_USER_ENDPOINT",
    "OIDC_OP_JWKS_ENDPOINT",
)


def sso_check(**kwargs: Any) -> list[checks.CheckMessage]:
    errors = []
    if oidc_enabled():
        missing = [name for name in OIDC_REQUIRED if not getattr(settings, name, "")]
        if missing:
            errors.append(
                checks.Error(
                    f"OIDC_RP_CLIENT_ID is set but not {', '.join(missing)}.", id="sso.E001"
                )
            )
    if saml_enabled() and not shutil.which("xmlsec1"):
        errors.append(
            checks.Error("SAML needs the xmlsec1 program: apt-get install xmlsec1", id="sso.E002")
        )
    metadata = settings.SAML_IDP_METADATA_FILE
    if metadata and not settings.SAML_IDP_METADATA_URL and not Path(metadata).is_file():
        errors.append(checks.Error(f"SAML_IDP_METADATA_FILE: no file {metadata}", id="sso.E004"))
    if saml_enabled() and not settings.SESSION_COOKIE_SECURE:
        errors.append(
            checks.Warning(
                "SAML needs SECURE=1 (HTTPS): browsers drop the SameSite=None cookie that keeps "
                "the pending request unless it is Secure, so every SAML sign-in would fail.",
                id="sso.W001",
            )
        )
    if oidc_enabled() or saml_enabled():
        try:
            sso_rules()
        except ImproperlyConfigured as error:
            errors.append(checks.Error(str(error), id="sso.E003"))
    return errors
