"""Documents between instances over HTTP: the national instance posts a signed request to a
site and reads the signed answer, or posts a national barrier's notice.

Authentication is the documents' own: a site answers only requests signed by a national
instance in its directory, and the national instance keeps only answers signed by the site's
registered key (analytics.aggregates). No shared secret travels, so none can leak; TLS (the
proxy in deploy/) keeps the masked numbers from onlookers.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Callable

from django.conf import settings
from django.utils.translation import gettext as _

from analytics.aggregates import MAX_BYTES

ANSWER_PATH = "/api/v1/federation/answer/"
NOTICE_PATH = "/api/v1/federation/notice/"

# (url, body) -> the response's body; raises TransportError. Tests pass their own.
Fetch = Callable[[str, bytes], bytes]


class TransportError(Exception):
    """A site could not be reached or refused; the message says why, in Swedish."""


def endpoint(base: str, path: str) -> str:
    return base.rstrip("/") + path


def post_json(url: str, body: bytes) -> bytes:
    """POST a document and return the answer's bytes (at most an aggregate's largest size)."""
    request = urllib.request.Request(  # noqa: S310 - the operator's https/http address
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "Accept": "application/json"},
    )
    timeout = getattr(settings, "FEDERATION_TIMEOUT", 600)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            data = response.read(MAX_BYTES + 1)
    except urllib.error.HTTPError as error:
        detail = _refusal_detail(error.read(4096))
        raise TransportError(
            _("the site answered %(status)d: %(detail)s")
            % {"status": error.code, "detail": detail or error.reason}
        ) from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise TransportError(
            _("the site could not be reached (%(reason)s)") % {"reason": str(reason)[:200]}
        ) from None
    if len(data) > MAX_BYTES:
        raise TransportError(_("the site's answer is too large"))
    return data


def _refusal_detail(raw: bytes) -> str:
    import json

    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return ""
    return str(data.get("detail", ""))[:300] if isinstance(data, dict) else ""
