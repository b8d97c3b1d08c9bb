"""Reads of the reference catalogue, kept in memory per process until someone edits it."""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.db.models import Max

from catalogue.models import Agency, Law, Provision, Term
from catalogue.tagging import TagCatalogue

_catalogue_cache: dict[str, tuple[tuple[object, ...], TagCatalogue]] = {}


FINGERPRINT_SECONDS = 2.0
_fingerprint_memo: dict[str, tuple[float, tuple[object, ...]]] = {}


def _catalogue_fingerprint() -> tuple[object, ...]:
    """Changes whenever anyone edits the catalogue: every edit writes an audit row.

    Checked at most every two seconds per process, so a page that labels many tags asks the
    database once; an edit shows within two seconds everywhere.
    """
    now = time.monotonic()
    memo = _fingerprint_memo.get("default")
    if memo and now - memo[0] < FINGERPRINT_SECONDS:
        return memo[1]
    fingerprint = tuple(
        model.history.aggregate(last=Max("history_id"))["last"]  # type: ignore[attr-defined]
        for model in (Law, Agency, Term, Provision)
    )
    _fingerprint_memo["default"] = (now, fingerprint)
    return fingerprint


def catalogue_changed() -> None:
    """Forget the memo, e.g. right after loading the catalogue or in tests."""
    _fingerprint_memo.clear()


def tag_catalogue() -> TagCatalogue:
    """The catalogue as the tagger sees it, rebuilt only after an edit."""
    fingerprint = _catalogue_fingerprint()
    cached = _catalogue_cache.get("default")
    if cached and cached[0] == fingerprint:
        return cached[1]
    catalogue = TagCatalogue.from_rows(
        laws=Law.objects.filter(sfs__isnull=False).values(
            "sfs",
            "title",
            "abbreviations",
            "name_forms",
            "kind",
            "has_chapters",
            "in_force_from",
            "in_force_to",
        ),
        agencies=Agency.objects.values("code", "name", "variants", "subunits", "context_dependent"),
        terms=Term.objects.values("term", "forms", "targets", "ambiguous"),
        provisions=Provision.objects.values_list("tag_id", flat=True),
    )
    _catalogue_cache["default"] = (fingerprint, catalogue)
    return catalogue


@dataclass(frozen=True, slots=True)
class TagChoice:
    """A catalogue entry as a person picks it: identifier, kind, readable label, a hint."""

    id: str
    kind: str
    label: str
    hint: str


_choices_cache: dict[str, tuple[tuple[object, ...], dict[str, TagChoice]]] = {}


def tag_choices() -> dict[str, TagChoice]:
    """Every taggable agency, law and provision by tag id, for chips, search and labels."""
    fingerprint = _catalogue_fingerprint()
    cached = _choices_cache.get("default")
    if cached and cached[0] == fingerprint:
        return cached[1]
    choices: dict[str, TagChoice] = {}
    for agency in Agency.objects.order_by("name"):
        choices[agency.tag_id] = TagChoice(agency.tag_id, "agency", agency.name, agency.code)
    laws = Law.objects.filter(sfs__isnull=False).order_by("title")
    for law in laws:
        short = law.abbreviations[0] if law.abbreviations else law.short_name or law.title
        choices[law.tag_id] = TagChoice(law.tag_id, "law", str(short), f"{law.title} ({law.sfs})")
    for provision in Provision.objects.select_related("law").order_by("law__title", "tag_id"):
        choices[provision.tag_id] = TagChoice(
            provision.tag_id, "provision", provision.citation, provision.description
        )
    _choices_cache["default"] = (fingerprint, choices)
    return choices
