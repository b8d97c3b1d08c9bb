"""`tag_text`'s lines (docs/contracts.md §2): one JSON object in, one out. No Django, so the
same function serves the command and its fast path (catalogue.tagger_cache)."""

import json
from datetime import date
from typing import Any

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
