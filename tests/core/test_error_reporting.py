"""Error reports (issue 21): off without a DSN; with one, a failing request is reported through
the Sentry protocol without its body, cookies or query and with personal data masked."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sentry_sdk
from django.test import Client
from django.urls import path
from sentry_sdk.envelope import Envelope
from sentry_sdk.transport import Transport

from privacy.error_reporting import before_send, error_reporting_init

PERSONNUMMER = "850312–2387"


class Captured(Transport):
    """Keeps the envelopes instead of sending them to a server."""

    sent: list[Envelope] = []

    def capture_envelope(self, envelope: Envelope) -> None:
        Captured.sent.append(envelope)


def _fail(request: Any) -> Any:
    raise ValueError(f"could not file the row for {PERSONNUMMER}")


urlpatterns = [path("fail/", _fail)]


@pytest.fixture
def reporting(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Envelope]]:
    Captured.sent = []
    original = sentry_sdk.init

    def init(**options: Any) -> Any:
        return original(transport=Captured, **options)

    monkeypatch.setattr(sentry_sdk, "init", init)
    error_reporting_init("https://public@glitchtip.example/1", environment="test")
    yield Captured.sent
    sentry_sdk.get_client().close()
    sentry_sdk.init()  # no DSN: off again for the other tests


def test_before_send_drops_the_body_and_masks_every_string() -> None:
    event = {
        "request": {
            "url": "https://knutpunkt.example/avvikelser/ny/",
            "data": {"description": f"Gäller {PERSONNUMMER}"},
            "cookies": {"sessionid": "secret"},
            "query_string": "q=Kalle+Andersson",
            "headers": {"Cookie": "sessionid=secret", "User-Agent": "Firefox"},
        },
        "user": {"id": 7, "username": "anna", "email": "anna@exempel.se"},
        "exception": {"values": [{"type": "ValueError", "value": f"row for {PERSONNUMMER}"}]},
        "breadcrumbs": {"values": [{"message": "mail anna@exempel.se"}]},
    }
    sent = before_send(event, {})
    text = repr(sent)
    assert "data" not in sent["request"]
    assert "cookies" not in sent["request"]
    assert "query_string" not in sent["request"]
    assert sent["request"]["headers"] == {"User-Agent": "Firefox"}
    assert sent["user"] == {"id": 7}
    assert "2387" not in text
    assert "anna@exempel.se" not in text
    assert "Kalle" not in text


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_a_failing_request_is_reported_without_personal_data(
    reporting: list[Envelope], settings: Any
) -> None:
    settings.DEBUG_PROPAGATE_EXCEPTIONS = False
    client = Client(raise_request_exception=False)
    response = client.post("/fail/?q=Kalle", {"description": f"Gäller {PERSONNUMMER}"})
    assert response.status_code == 500
    sentry_sdk.flush()
    events = [item.payload.json for env in reporting for item in env.items if item.type == "event"]
    assert len(events) == 1
    text = repr(events[0])
    assert "ValueError" in text
    assert "2387" not in text
    assert "Kalle" not in text
    assert "data" not in events[0]["request"]
    assert "Gäller" not in text  # the body is never sent


def test_without_a_dsn_nothing_is_reported(settings: Any) -> None:
    assert settings.SENTRY_DSN == ""
    assert sentry_sdk.get_client().transport is None  # no client was started
