"""One definition of the analysis filter: the pages, the API, the `knots` command and the knot
job read it with `AnalysisFilter.from_params` / `knot_params_from_params` and refuse a bad value
with the same AnalysisFilterError message, never a 500."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from analytics.extract import (
    AnalysisFilter,
    AnalysisFilterError,
    knot_params_as_params,
    knot_params_from_params,
)
from analytics.results import knot_job_params
from analytics.types import KnotParams
from catalogue.models import Forbund
from deviations.models import User
from jobs.models import Job
from jobs.services import job_enqueue, job_execute
from tests.factories import UnitFactory

BAD = [
    pytest.param({"since": "igår"}, "since", id="bad-date"),
    pytest.param({"since": "2026-05-01", "until": "2026-01-01"}, "until", id="since-after-until"),
    pytest.param({"municipality": ["0160", "9999"]}, "municipality", id="unknown-municipality"),
    pytest.param({"forbund": "ingen-sadan"}, "forbund", id="unknown-forbund"),
    pytest.param({"min_support": "-3"}, "min_support", id="negative-min-support"),
    pytest.param({"unit": ["999999"]}, "unit", id="unknown-unit"),
]


@pytest.fixture(autouse=True)
def _swedish() -> Any:
    with translation.override("sv"):
        yield


def _read(params: dict[str, Any]) -> tuple[AnalysisFilter, KnotParams]:
    return AnalysisFilter.from_params(params), knot_params_from_params(params)


def _refusal(params: dict[str, Any]) -> AnalysisFilterError:
    with pytest.raises(AnalysisFilterError) as caught:
        _read(params)
    return caught.value


def _command_args(params: dict[str, Any]) -> list[str]:
    args = []
    for key, value in params.items():
        for item in value if isinstance(value, list) else [value]:
            args += [f"--{key.replace('_', '-')}", item]
    return args


@pytest.mark.parametrize(("params", "field"), BAD)
def test_the_parser_names_the_field_with_a_translated_message(
    db: None, params: dict[str, Any], field: str
) -> None:
    refusal = _refusal(params)
    assert refusal.field == field
    assert refusal.code == "invalid_filter"
    assert refusal.extra == {"errors": {field: [refusal.message]}}
    with translation.override("en"):
        assert _refusal(params).message != refusal.message  # translated where raised


@pytest.mark.parametrize(("params", "field"), BAD)
def test_pages_show_the_same_refusal(
    analyst_client: Client, params: dict[str, Any], field: str
) -> None:
    message = _refusal(params).message
    for name in ("analytics:knots", "analytics:overview", "analytics:dashboard"):
        response = analyst_client.get(reverse(name), params)
        assert response.status_code == 200, name
        assert response.context["form"].errors == {field: [message]}, name
        assert message in response.content.decode()


@pytest.mark.parametrize(("params", "field"), BAD)
def test_the_api_gives_the_same_refusal(analyst: User, params: dict[str, Any], field: str) -> None:
    message = _refusal(params).message
    api = APIClient()
    api.force_authenticate(analyst)
    for url in ("/api/v1/knots/", "/api/v1/statistics/"):
        response = api.get(url, params, HTTP_ACCEPT_LANGUAGE="sv")
        assert response.status_code == 400, url
        assert response.json() == {
            "detail": message,
            "code": "invalid_filter",
            "errors": {field: [message]},
        }


@pytest.mark.parametrize(("params", "field"), BAD)
def test_the_command_gives_the_same_refusal(db: None, params: dict[str, Any], field: str) -> None:
    message = _refusal(params).message
    with pytest.raises(CommandError) as caught:
        call_command("knots", "--json", *_command_args(params))
    assert str(caught.value) == f"--{field.replace('_', '-')}: {message}"


@pytest.mark.parametrize(("params", "field"), BAD)
def test_the_job_fails_with_the_same_refusal(
    db: None, settings: Any, params: dict[str, Any], field: str
) -> None:
    message = _refusal(params).message
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    job_params = {
        "filter": {k: v for k, v in params.items() if k != "min_support"},
        "params": {k: v for k, v in params.items() if k == "min_support"},
        "today": "2026-06-30",
    }
    job = job_enqueue(kind="knots", params=job_params)
    done = job_execute(job.pk)
    assert done.status == Job.Status.FAILED
    assert done.error == message


def test_a_filter_survives_its_params(db: None) -> None:
    forbund = Forbund.objects.filter(municipalities__isnull=False).first()
    unit = UnitFactory()
    analysis_filter = AnalysisFilter(
        since=date(2025, 1, 1),
        until=date(2026, 6, 30),
        municipalities=("0162", "0160"),
        forbund=forbund.slug,
        units=(unit.pk,),
    )
    params = analysis_filter.as_params()
    assert json.loads(json.dumps(params)) == params  # JSON-ready
    assert AnalysisFilter.from_params(params) == analysis_filter
    assert AnalysisFilter.from_params(json.loads(json.dumps(params))) == analysis_filter
    assert AnalysisFilter().as_params() == {}
    assert AnalysisFilter.from_params({}) == AnalysisFilter()
    # Order and repeats do not make a different filter.
    assert AnalysisFilter(municipalities=("0160", "0162", "0160")) == AnalysisFilter(
        municipalities=("0162", "0160")
    )


def test_knot_params_survive_their_params() -> None:
    for params in (KnotParams(), KnotParams(min_support=7), KnotParams(q=0.05, horizon_days=30)):
        assert knot_params_from_params(knot_params_as_params(params)) == params
    assert knot_params_as_params(KnotParams()) == {}
    with pytest.raises(AnalysisFilterError) as caught:
        knot_params_from_params({"q": "2"})
    assert caught.value.field == "q"


def test_the_job_reads_back_what_the_page_queued(db: None) -> None:
    analysis_filter = AnalysisFilter(since=date(2026, 1, 1), municipalities=("0160",))
    params = KnotParams(min_support=4)
    stored = json.loads(json.dumps(knot_job_params(analysis_filter, params, date(2026, 6, 30))))
    assert AnalysisFilter.from_params(stored["filter"]) == analysis_filter
    assert knot_params_from_params(stored["params"]) == params


def test_a_query_dict_and_a_plain_mapping_mean_the_same(analyst_client: Client) -> None:
    response = analyst_client.get(
        reverse("analytics:knots"), {"municipality": ["0160", "0162"], "min_support": "12"}
    )
    form = response.context["form"]
    assert form.to_filter() == AnalysisFilter(municipalities=("0160", "0162"))
    assert form.params() == KnotParams(min_support=12)
