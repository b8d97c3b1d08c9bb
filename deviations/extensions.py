"""What other parts of Knutpunkt add to a deviation's page, without deviations importing them.

`settings.DEVIATION_EXTENSIONS` names modules (e.g. "barriers.extensions") that may define:
- `timeline_entries(deviation) -> list[TimelineEntry]`, merged into the page's timeline;
- `outcome(deviation, user) -> dict | None`, shown as "What came of it" (template + context);
- `list_notes(deviations) -> dict[int, str]`, a short note per deviation in "Mina avvikelser";
- `tags_confirmed(deviations)`, told when people confirm tags (barriers take new evidence).
The dependency stays one-way (deviations ← barriers); the link is made in settings.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from importlib import import_module
from types import ModuleType
from typing import Any

from django.conf import settings

from deviations.history import TimelineEntry
from deviations.models import Deviation, User


@cache
def _modules() -> tuple[ModuleType, ...]:
    return tuple(import_module(name) for name in getattr(settings, "DEVIATION_EXTENSIONS", ()))


def extra_timeline(deviation: Deviation) -> list[TimelineEntry]:
    entries: list[TimelineEntry] = []
    for module in _modules():
        if hasattr(module, "timeline_entries"):
            entries.extend(module.timeline_entries(deviation))
    return entries


def outcomes(deviation: Deviation, user: User) -> list[dict[str, Any]]:
    found = []
    for module in _modules():
        if hasattr(module, "outcome"):
            panel = module.outcome(deviation, user)
            if panel:
                found.append(panel)
    return found


def list_notes(deviations: Iterable[Deviation]) -> dict[int, str]:
    rows = list(deviations)
    notes: dict[int, str] = {}
    for module in _modules():
        if hasattr(module, "list_notes"):
            for pk, note in module.list_notes(rows).items():
                notes[pk] = f"{notes[pk]}; {note}" if pk in notes else note
    return notes


def tags_confirmed(deviations: Iterable[Deviation]) -> None:
    rows = list(deviations)
    for module in _modules():
        if hasattr(module, "tags_confirmed"):
            module.tags_confirmed(rows)
