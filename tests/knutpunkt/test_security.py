"""Keeping people out: login lock-out, security headers and the Content Security Policy."""

from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from deviations.models import User

WRONG = {"username": "staff", "password": "fel-lösenord"}


def test_repeated_wrong_passwords_lock_the_login(staff: User, client: Client, settings) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    url = reverse("login")
    for _ in range(2):
        assert client.post(url, WRONG).status_code == 200  # the form again, with its error
    locked = client.post(url, WRONG)
    assert locked.status_code == 429
    assert "har pausats" in locked.content.decode()
    right = client.post(url, {"username": "staff", "password": "correct-horse-battery"})
    assert right.status_code == 429  # the right password does not lift the lock-out
    other = Client()
    other.post(url, {"username": "analyst", "password": "x"})
    assert (
        other.post(
            url, {"username": "staff", "password": "correct-horse-battery"}, REMOTE_ADDR="10.0.0.9"
        ).status_code
        == 302
    )


def test_the_api_token_endpoint_is_throttled_too(staff: User, settings) -> None:
    settings.AXES_FAILURE_LIMIT = 2
    api = APIClient()
    for _ in range(2):
        api.post("/api/v1/auth/token/", WRONG)
    locked = api.post(
        "/api/v1/auth/token/", {"username": "staff", "password": "correct-horse-battery"}
    )
    assert locked.status_code == 400  # even the right password gets no token while locked
    assert "token" not in locked.json()


def test_pages_carry_a_content_security_policy_and_headers(staff_client: Client) -> None:
    response = staff_client.get("/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_no_template_uses_inline_script_or_style() -> None:
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "templates"
    for path in root.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for chunk in text.split("<script")[1:]:
            head = chunk.split(">", 1)[0]
            assert "src=" in head or 'type="application/json"' in head, path
        assert " style=" not in text, path
        assert " onclick=" not in text.lower(), path
