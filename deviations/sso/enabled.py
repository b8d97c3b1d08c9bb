"""Whether single sign-on is configured, without importing its libraries: pysaml2 alone takes
half a second to import, which every process (a command, a worker) would pay at start-up
through the system checks."""

from __future__ import annotations

from django.conf import settings


def oidc_enabled() -> bool:
    return bool(settings.OIDC_RP_CLIENT_ID)


def saml_enabled() -> bool:
    return bool(settings.SAML_IDP_METADATA_URL or settings.SAML_IDP_METADATA_FILE)
