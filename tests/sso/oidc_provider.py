"""A real OpenID Connect provider for the tests: django-oauth-toolkit in its own process.

Run as `python -m tests.sso.oidc_provider PORT CLIENT_ID SECRET REDIRECT_URI CONTROL_TOKEN DIR`;
it serves the discovery document, /o/authorize/, /o/token/, /o/userinfo/, /o/.well-known/jwks.json
and /o/logout/ (RP-initiated logout), a login form, and /control/user (POST, with the control
token) for the tests to create a person or change their groups. Offline: nothing is fetched.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIServer, make_server

PORT, CLIENT_ID, SECRET, REDIRECT_URI, CONTROL_TOKEN, DIRECTORY = sys.argv[1:7]


def configure() -> None:
    import django
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from django.conf import settings

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    settings.configure(
        DEBUG=False,
        SECRET_KEY="test-oidc-provider-" + CONTROL_TOKEN,
        ALLOWED_HOSTS=["127.0.0.1", "localhost"],
        ROOT_URLCONF=__name__,
        INSTALLED_APPS=[
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "oauth2_provider",
        ],
        MIDDLEWARE=[
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
        ],
        DATABASES={
            "default": {
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": str(Path(DIRECTORY) / "provider.sqlite3"),
            }
        },
        # Another app on the same host: cookies are not kept apart by port.
        SESSION_COOKIE_NAME="provider_session",
        CSRF_COOKIE_NAME="provider_csrftoken",
        LOGIN_URL="/login/",
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates"}],
        DEFAULT_AUTO_FIELD="django.db.models.AutoField",
        USE_TZ=True,
        OAUTH2_PROVIDER={
            "OIDC_ENABLED": True,
            "OIDC_RSA_PRIVATE_KEY": pem,
            "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
            "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,
            "PKCE_REQUIRED": True,
            "SCOPES": {"openid": "OpenID", "email": "E-mail", "profile": "Profile"},
            "OAUTH2_VALIDATOR_CLASS": f"{__name__}.Validator",
        },
    )
    django.setup()


configure()

from django.contrib.auth import views as auth_views  # noqa: E402
from django.contrib.auth.models import Group, User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.http import HttpRequest, HttpResponse, JsonResponse  # noqa: E402
from django.template import engines  # noqa: E402
from django.urls import include, path  # noqa: E402
from django.views.decorators.csrf import csrf_exempt  # noqa: E402
from oauth2_provider.models import get_application_model  # noqa: E402
from oauth2_provider.oauth2_validators import OAuth2Validator  # noqa: E402

LOGIN_PAGE = engines["django"].from_string(
    '<form method="post" action="">{% csrf_token %}'
    '<input name="username"><input name="password" type="password">'
    '<input type="hidden" name="next" value="{{ next }}"><button>Sign in</button></form>'
)


class Validator(OAuth2Validator):
    """The person's e-mail, name and groups as claims (groups with the profile scope)."""

    oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope, "groups": "profile"}

    def get_additional_claims(self, request) -> dict:  # noqa: ANN001
        user = request.user
        return {
            "preferred_username": user.username,
            "email": user.email,
            "given_name": user.first_name,
            "family_name": user.last_name,
            "groups": sorted(user.groups.values_list("name", flat=True)),
        }


class LoginView(auth_views.LoginView):
    def get_template_names(self) -> list[str]:
        return []

    def render_to_response(self, context, **kwargs):  # noqa: ANN001, ANN003
        return HttpResponse(LOGIN_PAGE.render(context, self.request))


@csrf_exempt
def control_user(request: HttpRequest) -> HttpResponse:
    if request.headers.get("Authorization") != f"Bearer {CONTROL_TOKEN}":
        return HttpResponse(status=403)
    data = json.loads(request.body)
    user, _ = User.objects.get_or_create(username=data["username"])
    user.set_password(data["password"])
    user.email = data.get("email", "")
    user.first_name, user.last_name = data.get("first_name", ""), data.get("last_name", "")
    user.save()
    user.groups.set([Group.objects.get_or_create(name=name)[0] for name in data["groups"]])
    return JsonResponse({"ok": True})


urlpatterns = [
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    path("login/", LoginView.as_view(), name="login"),
    path("control/user", control_user),
]


def main() -> None:
    call_command("migrate", verbosity=0)
    application_model = get_application_model()
    application_model.objects.create(
        name="Knutpunkt",
        client_id=CLIENT_ID,
        client_secret=SECRET,
        hash_client_secret=True,
        client_type=application_model.CLIENT_CONFIDENTIAL,
        authorization_grant_type=application_model.GRANT_AUTHORIZATION_CODE,
        redirect_uris=REDIRECT_URI,
        post_logout_redirect_uris=REDIRECT_URI.split("/konto/")[0] + "/konto/logga-in/",
        algorithm=application_model.RS256_ALGORITHM,
        skip_authorization=True,
    )

    class Server(ThreadingMixIn, WSGIServer):
        daemon_threads = True

    server = make_server("127.0.0.1", int(PORT), get_wsgi_application(), server_class=Server)
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
