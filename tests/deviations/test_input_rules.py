"""One definition per input rule: the filing form, the API, the import, the admin and triage refuse
the same bad value with the same message, and accept the same good one (deviations.rules)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from catalogue.models import Law, Provision
from deviations import rules
from deviations.imports import COLUMNS, deviations_import, read_rows
from deviations.models import Deviation, Unit, User
from deviations.rules import FieldRuleError
from deviations.triage import TriageDecision, deviation_triage
from tests.factories import DeviationFactory

TEXT = "FK drog in sjukpenningen vid dag 180 och Af kräver inskrivning som arbetssökande."
KNOWN_LAW_PROVISION = "prov:2025:400#K13P1"  # law:2025:400 is in the catalogue, 13:1 is not
UNLISTED_LAW = "law:2007:1091"  # the old LOU: not in the shipped catalogue
UNLISTED_LAW_PROVISION = "prov:1998:204#P7"  # PUL § 7: neither law nor section listed


@dataclass(frozen=True, slots=True)
class Bad:
    field: str
    value: str
    code: str


def _tomorrow() -> str:
    return (timezone.localdate() + timedelta(days=1)).isoformat()


BAD = {
    "description too long": Bad("description", "x" * (rules.DESCRIPTION_MAX_CHARS + 1), "too_long"),
    "date before 2000": Bad("occurred_on", "1999-12-31", "date_too_early"),
    "date tomorrow": Bad("occurred_on", "tomorrow", "future_date"),
    "date in year 1": Bad("occurred_on", "0001-01-01", "date_too_early"),
    "unknown agency": Bad("tags", "agency:NOPE", "unknown_tag"),
    "malformed tag": Bad("tags", "law:SFB", "invalid_tag"),
    "impossible SFS number": Bad("tags", "law:1500:1", "invalid_tag"),
    "bad category": Bad("category", "nonsense", "invalid_choice"),
}
RULES: dict[str, Callable[[str], None]] = {
    "description": lambda v: rules.check_description(v, typed=True),
    "occurred_on": lambda v: rules.check_occurred_on(date.fromisoformat(v)),
    "tags": lambda v: rules.check_tags([v]),
    "category": lambda v: rules.check_choice("category", v),
}
TAG_KINDS = {
    "agency:NOPE": "agency",
    "law:SFB": "law",
    "law:1500:1": "law",
    UNLISTED_LAW: "law",
    KNOWN_LAW_PROVISION: "provision",
    UNLISTED_LAW_PROVISION: "provision",
}


@dataclass(frozen=True, slots=True)
class World:
    staff_client: Client
    api: APIClient
    admin_client: Client
    analyst: User
    unit: Unit
    deviation: Deviation


@dataclass(frozen=True, slots=True)
class Refusal:
    status: int
    message: str
    code: str | None  # None where the path reports no code (API field errors, import rows)


@pytest.fixture
def world(
    staff_client: Client,
    api: APIClient,
    admin_user: User,
    analyst: User,
    taby_unit: Unit,
    staff: User,
) -> World:
    admin_client = Client()
    admin_client.force_login(admin_user)
    deviation = DeviationFactory(
        unit=taby_unit, description=TEXT, external_id="held-1", reporter=staff
    )
    return World(staff_client, api, admin_client, analyst, taby_unit, deviation)


def _value(bad: Bad) -> str:
    return _tomorrow() if bad.value == "tomorrow" else bad.value


# --- Each way in, driven as its users drive it --------------------------------------------------


def _form_post(world: World, field: str, value: str) -> Any:
    data = {
        "description": TEXT,
        "occurred_on": "2026-03-02",
        "unit": str(world.unit.pk),
        "municipality": str(world.unit.municipalities.get(code="0160").pk),
        "category": "work_capacity",
        "tags_edited": "on",
        "action": "submit",
        field: value,
    }
    return world.staff_client.post(reverse("deviations:create"), data, HTTP_ACCEPT_LANGUAGE="sv")


def _by_form(world: World, field: str, value: str) -> Refusal:
    response = _form_post(world, field, value)
    (error,) = response.context["form"].errors.as_data()[field]
    return Refusal(response.status_code, error.messages[0], error.code)


def _api_post(world: World, field: str, value: str) -> Any:
    body = {
        "occurred_on": "2026-03-02",
        "unit": world.unit.pk,
        "municipality": "0160",
        "description": TEXT,
        "category": "work_capacity",
        field: [value] if field == "tags" else value,
    }
    return world.api.post("/api/v1/deviations/", body, format="json", HTTP_ACCEPT_LANGUAGE="sv")


def _by_api(world: World, field: str, value: str) -> Refusal:
    response = _api_post(world, field, value)
    body = response.json()
    assert body["detail"] == f"{field}: {body['errors'][field][0]}"
    return Refusal(response.status_code, body["errors"][field][0], None)


def _import(field: str, value: str) -> Any:
    row = {
        "external_id": "row-1",
        "occurred_on": "2026-03-02",
        "municipality": "0160",
        "unit": "MIA Täby",
        "description": TEXT,
        "category": "work_capacity",
        field: value,
    }
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerow(row)
    rows = read_rows(io.BytesIO(buffer.getvalue().encode()), filename="rader.csv")
    with translation.override("sv"):
        return deviations_import(rows=rows, by=None)


def _by_import(world: World, field: str, value: str) -> Refusal:
    report = _import(field, value)
    (error,) = report.errors
    assert (error.row, error.column) == (2, field)
    return Refusal(400, error.message, None)


def _admin_post(world: World, field: str, value: str) -> Any:
    deviation = world.deviation
    reported = timezone.localtime(deviation.reported_at)
    data = {
        "reference": deviation.reference,
        "external_id": deviation.external_id,
        "occurred_on": deviation.occurred_on.isoformat(),
        "reported_at_0": reported.date().isoformat(),
        "reported_at_1": reported.strftime("%H:%M:%S"),
        "unit": str(deviation.unit_id),
        "municipality": str(deviation.municipality_id),
        "description": deviation.description,
        "category": deviation.category,
        "consequence": deviation.consequence,
        "severity": str(deviation.severity),
        "status": deviation.status,
        "taggings-TOTAL_FORMS": "0",
        "taggings-INITIAL_FORMS": "0",
        "taggings-MIN_NUM_FORMS": "0",
        "taggings-MAX_NUM_FORMS": "1000",
        "_save": "Spara",
    }
    tag_row = {
        "taggings-TOTAL_FORMS": "1",
        "taggings-0-deviation": str(deviation.pk),
        "taggings-0-tag_id": value,
        "taggings-0-kind": TAG_KINDS.get(value, "agency"),
        "taggings-0-state": "confirmed",
        "taggings-0-origin": "person",
        "taggings-0-rule": "added by an administrator",
    }
    data.update(tag_row if field == "tags" else {field: value})
    url = reverse("admin:deviations_deviation_change", args=[deviation.pk])
    return world.admin_client.post(url, data, HTTP_ACCEPT_LANGUAGE="sv")


def _by_admin(world: World, field: str, value: str) -> Refusal:
    response = _admin_post(world, field, value)
    (error,) = _admin_errors(response, field)
    return Refusal(response.status_code, error.messages[0], error.code)


def _admin_errors(response: Any, field: str) -> list[Any]:
    """A tag is a row of the tags inline; every other field is on the deviation's own form."""
    if field == "tags":
        row = response.context["inline_admin_formsets"][0].formset.forms[0]
        return list(row.errors.as_data()["tag_id"])
    return list(response.context["adminform"].form.errors.as_data()[field])


def _by_triage(world: World, field: str, value: str) -> Refusal:
    with translation.override("sv"), pytest.raises(FieldRuleError) as refusal:
        deviation_triage(
            deviation=world.deviation, decision=TriageDecision(add=[value]), by=world.analyst
        )
    return Refusal(400, refusal.value.message, refusal.value.code)


def _analyst_client(world: World) -> Client:
    client = Client()
    client.force_login(world.analyst)
    return client


def _by_triage_page(world: World, field: str, value: str) -> Refusal:
    url = reverse("triage:deviation", args=[world.deviation.reference])
    with translation.override("sv"):
        response = _analyst_client(world).post(url, {"add": value}, HTTP_ACCEPT_LANGUAGE="sv")
    (message,) = [str(m) for m in response.context["messages"]]
    return Refusal(response.status_code, message, None)


def _by_triage_api(world: World, field: str, value: str) -> Refusal:
    client = APIClient()
    client.force_authenticate(world.analyst)
    url = reverse("deviation-triage", args=[world.deviation.reference])
    response = client.post(url, {"add": [value]}, format="json", HTTP_ACCEPT_LANGUAGE="sv")
    # deviations.triage refuses with the rule's own error, which the API hands on with its code
    return Refusal(response.status_code, response.json()["detail"], response.json()["code"])


def _by_correction(world: World, field: str, value: str) -> Refusal:
    """The reporter's correction page: the filing form's fields, the same rules."""
    deviation = world.deviation
    data = {
        "description": deviation.description,
        "occurred_on": deviation.occurred_on.isoformat(),
        "category": deviation.category or "work_capacity",
        "reason": "rättelse",
        field: value,
    }
    url = reverse("deviations:correct", args=[deviation.reference])
    response = world.staff_client.post(url, data, HTTP_ACCEPT_LANGUAGE="sv")
    (error,) = response.context["form"].errors.as_data()[field]
    return Refusal(response.status_code, error.messages[0], error.code)


TRIAGE_PATHS = {"triage": _by_triage, "triage page": _by_triage_page, "triage api": _by_triage_api}
PATHS: dict[str, Callable[[World, str, str], Refusal]] = {
    "form": _by_form,
    "api": _by_api,
    "import": _by_import,
    "admin": _by_admin,
}
CASES = (
    [pytest.param(bad, path, id=f"{name}-{path}") for name, bad in BAD.items() for path in PATHS]
    + [
        pytest.param(bad, path, id=f"{name}-{path}")
        for name, bad in BAD.items()
        for path in TRIAGE_PATHS
        if bad.field == "tags"
    ]
    + [
        pytest.param(bad, "correction", id=f"{name}-correction")
        for name, bad in BAD.items()
        if bad.field != "tags"  # a correction changes the filed fields; tags go through triage
    ]
)


@pytest.mark.parametrize(("bad", "path"), CASES)
def test_every_way_in_refuses_a_bad_value_with_the_rules_own_message(
    world: World, bad: Bad, path: str
) -> None:
    value = _value(bad)
    with translation.override("sv"), pytest.raises(FieldRuleError) as expected:
        RULES[bad.field](value)
    assert expected.value.code == bad.code
    refusal = {**PATHS, **TRIAGE_PATHS, "correction": _by_correction}[path](world, bad.field, value)
    assert refusal.status in (200, 400)  # a re-rendered form or a refusal, never a 500
    if path == "import" and value in expected.value.message:
        # The import's report never repeats a value from the file (it may be personal data):
        # the same refusal, said without the value.
        assert value not in refusal.message
        assert refusal.message
    else:
        assert refusal.message == expected.value.message
    assert refusal.code in (bad.code, None)
    assert Deviation.objects.count() == 1  # only the one the admin and triage work on
    assert not world.deviation.taggings.exists()


def _accepted_by_form(world: World, tag: str) -> Deviation:
    response = _form_post(world, "tags", tag)
    assert response.status_code == 302
    return Deviation.objects.exclude(pk=world.deviation.pk).get()


def _accepted_by_api(world: World, tag: str) -> Deviation:
    response = _api_post(world, "tags", tag)
    assert response.status_code == 201, response.json()
    return Deviation.objects.get(reference=response.json()["reference"])


def _accepted_by_import(world: World, tag: str) -> Deviation:
    report = _import("tags", tag)
    assert report.ok, report.errors
    return Deviation.objects.get(external_id="row-1")


def _accepted_by_admin(world: World, tag: str) -> Deviation:
    response = _admin_post(world, "tags", tag)
    assert response.status_code == 302
    return world.deviation


def _accepted_by_triage(world: World, tag: str) -> Deviation:
    decision = TriageDecision(add=[tag])
    deviation_triage(deviation=world.deviation, decision=decision, by=world.analyst)
    return world.deviation


def _accepted_by_triage_page(world: World, tag: str) -> Deviation:
    url = reverse("triage:deviation", args=[world.deviation.reference])
    response = _analyst_client(world).post(url, {"add": tag})
    assert response.status_code == 302
    return world.deviation


def _accepted_by_triage_api(world: World, tag: str) -> Deviation:
    client = APIClient()
    client.force_authenticate(world.analyst)
    url = reverse("deviation-triage", args=[world.deviation.reference])
    response = client.post(url, {"add": [tag]}, format="json")
    assert response.status_code == 201, response.json()
    return world.deviation


@pytest.mark.parametrize("tag", [KNOWN_LAW_PROVISION, UNLISTED_LAW, UNLISTED_LAW_PROVISION])
@pytest.mark.parametrize(
    "accept",
    [
        pytest.param(_accepted_by_form, id="form"),
        pytest.param(_accepted_by_api, id="api"),
        pytest.param(_accepted_by_import, id="import"),
        pytest.param(_accepted_by_admin, id="admin"),
        pytest.param(_accepted_by_triage, id="triage"),
        pytest.param(_accepted_by_triage_page, id="triage page"),
        pytest.param(_accepted_by_triage_api, id="triage api"),
    ],
)
def test_any_law_or_provision_reference_is_accepted_everywhere_and_added_unconfirmed(
    world: World, accept: Callable[[World, str], Deviation], tag: str
) -> None:
    deviation = accept(world, tag)
    assert deviation.taggings.filter(tag_id=tag).exists()
    law = Law.objects.get(sfs=tag.split(":", 1)[1].split("#")[0])
    if tag.startswith("prov:"):
        row = Provision.objects.get(tag_id=tag)
        assert (row.confirmed, row.law) == (False, law)
    assert law.confirmed is (tag == KNOWN_LAW_PROVISION)  # SoL 2025:400 was shipped


def test_one_length_limit_and_a_minimum_only_for_typed_text() -> None:
    longest = "x" * rules.DESCRIPTION_MAX_CHARS
    rules.check_description(longest, typed=True)
    rules.check_description(longest, typed=False)
    rules.check_description("Kort post.", typed=False)  # history records stay importable
    with pytest.raises(FieldRuleError) as short:
        rules.check_description("Kort post.", typed=True)
    assert (short.value.code, short.value.field) == ("too_short", "description")


@pytest.mark.django_db
def test_only_agencies_must_be_in_the_catalogue() -> None:
    rules.check_tags(["agency:FK", "law:2025:400", KNOWN_LAW_PROVISION])
    rules.check_tags([UNLISTED_LAW, UNLISTED_LAW_PROVISION, "prov:1976:580#P3"])
    with pytest.raises(FieldRuleError) as refusal:
        rules.check_tags(["agency:NOPE"])
    assert refusal.value.code == "unknown_tag"
    for impossible in ("law:1500:1", "prov:2100:1#P1"):
        with pytest.raises(FieldRuleError) as refusal:
            rules.check_tags([impossible])
        assert refusal.value.code == "invalid_tag"
