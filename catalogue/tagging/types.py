"""Plain data the tagger works on and returns: no Django, no database (R9)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

TagKind = Literal["agency", "law", "provision"]
Span = tuple[int, int]


@dataclass(frozen=True, slots=True)
class LawEntry:
    sfs: str
    title: str
    abbreviations: tuple[str, ...] = ()
    name_forms: tuple[str, ...] = ()
    kind: str = "lag"
    has_chapters: bool = False
    in_force_from: date | None = None
    in_force_to: date | None = None

    def in_force_on(self, on: date) -> bool:
        return (self.in_force_from is None or self.in_force_from <= on) and (
            self.in_force_to is None or on <= self.in_force_to
        )


@dataclass(frozen=True, slots=True)
class AgencyEntry:
    code: str
    name: str
    variants: tuple[str, ...] = ()
    subunits: tuple[str, ...] = ()
    context_dependent: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TermTarget:
    tag: str
    valid_from: date | None = None
    valid_until: date | None = None

    def applies_on(self, on: date) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (
            self.valid_until is None or on <= self.valid_until
        )


@dataclass(frozen=True, slots=True)
class TermEntry:
    term: str
    forms: tuple[str, ...] = ()
    targets: tuple[TermTarget, ...] = ()
    ambiguous: bool = False


@dataclass(frozen=True, slots=True)
class TagSuggestion:
    """One tag with its evidence: which words triggered it, by which rule, how sure."""

    tag_id: str
    kind: TagKind
    confidence: float
    spans: tuple[Span, ...]
    rule: str
