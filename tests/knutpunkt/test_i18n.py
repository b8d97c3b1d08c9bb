"""Swedish by default, English selectable, and no untranslated string in the catalogue."""

from pathlib import Path

import polib
import pytest
from django.test import Client
from django.urls import reverse

CATALOGUE = Path(__file__).resolve().parents[2] / "locale" / "sv" / "LC_MESSAGES" / "django.po"


def test_swedish_catalogue_has_no_untranslated_or_fuzzy_entries() -> None:
    po = polib.pofile(str(CATALOGUE))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert (untranslated, fuzzy) == ([], [])
    assert len(po.translated_entries()) > 100


@pytest.mark.django_db
def test_pages_are_swedish_by_default(client: Client) -> None:
    page = client.get(reverse("login")).content.decode()
    assert 'lang="sv"' in page
    assert "Logga in" in page


@pytest.mark.django_db
def test_language_switch_to_english_sticks(staff_client: Client) -> None:
    response = staff_client.post(
        reverse("set_language"), {"language": "en", "next": reverse("home")}, follow=True
    )
    page = response.content.decode()
    assert 'lang="en"' in page
    assert "Log out" in page
    assert 'lang="en"' in staff_client.get(reverse("deviations:list")).content.decode()


@pytest.mark.django_db
def test_api_errors_follow_accept_language(client: Client) -> None:
    swedish = client.get("/api/v1/laws/", HTTP_ACCEPT_LANGUAGE="sv").json()["detail"]
    english = client.get("/api/v1/laws/", HTTP_ACCEPT_LANGUAGE="en").json()["detail"]
    assert swedish != english
    assert "Authentication credentials" in english
