"""Password reset by e-mail and password change: the same answer for any address, a link
built on SITE_URL, a throttle, the configured validators, and no lifted lock-out."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from deviations.models import User

PASSWORD = "correct-horse-battery"
NEW = "Ny-Lösenordsfras-2026"


@pytest.fixture
def person(staff: User, settings: Any) -> User:
    settings.SITE_URL = "https://knutpunkt.example.se/"
    staff.email = "staff@example.se"
    staff.save()
    mail.outbox.clear()
    return staff


def ask(client: Client, email: str, **extra: Any) -> Any:
    return client.post(reverse("password_reset"), {"email": email}, **extra)


def test_the_login_page_links_to_the_reset(client: Client) -> None:
    page = client.get(reverse("login")).content.decode()
    assert reverse("password_reset") in page
    assert "Glömt lösenordet?" in page


def test_a_reset_mail_in_swedish_with_a_working_link(person: User, client: Client) -> None:
    answer = ask(client, "STAFF@example.se")
    assert answer.status_code == 302
    assert answer["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["staff@example.se"]
    assert message.subject == "Knutpunkt: välj ett nytt lösenord"
    assert "Följ länken" in message.body
    link = re.search(r"https://knutpunkt\.example\.se(/konto/losenord/\S+)", message.body)
    assert link, message.body

    form = client.get(link.group(1), follow=True)
    assert "Välj ett nytt lösenord" in form.content.decode()
    set_url = form.redirect_chain[-1][0]
    weak = client.post(set_url, {"new_password1": "123", "new_password2": "123"})
    assert weak.status_code == 200  # the validators as configured
    assert "för kort" in weak.content.decode()
    done = client.post(set_url, {"new_password1": NEW, "new_password2": NEW})
    assert done["Location"] == reverse("password_reset_complete")
    signed_in = Client().post(reverse("login"), {"username": "staff", "password": NEW})
    assert signed_in.status_code == 302
    used = client.get(link.group(1), follow=True)
    assert "Länken fungerar inte" in used.content.decode()  # once only


def test_an_unknown_address_gets_the_same_answer_and_no_mail(person: User, client: Client) -> None:
    known = ask(client, "staff@example.se")
    unknown = ask(Client(), "nobody@example.se")
    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    assert [m.to for m in mail.outbox] == [["staff@example.se"]]


def test_requests_are_throttled_per_address_and_per_client(person: User) -> None:
    for _ in range(3):
        assert ask(Client(), "staff@example.se").status_code == 302
    refused = ask(Client(), "staff@example.se")
    assert refused.status_code == 429
    assert "För många" in refused.content.decode()
    assert len(mail.outbox) == 3
    client = Client()
    answers = [
        ask(client, f"someone{n}@example.se", REMOTE_ADDR="10.0.0.7").status_code for n in range(11)
    ]
    assert answers == [302] * 10 + [429]
    assert ask(client, "other@example.se", REMOTE_ADDR="10.0.0.8").status_code == 302


def test_a_reset_does_not_lift_a_lock_out(person: User, client: Client, settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(2):
        client.post(reverse("login"), {"username": "staff", "password": "fel"})
    ask(client, "staff@example.se")
    link = re.search(r"https?://\S+(/konto/losenord/\S+)", mail.outbox[0].body).group(1)
    set_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(set_url, {"new_password1": NEW, "new_password2": NEW})
    locked = client.post(reverse("login"), {"username": "staff", "password": NEW})
    assert locked.status_code == 429  # the cool-off stands (docs/security.md)


def test_a_signed_in_person_changes_the_password(staff_client: Client, staff: User) -> None:
    assert reverse("password_change") in staff_client.get(reverse("profile")).content.decode()
    url = reverse("password_change")
    wrong = staff_client.post(
        url, {"old_password": "fel", "new_password1": NEW, "new_password2": NEW}
    )
    assert wrong.status_code == 200
    assert "felaktigt" in wrong.content.decode()
    done = staff_client.post(
        url, {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW}
    )
    assert done["Location"] == reverse("password_change_done")
    assert staff_client.get(reverse("home")).status_code == 200  # still signed in
    staff.refresh_from_db()
    assert staff.check_password(NEW)
