"""Text that can be stored and shown again: no NUL characters, no lone surrogates, and JSON
bodies that are small and shallow enough to parse without recursing off the stack.

A lone surrogate ("\\ud800" in JSON) is a valid Python string but cannot be encoded as UTF-8,
so once stored, every page that shows it fails; PostgreSQL refuses NUL characters outright.
Every way in (query strings, form bodies, JSON bodies) is checked with these functions, and
already stored text is cleaned with them before it is shown.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.utils.translation import gettext as _

from core.errors import DomainError

MAX_JSON_DEPTH = 50

_BAD_CHARACTERS = re.compile("[\x00\ud800-\udfff]")
# A JSON string (escapes included), or one bracket outside any string.
_JSON_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)


class BadInputError(DomainError):
    """The request itself is unusable (bad characters, nesting, size, shape): a 4xx."""

    code = "bad_input"


class RequestTooLargeError(BadInputError):
    code = "too_large"
    http_status = 413


def text_is_clean(value: str) -> bool:
    return _BAD_CHARACTERS.search(value) is None


def text_clean(value: str) -> str:
    """Drop NUL characters and replace lone surrogates with U+FFFD, keeping everything else."""
    if text_is_clean(value):
        return value
    return _BAD_CHARACTERS.sub(lambda m: "" if m.group() == "\x00" else "\ufffd", value)


def data_clean(value: Any) -> Any:
    """The same JSON-like data with every string (keys too) cleaned; the rest untouched."""
    if isinstance(value, str):
        return text_clean(value)
    if isinstance(value, dict):
        return {data_clean(key): data_clean(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [data_clean(item) for item in value]
    return value


def data_is_clean(value: Any) -> bool:
    """Whether every string in JSON-like data (keys too) is clean; walks without recursing."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if not text_is_clean(item):
                return False
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list | tuple):
            pending.extend(item)
    return True


def query_is_clean(query: Any) -> bool:
    """Whether every name and value of a QueryDict (query string or form body) is clean."""
    return all(
        text_is_clean(name) and all(not isinstance(v, str) or text_is_clean(v) for v in values)
        for name, values in query.lists()
    )


def query_clean(query: Any) -> Any:
    """A cleaned, mutable-then-frozen copy of a QueryDict; the same object when already clean."""
    if query_is_clean(query):
        return query
    cleaned = query.copy()
    cleaned.clear()
    for name, values in query.lists():
        cleaned.setlist(
            text_clean(name), [text_clean(v) if isinstance(v, str) else v for v in values]
        )
    cleaned._mutable = False
    return cleaned


def json_depth_exceeds(text: str, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether brackets outside strings nest deeper than `limit`; counts, never recurses."""
    depth = 0
    for match in _JSON_TOKENS.finditer(text):
        found = match.group()
        if found in ("[", "{"):
            depth += 1
            if depth > limit:
                return True
        elif found in ("]", "}"):
            depth -= 1
    return False


def _not_json(name: str) -> None:
    raise ValueError(f"{name} is not a JSON value")


def bad_text_refusal() -> BadInputError:
    return BadInputError(
        _(
            "The request holds characters that cannot be stored (a NUL character or a broken "
            "Unicode character). Remove them and try again."
        ),
        code="bad_text",
    )


def json_parse_checked(raw: bytes | str, *, require_object: bool = False) -> Any:
    """Parse a JSON body, refusing with BadInputError: invalid JSON, nesting deeper than
    MAX_JSON_DEPTH, NUL characters or lone surrogates in any string, and (when asked) a body
    that is not an object."""
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError:
        raise BadInputError(_("The request body is not valid UTF-8."), code="parse_error") from None
    if json_depth_exceeds(text):
        raise BadInputError(
            _("The JSON in the request is nested more than %(limit)d levels deep.")
            % {"limit": MAX_JSON_DEPTH},
            code="too_deep",
        )
    try:
        parsed = json.loads(text, parse_constant=_not_json)
    except RecursionError:  # the scan above makes this unreachable; kept as the last guard
        raise BadInputError(
            _("The JSON in the request is nested too deeply."), code="too_deep"
        ) from None
    except ValueError as error:
        raise BadInputError(
            _("The request body is not valid JSON: %(error)s.") % {"error": error},
            code="parse_error",
        ) from None
    if not data_is_clean(parsed):
        raise bad_text_refusal()
    if require_object and not isinstance(parsed, dict):
        raise BadInputError(
            _('The request body must be a JSON object, such as {"name": "value"}.'),
            code="not_an_object",
        )
    return parsed
