"""Filing, drafts and tag suggestions through the API."""

import uuid
from datetime import timedelta

from django.utils import timezone
from rest_framework.test import APIClient

from deviations.models import Deviation, Draft, Unit
from tests.factories import DeviationFactory

TEXT = "FK drog in sjukpenningen vid dag 180 enligt 27 kap. 48 § SFB och Af kräver inskrivning."


def _payload(unit: Unit, **overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "occurred_on": "2026-03-02",
        "unit": unit.pk,
        "municipality": "0160",
        "description": TEXT,
        "category": "work_capacity",
        "severity": 3,
    }
    body.update(overrides)
    return body


def test_post_files_a_deviation_with_explained_suggestions(api: APIClient, taby_unit: Unit) -> None:
    response = api.post("/api/v1/deviations/", _payload(taby_unit), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["reference"].startswith("AV-")
    tags = {tag["tag_id"]: tag for tag in body["tags"]}
    assert tags["prov:2010:110#K27P48"]["state"] == "suggested"
    assert tags["prov:2010:110#K27P48"]["rule"]
    assert tags["prov:2010:110#K27P48"]["spans"]


def test_post_with_personnummer_is_400_with_spans_and_stores_nothing(
    api: APIClient, taby_unit: Unit
) -> None:
    text = "Gäller 870514-9832. " + TEXT
    response = api.post("/api/v1/deviations/", _payload(taby_unit, description=text), format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "personal_data"
    assert "personnummer" in body["detail"]
    assert [(hit["type"], hit["start"], hit["end"]) for hit in body["pii"]] == [
        ("personnummer", 7, 18)
    ]
    assert not Deviation.objects.exists()


def test_possible_name_needs_confirmation(api: APIClient, taby_unit: Unit) -> None:
    text = "Mötet med Maria Andersson ledde till att FK drog in sjukpenningen."
    refused = api.post("/api/v1/deviations/", _payload(taby_unit, description=text), format="json")
    assert refused.status_code == 400
    assert refused.json()["code"] == "possible_name"
    accepted = api.post(
        "/api/v1/deviations/",
        _payload(taby_unit, description=text, names_confirmed=True),
        format="json",
    )
    assert accepted.status_code == 201


def test_retry_with_the_same_idempotency_key_files_once(api: APIClient, taby_unit: Unit) -> None:
    key = str(uuid.uuid4())
    first = api.post("/api/v1/deviations/", _payload(taby_unit, idempotency_key=key), format="json")
    again = api.post("/api/v1/deviations/", _payload(taby_unit, idempotency_key=key), format="json")
    assert first.status_code == again.status_code == 201
    assert first.json()["reference"] == again.json()["reference"]
    assert Deviation.objects.count() == 1


def test_bad_input_gets_a_reason(api: APIClient, taby_unit: Unit, haninge_unit: Unit) -> None:
    future = (timezone.localdate() + timedelta(days=2)).isoformat()
    cases = {
        "occurred_on": _payload(taby_unit, occurred_on=future),
        "description": _payload(taby_unit, description="kort"),
        "category": _payload(taby_unit, category="nonsense"),
        "tags": _payload(taby_unit, tags=["agency:NOPE"]),
        "municipality": _payload(taby_unit, municipality="9999"),
    }
    for field, payload in cases.items():
        response = api.post("/api/v1/deviations/", payload, format="json")
        assert response.status_code == 400, field
        assert field in response.json()["errors"], field
    foreign = api.post(
        "/api/v1/deviations/", _payload(haninge_unit, municipality="0136"), format="json"
    )
    assert foreign.status_code == 400
    assert foreign.json()["code"] == "unit_not_yours"
    not_json = api.post("/api/v1/deviations/", "{", content_type="application/json")
    assert not_json.status_code == 400
    assert not Deviation.objects.exists()


def test_chosen_tags_record_the_reporters_edits(api: APIClient, taby_unit: Unit) -> None:
    response = api.post(
        "/api/v1/deviations/", _payload(taby_unit, tags=["agency:FK"]), format="json"
    )
    tags = {tag["tag_id"]: tag["state"] for tag in response.json()["tags"]}
    assert tags["agency:FK"] == "suggested"
    assert tags["agency:AF"] == "rejected"


def test_suggest_returns_tags_with_explanations_and_pii(api: APIClient) -> None:
    response = api.post(
        "/api/v1/tagging/suggest/",
        {
            "text": "soc kräver att hen skriver in sig på AF, ring 070-174 06 52",
            "date": "2026-01-10",
        },
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    by_id = {tag["id"]: tag for tag in body["tags"]}
    assert {"agency:KOMMUN", "agency:AF"} <= set(by_id)
    assert "“AF”" in by_id["agency:AF"]["explanation"]
    assert body["pii"][0]["type"] == "phone"
    assert body["pii"][0]["blocking"] is True


def test_suggest_refuses_malformed_input(api: APIClient) -> None:
    assert (
        api.post("/api/v1/tagging/suggest/", {"text": ["en", "lista"]}, format="json").status_code
        == 400
    )
    response = api.post("/api/v1/tagging/suggest/", {"text": "x", "date": "igår"}, format="json")
    assert response.status_code == 400
    assert "date" in response.json()["errors"]


def test_drafts_are_private_and_masked(api: APIClient, staff, other_unit_staff) -> None:
    created = api.post(
        "/api/v1/drafts/",
        {"data": {"description": "Gäller 870514-9832, FK drog in sjukpenningen"}},
        format="json",
    )
    assert created.status_code == 201
    assert created.json()["masked"] is True
    assert "870514" not in created.json()["data"]["description"]
    key = created.json()["key"]
    assert [d["key"] for d in api.get("/api/v1/drafts/").json()["results"]] == [key]
    other = APIClient()
    other.force_authenticate(other_unit_staff)
    assert other.get(f"/api/v1/drafts/{key}/").status_code == 404
    assert other.delete(f"/api/v1/drafts/{key}/").status_code == 404
    assert api.put(f"/api/v1/drafts/{key}/", {"data": "x"}, format="json").status_code == 400
    assert api.delete(f"/api/v1/drafts/{key}/").status_code == 204
    assert not Draft.objects.exists()


def test_mine_filter_lists_only_own_deviations(api: APIClient, staff, taby_unit: Unit) -> None:
    api.post("/api/v1/deviations/", _payload(taby_unit), format="json")
    DeviationFactory(unit=taby_unit)  # a colleague's, visible to the unit
    assert api.get("/api/v1/deviations/").json()["count"] == 2
    mine = api.get("/api/v1/deviations/?mine=true").json()
    assert mine["count"] == 1
