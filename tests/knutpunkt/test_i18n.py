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


def test_every_string_in_the_code_has_a_swedish_translation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """makemessages over a copy of the code and the catalogue: a string added to the code but
    not to django.po would show in English, so it fails here."""
    import shutil

    from django.core.management import call_command

    root = CATALOGUE.parents[3]
    skip = shutil.ignore_patterns(".*", "__pycache__", "var", "tests", "benchmarks", "docs")
    for name in ("analytics", "api", "barriers", "catalogue", "core", "demo", "deviations"):
        shutil.copytree(root / name, tmp_path / name, ignore=skip)
    for name in ("jobs", "knutpunkt", "privacy", "templates", "locale", "static"):
        shutil.copytree(root / name, tmp_path / name, ignore=skip)
    monkeypatch.chdir(tmp_path)
    call_command("makemessages", locale=["sv"], no_obsolete=True, verbosity=0)
    po = polib.pofile(str(tmp_path / "locale" / "sv" / "LC_MESSAGES" / "django.po"))
    missing = [e.msgid for e in po.untranslated_entries() + po.fuzzy_entries()]
    assert missing == [], missing
