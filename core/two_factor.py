"""The second factor: time-based codes (TOTP) with one-time backup codes, through django-otp.

Who must have one is a policy (`second_factor_required`), read today from the setting
KNUTPUNKT_REQUIRE_TOTP ("" nobody, "all" everyone, or role names such as "analyst,admin");
the organisation rule of issue 17 plugs in there and nowhere else. Whoever has a confirmed
device is asked for a code after the password, whatever the policy says. Wrong codes count
toward the same lock-out as wrong passwords (django-axes, user name and address).
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import segno
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_login_failed
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_otp import devices_for_user, user_has_device
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.middleware import UNAVAILABLE
from core.roles import ADMIN, ROLE_LABELS

BACKUP_CODES = 10
# Pages a half-signed-in person may reach: the code (or enrolment) page, signing out, changing
# language, and what needs no account at all.
OPEN_PATHS = ("/static/", "/healthz", "/metrics", "/favicon.ico", "/i18n/", "/tillganglighet/")
OPEN_NAMES = {"verify": ("logout", "two_factor_verify"), "enrol": ("logout", "two_factor")}
# Set in the session by single sign-on (deviations.sso): the identity provider verified the
# person, with its own multi-factor sign-in, so the local code is not asked (docs/security.md).
SIGNED_IN_BY_IDP = "signed_in_by_idp"


# --- Policy ------------------------------------------------------------------------------------


def required_roles() -> set[str] | None:
    """The roles that must use a second factor; None for everyone. Checked at start-up too
    (core.apps), so a misspelt role stops the server rather than quietly requiring nothing."""
    raw = (settings.KNUTPUNKT_REQUIRE_TOTP or "").strip().lower()
    if raw == "all":
        return None
    roles = {name.strip() for name in raw.split(",") if name.strip()}
    unknown = roles - set(ROLE_LABELS)
    if unknown:
        raise ImproperlyConfigured(
            f"KNUTPUNKT_REQUIRE_TOTP: unknown role(s) {', '.join(sorted(unknown))}; "
            f'use "", "all" or some of {", ".join(ROLE_LABELS)}.'
        )
    return roles


def second_factor_required(user: Any) -> bool:
    """Whether this person must sign in with a second factor. Superusers count as admin.

    The setting decides for the installation; an organisation may require it of all its
    people as well (`require_totp` on the person's organisation)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if getattr(getattr(user, "organisation", None), "require_totp", False):
        return True
    roles = required_roles()
    if roles is None:
        return True
    if not roles:
        return False
    names = set(user.groups.filter(name__in=roles).values_list("name", flat=True))
    return bool(names) or (ADMIN in roles and user.is_superuser)


def second_factor_enrolled(user: Any) -> bool:
    return user_has_device(user, confirmed=True)


# --- Enrolment ---------------------------------------------------------------------------------


def totp_pending(user: Any) -> TOTPDevice:
    """The person's unconfirmed authenticator (a new key the first time): shown as a QR code
    until a code from the app confirms it."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator", confirmed=False)


def totp_secret(device: TOTPDevice) -> str:
    """The key as authenticator apps take it when typed (base32, in groups of four)."""
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def totp_qr(device: TOTPDevice) -> str:
    """The otpauth:// link as an SVG data URI, made here: the key never leaves the server."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


@transaction.atomic
def totp_confirm(*, user: Any, code: str) -> tuple[TOTPDevice, list[str]] | None:
    """Confirm the pending authenticator with a code from it; returns it and new backup codes
    (shown once), or None when the code is wrong. An earlier device and codes are replaced."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None or not device.verify_token(code_clean(code)):
        return None
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return device, backup_codes_new(user=user)


@transaction.atomic
def backup_codes_new(*, user: Any) -> list[str]:
    """Ten fresh one-time codes for when the phone is away; the old ones stop working."""
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name="Backup codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=static, token=code) for code in codes)
    return codes


def second_factor_remove(*, user: Any) -> None:
    """Every authenticator and backup code of the person goes."""
    with transaction.atomic():
        for model in (TOTPDevice, StaticDevice):
            model.objects.filter(user=user).delete()


# --- Checking a code ---------------------------------------------------------------------------


def code_clean(code: str) -> str:
    """People type codes with spaces or dashes, as the app shows them."""
    return "".join(ch for ch in str(code) if ch.isalnum()).lower()


def code_match(user: Any, code: str) -> Device | None:
    """The confirmed device (authenticator or backup code) that accepts the code, if any. A
    backup code is used up by this; each device's own throttling (django-otp) applies."""
    token = code_clean(code)
    if not token:
        return None
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            if device.verify_is_allowed()[0] and device.verify_token(token):
                return device
    return None


def _credentials(user: Any) -> dict[str, str]:
    return {"username": user.get_username()}


def code_locked(request: HttpRequest, user: Any) -> bool:
    return AxesProxyHandler.is_locked(request, _credentials(user))


def code_failed(request: HttpRequest, user: Any) -> None:
    """A wrong code counts as a wrong password for this user name from this address."""
    user_login_failed.send(sender=__name__, credentials=_credentials(user), request=request)


def code_verify(request: HttpRequest, code: str) -> bool | HttpResponse:
    """Check a code for the signed-in person; True marks the session verified, False is a
    wrong code (counted), and a response is the lock-out page (the person is signed out)."""
    user = request.user
    if code_locked(request, user):
        return _locked_out(request, user)
    device = code_match(user, code)
    if device is None:
        code_failed(request, user)
        if getattr(request, "axes_locked_out", False) or code_locked(request, user):
            return _locked_out(request, user)
        return False
    otp_login(request, device)
    return True


def _locked_out(request: HttpRequest, user: Any) -> HttpResponse:
    credentials = _credentials(user)
    logout(request)
    request.axes_locked_out = False  # answered here; AxesMiddleware need not answer again
    return get_lockout_response(request, None, credentials)


# --- The gate ----------------------------------------------------------------------------------


def _unverified_state(request: HttpRequest) -> str:
    """ "" when the person may go on; "verify" when a code is due; "enrol" when the policy
    wants a second factor they have not set up. Only browser sessions count (API tokens
    have no session and are not asked)."""
    user = getattr(request, "user", None)
    try:
        if user is None or not user.is_authenticated or user.is_verified():
            return ""
        if request.session.get(SIGNED_IN_BY_IDP):
            return ""
        if second_factor_enrolled(user):
            return "verify"
        return "enrol" if second_factor_required(user) else ""
    except UNAVAILABLE:
        return ""  # the view's own database access answers with the clear 503


class SecondFactorMiddleware:
    """After the password, a person with an authenticator reaches nothing but the code page,
    and one the policy obliges reaches nothing but enrolment, until that is done (the admin
    included). Must come after django-otp's OTPMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.open_urls: dict[str, tuple[str, ...]] = {}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        state = _unverified_state(request)
        if not state or self._open(state, request.path):
            return self.get_response(request)
        if request.path.startswith("/api/"):
            if request.headers.get("Authorization", "").startswith("Token "):
                return self.get_response(request)  # a token speaks for itself (or gets 401)
            return JsonResponse(
                {"detail": _("Sign in with your second factor first."), "code": "otp_required"},
                status=403,
            )
        target = reverse("two_factor_verify" if state == "verify" else "two_factor")
        nxt = request.get_full_path()
        if request.method == "GET" and url_has_allowed_host_and_scheme(nxt, allowed_hosts=None):
            return redirect(f"{target}?next={quote(nxt, safe='/')}")
        return redirect(target)

    def _open(self, state: str, path: str) -> bool:
        if state not in self.open_urls:
            self.open_urls[state] = tuple(reverse(name) for name in OPEN_NAMES[state])
        return path.startswith(OPEN_PATHS) or path in self.open_urls[state]


def policy_check(**kwargs: Any) -> list[checks.CheckMessage]:
    """A misspelt role in KNUTPUNKT_REQUIRE_TOTP stops the start rather than require nobody."""
    try:
        required_roles()
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), id="core.E010")]
    return []
