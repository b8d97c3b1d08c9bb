"""Log lines as JSON, one per event, never with personal data in them.

Every message, argument and traceback goes through the personal-data gate's mask before it is
written (`privacy.mask.pii_mask`), so a refused personnummer quoted in an error, or a name in an
exception's text, never reaches a log file or a log collector. The context (request id, the
person's id, view, status, duration, job id) comes from core.log_context.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from privacy.mask import pii_mask

_FIELDS = ("request_id", "user_id", "job_id", "view", "status", "duration_ms", "method", "path")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": pii_mask(record.getMessage()),
        }
        for name in _FIELDS:
            value = getattr(record, name, None)
            if value not in (None, ""):
                line[name] = pii_mask(value) if isinstance(value, str) else value
        if record.exc_info:
            line["exception"] = pii_mask(self.formatException(record.exc_info))
        return json.dumps(line, ensure_ascii=False, default=str)


class MaskingFormatter(logging.Formatter):
    """The plain text format (development), masked the same way."""

    def format(self, record: logging.LogRecord) -> str:
        return pii_mask(super().format(record))
