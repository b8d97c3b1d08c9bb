"""A reporter corrects (with a reason, audited, gated again) or withdraws a filed deviation."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from analytics.extract import AnalysisFilter, deviation_table
from core.errors import DomainError, PersonalDataError
from deviations.models import Deviation, Unit, User
from deviations.rules import FieldRuleError
from deviations.selectors import triage_queue
from deviations.services import deviation_correct, deviation_withdraw
from tests.factories import DeviationFactory

PERSONNUMMER = "19121212-1212"


@pytest.fixture
def filed(staff: User, taby_unit: Unit) -> Deviation:
    return DeviationFactory(
        unit=taby_unit,
        reporter=staff,
        description="FK drog in sjukpenningen vid dag 180 och Af kräver inskrivning.",
        occurred_on=date(2026, 3, 2),
    )


def test_the_reporter_corrects_with_a_reason_kept_in_the_history(
    staff_client: Client, filed: Deviation
) -> None:
    url = reverse("deviations:correct", args=[filed.reference])
    form = staff_client.get(url)
    assert form.status_code == 200
    data = {
        "description": filed.description + " Kommunen hänvisar till 4 kap. 1 § SoL.",
        "occurred_on": "2026-03-01",
        "category": filed.category or "work_capacity",
        "consequence": "",
        "severity": "",
        "gender": "",
        "reason": "fel datum och en mening saknades",
    }
    response = staff_client.post(url, data)
    assert response.status_code == 302
    filed.refresh_from_db()
    assert filed.occurred_on == date(2026, 3, 1)
    last = filed.history.first()
    assert last.history_change_reason == "fel datum och en mening saknades"
    assert filed.history.count() >= 2  # the old values stay in the history
    # The new text got fresh suggestions.
    assert filed.taggings.filter(tag_id="agency:KOMMUN", state="suggested").exists()


@pytest.mark.parametrize(
    ("changes", "reason", "field"),
    [
        ({"description": f"Personen {PERSONNUMMER} nekades."}, "ny text", "description"),
        ({"occurred_on": date(2099, 1, 1)}, "nytt datum", "occurred_on"),
        ({"category": "nonsense"}, "ny kategori", "category"),
        ({"occurred_on": date(2026, 3, 1)}, f"personnummer {PERSONNUMMER}", "reason"),
        ({"occurred_on": date(2026, 3, 1)}, "   ", "reason"),
    ],
)
def test_a_bad_correction_is_refused_and_nothing_changes(
    filed: Deviation, staff: User, changes: dict, reason: str, field: str
) -> None:
    before = (filed.description, filed.occurred_on, filed.category)
    with pytest.raises((FieldRuleError, PersonalDataError)) as caught:
        deviation_correct(deviation=filed, by=staff, changes=changes, reason=reason)
    assert getattr(caught.value, "field", "description") == field
    filed.refresh_from_db()
    assert (filed.description, filed.occurred_on, filed.category) == before


def test_the_form_keeps_what_was_typed_when_refused(staff_client: Client, filed: Deviation) -> None:
    url = reverse("deviations:correct", args=[filed.reference])
    typed = f"Ny text om personen {PERSONNUMMER} som nekades stöd av FK."
    response = staff_client.post(
        url,
        {"description": typed, "occurred_on": "2026-03-02", "category": "work_capacity",
         "reason": "ny text"},
    )  # fmt: skip
    assert response.status_code == 200
    page = response.content.decode()
    assert "personuppgifter" in page  # the gate's Swedish message
    assert "Ny text om personen" in page  # what was typed stays (masked by nothing else)


def test_only_the_reporter_may_correct(
    other_unit_staff: User, analyst_client: Client, filed: Deviation
) -> None:
    with pytest.raises(DomainError):
        deviation_correct(deviation=filed, by=other_unit_staff, changes={"severity": 2}, reason="x")
    url = reverse("deviations:correct", args=[filed.reference])
    assert analyst_client.get(url).status_code == 403


def test_a_withdrawn_deviation_leaves_the_queue_and_every_analysis(
    staff_client: Client, filed: Deviation, staff: User, analyst: User
) -> None:
    assert filed in triage_queue(user=analyst)
    url = reverse("deviations:withdraw", args=[filed.reference])
    assert staff_client.post(url, {"withdraw-reason": ""}).status_code == 400
    response = staff_client.post(url, {"withdraw-reason": "registrerad två gånger"})
    assert response.status_code == 302
    filed.refresh_from_db()
    assert filed.status == Deviation.Status.WITHDRAWN
    assert filed.history.first().history_change_reason == "registrerad två gånger"
    assert filed not in triage_queue(user=analyst)
    assert filed.reference not in set(deviation_table(AnalysisFilter()).references)
    with pytest.raises(DomainError):  # nothing more to change
        deviation_withdraw(deviation=filed, by=staff, reason="igen")
    detail = staff_client.get(reverse("deviations:detail", args=[filed.reference]))
    assert "Återkallad av den som rapporterade" in detail.content.decode()
