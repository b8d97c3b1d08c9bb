"""Issue 14, the holes that gave 500s, each closed as a class: text that cannot be stored
(NUL, lone surrogates), JSON nested deep enough to blow the stack, bodies that are not an
object, and dates in year 1 or 9999. Every API endpoint is discovered from the URL
configuration (as in test_permission_matrix), so a new endpoint is covered without editing this
file; each must answer a 4xx with a `detail` and a `code`, never a 5xx.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from core.text import (
    MAX_JSON_DEPTH,
    BadInputError,
    data_clean,
    json_depth_exceeds,
    json_parse_checked,
    text_clean,
)
from deviations.models import Draft, User
from tests.security.test_permission_matrix import _kwargs, _named_patterns

pytestmark = pytest.mark.django_db

DEEP_BODIES = {
    "deep_array": "[" * 100_000,
    "deep_object": '{"a":' * 100_000,
    "deep_closed": "[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1),
}
BAD_TEXT_BODIES = {
    "surrogate": '{"data": {"description": "a\\ud800b"}, "text": "\\ud800", "reason": "\\udfff"}',
    "surrogate_key": '{"\\ud800": "x", "data": {"\\udc00": "y"}}',
    "nul": '{"data": {"description": "a\\u0000b"}, "text": "a\\u0000b", "username": "\\u0000"}',
}
NOT_AN_OBJECT = {"string": '"x"', "false": "false", "number": "1", "null": "null", "list": "[]"}
DATES = ("0001-01-01", "9999-12-31")
WRITES = ("post", "put", "patch")


# Swagger UI (a page for people) and the OpenAPI document (not JSON): read-only documents.
DOCUMENTS = {"api-docs", "schema"}


def _api_urls(world: dict[str, Any]) -> list[str]:
    urls = []
    for name, pattern in sorted(_named_patterns().items()):
        if name.startswith("admin:") or name in DOCUMENTS:
            continue
        url = reverse(name, kwargs=_kwargs(name, pattern, world))
        if url.startswith("/api/"):
            urls.append(url)
    return urls


def _client(request: pytest.FixtureRequest, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    return client


def _refused(response: Any, where: str) -> dict[str, Any]:
    assert 400 <= response.status_code < 500, f"{where}: {response.status_code}"
    assert response["Content-Type"] == "application/json", where
    body = response.json()
    assert body.get("detail"), f"{where}: no detail in {body}"
    assert body.get("code"), f"{where}: no code in {body}"
    return body


def test_the_api_is_discovered(world: dict[str, Any]) -> None:
    urls = _api_urls(world)
    assert {"/api/v1/auth/token/", "/api/v1/drafts/", "/api/v1/deviations/"} <= set(urls)


@pytest.mark.parametrize("role", ["anonymous", "staff", "admin_user"])
@pytest.mark.parametrize("body", DEEP_BODIES.values(), ids=DEEP_BODIES.keys())
def test_deep_json_is_refused_everywhere_before_login_too(
    body: str, role: str, world: dict[str, Any], request: pytest.FixtureRequest
) -> None:
    client = _client(request, role)
    autosave = reverse("deviations:draft_autosave")
    for url in [*_api_urls(world), autosave]:
        for method in WRITES:
            response = getattr(client, method)(url, body, content_type="application/json")
            assert _refused(response, f"{method} {url}")["code"] == "too_deep"


@pytest.mark.parametrize("role", ["anonymous", "admin_user"])
@pytest.mark.parametrize("body", BAD_TEXT_BODIES.values(), ids=BAD_TEXT_BODIES.keys())
def test_unstorable_text_in_json_is_refused_everywhere(
    body: str, role: str, world: dict[str, Any], request: pytest.FixtureRequest
) -> None:
    client = _client(request, role)
    autosave = reverse("deviations:draft_autosave")
    drafts_before = Draft.objects.count()
    for url in [*_api_urls(world), autosave]:
        for method in WRITES:
            response = getattr(client, method)(url, body, content_type="application/json")
            assert _refused(response, f"{method} {url}")["code"] == "bad_text"
    assert Draft.objects.count() == drafts_before


@pytest.mark.parametrize("role", ["staff", "admin_user"])
@pytest.mark.parametrize("body", NOT_AN_OBJECT.values(), ids=NOT_AN_OBJECT.keys())
def test_a_body_that_is_not_an_object_is_a_4xx_everywhere(
    body: str, role: str, world: dict[str, Any], request: pytest.FixtureRequest
) -> None:
    client = _client(request, role)
    for url in _api_urls(world):
        for method in WRITES:
            response = getattr(client, method)(url, body, content_type="application/json")
            _refused(response, f"{method} {url}")


@pytest.mark.parametrize("body", NOT_AN_OBJECT.values(), ids=NOT_AN_OBJECT.keys())
def test_drafts_and_autosave_refuse_a_body_that_is_not_an_object(body: str, staff: User) -> None:
    client = Client()
    client.force_login(staff)
    for url in ("/api/v1/drafts/", reverse("deviations:draft_autosave")):
        response = client.post(url, body, content_type="application/json")
        assert response.status_code == 400
        assert response.json()["code"] == "not_an_object"
    assert Draft.objects.count() == 0


@pytest.mark.parametrize("role", ["anonymous", "admin_user"])
def test_unstorable_text_in_a_query_string_is_refused_by_every_api_endpoint(
    role: str, world: dict[str, Any], request: pytest.FixtureRequest
) -> None:
    client = _client(request, role)
    for url in _api_urls(world):
        for query in ("?search=a%00b", "?page=%00"):
            assert _refused(client.get(url + query), url + query)["code"] == "bad_text"


def test_unstorable_text_in_api_form_bodies_is_refused(staff: User) -> None:
    client = Client()
    client.force_login(staff)
    response = client.post("/api/v1/tagging/suggest/", {"text": "a\x00b"})
    assert _refused(response, "form")["code"] == "bad_text"


def test_api_date_parameters_refuse_year_one_and_year_9999(
    world: dict[str, Any], admin_user: User
) -> None:
    """Every date filter of every API list, and the analysis period: a 4xx naming the field."""
    client = Client()
    client.force_login(admin_user)
    for url in _api_urls(world):  # most refuse (bad date or unknown name); none fails
        for name in ("occurred_after", "occurred_before", "since", "until"):
            for value in DATES:
                assert client.get(f"{url}?{name}={value}").status_code < 500, (url, name, value)
    for url, name in (
        ("/api/v1/deviations/", "occurred_after"),
        ("/api/v1/deviations/", "occurred_before"),
        ("/api/v1/knots/", "since"),
        ("/api/v1/statistics/", "until"),
    ):
        for value in DATES:
            body = _refused(client.get(f"{url}?{name}={value}"), url)
            assert name in body["detail"]


def test_api_date_bodies_refuse_year_one_and_year_9999(staff: User) -> None:
    client = Client()
    client.force_login(staff)
    for value in DATES:
        suggest = client.post(
            "/api/v1/tagging/suggest/", {"text": "sjukpenning", "date": value}, "application/json"
        )
        assert _refused(suggest, "suggest")["errors"]["date"]
        filed = client.post("/api/v1/deviations/", {"occurred_on": value}, "application/json")
        assert _refused(filed, "file")["errors"]["occurred_on"]


def test_a_draft_keeps_a_date_in_year_one_and_the_form_refuses_it(staff: User) -> None:
    """A draft stores what was typed (it may be half-written); submitting refuses the date."""
    client = Client()
    client.force_login(staff)
    saved = client.post(reverse("deviations:draft_autosave"), {"occurred_on": "0001-01-01"})
    assert saved.status_code == 200
    page = client.get(saved.json()["url"])
    assert page.status_code == 200
    assert b"0001-01-01" in page.content
    preview = client.post(saved.json()["url"], {"occurred_on": "0001-01-01", "action": "preview"})
    assert preview.status_code == 400
    assert preview.context["form"].errors["occurred_on"]


def test_page_forms_keep_the_text_without_the_unstorable_characters(staff: User) -> None:
    """A page never refuses a person's typing over an invisible character: it is cleaned."""
    client = Client()
    client.force_login(staff)
    saved = client.post(
        reverse("deviations:draft_autosave"), {"description": "Dag\x00 180", "tags": ["a\x00"]}
    )
    assert saved.status_code == 200
    draft = Draft.objects.get()
    assert draft.data["description"] == "Dag 180"
    assert draft.data["tags"] == ["a"]
    page = client.post(reverse("deviations:create"), {"description": "Kvar\x00 text"})
    assert page.status_code == 400
    assert page.context["form"].data["description"] == "Kvar text"
    listed = client.get(reverse("deviations:list") + "?agency=%00")
    assert listed.status_code < 500


def test_autosave_accepts_a_json_object_and_refuses_bad_text(staff: User) -> None:
    client = Client()
    client.force_login(staff)
    url = reverse("deviations:draft_autosave")
    saved = client.post(url, {"description": "Dag 180", "tags": ["x"]}, "application/json")
    assert saved.status_code == 200
    assert Draft.objects.get().data["description"] == "Dag 180"
    refused = client.post(url, '{"description": "\\ud800"}', content_type="application/json")
    assert refused.json()["code"] == "bad_text"


def test_a_bad_draft_already_stored_breaks_no_page(
    staff: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A draft saved before the checks existed (SQLite stores NUL and lone surrogates;
    PostgreSQL refuses them) is read back as such on every database."""
    Draft.objects.create(owner=staff, data={"description": "före efter", "tags": []})
    stored = Draft.from_db

    def as_stored_before(cls: type[Draft], *args: object, **kwargs: object) -> Draft:
        draft = stored.__func__(cls, *args, **kwargs)  # type: ignore[attr-defined]
        draft.data = {"description": "före\ud800efter\x00", "tags": ["\udfff"]}
        return draft

    monkeypatch.setattr(Draft, "from_db", classmethod(as_stored_before))
    draft = Draft.objects.get()
    client = Client()
    client.force_login(staff)
    for url in ("/", reverse("deviations:mine"), draft.get_absolute_url()):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "före\ufffdefter" in response.content.decode(), url
    listed = client.get("/api/v1/drafts/")
    assert listed.status_code == 200
    assert listed.json()["results"][0]["data"]["description"] == "före\ufffdefter"
    assert client.get(f"/api/v1/drafts/{draft.key}/").status_code == 200


def test_the_checks_themselves() -> None:
    assert json_depth_exceeds("[" * 51)
    assert not json_depth_exceeds("[" * 50 + "]" * 50)
    assert not json_depth_exceeds('["' + "[" * 1000 + '"]')  # brackets inside a string
    assert not json_depth_exceeds('["\\"' + "[" * 1000 + '"]')  # an escaped quote
    assert text_clean("a\x00b\ud800c") == "ab\ufffdc"
    assert data_clean({"k\ud800": ["\x00v"]}) == {"k\ufffd": ["v"]}
    assert json_parse_checked('{"a": "\\ud83d\\ude00"}') == {"a": "😀"}  # a pair is fine
    for raw, code in (
        ('"\\ud800"', "bad_text"),
        ("[" * 10_000, "too_deep"),
        ("{", "parse_error"),
        ("NaN", "parse_error"),
        (b"\xff", "parse_error"),
    ):
        with pytest.raises(BadInputError) as refused:
            json_parse_checked(raw)
        assert refused.value.code == code
