"""How a deviation's words and tags are shown: the words behind a tag or a piece of personal
data marked with <mark>, and each tag explained (words, rule, origin, confidence).

Pure-ish: text and spans in, safe HTML out; tag rows in, explanation dicts out. The pages
(deviation, filing form, triage) call these; only `explained_tags` and `highlighted_tags`
read the database, to fetch a deviation's tags.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from catalogue.presentation import rule_label
from catalogue.selectors import tag_choices, tag_search_texts
from catalogue.tagids import tag_label
from deviations.models import Deviation, Tagging
from deviations.selectors import tagging_list
from privacy.gate import PII_LABELS
from privacy.pii import find_pii

# (start, end, attribute, value): the <mark> around text[start:end] carries attribute="value".
Mark = tuple[int, int, str, str]


class TagRow(Protocol):
    """What a tag explanation needs from a tagging (a `Tagging` or anything shaped like it)."""

    tag_id: str
    state: str
    spans: Any
    rule: str
    confidence: float | None

    def get_origin_display(self) -> str: ...
    def get_state_display(self) -> str: ...


def valid_spans(spans: object, length: int) -> list[tuple[int, int]]:
    """The spans that point into a text of this length, as (start, end); others dropped."""
    if not isinstance(spans, list | tuple):
        return []
    return [
        (pair[0], pair[1])
        for pair in spans
        if isinstance(pair, list | tuple)
        and len(pair) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in pair)
        and 0 <= pair[0] < pair[1] <= length
    ]


def marked_text(text: str, marks: Iterable[Mark]) -> SafeString:
    """The text, escaped, with each marked piece wrapped in <mark>. Marks outside the text are
    dropped; where marks overlap, the first (by position) wins."""
    chunks: list[tuple[str, tuple[str, str] | None]] = []
    position = 0
    for start, end, attribute, value in sorted(marks, key=lambda m: (m[0], m[1])):
        if not 0 <= start < end <= len(text) or start < position:
            continue
        chunks.append((text[position:start], None))
        chunks.append((text[start:end], (attribute, value)))
        position = end
    chunks.append((text[position:], None))
    return format_html_join(
        "",
        "{}",
        (
            (format_html('<mark {}="{}">{}</mark>', mark[0], mark[1], chunk) if mark else chunk,)
            for chunk, mark in chunks
        ),
    )


def pii_marked_text(text: str) -> SafeString:
    """The text with each piece of personal data marked, titled with what it is (for the
    filing form's refusal)."""
    return marked_text(
        text, ((hit.start, hit.end, "title", str(PII_LABELS[hit.type])) for hit in find_pii(text))
    )


def tags_marked_text(text: str, taggings: Iterable[TagRow]) -> SafeString:
    """The text with the words behind each open or confirmed tag marked (`data-tag`)."""
    return marked_text(
        text,
        (
            (start, end, "data-tag", tagging.tag_id)
            for tagging in taggings
            if tagging.state != Tagging.State.REJECTED
            for start, end in valid_spans(tagging.spans, len(text))
        ),
    )


def decimal(value: float, places: int = 2) -> str:
    """A share such as a confidence or a similarity in the reader's format: "0,95" in Swedish."""
    return number_format(value, decimal_pos=places)


def quoted_words(text: str, spans: object) -> str:
    """The words behind the spans, quoted and joined: “FK”, “Af”."""
    return ", ".join(f"“{text[a:b]}”" for a, b in valid_spans(spans, len(text)))


def tag_explanations(
    text: str, taggings: Iterable[TagRow], choices: Mapping[str, Any]
) -> list[dict[str, object]]:
    """Each tag with a readable name and why it is there: origin, words, rule, confidence."""
    rows = []
    for tagging in taggings:
        words = quoted_words(text, tagging.spans)
        parts = [str(tagging.get_origin_display())]
        if words:
            parts.append(_("found %(words)s") % {"words": words})
        if tagging.rule:
            parts.append(_("rule: %(rule)s") % {"rule": rule_label(tagging.rule)})
        if tagging.confidence is not None:
            parts.append(_("confidence %(value)s") % {"value": decimal(tagging.confidence)})
        rows.append(
            {
                "tag_id": tagging.tag_id,
                "label": tag_label(tagging.tag_id, choices),
                "state": tagging.state,
                "state_label": tagging.get_state_display(),
                "explanation": "; ".join(parts),
            }
        )
    return rows


def explained_tags(
    *, deviation: Deviation, taggings: Sequence[Tagging] | None = None
) -> list[dict[str, object]]:
    """A deviation's tags explained (its taggings fetched unless given)."""
    rows = taggings if taggings is not None else tagging_list(deviation=deviation)
    return tag_explanations(deviation.description, rows, tag_choices())


def highlighted_tags(
    *, deviation: Deviation, taggings: Sequence[Tagging] | None = None
) -> SafeString:
    """A deviation's description with the words behind its open or confirmed tags marked."""
    rows = taggings if taggings is not None else tagging_list(deviation=deviation)
    return tags_marked_text(deviation.description, rows)


def catalogue_entries() -> list[dict[str, str]]:
    """The catalogue as the tag chips' search reads it (filing, barriers): each entry with the
    words a search looks in (catalogue.selectors.tag_search_texts), the same on every page."""
    words = tag_search_texts()
    return [
        {"id": c.id, "kind": c.kind, "label": c.label, "hint": c.hint, "search": words[c.id]}
        for c in tag_choices().values()
    ]


def practice_text(practice: Any) -> str:
    """A guldkorn's texts as the tagger read them, so the spans of its suggestions fit."""
    return "\n".join(
        (practice.title, practice.what_was_done, practice.who, practice.what_it_solved)
    )


def practice_tag_explanations(practice: Any) -> list[dict[str, object]]:
    """A guldkorn's suggested tags with a readable name and why each is there."""
    text, choices, rows = practice_text(practice), tag_choices(), []
    for tag in practice.suggested_tags:
        parts = []
        if words := quoted_words(text, tag.get("spans") or []):
            parts.append(_("found %(words)s") % {"words": words})
        if tag.get("rule"):
            parts.append(_("rule: %(rule)s") % {"rule": rule_label(tag["rule"])})
        if tag.get("confidence") is not None:
            parts.append(_("confidence %(value)s") % {"value": decimal(tag["confidence"])})
        rows.append(
            {
                "tag_id": tag["tag_id"],
                "label": tag_label(tag["tag_id"], choices),
                "explanation": "; ".join(parts),
            }
        )
    return rows
