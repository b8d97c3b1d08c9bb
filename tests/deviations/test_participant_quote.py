"""The participant's own words (issue 20): only with consent, never with personal data on any
path, and in a dossier only from the disclosure limit up."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.admin.sites import site
from django.test import Client, RequestFactory
from django.urls import reverse
from rest_framework.test import APIClient

from barriers.dossier import dossier_context
from barriers.services import barrier_create
from core.errors import PersonalDataError
from deviations.models import Deviation, Draft, Unit, User
from deviations.rules import FieldRuleError
from deviations.services import DeviationInput, deviation_correct, deviation_submit
from tests.deviations.test_filing_views import DIRTY, SECRETS, _every_stored_string, _form

WORDS = "Jag fick gå mellan tre handläggare och ingen kunde säga vem som hade ansvaret."
pytestmark = pytest.mark.django_db


def _api_body(unit: Unit, **extra: object) -> dict[str, object]:
    return {
        "occurred_on": "2026-03-02",
        "unit": unit.pk,
        "municipality": "0160",
        "description": "FK drog in sjukpenningen vid dag 180 och Af kräver inskrivning först.",
        "category": "work_capacity",
        **extra,
    }


def _input(unit: Unit, **extra: object) -> DeviationInput:
    return DeviationInput(
        occurred_on=date(2026, 3, 2),
        unit=unit,
        municipality=unit.municipalities.get(code="0160"),
        description=str(_api_body(unit)["description"]),
        category="work_capacity",
        **extra,  # type: ignore[arg-type]
    )


def test_words_with_consent_are_kept_and_shown_to_the_reporter(
    staff_client: Client, taby_unit: Unit
) -> None:
    response = staff_client.post(
        reverse("deviations:create"),
        _form(taby_unit, participant_quote=WORDS, participant_consent="on"),
    )
    assert response.status_code == 302
    deviation = Deviation.objects.get()
    assert (deviation.participant_quote, deviation.participant_consent) == (WORDS, True)
    page = staff_client.get(reverse("deviations:detail", args=[deviation.reference]))
    assert WORDS in page.content.decode()


def test_words_without_consent_are_refused_and_kept_for_editing(
    staff_client: Client, staff: User, taby_unit: Unit
) -> None:
    response = staff_client.post(
        reverse("deviations:create"), _form(taby_unit, participant_quote=WORDS)
    )
    assert response.status_code == 400
    assert "participant_consent" in response.context["form"].errors
    assert WORDS in response.content.decode()  # nothing the reporter typed is lost
    api = APIClient()
    api.force_authenticate(staff)
    refused = api.post("/api/v1/deviations/", _api_body(taby_unit, participant_quote=WORDS))
    assert refused.status_code == 400
    assert refused.json()["code"] == "consent_required"
    assert not Deviation.objects.exists()


def test_personal_data_in_the_words_is_refused_on_every_path(
    staff_client: Client, staff: User, taby_unit: Unit
) -> None:
    form = _form(taby_unit, participant_quote=DIRTY[:300], participant_consent="on")
    response = staff_client.post(reverse("deviations:create"), form)
    assert response.status_code == 400
    assert "participant_quote" in response.context["form"].errors
    staff_client.post(reverse("deviations:create"), {**form, "action": "preview"})
    staff_client.post(
        reverse("deviations:draft_autosave"), {"participant_quote": DIRTY, "description": "x"}
    )
    api = APIClient()
    api.force_authenticate(staff)
    refused = api.post(
        "/api/v1/deviations/",
        _api_body(taby_unit, participant_quote=DIRTY[:300], participant_consent=True),
        format="json",
    )
    assert refused.status_code == 400
    assert refused.json()["code"] == "personal_data"
    api.post("/api/v1/drafts/", {"data": {"participant_quote": DIRTY}}, format="json")
    with pytest.raises(PersonalDataError):  # the service, as jobs call it
        deviation_submit(
            by=staff,
            data=_input(taby_unit, participant_quote=DIRTY[:300], participant_consent=True),
        )
    assert Draft.objects.exists()  # the drafts were saved, masked
    stored = _every_stored_string()
    for secret in SECRETS:
        assert secret not in stored
    assert not Deviation.objects.exists()


def test_consent_taken_back_takes_the_words_with_it(staff: User, taby_unit: Unit) -> None:
    deviation = deviation_submit(
        by=staff, data=_input(taby_unit, participant_quote=WORDS, participant_consent=True)
    )
    with pytest.raises(FieldRuleError, match="consent") as refused:
        deviation_correct(
            deviation=deviation,
            by=staff,
            changes={"participant_consent": False},
            reason="Samtycket togs tillbaka",
        )
    assert refused.value.code == "consent_required"
    deviation_correct(
        deviation=deviation,
        by=staff,
        changes={"participant_consent": False, "participant_quote": ""},
        reason="Samtycket togs tillbaka",
    )
    deviation.refresh_from_db()
    assert (deviation.participant_quote, deviation.participant_consent) == ("", False)


def test_the_admin_applies_the_consent_rule(admin_user: User, staff: User, taby_unit: Unit) -> None:
    deviation = deviation_submit(by=staff, data=_input(taby_unit))
    admin = site._registry[Deviation]
    request = RequestFactory().get("/")
    request.user = admin_user
    form_class = admin.get_form(request, deviation)
    data = {
        field: getattr(deviation, field)
        for field in form_class.base_fields
        if hasattr(deviation, field) and not field.endswith("_at")
    }
    data.update(
        unit=deviation.unit_id,
        municipality=deviation.municipality_id,
        participant_quote=WORDS,
        participant_consent=False,
    )
    form = form_class(data=data, instance=deviation)
    assert not form.is_valid()
    assert "participant_consent" in form.errors


def _words_filed(staff: User, unit: Unit, count: int) -> list[Deviation]:
    return [
        deviation_submit(
            by=staff,
            data=_input(
                unit,
                participant_quote=f"{WORDS} ({i})" if i else "Kalle Andersson sa att det var fel.",
                participant_consent=True,
            ),
            names_confirmed=True,
        )
        for i in range(count)
    ]


def test_words_reach_a_dossier_only_from_five_deviations(
    staff: User, analyst: User, taby_unit: Unit
) -> None:
    four = barrier_create(by=analyst, title="Fyra", deviations=_words_filed(staff, taby_unit, 4))
    assert dossier_context(user=analyst, barrier=four)["quotes"] is None
    six = barrier_create(by=analyst, title="Sex", deviations=_words_filed(staff, taby_unit, 6))
    quotes = dossier_context(user=analyst, barrier=six)["quotes"]
    assert quotes is not None
    assert len(quotes) == 5  # at most five, the newest first
    assert all(quote.startswith(WORDS) for quote in quotes)  # a possible name never
    html = Client()
    html.force_login(analyst)
    page = html.get(reverse("barriers:dossier", args=[six.pk])).content.decode()
    assert WORDS in page
    assert "Kalle" not in page
    dossier_of_four = html.get(reverse("barriers:dossier", args=[four.pk])).content.decode()
    assert WORDS not in dossier_of_four
