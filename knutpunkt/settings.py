"""Knutpunkt settings: one module, driven by the environment, safe defaults for development.

Environment variables: DEBUG, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL, CSRF_TRUSTED_ORIGINS,
DATABASE_REPLICA_URL and DATABASE_REPLICA_MAX_LAG_SECONDS (analysis reads: docs/replicas.md),
SECURE (cookies and HSTS behind TLS), LOG_LEVEL, TASK_BACKEND, RETENTION_DAYS, e-mail (EMAIL_*),
PROXY_COUNT, API_TOKEN_TTL_HOURS, SESSION_MAX_HOURS, SESSION_IDLE_MINUTES, KNUTPUNKT_REQUIRE_TOTP
(docs/security.md), single sign-on (SSO_*, OIDC_*, SAML_*: docs/sso.md),
ACCESSIBILITY_CONTACT, ACCESSIBILITY_REVIEWED_ON (the accessibility statement), SITE_URL (links in
e-mail), MEDIA_ROOT and ATTACHMENT_MAX_MB (attachments), logs and monitoring (LOG_FORMAT,
LOG_REQUESTS, SENTRY_DSN, METRICS_TOKEN, PROMETHEUS_MULTIPROC_DIR: README "Drift").
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() not in {"1", "0", "true", "false", "yes", "no"}:
        raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")
    return raw.lower() in {"1", "true", "yes"}


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def client_address_settings(proxy_count: int) -> dict[str, object]:
    """How django-axes finds the client's address behind `proxy_count` trusted proxies.

    Each proxy appends the address it was reached from to X-Forwarded-For, so the client is the
    proxy_count-th entry from the right; whatever stands further left was written by the client
    and is ignored. ipware counts only the proxies listed *in* the header (not the one that
    connects), hence the minus one. Its "legacy" parser splits on every comma: the newer one
    honours quotes, so a client sending `X-Forwarded-For: 1.2.3.4, "` swallowed the proxy's own
    entry and chose its address (tests/knutpunkt/test_proxy_lockout.py). Without a proxy only
    the socket's address counts: any header would be the client's own say.
    """
    if proxy_count < 0:
        raise ImproperlyConfigured("PROXY_COUNT must be 0 or more.")
    return {
        "AXES_IPWARE_META_PRECEDENCE_ORDER": (
            ("HTTP_X_FORWARDED_FOR",) if proxy_count else ("REMOTE_ADDR",)
        ),
        "AXES_IPWARE_PROXY_COUNT": proxy_count - 1 if proxy_count else None,
        "IPWARE_ALGORITHM": "legacy",
        "IPWARE_STRICT": False,  # client-written entries on the left are expected, not refused
    }


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-development-only-key-not-for-production-use-0123456789"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",  # API tokens: stored as digests, expiring, revocable (docs/security.md)
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "django_otp",  # the second factor (core/two_factor.py, docs/security.md)
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks_db",
    # Knutpunkt's own apps, from the bottom layer up (docs/architecture.md).
    "core",
    "privacy",
    "jobs",
    "catalogue",
    "deviations",
    "analytics",
    "barriers",
    "federation",
    "api",
    "demo",
    "deviations.sso",  # single sign-on, off unless configured (docs/sso.md)
]

MIDDLEWARE = [
    "core.log_context.RequestIdMiddleware",  # first: every later log line carries the id
    "core.metrics.MetricsMiddleware",  # counts and times every request by view
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "djangosaml2.middleware.SamlSessionMiddleware",  # SAML's own cookie (docs/sso.md)
    "django.middleware.locale.LocaleMiddleware",
    "core.middleware.HostileInputMiddleware",  # before anything reads the input, login included
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): the code was given
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.middleware.PreferredLanguageMiddleware",  # the profile's language, after the user
    # A signed-in session ends after an idle hour and after a working day (docs/security.md).
    "core.session_limits.IdleLogoutMiddleware",
    "core.session_limits.SessionLifetimeMiddleware",
    # Signed in with a password only: nothing but the code (or enrolment) page until done.
    "core.two_factor.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    "core.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "knutpunkt.urls"
WSGI_APPLICATION = "knutpunkt.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.navigation",
            ],
        },
    },
]

if url := os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)}
    # A streaming replica of that primary for analysis reads: knots, statistics, exports
    # (core.replica, docs/replicas.md). Tests read the test database through it (MIRROR).
    if replica_url := os.environ.get("DATABASE_REPLICA_URL"):
        replica = dj_database_url.parse(replica_url, conn_max_age=60, conn_health_checks=True)
        if replica["ENGINE"] == "django.db.backends.postgresql":
            # A replica host that drops packets must not hold a page for TCP's timeout.
            # Nor a connection to a host gone silent: keepalives and an acknowledgement timeout
            # drop it within about a minute instead of TCP's quarter of an hour.
            options = replica.setdefault("OPTIONS", {})
            for name, value in (
                ("connect_timeout", 5),
                ("keepalives", 1),
                ("keepalives_idle", 30),
                ("keepalives_interval", 10),
                ("keepalives_count", 3),
                ("tcp_user_timeout", 60_000),
            ):
                options.setdefault(name, value)
        DATABASES["replica"] = {**replica, "TEST": {"MIRROR": "default"}}
        DATABASE_ROUTERS = ["core.replica.AnalysisRouter"]
elif os.environ.get("DATABASE_REPLICA_URL"):
    raise ImproperlyConfigured("DATABASE_REPLICA_URL needs DATABASE_URL, the replica's primary.")
else:
    SQLITE_PATH = Path(os.environ.get("SQLITE_PATH", BASE_DIR / "var" / "knutpunkt.sqlite3"))
    SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(SQLITE_PATH),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 5,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
# Analysis reads go to the primary while the replica is further behind than this (or gone);
# each process checks at most every DATABASE_REPLICA_CHECK_SECONDS.
DATABASE_REPLICA_MAX_LAG_SECONDS = float(os.environ.get("DATABASE_REPLICA_MAX_LAG_SECONDS", "30"))
if DATABASE_REPLICA_MAX_LAG_SECONDS < 0:
    raise ImproperlyConfigured("DATABASE_REPLICA_MAX_LAG_SECONDS must be 0 or more.")
DATABASE_REPLICA_CHECK_SECONDS = 5
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "deviations.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "var" / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
# After `collectstatic`, STATIC_MANIFEST=1 serves hashed, compressed files with far-future caching.
STATIC_MANIFEST = env_bool("STATIC_MANIFEST", False)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST

# Attachments (core.attachments) lie here, outside the database and outside every URL: they are
# handed out only by views that check who may read them. Back it up with the database.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750
# The largest attachment; nginx's client_max_body_size (deploy/) must be larger.
ATTACHMENT_MAX_BYTES = int(float(os.environ.get("ATTACHMENT_MAX_MB", "10")) * 1_000_000)

SECURE = env_bool("SECURE", False)
SESSION_COOKIE_HTTPONLY = True
# A signed-in session lasts at most SESSION_MAX_HOURS from sign-in, however busy (the sign-in
# time is kept in the session: Django's own expiry moves on with every save), and ends after
# SESSION_IDLE_MINUTES without a request (django-session-security, server side only).
SESSION_MAX_AGE = timedelta(hours=float(os.environ.get("SESSION_MAX_HOURS", "9")))
SESSION_IDLE_AGE = timedelta(minutes=float(os.environ.get("SESSION_IDLE_MINUTES", "60")))
if min(SESSION_MAX_AGE, SESSION_IDLE_AGE).total_seconds() <= 0:
    raise ImproperlyConfigured("SESSION_MAX_HOURS and SESSION_IDLE_MINUTES must be positive.")
SESSION_COOKIE_AGE = int(SESSION_MAX_AGE.total_seconds())  # the stored session row, at most
SESSION_EXPIRE_AT_BROWSER_CLOSE = True  # the cookie itself goes when the browser closes
SESSION_SECURITY_EXPIRE_AFTER = int(SESSION_IDLE_AGE.total_seconds())
SESSION_SECURITY_WARN_AFTER = SESSION_SECURITY_EXPIRE_AFTER  # no warning dialog (no inline JS)
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = SECURE
SECURE_HSTS_SECONDS = 31_536_000 if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE else None
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Django's own Content Security Policy: only our own scripts, styles and images; every page's
# JavaScript lives in static files and data travels in <script type="application/json">.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# Login throttling with django-axes: after AXES_FAILURE_LIMIT wrong passwords for one user name
# from one address, that pair is locked out for AXES_COOLOFF_MINUTES (web login and API token).
# The pair, not the user name alone: otherwise anyone could lock anyone out by guessing wrong.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Single sign-on (docs/sso.md): each does nothing while its protocol is not configured.
    "deviations.sso.oidc.OIDCBackend",
    "deviations.sso.saml.SAMLBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"


def axes_counts_only_user_names(request: object, credentials: dict | None) -> bool:
    """django-axes' AXES_WHITELIST_CALLABLE: attempts with a user name count (passwords,
    second-factor codes, API tokens); a single sign-on attempt has none, and its refusal must
    not lock out everyone behind the same address (the identity provider throttles its own
    password form; docs/sso.md)."""
    return "username" not in (credentials or {})


AXES_WHITELIST_CALLABLE = axes_counts_only_user_names
# The address counted is the client's as the proxies report it (django-ipware; docs/security.md).
PROXY_COUNT = int(os.environ.get("PROXY_COUNT") or "0")
globals().update(client_address_settings(PROXY_COUNT))

# Second factor (django-otp, TOTP with one-time backup codes). Who must have one:
# KNUTPUNKT_REQUIRE_TOTP "" (nobody; anyone may turn it on), "all", or role names such as
# "analyst,admin" (core.two_factor.second_factor_required; organisations will add their rule).
KNUTPUNKT_REQUIRE_TOTP = os.environ.get("KNUTPUNKT_REQUIRE_TOTP", "")
OTP_TOTP_ISSUER = "Knutpunkt"
# A password-reset link works this long and once (Django's token, tied to the password).
PASSWORD_RESET_TIMEOUT = 2 * 3600

# Single sign-on (deviations/sso, docs/sso.md), off unless configured: OpenID Connect when
# OIDC_RP_CLIENT_ID is set, SAML 2.0 when the identity provider's metadata is given. Who gets
# which organisation and roles is data: the rules in SSO_RULES_FILE.
SSO_RULES_FILE = os.environ.get("SSO_RULES_FILE", "")
SSO_OIDC_LABEL = os.environ.get("SSO_OIDC_LABEL", "")  # "Logga in med <label>"
SSO_SAML_LABEL = os.environ.get("SSO_SAML_LABEL", "")

# Federated knots (docs/federation.md): this instance's identity (name and private keys, made
# by `manage.py federation_keys`) and the directory of the federation's public keys.
FEDERATION_IDENTITY_FILE = os.environ.get("FEDERATION_IDENTITY_FILE", "")
FEDERATION_DIRECTORY_FILE = os.environ.get("FEDERATION_DIRECTORY_FILE", "")
# Empty: this instance answers national rounds for all its deviations; a förbund's slug: for
# that organisation within it.
FEDERATION_ORGANISATION = os.environ.get("FEDERATION_ORGANISATION", "")
# National mode: this instance holds no deviations, only the rounds over its sites, their
# national knots and the national barriers and steering groups (docs/federation.md §4).
NATIONAL_MODE = env_bool("KNUTPUNKT_NATIONAL", False)
# OpenID Connect (mozilla-django-oidc; the names are the library's own).
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_RP_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_RP_CLIENT_SECRET", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("OIDC_OP_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("OIDC_OP_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("OIDC_OP_USER_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("OIDC_OP_JWKS_ENDPOINT", "")
OIDC_OP_LOGOUT_ENDPOINT = os.environ.get("OIDC_OP_LOGOUT_ENDPOINT", "")  # end_session_endpoint
OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = os.environ.get("OIDC_RP_SCOPES", "openid email profile")
OIDC_USERNAME_CLAIM = os.environ.get("OIDC_USERNAME_CLAIM", "preferred_username")
OIDC_GROUPS_CLAIM = os.environ.get("OIDC_GROUPS_CLAIM", "groups")  # "groups" in the rules
OIDC_USE_PKCE = True
OIDC_STORE_ID_TOKEN = True  # the hint for signing out at the provider
OIDC_TIMEOUT = 10
OIDC_AUTHENTICATION_CALLBACK_URL = "sso:oidc_callback"
# SAML 2.0 (djangosaml2 and pysaml2, which need Debian's xmlsec1).
SAML_IDP_METADATA_URL = os.environ.get("SAML_IDP_METADATA_URL", "")
SAML_IDP_METADATA_FILE = os.environ.get("SAML_IDP_METADATA_FILE", "")
SAML_IDP_CERT_FILE = os.environ.get("SAML_IDP_CERT_FILE", "")  # checks signed metadata
SAML_SP_ENTITY_ID = os.environ.get("SAML_SP_ENTITY_ID", "")
SAML_SP_KEY_FILE = os.environ.get("SAML_SP_KEY_FILE", "")
SAML_SP_CERT_FILE = os.environ.get("SAML_SP_CERT_FILE", "")
SAML_USERNAME_ATTRIBUTE = os.environ.get("SAML_USERNAME_ATTRIBUTE", "uid")  # "": the NameID
SAML_GROUPS_ATTRIBUTE = os.environ.get("SAML_GROUPS_ATTRIBUTE", "isMemberOf")  # "groups"
SAML_DEFAULT_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
SAML_CSP_HANDLER = ""  # Django's own SECURE_CSP already covers these pages
# Signing out at the OpenID Connect provider ends with a redirect after the sign-out form.
if OIDC_OP_LOGOUT_ENDPOINT:
    _logout_origin = "/".join(OIDC_OP_LOGOUT_ENDPOINT.split("/")[:3])
    SECURE_CSP["form-action"] = [*SECURE_CSP["form-action"], _logout_origin]

# API tokens (django-rest-knox): only a digest is stored; a token lives API_TOKEN_TTL_HOURS
# from its creation (not renewed by use), its owner can revoke it or all of theirs, and a
# password change removes them all (api/tokens.py).
API_TOKEN_TTL = timedelta(hours=float(os.environ.get("API_TOKEN_TTL_HOURS", "10")))
if API_TOKEN_TTL.total_seconds() <= 0:
    raise ImproperlyConfigured("API_TOKEN_TTL_HOURS must be positive.")
REST_KNOX = {
    "TOKEN_TTL": API_TOKEN_TTL,
    "AUTO_REFRESH": False,
    "AUTH_HEADER_PREFIX": "Token",  # `Authorization: Token <key>`, as before
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first so that an unauthenticated request gets 401 with WWW-Authenticate.
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # Refuse NUL, lone surrogates, deep nesting and non-object bodies with a detail and a code.
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.JSONParser",
        "core.parsers.FormParser",
        "core.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["api.filters.StrictFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.exceptions.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Knutpunkt API",
    "DESCRIPTION": "Deviations, the reference catalogue, knots and barriers.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Swagger UI's files ship with the app (no CDN): the network may be closed, and CSP strict.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The schema and docs are for people with an account, like the API itself.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "ENUM_NAME_OVERRIDES": {
        "TagKindEnum": "deviations.models.Tagging.Kind",
        "DecisionKindEnum": "barriers.models.Decision.Kind",
        "DeviationStatusEnum": "deviations.models.Deviation.Status",
        "BarrierStatusEnum": "barriers.models.Barrier.Status",
        "EscalationStatusEnum": "barriers.models.Escalation.Status",
        "TaggingStateEnum": "deviations.models.Tagging.State",
    },
}

# One JSON line per event (privacy.logs) in production, plain text with DEBUG; both masked
# by the personal-data gate, both with the request id and the person's id (core.log_context).
LOG_FORMAT = os.environ.get("LOG_FORMAT") or ("plain" if DEBUG else "json")
if LOG_FORMAT not in {"json", "plain"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or plain, not {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "core.log_context.ContextFilter"}},
    "formatters": {
        "plain": {
            "()": "privacy.logs.MaskingFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
        },
        "json": {"()": "privacy.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["context"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # django-axes logs every failed login at INFO; the lock-outs (WARNING) are what matter.
    "loggers": {
        "axes": {"level": "WARNING"},
        # Every task's start and end; our jobs keep their own record (the Job row).
        "django.tasks": {"level": os.environ.get("TASK_LOG_LEVEL", "WARNING")},
        # WeasyPrint reports every screen-only CSS rule it skips when rendering a dossier PDF.
        "weasyprint": {"level": "ERROR"},
        "xmlschema": {"level": "WARNING"},  # pysaml2 loads its schemas at every start
        "fontTools": {"level": "ERROR"},
        # One line per request (core.log_context); set LOG_REQUESTS=0 where nginx logs them.
        "core.request": {
            "level": "INFO" if os.environ.get("LOG_REQUESTS", "1") != "0" else "WARNING"
        },
    },
}

# Error reports to self-hosted Sentry or GlitchTip: off unless a DSN is given; no request
# bodies, and every string masked by the personal-data gate (privacy/error_reporting.py).
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
if SENTRY_DSN:
    from privacy.error_reporting import error_reporting_init

    error_reporting_init(
        SENTRY_DSN,
        environment=os.environ.get("SENTRY_ENVIRONMENT", "production"),
        release=os.environ.get("SENTRY_RELEASE", ""),
    )

# Metrics for Prometheus at /metrics (core/metrics.py): with METRICS_TOKEN set, a scrape must
# send it as a bearer token; without, only a direct connection from this machine is answered.
# Under gunicorn set PROMETHEUS_MULTIPROC_DIR (a fresh, empty directory per instance and start:
# deploy/systemd) so the figures of all its worker processes are summed.
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
if os.environ.get("PROMETHEUS_MULTIPROC_DIR") == "":
    # Set but empty (a blank line in an environment file): prometheus_client would write its
    # files into the working directory. Empty means off.
    del os.environ["PROMETHEUS_MULTIPROC_DIR"]

# Background jobs (jobs/services.py) through Django's tasks framework. "database": the
# django-tasks-db worker (`manage.py db_worker`), the production choice, needing no extra server;
# "immediate": the job runs inside the request that starts it (development and tests).
TASK_BACKEND = os.environ.get("TASK_BACKEND") or ("immediate" if DEBUG else "database")
if TASK_BACKEND not in {"immediate", "database"}:
    raise ImproperlyConfigured(f"TASK_BACKEND must be immediate or database, not {TASK_BACKEND!r}")
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks_db.DatabaseBackend"
            if TASK_BACKEND == "database"
            else "django.tasks.backends.immediate.ImmediateBackend"
        ),
    }
}

# A running job silent this long is taken as abandoned (its worker stopped) and marked failed.
JOB_STALE_MINUTES = int(os.environ.get("JOB_STALE_MINUTES", "30"))
# /healthz/ready answers 503 once the oldest queued job has waited this long (jobs.health).
KNUTPUNKT_QUEUE_MAX_AGE_MINUTES = int(os.environ.get("KNUTPUNKT_QUEUE_MAX_AGE_MINUTES", "15"))

# Shared results (knots, graphs, figures) live in the database, so every app process on every
# machine serves the same last good result; the big per-filter deviation tables stay in each
# process's memory ("local").
# The deviation list's index carries the id for PostgreSQL's index-only scans; SQLite's
# indexes hold the row id anyway, so its warning that the extra column is ignored is noise.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

CACHES = {
    "default": {
        "BACKEND": "core.cache.SharedCache",
        "LOCATION": "knutpunkt_cache",
        "TIMEOUT": 7 * 24 * 3600,
        "OPTIONS": {"MAX_ENTRIES": 5000},
    },
    "local": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tables"},
    # Kept list counts (core.counts): many and tiny, in a cache of their own, so that a person
    # clicking through filters never pushes the big tables above out of "local".
    "counts": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "counts",
        "TIMEOUT": 3600,
        "OPTIONS": {"MAX_ENTRIES": 5000},
    },
}

# Free text of deviations older than this is removed by `apply_retention` (the facts stay).
RETENTION_DAYS = int(os.environ.get("RETENTION_DAYS", str(5 * 365)))

# E-mail (digests to reporters, reminders to steering groups) through Django 6.1's MAILERS:
# the console in development, SMTP configured from the environment in production.
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "knutpunkt@localhost")
# The accessibility statement (/tillganglighet/): where people report a barrier in the service,
# and when the statement was last reviewed against the service (YYYY-MM-DD).
ACCESSIBILITY_CONTACT = os.environ.get("ACCESSIBILITY_CONTACT", "")
# The address people reach the service at, for links in e-mail (notifications, digests).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000" if DEBUG else "")
ACCESSIBILITY_REVIEWED_ON = os.environ.get("ACCESSIBILITY_REVIEWED_ON", "2026-12-05")
if DEBUG and not os.environ.get("EMAIL_HOST"):
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
else:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ.get("EMAIL_HOST", "localhost"),
                "port": int(os.environ.get("EMAIL_PORT", "25")),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", False),
            },
        }
    }
