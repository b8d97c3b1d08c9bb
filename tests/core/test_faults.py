"""Faults: the database going away during a submit gives a clear answer and keeps the text."""

from __future__ import annotations

import pytest
from django.db import OperationalError
from django.test import Client
from django.urls import reverse

from deviations import views as deviation_views
from deviations.models import Deviation, Unit

TEXT = "FK drog in sjukpenningen vid dag 180 och Af kräver inskrivning som arbetssökande."


def _form(unit: Unit) -> dict[str, str]:
    return {
        "description": TEXT,
        "occurred_on": "2026-03-02",
        "unit": str(unit.pk),
        "municipality": str(unit.municipalities.first().pk),
        "category": "work_capacity",
        "action": "submit",
    }


def _database_gone(*args: object, **kwargs: object) -> None:
    raise OperationalError("server closed the connection unexpectedly")


def test_submit_while_the_database_is_away_keeps_the_text(
    staff_client: Client, taby_unit: Unit, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(deviation_views, "deviation_submit", _database_gone)
    response = staff_client.post(reverse("deviations:create"), _form(taby_unit))
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    page = response.content.decode()
    assert TEXT in page
    assert "databas" in page.lower()
    assert not Deviation.objects.exists()
    # The draft was saved before the submit failed, so the user resumes from the drafts list.
    assert len(staff_client.get(reverse("home")).context["drafts"]) == 1


def test_autosave_while_the_database_is_away_answers_json(
    staff_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(deviation_views, "draft_save", _database_gone)
    response = staff_client.post(
        reverse("deviations:draft_autosave"), {"description": TEXT}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 503
    assert response.json()["code"] == "database_unavailable"


def test_the_next_request_works_again(staff_client: Client, taby_unit: Unit, monkeypatch) -> None:
    monkeypatch.setattr(deviation_views, "deviation_submit", _database_gone)
    staff_client.post(reverse("deviations:create"), _form(taby_unit))
    monkeypatch.undo()
    response = staff_client.post(reverse("deviations:create"), _form(taby_unit))
    assert response.status_code == 302
    assert Deviation.objects.count() == 1
