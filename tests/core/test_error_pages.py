"""Error pages and the accessibility statement speak Swedish to people (issue 16)."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation
from django.views.defaults import server_error

from deviations.models import User


@pytest.mark.django_db
def test_a_missing_page_is_explained_in_swedish(staff_client: Client) -> None:
    response = staff_client.get("/finns-inte-alls/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Sidan finns inte" in page
    assert "Tillbaka till startsidan" in page
    assert "Not Found" not in page


@pytest.mark.django_db
def test_a_forbidden_page_says_why_in_swedish(staff_client: Client) -> None:
    response = staff_client.get(reverse("analytics:knots"))
    assert response.status_code == 403
    page = response.content.decode()
    assert "Du har inte behörighet till den här sidan" in page
    assert "403 Forbidden" not in page


@pytest.mark.django_db
def test_an_expired_form_is_explained_and_the_draft_mentioned(staff: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    response = client.post(reverse("logout"))
    assert response.status_code == 403
    assert "Formuläret hade gått ut" in response.content.decode()


def test_the_server_error_page_needs_no_database_and_is_swedish() -> None:
    request = RequestFactory().get("/")
    with translation.override("sv"):
        response = server_error(request)
    assert response.status_code == 500
    assert "Något gick fel hos oss" in response.content.decode()


@pytest.mark.django_db
def test_the_accessibility_statement_is_open_and_linked_from_every_page(
    client: Client, settings
) -> None:
    settings.ACCESSIBILITY_CONTACT = "tillganglighet@example.se"
    login = client.get(reverse("login")).content.decode()
    assert f'href="{reverse("accessibility")}"' in login
    page = client.get(reverse("accessibility"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Tillgänglighetsredogörelse för Knutpunkt" in text
    assert "2018:1937" in text
    assert 'href="mailto:tillganglighet@example.se"' in text
    assert "Digg" in text
