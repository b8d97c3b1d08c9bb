"""Structured logs (issue 21): one JSON line per event with the request's id, the person's id
(never a name), view, status and duration; job lines carry the job's id; personal data never
reaches a line."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from core.log_context import ContextFilter, job_context, request_id_from
from deviations.models import User
from jobs.services import job_enqueue
from privacy.logs import JsonFormatter

PERSONNUMMER = "850312–2387"


@pytest.fixture
def lines() -> Iterator[io.StringIO]:
    """Everything logged while the test runs, formatted as production formats it."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    request_logger = logging.getLogger("core.request")
    level = request_logger.level
    request_logger.setLevel(logging.INFO)
    yield out
    root.removeHandler(handler)
    request_logger.setLevel(level)


def _parsed(out: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.getvalue().splitlines() if line.strip()]


def test_a_request_id_is_kept_when_sane_and_made_when_not() -> None:
    assert request_id_from("3f2b9c0d1e4a5b6c7d8e9f0a1b2c3d4e") == "3f2b9c0d1e4a5b6c7d8e9f0a1b2c3d4e"
    made = request_id_from(None)
    assert len(made) == 32
    assert request_id_from("x") != "x"  # too short to be anyone's id
    assert "\n" not in request_id_from("abcdefgh\nfake log line")


@pytest.mark.django_db
def test_each_request_logs_one_line_with_its_id_which_the_response_returns(
    staff_client: Client, staff: User, lines: io.StringIO
) -> None:
    response = staff_client.get(
        "/avvikelser/mina/?q=Kalle", HTTP_X_REQUEST_ID="req-0123456789abcdef"
    )
    assert response.status_code == 200
    assert response["X-Request-ID"] == "req-0123456789abcdef"
    access = [line for line in _parsed(lines) if line["logger"] == "core.request"]
    assert len(access) == 1
    line = access[0]
    assert line["request_id"] == "req-0123456789abcdef"
    assert line["user_id"] == staff.pk
    assert line["view"] == "deviations:mine"
    assert line["status"] == 200
    assert line["duration_ms"] >= 0
    assert line["path"] == "/avvikelser/mina/"
    text = lines.getvalue()
    assert "Kalle" not in text  # the query is never logged
    assert staff.username not in text  # a person is an id, never a name
    fresh = staff_client.get("/avvikelser/mina/")
    assert len(fresh["X-Request-ID"]) == 32


def test_personal_data_never_reaches_a_line(lines: io.StringIO) -> None:
    logger = logging.getLogger("knutpunkt.test")
    logger.warning("Refused a text with %s in it", PERSONNUMMER)
    try:
        raise ValueError(f"row 3 holds anna@exempel.se and {PERSONNUMMER}")
    except ValueError:
        logger.exception("import failed")
    text = lines.getvalue()
    assert "2387" not in text
    assert "anna@exempel.se" not in text
    parsed = _parsed(lines)
    assert [line["level"] for line in parsed] == ["WARNING", "ERROR"]
    assert "ValueError" in parsed[1]["exception"]


@pytest.mark.django_db
def test_a_jobs_lines_carry_its_id(lines: io.StringIO) -> None:
    job = job_enqueue(kind="knots", dedupe_key="knots:default")
    with job_context(job.pk):
        logging.getLogger("knutpunkt.test").warning("recounting")
    logging.getLogger("knutpunkt.test").warning("after")
    inside, after = _parsed(lines)[-2:]
    assert inside["job_id"] == job.pk
    assert "job_id" not in after
