"""Reads of the reference catalogue, kept in memory per process until someone edits it."""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Max

from catalogue import tagger_cache
from catalogue.concordance import concept_map
from catalogue.models import Agency, Concordance, Law, Provision, Term
from catalogue.tagging import TagCatalogue
from catalogue.tagids import law_label, parse_tag_id, provision_label, tag_label

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
        for model in (Law, Agency, Term, Provision, Concordance)
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
    catalogue = tagger_cache.load(fingerprint) or _catalogue_compiled()
    tagger_cache.store(fingerprint, catalogue)  # for tag_text without Django's set-up
    _catalogue_cache["default"] = (fingerprint, catalogue)
    return catalogue


def _catalogue_compiled() -> TagCatalogue:
    return TagCatalogue.from_rows(
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


@dataclass(frozen=True, slots=True)
class TagChoice:
    """A catalogue entry as a person picks it: identifier, kind, readable label, a hint."""

    id: str
    kind: str
    label: str
    hint: str
    confirmed: bool = True  # False: created on first use, not yet checked by an administrator


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
    laws = list(Law.objects.filter(sfs__isnull=False).order_by("title"))
    short = {
        law.sfs: str(law.abbreviations[0] if law.abbreviations else law.short_name or law.title)
        for law in laws
    }
    shared = Counter(short.values())  # "SoL" for 1980:620, 2001:453 and 2025:400
    versioned = {law.sfs for law in laws if shared[short[law.sfs]] > 1}
    label = {sfs: law_label(name, sfs, versioned=sfs in versioned) for sfs, name in short.items()}
    for law in laws:
        choices[law.tag_id] = TagChoice(
            law.tag_id, "law", label[law.sfs], f"{law.title} ({law.sfs})", law.confirmed
        )
    for provision in Provision.objects.select_related("law").order_by("law__title", "tag_id"):
        law = provision.law
        law_name = law.short_name or f"({law.sfs})"
        if law.short_name and law.sfs in versioned:
            law_name = law_label(law.short_name, law.sfs, versioned=True)
        choices[provision.tag_id] = TagChoice(
            provision.tag_id,
            "provision",
            provision_label(provision.chapter, provision.section, law_name),
            provision.description,
            provision.confirmed,
        )
    _choices_cache["default"] = (fingerprint, choices)
    return choices


_concepts_cache: dict[str, tuple[tuple[object, ...], dict[str, str]]] = {}


def concepts() -> dict[str, str]:
    """Each tag that is a version of a rule across a reform → its concept id (the newest
    version's tag), from the laws' replaced-by links and the concordance's main lines."""
    fingerprint = _catalogue_fingerprint()
    cached = _concepts_cache.get("default")
    if cached and cached[0] == fingerprint:
        return cached[1]
    successors = dict(
        Law.objects.filter(sfs__isnull=False, replaced_by__sfs__isnull=False).values_list(
            "sfs", "replaced_by__sfs"
        )
    )
    continuations = Concordance.objects.filter(main=True).values_list("old__tag_id", "new__tag_id")
    mapping = concept_map(successors=successors, continuations=continuations)
    _concepts_cache["default"] = (fingerprint, mapping)
    return mapping


def labels_for(tags: Iterable[str]) -> list[str]:
    """Each tag's readable label, in order: the catalogue's, or for a tag it has no row for yet
    one built from the reference (catalogue.tagids.tag_label, the one rule for both)."""
    choices = tag_choices()
    return [tag_label(tag, choices) for tag in tags]


def tag_display(tag: str) -> str:
    """What a person types or reads for a tag in a search box: its label, or where two tags
    share a label (two versions of a law) the longer name with its SFS number."""
    choices = tag_choices()
    choice = choices.get(tag)
    if choice is None:
        return tag
    if _labels_by_text().get(choice.label.casefold()) == tag:
        return choice.label
    return choice.hint if choice.kind == "law" else choice.label


def tag_for_text(text: str, kind: str | None = None) -> str | None:
    """The tag a person means by `text`: an id, a label or a law's name with its SFS number
    (case-insensitive), of `kind` if given; None when nothing in the catalogue answers."""
    value = text.strip()
    choices = tag_choices()
    tag = value if value in choices else _labels_by_text().get(value.casefold())
    if tag is None or (kind and choices[tag].kind != kind):
        return None
    return tag


_labels_cache: dict[str, tuple[dict[str, TagChoice], dict[str, str]]] = {}


def _labels_by_text() -> dict[str, str]:
    """Label or law name → tag id; a label two tags share is left out (it names neither)."""
    choices = tag_choices()
    cached = _labels_cache.get("default")
    if cached and cached[0] is choices:
        return cached[1]
    by_text: dict[str, str] = {}
    shared: set[str] = set()
    for choice in choices.values():
        key = choice.label.casefold()
        if key in by_text and by_text[key] != choice.id:
            shared.add(key)
        by_text.setdefault(key, choice.id)
    for key in shared:
        del by_text[key]
    for choice in choices.values():
        if choice.kind == "law":
            by_text.setdefault(choice.hint.casefold(), choice.id)
    _labels_cache["default"] = (choices, by_text)
    return by_text


_WORD_BREAK = re.compile(r"[^\w§]+")


def search_normalise(text: str) -> str:
    """Lowercase words separated by single spaces: "Offentlighets- och" → "offentlighets och"."""
    return _WORD_BREAK.sub(" ", text.casefold()).strip()


_search_cache: dict[str, tuple[dict[str, TagChoice], dict[str, str]]] = {}


def tag_search_texts() -> dict[str, str]:
    """Tag id → the words a search looks in: label, hint and id, and for a provision also its
    law's short name and title, so "offentlighets" finds OSL and its provisions."""
    choices = tag_choices()
    cached = _search_cache.get("default")
    if cached and cached[0] is choices:
        return cached[1]
    texts: dict[str, str] = {}
    for choice in choices.values():
        parts = [choice.label, choice.hint, choice.id]
        if choice.kind == "provision":
            law = choices.get(parse_tag_id(choice.id).law_tag_id or "")
            if law is not None:
                parts += [law.label, law.hint]
        texts[choice.id] = search_normalise(" ".join(parts))
    _search_cache["default"] = (choices, texts)
    return texts


def _matches(words: list[str], text: str, tokens: set[str]) -> bool:
    # A number must be a whole word ("27" is not in "1927"); other words may sit anywhere in a
    # word, as Swedish compounds hide them ("sekretess" in "sekretesslag").
    return all((word in tokens) if word.isdigit() else (word in text) for word in words)


def tag_search(query: str, *, kind: str | None = None) -> list[str]:
    """Tag ids whose label, name or title holds every word of `query`, those whose label
    starts with it first."""
    normalised = search_normalise(query)
    words = normalised.split()
    if not words:
        return []
    choices = tag_choices()
    hits = [
        tag
        for tag, text in tag_search_texts().items()
        if (kind is None or choices[tag].kind == kind) and _matches(words, text, set(text.split()))
    ]
    return sorted(
        hits,
        key=lambda tag: (
            not search_normalise(choices[tag].label).startswith(normalised),
            normalised not in tag_search_texts()[tag],
        ),
    )
