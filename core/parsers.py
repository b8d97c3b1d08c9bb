"""DRF parsers that refuse what cannot be stored or parsed safely, with a `detail` and `code`.

The same checks as the input middleware (core.middleware.HostileInputMiddleware), here so that
`request.data` is never anything else, whichever way the view is reached.
"""

from __future__ import annotations

from typing import Any

from rest_framework import parsers

from core.text import bad_text_refusal, json_parse_checked, query_is_clean


class JSONParser(parsers.JSONParser):
    """JSON bodies: an object, at most MAX_JSON_DEPTH deep, with clean strings."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        return json_parse_checked(stream.read(), require_object=True)


class FormParser(parsers.FormParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        data = super().parse(stream, media_type, parser_context)
        if not query_is_clean(data):
            raise bad_text_refusal()
        return data


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        parsed = super().parse(stream, media_type, parser_context)
        if not query_is_clean(parsed.data):
            raise bad_text_refusal()
        return parsed
