"""The easy-to-read page for participants (issue 20): open to all, on every page, printable."""

from __future__ import annotations

import pytest
from django.test import Client

from deviations.models import User

pytestmark = pytest.mark.django_db


def test_anyone_reads_it_in_easy_swedish_and_can_print_it(client: Client) -> None:
    response = client.get("/lattlast/", HTTP_ACCEPT_LANGUAGE="sv")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Vad händer med det du berättar?" in page
    assert "Vi skriver inte ditt namn." in page
    assert "Vi skriver aldrig vem som sa det." in page
    assert "data-print" in page  # the print button (static/js/print.js)
    assert 'class="easy-read"' in page  # large type; the print style drops header and footer


@pytest.mark.parametrize("path", ["/konto/logga-in/", "/tillganglighet/", "/"])
def test_every_page_links_to_it(client: Client, staff: User, path: str) -> None:
    client.force_login(staff)
    page = client.get(path, HTTP_ACCEPT_LANGUAGE="sv", follow=True).content.decode()
    assert 'href="/lattlast/"' in page
    assert "Lättläst: vad händer med det du berättar?" in page


def test_it_reads_in_english_when_english_is_chosen(client: Client) -> None:
    client.cookies["django_language"] = "en"
    page = client.get("/lattlast/").content.decode()
    assert "What happens with what you tell us" in page


@pytest.mark.parametrize("path", ["/lattlast/", "/tillganglighet/"])
def test_the_open_pages_take_reading_only(client: Client, path: str) -> None:
    assert client.post(path).status_code == 405
