"""Error reports to a Sentry-protocol server (self-hosted Sentry or GlitchTip), only when
`SENTRY_DSN` is set, never with personal data.

The client is sentry-sdk, configured in settings with request bodies never sent and no
personal data collected by the SDK itself; `before_send` then takes out what the SDK would
still carry (cookies, authorisation headers, the query string, a user's name or address) and
masks every remaining string with the personal-data gate, so a refused personnummer in an
exception's text is not reported either.
"""

from __future__ import annotations

from typing import Any

DROPPED_HEADERS = frozenset({"cookie", "authorization", "x-csrftoken", "proxy-authorization"})


def _masked(value: Any) -> Any:
    from privacy.mask import pii_mask  # at the first report: the finder loads its name lists

    if isinstance(value, str):
        return pii_mask(value)
    if isinstance(value, dict):
        return {key: _masked(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_masked(item) for item in value]
    return value


def before_send(event: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any]:
    """The event as it may leave the installation."""
    request = event.get("request")
    if isinstance(request, dict):
        for key in ("data", "cookies", "query_string", "env"):
            request.pop(key, None)
        headers = request.get("headers")
        if isinstance(headers, dict):
            request["headers"] = {
                name: value
                for name, value in headers.items()
                if name.lower() not in DROPPED_HEADERS
            }
    user = event.get("user")
    if isinstance(user, dict):
        event["user"] = {"id": user["id"]} if "id" in user else {}
    return _masked(event)


def error_reporting_init(dsn: str, *, environment: str, release: str = "") -> None:
    """Start the client (from settings, when a DSN is configured)."""
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        integrations=[DjangoIntegration()],
        max_request_body_size="never",
        include_local_variables=False,  # a frame's variables can hold anything typed
        before_send=before_send,  # type: ignore[arg-type]
        environment=environment,
        release=release or None,
        traces_sample_rate=0.0,
    )
