"""One personal-data gate under every path: services, pages, the API, the admin, drafts and
imports all refuse the same personal data, and a new text field is gated without a list."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from barriers.models import Barrier
from barriers.services import barrier_create
from catalogue.models import Municipality
from core.attachments import attachment_add
from core.errors import PersonalDataError
from core.models import Attachment
from deviations.imports import deviations_import, read_rows
from deviations.models import Deviation, Draft, Unit, User
from privacy import gate
from privacy.forms import PersonalDataModelForm
from privacy.gate import (
    EXEMPT,
    TEXT_FIELDS,
    gate_exempt,
    gated_fields,
    instance_check,
    on_pre_save,
    personal_data_check,
)

PERSONNUMMER = "850312–2387"  # an en dash, as Word and iOS write it
SPELLINGS = [PERSONNUMMER, "19850312 2387", "070.123.45.67", "anna@exempel.se", "storgatan 12"]


def _own_models() -> list[type[models.Model]]:
    """Every model of the project's own apps, found as the gate finds them (a new app too)."""
    root = Path(settings.BASE_DIR)
    return [
        model for model in apps.get_models() if Path(model._meta.app_config.path).parent == root
    ]


def test_every_text_field_of_every_model_is_gated_or_exempt_with_a_reason() -> None:
    """Discovered from the models, not a hand list: a new field is gated unless its app
    registers an exemption with a reason."""
    ungated = []
    for model in _own_models():
        label = model._meta.label
        gated = {field.name for field in gated_fields(model)}
        for field in model._meta.concrete_fields:
            text = isinstance(field, TEXT_FIELDS) and not field.choices
            exempt = label in EXEMPT or f"{label}.{field.name}" in EXEMPT
            history = model._meta.object_name.startswith("Historical")
            if text and field.name not in gated and not exempt and not history:
                ungated.append(f"{label}.{field.name}")
    assert ungated == []
    assert {field.name for field in gated_fields(Barrier)} >= {
        "title",
        "description",
        "root_cause",
        "proposed_change",
    }
    assert {field.name for field in gated_fields(Unit)} >= {"name"}
    assert all(reason.strip() for reason in EXEMPT.values())


@pytest.mark.parametrize(
    ("model", "field"),
    [
        pytest.param(model, field, id=f"{model._meta.label}.{field.name}")
        for model in _own_models()
        for field in gated_fields(model)
    ],
)
def test_a_save_of_each_gated_field_is_refused(model: type[models.Model], field: Any) -> None:
    """The gate that every save passes reads this very field (no database needed: it refuses
    before anything is written)."""
    instance = model()
    value = f"Ring {PERSONNUMMER}"
    setattr(
        instance, field.attname, {"text": value} if isinstance(field, models.JSONField) else value
    )
    with pytest.raises(PersonalDataError):
        instance_check(instance)


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_the_check_refuses_every_spelling_and_never_echoes_it(spelling: str) -> None:
    with pytest.raises(PersonalDataError) as refusal:
        personal_data_check({"titel": f"Hinder för {spelling} i Täby"})
    assert refusal.value.code == "personal_data"
    assert spelling not in refusal.value.message
    assert "titel" in refusal.value.message


def test_ordinary_case_language_passes() -> None:
    personal_data_check(
        {"text": "27 kap. 48 § SFB (2010:110), dnr 2024-1234, 12 345 kr, kl. 08.30, 2025-07-01"}
    )


@pytest.mark.django_db
def test_a_service_cannot_store_it(analyst: User) -> None:
    with pytest.raises(PersonalDataError):
        barrier_create(by=analyst, title=f"Gäller {PERSONNUMMER}")
    assert not Barrier.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("spelling", SPELLINGS)
def test_an_attached_file_is_refused_for_every_spelling(
    spelling: str, analyst: User, taby_unit: Unit
) -> None:
    """The text inside an attached file passes the same gate (core.attachments asks it)."""
    letter = SimpleUploadedFile("brev.txt", f"Beslut om {spelling} i Täby.".encode())
    with pytest.raises(PersonalDataError) as refusal:
        attachment_add(obj=taby_unit, upload=letter, by=analyst)
    assert spelling not in refusal.value.message
    assert not Attachment.objects.exists()


@pytest.mark.django_db
def test_a_save_that_forgets_to_check_is_refused_too(taby_unit: Unit) -> None:
    taby_unit.name = f"Team {PERSONNUMMER}"
    with pytest.raises(PersonalDataError):
        taby_unit.save()
    assert not Unit.objects.filter(name__contains="2387").exists()


@pytest.mark.django_db
def test_the_barrier_page_refuses_with_the_text_kept(analyst: User) -> None:
    client = Client()
    client.force_login(analyst)
    title = f"Hinder för {PERSONNUMMER}"
    response = client.post(reverse("barriers:create"), {"title": title, "mandate_level": "lag"})
    assert response.status_code in (200, 400)
    assert title in response.content.decode()  # what was typed stays in the form
    assert not Barrier.objects.exists()


@pytest.mark.django_db
def test_the_api_refuses_with_a_reason(analyst: User) -> None:
    client = APIClient()
    client.force_authenticate(analyst)
    response = client.post("/api/v1/barriers/", {"title": f"Hinder {PERSONNUMMER}"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "personal_data"
    assert "2387" not in response.json()["detail"]
    assert not Barrier.objects.exists()


@pytest.mark.django_db
def test_every_admin_form_of_a_gated_model_carries_the_gate() -> None:
    missing = []
    for model, model_admin in admin.site._registry.items():
        if not gated_fields(model):
            continue
        forms = [model_admin.form] + [inline.form for inline in model_admin.inlines]
        inline_models = [model] + [inline.model for inline in model_admin.inlines]
        for form, owner in zip(forms, inline_models, strict=True):
            if gated_fields(owner) and not issubclass(form, PersonalDataModelForm):
                missing.append(f"{model_admin.__class__.__name__}: {owner._meta.label}")
    assert missing == []


@pytest.mark.django_db
def test_the_admin_shows_it_beside_the_field(admin_user: User, taby_unit: Unit) -> None:
    client = Client()
    client.force_login(admin_user)
    url = reverse("admin:deviations_unit_change", args=[taby_unit.pk])
    data: dict[str, Any] = {
        "name": f"Team {PERSONNUMMER}",
        "municipalities": [m.pk for m in taby_unit.municipalities.all()],
        "is_active": "on",
    }
    response = client.post(url, data)
    assert response.status_code == 200  # the form again, not a 500 and not saved
    assert response.context["adminform"].form.errors["name"]
    taby_unit.refresh_from_db()
    assert "2387" not in taby_unit.name


@pytest.mark.django_db
def test_a_draft_masks_every_field(staff_client: Client, staff: User) -> None:
    response = staff_client.post(
        reverse("deviations:draft_autosave"),
        {"description": "Vi ringde 070-123 45 67 om beslutet.", "category": PERSONNUMMER},
    )
    assert response.status_code == 200
    stored = str(Draft.objects.get(owner=staff).data)
    assert "2387" not in stored
    assert "45 67" not in stored


@pytest.mark.django_db
def test_an_import_column_other_than_the_description_is_refused(analyst: User) -> None:
    municipality = Municipality.objects.get(code="0160")
    Unit.objects.create(name="MIA Importteam").municipalities.add(municipality)
    csv = (
        "external_id,occurred_on,municipality,unit,description,category,severity,gender,age_band,"
        "tags\n"
        f"{PERSONNUMMER},2024-03-01,0160,MIA Importteam,FK drog in sjukpenningen vid dag 180.,"
        ",,,,\n"
    )
    rows = read_rows(io.BytesIO(csv.encode("utf-8")), filename="a.csv")
    report = deviations_import(rows=rows, by=analyst)
    assert [(error.row, error.column) for error in report.errors] == [(2, "external_id")]
    assert "2387" not in report.errors[0].message  # the refused value is never echoed
    assert not Deviation.objects.exists()


# --- Tests that would notice (mutation testing, docs/privacy.md) ---------------------------


def test_the_message_names_fields_and_kinds_in_order() -> None:
    with translation.override("en"), pytest.raises(PersonalDataError) as refusal:
        personal_data_check(
            {"titel": "Ring 070-123 45 67", "text": "ok", "beskrivning": "anna@exempel.se"}
        )
    assert refusal.value.message == (
        "“titel”, “beskrivning” may not hold personal data (e-mail address, phone number). "
        "Remove it; nothing was saved."
    )
    assert refusal.value.code == "personal_data"
    assert refusal.value.extra["fields"] == ["beskrivning", "titel"]


def test_strings_nested_in_json_are_checked() -> None:
    for value in ({"a": [{"b": f"Ring {PERSONNUMMER}"}]}, [["x", {"c": [f"{PERSONNUMMER}"]}]]):
        with pytest.raises(PersonalDataError):
            personal_data_check({"data": value})
    personal_data_check({"data": {"a": ["Hon ringde", {"b": 3}], "n": None}})


def test_a_possible_name_alone_is_not_refused_by_the_gate() -> None:
    personal_data_check({"titel": "Samtal med Kalle Enqvist"})


def test_other_apps_history_and_exempt_models_are_not_gated() -> None:
    assert gated_fields(Group) == []  # django.contrib.auth: not the project's own
    assert gated_fields(Barrier.history.model) == []  # the audit history copies gated rows
    exempt_models = [label for label in EXEMPT if label.count(".") == 1]
    assert exempt_models
    for label in exempt_models:
        assert gated_fields(apps.get_model(label)) == []


def test_only_free_text_fields_are_gated() -> None:
    for model in _own_models():
        for field in gated_fields(model):
            label = f"{model._meta.label}.{field.name}"
            assert isinstance(field, TEXT_FIELDS), label
            assert not field.choices, label
            assert label not in EXEMPT


def test_an_exemption_is_registered_under_its_label(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("privacy.gate.EXEMPT", {})
    try:
        gate_exempt(Unit, reason="whole model")
        gate_exempt(Barrier, reason="one field", field="title")
        assert gate.EXEMPT == {
            "deviations.Unit": "whole model",
            "barriers.Barrier.title": "one field",
        }
        assert gated_fields(Unit) == []
        assert "title" not in {field.name for field in gated_fields(Barrier)}
    finally:
        gate._gated_fields_of.cache_clear()


def test_the_save_signal_checks_unless_loaddata_restores() -> None:
    unit = Unit(name=f"Team {PERSONNUMMER}")
    with pytest.raises(PersonalDataError):
        on_pre_save(sender=Unit, instance=unit, raw=False)
    on_pre_save(sender=Unit, instance=unit, raw=True)  # a backup is restored as it was
