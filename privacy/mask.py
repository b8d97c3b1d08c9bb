"""Blocking personal data replaced by a marker: one way of removing it, for drafts and stored rows.

Autosaved drafts mask what the person typed before it is written; `scan_personal_data --redact`
masks what an older version stored. Both leave the rest of the text, so a reader still sees what
happened and that something was taken out.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from privacy.gate import PII_LABELS
from privacy.pii import find_pii


def pii_mask(text: str, *, max_length: int | None = None) -> str:
    """The text with blocking personal data replaced by "[removed: kind]". Where the markers
    would not fit a column's `max_length`, each finding becomes as many "*" as it had characters
    instead, so the text never grows and the value never survives."""
    hits = sorted((hit for hit in find_pii(text) if hit.blocking), key=lambda hit: -hit.start)
    masked = text
    for hit in hits:
        marker = "[" + str(_("removed: %(kind)s") % {"kind": PII_LABELS[hit.type]}) + "]"
        masked = masked[: hit.start] + marker + masked[hit.end :]
    if max_length is not None and len(masked) > max_length:
        masked = text
        for hit in hits:
            masked = masked[: hit.start] + "*" * (hit.end - hit.start) + masked[hit.end :]
    return masked


def quote_blocker(text: str) -> str | None:
    """Why a stored text may not be quoted outside the analyst role, or None when it may: a
    "name" when it holds a possible name (a warning the writer may have confirmed, but a quote
    travels further than the record), "personal data" for anything the gate blocks today that
    an older version stored. The dossier's examples and the exports use this one rule."""
    kinds = {hit.type for hit in find_pii(text)}
    if "name" in kinds:
        return "name"
    return "personal data" if kinds else None


def quotable(text: str, *, names_allowed: bool) -> str:
    """The text as an export may carry it: blocking personal data masked; a text with a possible
    name left out unless the reader may see names (the analyst role)."""
    blocker = quote_blocker(text)
    if blocker is None:
        return text
    if blocker == "name" and not names_allowed:
        return "[" + str(_("left out: the text contains a possible name")) + "]"
    return pii_mask(text)


def pii_mask_json(value: Any) -> Any:
    """A copy of JSON data with every string masked, keys included (a key can be a value an
    older version stored, e.g. a refused cell)."""
    if isinstance(value, str):
        return pii_mask(value)
    if isinstance(value, dict):
        return {pii_mask(str(key)): pii_mask_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [pii_mask_json(item) for item in value]
    return value
