"""What both protocols share around the sign-in: the mark on a session that
an identity provider signed in (the local second factor is then not asked: the provider's own
multi-factor sign-in counts, docs/security.md), and signing out (with the provider where the
protocol does it cleanly: OpenID Connect's RP-initiated logout)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from core.two_factor import SIGNED_IN_BY_IDP
from deviations.sso.oidc import oidc_enabled, provider_logout_url

BACKENDS = {
    "deviations.sso.oidc.OIDCBackend": "oidc",
    "deviations.sso.saml.SAMLBackend": "saml",
}
# Where mozilla-django-oidc keeps the ID token (OIDC_STORE_ID_TOKEN): a session key, no secret.
OIDC_ID_TOKEN = "oidc_id_token"  # noqa: S105


@receiver(user_logged_in, dispatch_uid="sso_mark_session")
def _mark_session(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is None:
        return
    protocol = BACKENDS.get(getattr(user, "backend", ""))
    if protocol:
        request.session[SIGNED_IN_BY_IDP] = protocol
    else:  # a password sign-in in the same session is asked for its code again
        request.session.pop(SIGNED_IN_BY_IDP, None)


class SignOutView(auth_views.LogoutView):
    """Django's sign-out (POST; the session ends here in any case), then, for a person whom
    an OpenID Connect provider signed in, on to its end-session endpoint to end it there too."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        protocol = request.session.get(SIGNED_IN_BY_IDP)
        id_token = request.session.get(OIDC_ID_TOKEN)
        response = super().post(request, *args, **kwargs)
        if protocol == "oidc" and oidc_enabled():
            url = provider_logout_url(request, id_token)
            if url:
                return HttpResponseRedirect(url)
        return response
