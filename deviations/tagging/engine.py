"""Suggest tags for a deviation text: statute references, agencies and everyday terms.

Every suggestion carries the spans that triggered it and the rule that fired, because staff
and analysts must be able to see why a tag is there before they confirm it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from deviations.catalogue.tagids import (
    agency_tag_id,
    law_tag_id,
    parse_tag_id,
    provision_tag_id,
)
from deviations.tagging.catalogue import AgencyMention, LawMention, TagCatalogue
from deviations.tagging.lexicon import Hit, tokenize
from deviations.tagging.references import (
    Reference,
    find_colon_references,
    find_references,
    find_sfs_numbers,
)
from deviations.tagging.types import Span, TagKind, TagSuggestion

# Rules, as shown to people (the UI translates them).
RULE_SFS = "SFS number"
RULE_LAW_ABBREVIATION = "law abbreviation"
RULE_LAW_NAME = "law name"
RULE_REF = "chapter-section + {how}"
RULE_IMPLIED = "implied by provision"
RULE_TERM = "everyday term"
RULE_AGENCY = {
    "name": "agency name",
    "abbreviation": "agency abbreviation",
    "subunit": "agency unit or role",
    "context": "agency word in context",
}

AGENCY_CONFIDENCE = {"name": 0.95, "abbreviation": 0.9, "subunit": 0.85, "context": 0.6}
CONTEXT_ALONE = 0.5

# What may stand between a reference and the law it belongs to: "27 kap. 48 § i SFB".
_GLUE_AFTER = re.compile(
    r"^[\s,.]*(?:(?:i|enligt|enl\.?|av|under)\s+)?(?:den\s+)?[\s(]*$", re.IGNORECASE
)
_GLUE_BEFORE = re.compile(r"^[\s,.]*(?:(?:enligt|enl\.?|i|se)\s+)?$", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?]\s+[A-ZÅÄÖ]|\n")


@dataclass(slots=True)
class _LawAt:
    start: int
    end: int
    sfs: str | None  # None for an anaphor not yet resolved
    how: str
    anaphora: bool = False


@dataclass(slots=True)
class _Found:
    kind: TagKind
    confidence: float
    rule: str
    spans: list[Span] = field(default_factory=list)


class _Collector:
    def __init__(self) -> None:
        self.tags: dict[str, _Found] = {}

    def add(self, tag_id: str, kind: TagKind, confidence: float, rule: str, span: Span) -> None:
        found = self.tags.get(tag_id)
        if found is None:
            self.tags[tag_id] = _Found(kind, confidence, rule, [span])
            return
        if span not in found.spans:
            found.spans.append(span)
        if confidence > found.confidence:
            found.confidence, found.rule = confidence, rule

    def result(self) -> list[TagSuggestion]:
        order = {"agency": 0, "law": 1, "provision": 2}
        return sorted(
            (
                TagSuggestion(
                    tag_id,
                    f.kind,
                    round(min(f.confidence, 0.99), 2),
                    tuple(sorted(f.spans)),
                    f.rule,
                )
                for tag_id, f in self.tags.items()
            ),
            key=lambda s: (order[s.kind], s.tag_id),
        )


def suggest_tags(text: str, *, on: date, catalogue: TagCatalogue) -> list[TagSuggestion]:
    """Tags for one text and event date, sorted by kind then identifier."""
    tokens = tokenize(text)
    out = _Collector()
    laws = _law_mentions(text, tokens, on, catalogue)
    for law in laws:
        if law.sfs and not law.anaphora:
            rule = {"sfs": RULE_SFS, "abbreviation": RULE_LAW_ABBREVIATION}.get(
                law.how, RULE_LAW_NAME
            )
            out.add(
                law_tag_id(law.sfs),
                "law",
                0.95 if law.how != "name" else 0.9,
                rule,
                (law.start, law.end),
            )
    _add_references(text, laws, catalogue, out)
    _add_terms(tokens, on, catalogue, out)
    _add_agencies(tokens, catalogue, out)
    return out.result()


def _law_mentions(text: str, tokens: list, on: date, catalogue: TagCatalogue) -> list[_LawAt]:
    mentions: list[_LawAt] = []
    hits: list[Hit[LawMention]] = list(catalogue.law_lexicon.find(tokens))
    for hit in hits:
        m = hit.payload
        if m.how == "anaphora":
            mentions.append(_LawAt(hit.start, hit.end, None, m.anaphora_kind, anaphora=True))
        else:
            mentions.append(_LawAt(hit.start, hit.end, catalogue.resolve(m.sfs, on), m.how))
    for sfs in find_sfs_numbers(text):
        mentions.append(_LawAt(sfs.start, sfs.end, sfs.sfs, "sfs"))
    mentions.sort(key=lambda m: (m.start, -m.end))
    # "förordningen (2017:819)", "socialtjänstlagen (2025:400)": the explicit number wins.
    merged: list[_LawAt] = []
    for mention in mentions:
        previous = merged[-1] if merged else None
        if (
            previous
            and mention.how == "sfs"
            and previous.how != "sfs"
            and re.fullmatch(r"[\s(]*", text[previous.end : mention.start])
        ):
            previous.sfs, previous.how, previous.anaphora = mention.sfs, "sfs", False
            previous.end = mention.end
            continue
        if (
            previous
            and previous.how == "sfs"
            and mention.how == "name"
            and mention.start < (previous.end + 4)
            and re.fullmatch(r"[\s)]*(?:om\s)?", text[previous.end : mention.start])
        ):
            previous.end = mention.end  # "lagen (2003:1210) om finansiell samordning …"
            continue
        merged.append(mention)
    # Resolve "samma lag" and "lagen" to the nearest law named before them.
    last: str | None = None
    for mention in merged:
        if mention.anaphora:
            mention.sfs = last
        elif mention.sfs:
            last = mention.sfs
    return merged


def _law_for(reference: Reference, text: str, laws: list[_LawAt]) -> tuple[str, str, float] | None:
    """The law a reference belongs to, how it was found, and how sure that is."""
    for law in laws:
        if law.start >= reference.end and _GLUE_AFTER.match(text[reference.end : law.start]):
            if law.sfs:
                how = "anaphora" if law.anaphora else law.how
                return law.sfs, how, 0.85 if law.anaphora else 0.95
            break
        if law.start >= reference.end:
            break
    before = [law for law in laws if law.end <= reference.start]
    if before and before[-1].sfs and _GLUE_BEFORE.match(text[before[-1].end : reference.start]):
        law = before[-1]
        return law.sfs, "anaphora" if law.anaphora else law.how, 0.95  # type: ignore[return-value]
    earlier = [law for law in before if law.sfs]
    if earlier:
        return earlier[-1].sfs, "earlier law in text", 0.7  # type: ignore[return-value]
    sentence_end = _SENTENCE_END.search(text, reference.end)
    limit = sentence_end.start() if sentence_end else len(text)
    later = [law for law in laws if reference.end <= law.start < limit and law.sfs]
    if later:
        return later[0].sfs, "later law in sentence", 0.6  # type: ignore[return-value]
    return None


def _add_references(
    text: str, laws: list[_LawAt], catalogue: TagCatalogue, out: _Collector
) -> None:
    named = [law for law in laws if law.sfs and not law.anaphora]
    colon_refs = [
        ref
        for ref in find_colon_references(text)
        if any(
            law.end <= ref.start
            and re.fullmatch(r"\s*", text[law.end : ref.start])
            or ref.end <= law.start
            and re.fullmatch(r"\s*", text[ref.end : law.start])
            for law in named
        )
    ]
    for reference in [*find_references(text), *colon_refs]:
        found = _law_for(reference, text, laws)
        if found is None:
            continue
        sfs, how, confidence = found
        law = catalogue.laws.get(sfs)
        span = (reference.start, reference.end)
        rule = RULE_REF.format(
            how={
                "sfs": "SFS number",
                "abbreviation": "law abbreviation",
                "name": "law name",
                "anaphora": "same law",
            }.get(how, how)
        )
        ids = _provision_ids(sfs, reference, law.has_chapters if law else None)
        for tag_id in ids:
            known = tag_id in catalogue.provisions
            out.add(tag_id, "provision", confidence if known else confidence - 0.05, rule, span)
        if ids:
            out.add(law_tag_id(sfs), "law", confidence, RULE_IMPLIED, span)


def _provision_ids(sfs: str, reference: Reference, has_chapters: bool | None) -> list[str]:
    chapters, sections = reference.chapters, reference.sections
    if not chapters:
        # "48 § SFB" cannot be placed in a law that has chapters.
        return [] if has_chapters else [provision_tag_id(sfs, None, s) for s in sections]
    if not sections or len(chapters) > 1:
        return [provision_tag_id(sfs, c, None) for c in chapters]
    return [provision_tag_id(sfs, chapters[0], s) for s in sections]


def _add_terms(tokens: list, on: date, catalogue: TagCatalogue, out: _Collector) -> None:
    for hit in catalogue.term_lexicon.find(tokens):
        term = hit.payload
        if term.ambiguous:
            continue
        for target in term.targets:
            if not target.applies_on(on):
                continue
            kind = parse_tag_id(target.tag).kind
            confidence = 0.7 if kind == "provision" else 0.8
            out.add(target.tag, kind, confidence, RULE_TERM, (hit.start, hit.end))
            implied = parse_tag_id(target.tag).law_tag_id
            if kind == "provision" and implied:
                out.add(implied, "law", confidence, RULE_IMPLIED, (hit.start, hit.end))


def _add_agencies(tokens: list, catalogue: TagCatalogue, out: _Collector) -> None:
    hits: list[Hit[AgencyMention]] = list(catalogue.agency_lexicon.find(tokens))
    firm = {hit.payload.code for hit in hits if hit.payload.strength != "context"}
    for hit in hits:
        mention = hit.payload
        confidence = AGENCY_CONFIDENCE[mention.strength]
        if mention.strength == "context" and not firm - {mention.code}:
            confidence = CONTEXT_ALONE
        out.add(
            agency_tag_id(mention.code),
            "agency",
            confidence,
            RULE_AGENCY[mention.strength],
            (hit.start, hit.end),
        )
