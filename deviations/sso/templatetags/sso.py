"""The "Log in with ..." buttons on the login page, one per configured protocol."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from deviations.sso.enabled import oidc_enabled, saml_enabled

register = template.Library()


@register.inclusion_tag("registration/sso_buttons.html")
def sso_buttons(next_url: str = "") -> dict[str, Any]:
    query = f"?{urlencode({'next': next_url})}" if next_url else ""
    buttons = []
    if oidc_enabled():
        name = settings.SSO_OIDC_LABEL or _("your organisation's account (OpenID Connect)")
        buttons.append((reverse("sso:oidc_login") + query, name))
    if saml_enabled():
        name = settings.SSO_SAML_LABEL or _("your organisation's account (SAML)")
        buttons.append((reverse("sso:saml_login") + query, name))
    return {"buttons": buttons}
