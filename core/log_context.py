"""What every log line says about where it came from: the request's id (nginx's `X-Request-ID`,
or one made here, and returned in the response), the signed-in person's id (never a name), the
view, and for background work the job's id.

`RequestIdMiddleware` sets the context and writes one line per request (`core.request`:
method, path without the query, view, status, duration); `ContextFilter` puts the context on
every record, whatever logger wrote it; privacy.logs formats them as JSON lines.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

request_id: ContextVar[str] = ContextVar("request_id", default="")
user_id: ContextVar[int | None] = ContextVar("user_id", default=None)
job_id: ContextVar[int | None] = ContextVar("job_id", default=None)

HEADER = "X-Request-ID"
_VALID_ID = re.compile(r"[A-Za-z0-9._:-]{8,128}")  # nginx's $request_id is 32 hex digits
access_log = logging.getLogger("core.request")


def request_id_from(header: str | None) -> str:
    """The caller's id when it is a sane token, else a new one: a header is input, and an
    id made of anything would let a client write into the logs."""
    if header and _VALID_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """First in the chain, so every later log line of the request carries its id."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        rid = request_id_from(request.headers.get(HEADER))
        token = request_id.set(rid)
        user_token = user_id.set(None)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            # Only a person the request already looked up: reading request.user here could
            # query the session table, and the database may be the reason for the response.
            user = getattr(request, "_cached_user", None)
            if user is not None and getattr(user, "is_authenticated", False):
                user_id.set(user.pk)
            match = getattr(request, "resolver_match", None)
            access_log.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "view": match.view_name if match else "",
                    "status": response.status_code,
                    "duration_ms": round(1000 * (time.perf_counter() - started), 1),
                    "method": request.method,
                    "path": request.path,  # never the query: searches hold what people typed
                },
            )
            response[HEADER] = rid
            return response
        finally:
            request_id.reset(token)
            user_id.reset(user_token)


@contextmanager
def job_context(job: int) -> Iterator[None]:
    """Log lines written while a job runs carry its id."""
    token = job_id.set(job)
    try:
        yield
    finally:
        job_id.reset(token)


class ContextFilter(logging.Filter):
    """Adds the request id, the person's id and the job id to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = getattr(record, "request_id", "") or request_id.get()
        record.user_id = getattr(record, "user_id", None) or user_id.get()
        record.job_id = getattr(record, "job_id", None) or job_id.get()
        return True
