"""`python manage.py tag_text`: JSON Lines in, tags and personal data out (docs/contracts.md §2)."""

import json
import sys
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from catalogue.selectors import tag_catalogue
from catalogue.tagging import TagCatalogue, suggest_tags
from privacy.pii import find_pii


def tag_line(line: str, *, catalogue: TagCatalogue, today: date) -> dict[str, Any]:
    """One output object for one input line; a bad line gives an `error`, never an exception."""
    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        return {"id": None, "error": f"not valid JSON: {exc.msg} (column {exc.colno})"}
    if not isinstance(item, dict):
        return {"id": None, "error": "each line must be a JSON object"}
    ident = item.get("id")
    text = item.get("text")
    if not isinstance(text, str):
        return {"id": ident, "error": "`text` must be a string"}
    raw_date = item.get("date")
    try:
        on = date.fromisoformat(raw_date) if raw_date else today
    except (TypeError, ValueError):
        return {"id": ident, "error": f"`date` must be YYYY-MM-DD, not {raw_date!r}"}
    tags = suggest_tags(text, on=on, catalogue=catalogue)
    return {
        "id": ident,
        "tags": [
            {
                "id": t.tag_id,
                "kind": t.kind,
                "confidence": t.confidence,
                "spans": [list(span) for span in t.spans],
                "rule": t.rule,
            }
            for t in tags
        ],
        "pii": [{"type": hit.type, "start": hit.start, "end": hit.end} for hit in find_pii(text)],
    }


class Command(BaseCommand):
    help = "Tag JSON Lines from standard input: {id, text, date?} → {id, tags, pii}."
    stealth_options = ("stdin",)
    # The system checks import every URL and view (SAML, the barriers, scipy): 1.5 s of a
    # command that other systems start per batch. `manage.py check` and every server run them.
    requires_system_checks: list[str] = []

    def handle(self, *args: Any, **options: Any) -> None:
        catalogue = tag_catalogue()
        today = timezone.localdate()
        stdin = options.get("stdin") or sys.stdin
        for line in stdin:
            if not line.strip():
                continue
            result = tag_line(line, catalogue=catalogue, today=today)
            self.stdout.write(json.dumps(result, ensure_ascii=False))
