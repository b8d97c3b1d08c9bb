"""API tokens and browser sessions end when they should: tokens expire, are kept only as
digests, die when their owner revokes them or changes the password; sessions end after an idle
hour and a working day, both through the whole middleware stack, with the clock moved."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from axes.helpers import get_client_ip_address
from django.contrib.auth.forms import AdminPasswordChangeForm, PasswordChangeForm
from django.contrib.auth.models import update_last_login
from django.db import connection
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from knox.models import AuthToken
from rest_framework.test import APIClient

from deviations.models import User
from knutpunkt.settings import client_address_settings
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct-horse-battery"
T0 = datetime(2026, 3, 10, 7, 30, tzinfo=UTC)  # a Tuesday morning


def _obtain(username: str = "staff") -> dict:
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": username, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()


def _status(token: str, url: str = "/api/v1/units/") -> int:
    return APIClient().get(url, HTTP_AUTHORIZATION=f"Token {token}").status_code


# --- Tokens ---------------------------------------------------------------------------------


def test_a_token_is_kept_only_as_a_digest(staff: User) -> None:
    body = _obtain()
    token = body["token"]
    assert set(body) == {"token", "expiry"}
    assert _status(token) == 200
    stored = list(AuthToken.objects.filter(user=staff).values())
    assert len(stored) == 1
    for value in stored[0].values():
        assert token not in str(value)  # neither the key nor anything that contains it
    assert len(stored[0]["token_key"]) < len(token) / 3  # only a short look-up prefix


def test_a_token_expires_and_use_does_not_extend_it(staff: User, settings) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        token = _obtain()["token"]
        clock.shift(settings.API_TOKEN_TTL - timedelta(minutes=1))
        assert _status(token) == 200  # used just before the end ...
        clock.shift(timedelta(minutes=2))
        assert _status(token) == 401  # ... and still over at the end
    assert not AuthToken.objects.filter(user=staff).exists()  # and removed


def test_the_token_lifetime_is_set_from_the_environment() -> None:
    code = "import knutpunkt.settings as s; print(s.REST_KNOX['TOKEN_TTL'].total_seconds())"
    env = {**os.environ, "DEBUG": "1", "API_TOKEN_TTL_HOURS": "2"}
    done = subprocess.run(  # noqa: S603 - fixed interpreter and code
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.stdout.split() == ["7200.0"], done.stderr
    env["API_TOKEN_TTL_HOURS"] = "0"
    refused = subprocess.run(  # noqa: S603 - fixed interpreter and code
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert "API_TOKEN_TTL_HOURS must be positive" in refused.stderr


def test_the_owner_revokes_this_token_or_all_of_theirs(staff: User) -> None:
    first, second, third = (_obtain()["token"] for _ in range(3))
    revoked = APIClient().post("/api/v1/auth/token/revoke/", HTTP_AUTHORIZATION=f"Token {first}")
    assert revoked.status_code == 204
    assert (_status(first), _status(second), _status(third)) == (401, 200, 200)
    everything = APIClient().post(
        "/api/v1/auth/token/revoke-all/", HTTP_AUTHORIZATION=f"Token {second}"
    )
    assert everything.status_code == 204
    assert (_status(second), _status(third)) == (401, 401)


def test_revoking_without_a_token_is_refused(staff_client: Client) -> None:
    response = APIClient().post("/api/v1/auth/token/revoke/")
    assert response.status_code == 401
    assert response.json()["detail"]


@pytest.mark.parametrize(
    "change",
    ["set_password", "set_unusable_password", "password_change_form", "admin_form"],
)
def test_a_password_change_ends_every_token(staff: User, change: str) -> None:
    tokens = [_obtain()["token"] for _ in range(2)]
    other = UserFactory(username="colleague")
    theirs = _obtain("colleague")["token"]
    if change == "set_password":
        staff.set_password("ett-helt-nytt-losenord-42")
        staff.save()
    elif change == "set_unusable_password":
        staff.set_unusable_password()
        staff.save()
    elif change == "password_change_form":
        new = "ett-helt-nytt-losenord-42"
        data = {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
        form = PasswordChangeForm(staff, data)
        assert form.is_valid(), form.errors
        form.save()
    else:
        new = "ett-helt-nytt-losenord-42"
        form = AdminPasswordChangeForm(staff, {"password1": new, "password2": new})
        assert form.is_valid(), form.errors
        form.save()
    assert [_status(token) for token in tokens] == [401, 401]
    assert _status(theirs) == 200  # another user's tokens stay
    assert other.auth_token_set.count() == 1


def test_the_admin_password_page_ends_the_tokens_too(staff: User) -> None:
    token = _obtain()["token"]
    admin = Client()
    admin.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    new = "ett-helt-nytt-losenord-42"
    url = reverse("admin:auth_user_password_change", args=[staff.pk])
    response = admin.post(url, {"password1": new, "password2": new})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert _status(token) == 401


def test_other_saves_of_the_user_keep_the_tokens(staff: User) -> None:
    token = _obtain()["token"]
    update_last_login(None, staff)  # what every sign-in does
    staff.first_name = "Kim"
    staff.save()
    staff.refresh_from_db()
    staff.save()
    assert _status(token) == 200


def test_the_page_lists_only_my_keys_and_revokes_them(staff: User, staff_client: Client) -> None:
    mine = [_obtain()["token"] for _ in range(2)]
    UserFactory(username="colleague")
    theirs = _obtain("colleague")["token"]
    url = reverse("api_tokens")
    page = staff_client.get(url).content.decode()
    assert "API-nycklar" in page
    assert "Återkalla" in page
    assert page.count('name="revoke"') == 2
    assert mine[0][:8] in page
    assert mine[1][:8] in page
    assert theirs[:8] not in page
    their_digest = AuthToken.objects.get(user__username="colleague").digest
    refused = staff_client.post(url, {"revoke": their_digest}, follow=True)
    assert "hittades inte" in refused.content.decode()
    assert _status(theirs) == 200  # not mine to revoke
    digest = AuthToken.objects.get(user=staff, token_key=mine[0][:15]).digest
    done = staff_client.post(url, {"revoke": digest}, follow=True)
    assert "återkallades" in done.content.decode()
    assert (_status(mine[0]), _status(mine[1])) == (401, 200)
    staff_client.post(url, {"revoke_all": "1"})
    assert _status(mine[1]) == 401
    assert _status(theirs) == 200
    assert "inga API-nycklar" in staff_client.get(url).content.decode()


@pytest.mark.django_db(transaction=True)  # SQLite changes its schema outside a transaction
def test_old_plain_tokens_are_dropped_by_the_migration() -> None:
    from importlib import import_module

    drop = import_module("api.migrations.0001_drop_plain_api_tokens").drop_plain_tokens
    with connection.cursor() as cursor:
        cursor.execute('CREATE TABLE "authtoken_token" ("key" varchar(40) PRIMARY KEY)')
        cursor.execute("INSERT INTO authtoken_token VALUES ('0123456789abcdef')")
    with connection.schema_editor() as editor:
        drop(None, editor)
    assert "authtoken_token" not in connection.introspection.table_names()
    with connection.schema_editor() as editor:
        drop(None, editor)  # a database that never had DRF's tokens


# --- Sessions -------------------------------------------------------------------------------


def _sign_in(client: Client) -> None:
    response = client.post(reverse("login"), {"username": "staff", "password": PASSWORD})
    assert response.status_code == 302


def _signed_in(client: Client) -> bool:
    response = client.get(reverse("home"))
    return response.status_code == 200


@pytest.mark.usefixtures("staff")
def test_a_session_ends_after_an_idle_hour(settings) -> None:
    idle = timedelta(seconds=settings.SESSION_SECURITY_EXPIRE_AFTER)
    assert idle == settings.SESSION_IDLE_AGE == timedelta(hours=1)
    client = Client()
    with time_machine.travel(T0, tick=False) as clock:
        _sign_in(client)
        for _ in range(4):  # a request every 55 minutes keeps it going
            clock.shift(idle - timedelta(minutes=5))
            assert _signed_in(client)
        clock.shift(idle + timedelta(seconds=1))
        response = client.get(reverse("home"), follow=True)
        assert response.redirect_chain[-1][0].startswith(reverse("login"))
        assert "60 minuter utan aktivitet" in response.content.decode()
        assert not _signed_in(client)


@pytest.mark.usefixtures("staff")
def test_a_session_ends_after_a_working_day_however_busy(settings) -> None:
    assert settings.SESSION_MAX_AGE.total_seconds() == 9 * 3600
    client = Client()
    with time_machine.travel(T0, tick=False) as clock:
        _sign_in(client)
        for _ in range(17):  # every half hour, up to 8.5 hours after sign-in
            clock.shift(timedelta(minutes=30))
            assert _signed_in(client)
        clock.shift(timedelta(minutes=29))
        assert _signed_in(client)
        clock.shift(timedelta(minutes=1))  # nine hours
        response = client.get(reverse("home"), follow=True)
        assert "9 timmar efter" in response.content.decode()
        assert not _signed_in(client)
        _sign_in(client)  # a new sign-in starts a new day
        clock.shift(timedelta(minutes=30))
        assert _signed_in(client)


@pytest.mark.usefixtures("staff")
def test_the_working_day_is_configurable(settings) -> None:
    settings.SESSION_MAX_AGE = timedelta(hours=2)
    client = Client()
    with time_machine.travel(T0, tick=False) as clock:
        _sign_in(client)
        clock.shift(timedelta(minutes=119))
        assert _signed_in(client)
        clock.shift(timedelta(minutes=1))
        assert not _signed_in(client)


def test_the_session_limits_are_set_from_the_environment() -> None:
    code = (
        "import knutpunkt.settings as s; "
        "print(s.SESSION_SECURITY_EXPIRE_AFTER, s.SESSION_COOKIE_AGE)"
    )
    env = {**os.environ, "DEBUG": "1", "SESSION_IDLE_MINUTES": "15", "SESSION_MAX_HOURS": "8"}
    done = subprocess.run(  # noqa: S603 - fixed interpreter and code
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.stdout.split() == ["900", "28800"], done.stderr


def test_an_api_token_request_gets_no_session(staff: User) -> None:
    token = _obtain()["token"]
    response = APIClient().get("/api/v1/units/", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 200
    assert "sessionid" not in response.cookies


# --- The client's address for the lock-out ----------------------------------------------------


@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "expected"),
    [
        (0, "203.0.113.9", "10.0.0.1"),  # no proxy: a header is the client's own say
        (1, "", None),  # behind nginx the header is always there; nothing else is trusted
        (1, "10.0.0.7", "10.0.0.7"),
        (1, "203.0.113.9, 10.0.0.7", "10.0.0.7"),  # what the client wrote is ignored
        (1, '203.0.113.9, ", 10.0.0.7', "10.0.0.7"),  # an open quote does not swallow nginx's
        (1, "not-an-address, 10.0.0.7", "10.0.0.7"),
        (2, "203.0.113.9, 198.51.100.4, 10.0.0.7", "198.51.100.4"),  # load balancer, nginx
    ],
)
def test_the_counted_address_is_the_one_the_proxies_report(
    proxies: int, forwarded_for: str, expected: str | None
) -> None:
    meta = {"REMOTE_ADDR": "10.0.0.1"}
    if forwarded_for:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded_for
    request = RequestFactory().post("/konto/logga-in/", **meta)
    with override_settings(**client_address_settings(proxies)):
        assert get_client_ip_address(request) == expected


def test_a_negative_proxy_count_is_refused() -> None:
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="PROXY_COUNT"):
        client_address_settings(-1)
