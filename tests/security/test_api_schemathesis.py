"""Schemathesis against the OpenAPI schema: generated requests to every operation, as an
analyst with a token; no 500 and every response matches the schema."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from knox.models import AuthToken
from schemathesis.checks import not_a_server_error, response_schema_conformance

schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
schema.app = get_wsgi_application()


@pytest.fixture(autouse=True)
def _catalogue(committed_catalogue: None) -> None:
    """Requests commit here, as in production (see tests/conftest.py)."""


@pytest.fixture
def token(analyst) -> str:  # noqa: ANN001 - the persona fixture
    return AuthToken.objects.create(user=analyst)[1]


@pytest.mark.django_db(transaction=True)
@schema.parametrize()
@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                           HealthCheck.function_scoped_fixture],
)  # fmt: skip
def test_api_matches_its_schema(case, token: str) -> None:  # noqa: ANN001
    case.call_and_validate(
        headers={"Authorization": f"Token {token}"},
        checks=[not_a_server_error, response_schema_conformance],
    )
