"""What apps above deviations add to a deviation's page, registered from their `ready()`.

Deviations never imports them: an app calls `deviation_extension_register()` with the parts it
contributes, and the pages ask this registry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from deviations.history import TimelineEntry
from deviations.models import Deviation, User


@dataclass(frozen=True)
class DeviationExtension:
    # Entries merged into the deviation's timeline.
    timeline_entries: Callable[[Deviation], list[TimelineEntry]] | None = None
    # A panel for "What came of it": {"template": ..., and its context} or None.
    outcome: Callable[[Deviation, User], dict[str, Any] | None] | None = None
    # A short note per deviation id in "Mina avvikelser".
    list_notes: Callable[[Sequence[Deviation]], dict[int, str]] | None = None


_EXTENSIONS: dict[str, DeviationExtension] = {}


def deviation_extension_register(name: str, extension: DeviationExtension) -> None:
    """Called from an app's `ready()`; registering the same name again replaces it."""
    _EXTENSIONS[name] = extension


def extra_timeline(deviation: Deviation) -> list[TimelineEntry]:
    entries: list[TimelineEntry] = []
    for extension in _EXTENSIONS.values():
        if extension.timeline_entries:
            entries.extend(extension.timeline_entries(deviation))
    return entries


def outcomes(deviation: Deviation, user: User) -> list[dict[str, Any]]:
    found = []
    for extension in _EXTENSIONS.values():
        if extension.outcome and (panel := extension.outcome(deviation, user)):
            found.append(panel)
    return found


def list_notes(deviations: Iterable[Deviation]) -> dict[int, str]:
    rows = list(deviations)
    notes: dict[int, str] = {}
    for extension in _EXTENSIONS.values():
        if extension.list_notes:
            for pk, note in extension.list_notes(rows).items():
                notes[pk] = f"{notes[pk]}; {note}" if pk in notes else note
    return notes
