"""The second factor: enrolment, the code step of signing in, backup codes, lock-out, the
policy (KNUTPUNKT_REQUIRE_TOTP) and the API token endpoint."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import checks
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from core.two_factor import backup_codes_new, policy_check, second_factor_required
from deviations.models import User

PASSWORD = "correct-horse-battery"


def code(device: TOTPDevice, drift: int = 0) -> str:
    return f"{totp(device.bin_key, drift=drift):06d}"


def wrong(device: TOTPDevice) -> str:
    return f"{(int(code(device)) + 1) % 1_000_000:06d}"


@pytest.fixture(autouse=True)
def _no_device_throttle(settings: Any) -> None:
    """django-otp delays a device a second after a wrong code; these tests type the right one
    at once (the lock-out counted by django-axes is tested below)."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def device_for(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def password_login(client: Client, username: str) -> Any:
    return client.post(reverse("login"), {"username": username, "password": PASSWORD})


def test_enrolment_shows_a_qr_code_confirms_with_a_code_and_shows_backup_codes_once(
    staff_client: Client, staff: User
) -> None:
    url = reverse("two_factor")
    page = staff_client.get(url).content.decode()
    assert 'src="data:image/svg+xml' in page  # made here, no outside service
    device = TOTPDevice.objects.get(user=staff, confirmed=False)
    secret = re.search(r"<code>([A-Z2-7 ]+)</code>", page).group(1)
    assert secret.replace(" ", "") in device.config_url  # the typed key is the QR's key
    assert staff_client.get(url).status_code == 200
    assert TOTPDevice.objects.filter(user=staff).count() == 1  # a reload keeps the same key

    refused = staff_client.post(url, {"code": wrong(device)})
    assert refused.status_code == 200
    assert "Koden stämde inte" in refused.content.decode()
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed

    shown = staff_client.post(url, {"code": code(device)})
    codes = re.findall(r"<li><code>([a-z0-9]+)</code></li>", shown.content.decode())
    assert len(codes) == 10
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert set(StaticToken.objects.values_list("token", flat=True)) == set(codes)
    again = staff_client.get(url).content.decode()
    assert "Tvåstegsverifiering är påslagen" in again
    assert not any(backup in again for backup in codes)  # never shown again
    assert staff_client.get(reverse("home")).status_code == 200  # this session is verified


def test_login_asks_for_the_code_and_refuses_a_wrong_one(staff: User) -> None:
    device = device_for(staff)
    client = Client()
    assert password_login(client, "staff").status_code == 302
    held = client.get(reverse("deviations:list"))
    assert held.status_code == 302
    assert held["Location"].startswith(reverse("two_factor_verify"))
    assert client.get(reverse("profile")).status_code == 302  # nothing else either
    assert client.get(reverse("two_factor")).status_code == 302  # not even a new device
    assert client.get("/api/v1/deviations/").json()["code"] == "otp_required"
    other_scheme = client.get("/api/v1/deviations/", HTTP_AUTHORIZATION="Basic c3RhZmY6eA==")
    assert other_scheme.status_code == 403  # the session stays held, whatever the header
    assert client.get("/api/v1/deviations/", HTTP_AUTHORIZATION="Token nope").status_code == 401

    verify = reverse("two_factor_verify") + "?next=/avvikelser/"
    refused = client.post(verify, {"code": wrong(device), "next": "/avvikelser/"})
    assert refused.status_code == 200
    assert "Koden är fel eller för gammal" in refused.content.decode()
    accepted = client.post(verify, {"code": code(device), "next": "/avvikelser/"})
    assert accepted.status_code == 302
    assert accepted["Location"] == "/avvikelser/"
    assert client.get(reverse("deviations:list")).status_code == 200


def test_a_backup_code_works_once(staff: User) -> None:
    device_for(staff)
    backup = backup_codes_new(user=staff)[0]
    first, second = Client(), Client()
    for client in (first, second):
        password_login(client, "staff")
    assert first.post(reverse("two_factor_verify"), {"code": backup}).status_code == 302
    assert first.get(reverse("home")).status_code == 200
    assert second.post(reverse("two_factor_verify"), {"code": backup}).status_code == 200
    assert second.get(reverse("home")).status_code == 302
    assert StaticToken.objects.filter(device__user=staff).count() == 9


def test_wrong_codes_lock_the_login_like_wrong_passwords(staff: User, settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    device = device_for(staff)
    client = Client()
    password_login(client, "staff")
    url = reverse("two_factor_verify")
    for _ in range(2):
        assert client.post(url, {"code": wrong(device)}).status_code == 200
    locked = client.post(url, {"code": wrong(device)})
    assert locked.status_code == 429
    assert "har pausats efter flera felaktiga lösenord eller koder" in locked.content.decode()
    assert client.get(reverse("home")).status_code == 302  # signed out
    assert client.get(reverse("home"))["Location"].startswith(reverse("login"))
    assert password_login(Client(), "staff").status_code == 429  # the pair stays locked


def test_policy_all_sends_everyone_to_enrolment_until_done(
    staff_client: Client, staff: User, settings: Any
) -> None:
    settings.KNUTPUNKT_REQUIRE_TOTP = "all"
    held = staff_client.get(reverse("deviations:list"))
    assert held.status_code == 302
    assert held["Location"] == reverse("two_factor") + "?next=/avvikelser/"
    assert staff_client.get(reverse("api_tokens")).status_code == 302
    assert staff_client.get("/api/v1/deviations/").status_code == 403
    assert staff_client.get(reverse("healthz")).status_code == 200
    page = staff_client.get(reverse("two_factor"))
    assert "kräver tvåstegsverifiering" in page.content.decode()
    device = TOTPDevice.objects.get(user=staff)
    staff_client.post(reverse("two_factor"), {"code": code(device), "next": "/avvikelser/"})
    assert staff_client.get(reverse("deviations:list")).status_code == 200
    # ... and the policy does not let it be turned off again
    staff_client.post(reverse("two_factor_disable"), {"code": code(device, drift=1)})
    assert TOTPDevice.objects.filter(user=staff, confirmed=True).exists()
    assert staff_client.post(reverse("logout")).status_code == 302


def test_policy_by_role_and_off(staff: User, analyst: User, admin_user: User, settings) -> None:
    settings.KNUTPUNKT_REQUIRE_TOTP = ""
    assert not second_factor_required(staff)
    settings.KNUTPUNKT_REQUIRE_TOTP = "analyst, admin"
    assert [second_factor_required(u) for u in (staff, analyst, admin_user)] == [
        False,
        True,
        True,
    ]
    staff_client, analyst_client = Client(), Client()
    staff_client.force_login(staff)
    analyst_client.force_login(analyst)
    assert staff_client.get(reverse("home")).status_code == 200
    assert analyst_client.get(reverse("home"))["Location"].startswith(reverse("two_factor"))
    settings.KNUTPUNKT_REQUIRE_TOTP = "analyst,chef"
    assert [error.id for error in policy_check()] == ["core.E010"]
    assert checks.Error in {type(error) for error in policy_check()}


def test_an_organisation_can_require_it_of_all_its_people(
    staff: User, analyst: User, settings: Any
) -> None:
    """Roslagen requires a second factor: its analyst must enrol, Östra Södertörn's need not."""
    from catalogue.models import Forbund

    settings.KNUTPUNKT_REQUIRE_TOTP = ""
    roslagen = Forbund.objects.get(slug="roslagen")
    roslagen.require_totp = True
    roslagen.save()
    analyst.organisation = roslagen
    analyst.save()
    staff.organisation = Forbund.objects.get(slug="ostra-sodertorn")
    staff.save()
    assert [second_factor_required(u) for u in (analyst, staff)] == [True, False]
    client = Client()
    client.force_login(analyst)
    assert client.get(reverse("home"))["Location"].startswith(reverse("two_factor"))


def test_the_admin_needs_a_verified_admin_when_the_policy_says_so(
    admin_user: User, settings: Any
) -> None:
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    client = Client()
    client.force_login(admin_user)
    assert client.get("/admin/").status_code == 200
    settings.KNUTPUNKT_REQUIRE_TOTP = "admin"
    assert client.get("/admin/")["Location"].startswith(reverse("two_factor"))
    device = device_for(admin_user)
    assert client.get("/admin/")["Location"].startswith(reverse("two_factor_verify"))
    client.post(reverse("two_factor_verify"), {"code": code(device)})
    assert client.get("/admin/").status_code == 200


def test_turning_off_needs_a_current_code(staff: User) -> None:
    device = device_for(staff)
    backup_codes_new(user=staff)
    client = Client()
    password_login(client, "staff")
    client.post(reverse("two_factor_verify"), {"code": code(device)})
    client.post(reverse("two_factor_disable"), {"code": wrong(device)})
    assert TOTPDevice.objects.filter(user=staff).exists()
    done = client.post(reverse("two_factor_disable"), {"code": code(device, drift=1)})
    assert done["Location"] == reverse("profile")
    assert not TOTPDevice.objects.filter(user=staff).exists()
    assert not StaticDevice.objects.filter(user=staff).exists()
    again = Client()
    password_login(again, "staff")
    assert again.get(reverse("home")).status_code == 200  # no code asked any more


def test_an_api_key_needs_a_code_when_the_person_has_a_second_factor(
    staff: User, settings: Any
) -> None:
    url = reverse("api-token")
    api = APIClient()
    settings.KNUTPUNKT_REQUIRE_TOTP = "all"
    refused = api.post(url, {"username": "staff", "password": PASSWORD})
    assert refused.status_code == 403
    assert refused.json()["code"] == "otp_enrolment_required"
    device = device_for(staff)
    missing = api.post(url, {"username": "staff", "password": PASSWORD})
    assert missing.status_code == 400
    assert "otp" in missing.json()["errors"]
    made = api.post(url, {"username": "staff", "password": PASSWORD, "otp": code(device)})
    assert made.status_code == 200
    token = made.json()["token"]
    # the token itself is used without codes
    used = APIClient(HTTP_AUTHORIZATION=f"Token {token}").get("/api/v1/deviations/")
    assert used.status_code == 200
