"""The filing pages without a browser: validation next to fields, the no-JavaScript preview,
and the rule that personal data never reaches any table, whichever way it is sent."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from deviations.models import Deviation, Draft, Unit, User
from tests.factories import UserFactory

TEXT = "FK drog in sjukpenningen vid dag 180 enligt 27 kap. 48 § SFB och Af kräver inskrivning."
SECRETS = ["870514-9832", "070-174 06 52", "ines.varglund84@example.com", "Björkvägen 3"]
DIRTY = f"Gäller {SECRETS[0]}, nås på {SECRETS[1]} och {SECRETS[2]}, bor på {SECRETS[3]}. {TEXT}"


def _form(unit: Unit, **overrides: str) -> dict[str, str]:
    data = {
        "description": TEXT,
        "occurred_on": "2026-03-02",
        "unit": str(unit.pk),
        "municipality": str(unit.municipalities.get(code="0160").pk),
        "category": "work_capacity",
        "action": "submit",
    }
    data.update(overrides)
    return data


def test_new_form_is_prefilled_from_the_profile(staff_client: Client, taby_unit: Unit) -> None:
    response = staff_client.get(reverse("deviations:create"))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["unit"] == taby_unit.pk
    assert form.initial["occurred_on"] == timezone.localdate()


def test_people_without_the_staff_role_cannot_file(analyst_client: Client) -> None:
    assert analyst_client.get(reverse("deviations:create")).status_code == 403


def test_errors_are_shown_next_to_fields_and_nothing_is_lost(
    staff_client: Client, taby_unit: Unit
) -> None:
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    data = _form(taby_unit, occurred_on=future, category="", description="kort text")
    response = staff_client.post(reverse("deviations:create"), data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"occurred_on", "category", "description"}
    html = response.content.decode()
    assert 'id="error-summary"' in html
    assert "kort text</textarea>" in html
    assert not Deviation.objects.exists()


def test_submit_redirects_to_a_receipt_with_the_reference(
    staff_client: Client, staff: User, taby_unit: Unit
) -> None:
    response = staff_client.post(reverse("deviations:create"), _form(taby_unit), follow=True)
    deviation = Deviation.objects.get()
    assert response.redirect_chain[-1][0] == reverse(
        "deviations:receipt", kwargs={"reference": deviation.reference}
    )
    assert deviation.reference in response.content.decode()
    assert deviation.reporter == staff
    assert not Draft.objects.exists()


def test_preview_shows_suggestions_with_explanations_without_javascript(
    staff_client: Client, taby_unit: Unit
) -> None:
    response = staff_client.post(reverse("deviations:create"), _form(taby_unit, action="preview"))
    assert response.status_code == 200
    rows = {row["id"]: row for row in response.context["suggestions"]}
    assert rows["prov:2010:110#K27P48"]["checked"]
    assert "27 kap. 48 §" in rows["prov:2010:110#K27P48"]["explanation"]
    assert not Deviation.objects.exists()
    # Unticking a suggestion in the preview rejects it on submit.
    kept = [tag for tag in rows if tag != "agency:AF"]
    data = {**_form(taby_unit), "tags_edited": "on"}
    response = staff_client.post(reverse("deviations:create"), {**data, "tags": kept})
    assert response.status_code == 302
    states = dict(Deviation.objects.get().taggings.values_list("tag_id", "state"))
    assert states["agency:AF"] == "rejected"
    assert states["agency:FK"] == "suggested"


def test_personal_data_is_marked_and_the_text_kept(staff_client: Client, taby_unit: Unit) -> None:
    response = staff_client.post(reverse("deviations:create"), _form(taby_unit, description=DIRTY))
    assert response.status_code == 400
    html = response.content.decode()
    marks = re.findall(r"<mark[^>]*>(.*?)</mark>", html)
    assert marks == SECRETS
    assert f"{SECRETS[0]}" in html.split("<textarea", 1)[1]


def test_a_possible_name_can_be_confirmed(staff_client: Client, taby_unit: Unit) -> None:
    text = "Mötet med Maria Andersson ledde till att " + TEXT
    first = staff_client.post(reverse("deviations:create"), _form(taby_unit, description=text))
    assert first.status_code == 400
    assert first.context["show_names_confirm"]
    second = staff_client.post(
        reverse("deviations:create"),
        _form(taby_unit, description=text, names_confirmed="on"),
    )
    assert second.status_code == 302


def test_autosave_creates_then_updates_one_draft(staff_client: Client, staff: User) -> None:
    url = reverse("deviations:draft_autosave")
    first = staff_client.post(url, {"description": "FK drog in", "category": "waiting_time"})
    assert first.status_code == 200
    key = first.json()["draft"]
    second = staff_client.post(url, {"draft": key, "description": "FK drog in sjukpenningen"})
    assert second.json()["draft"] == key
    draft = Draft.objects.get()
    assert draft.owner == staff
    assert draft.data["description"] == "FK drog in sjukpenningen"
    resumed = staff_client.get(reverse("deviations:draft", kwargs={"key": key}))
    assert "FK drog in sjukpenningen</textarea>" in resumed.content.decode()


def test_autosave_after_logout_answers_401_json(client: Client) -> None:
    response = client.post(reverse("deviations:draft_autosave"), {"description": "x"})
    assert response.status_code == 401
    assert "Logga in" in response.json()["detail"]


def test_someone_elses_draft_is_404(client: Client, staff: User, other_unit_staff: User) -> None:
    draft = Draft.objects.create(owner=staff, data={"description": "mitt"})
    client.force_login(other_unit_staff)
    assert client.get(draft.get_absolute_url()).status_code == 404
    url = reverse("deviations:draft_discard", kwargs={"key": draft.key})
    assert client.post(url).status_code == 404
    assert Draft.objects.filter(pk=draft.pk).exists()


def _every_stored_string() -> str:
    """All text and JSON stored in every table, history tables included."""
    chunks: list[str] = []
    for model in apps.get_models():
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(
                f, models.CharField | models.TextField | models.JSONField | models.BinaryField
            )
        ]
        for row in model._base_manager.values_list(*fields):
            chunks.extend(
                bytes(value).decode("utf-8", "replace")
                if isinstance(value, bytes | memoryview)
                else json.dumps(value, ensure_ascii=False)
                for value in row
            )
    return "\n".join(chunks)


@pytest.mark.django_db
def test_no_personal_data_reaches_any_table(
    staff_client: Client, staff: User, taby_unit: Unit
) -> None:
    staff_client.post(reverse("deviations:create"), _form(taby_unit, description=DIRTY))
    staff_client.post(
        reverse("deviations:create"), _form(taby_unit, description=DIRTY, action="preview")
    )
    staff_client.post(reverse("deviations:draft_autosave"), {"description": DIRTY})
    api = APIClient()
    api.force_authenticate(staff)
    api.post(
        "/api/v1/deviations/",
        {
            "occurred_on": "2026-03-02",
            "unit": taby_unit.pk,
            "municipality": "0160",
            "description": DIRTY,
            "category": "work_capacity",
        },
        format="json",
    )
    api.post("/api/v1/drafts/", {"data": {"description": DIRTY}}, format="json")
    api.post("/api/v1/tagging/suggest/", {"text": DIRTY}, format="json")
    # An import file with the text in a row: refused row by row, and the file is not kept.
    analyst_api = APIClient()
    analyst_api.force_authenticate(UserFactory(username="imp", roles=["analyst"]))
    row = DIRTY.replace('"', '""')
    upload = SimpleUploadedFile(
        "a.csv",
        f'external_id,occurred_on,municipality,description\np-1,2026-03-02,Täby,"{row}"\n'.encode(),
    )
    imported = analyst_api.post("/api/v1/imports/", {"file": upload}, format="multipart")
    assert imported.json()["status"] == "failed"
    assert Draft.objects.count() >= 2  # the drafts were saved, masked
    stored = _every_stored_string()
    for secret in SECRETS:
        assert secret not in stored
    assert not Deviation.objects.exists()
