"""Suggest tags for a deviation text: statute references, agencies and everyday terms.

Every suggestion carries the spans that triggered it and the rule that fired, because staff
and analysts must be able to see why a tag is there before they confirm it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from catalogue.tagging.catalogue import AGENCY, LAW, TERM, AgencyMention, LawMention, TagCatalogue
from catalogue.tagging.lexicon import Hit, Tokens, normalise
from catalogue.tagging.references import Reference, SfsMention, find_colon_numbers, find_references
from catalogue.tagging.types import LawEntry, Span, TagKind, TagSuggestion, TermEntry
from catalogue.tagids import agency_tag_id, law_tag_id, parse_tag_id, provision_tag_id

# The same few identifiers recur in every text: building them once is faster (parse_tag_id
# remembers its own answers).
_provision_tag_id = lru_cache(maxsize=4096)(provision_tag_id)

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
_HOW = {
    "sfs": "SFS number",
    "abbreviation": "law abbreviation",
    "weak": "law abbreviation",
    "name": "law name",
    "anaphora": "same law",
}
_LAW_RULES = {"sfs": RULE_SFS, "name": RULE_LAW_NAME}  # else RULE_LAW_ABBREVIATION
# The rule text per way a reference found its law, formatted once.
_REF_RULES = {
    how: RULE_REF.format(how=_HOW.get(how, how))
    for how in (*_HOW, "earlier law in text", "later law in sentence")
}

AGENCY_CONFIDENCE = {"name": 0.95, "abbreviation": 0.9, "subunit": 0.85, "context": 0.6}
CONTEXT_ALONE = 0.5
# A compound ("sjukpenningärendet") or a one-letter typo is a little less certain.
LOOSE_MATCH_PENALTY = {"exact": 0.0, "compound": 0.05, "typo": 0.1}

# What may stand between a reference and the law after it: "27 kap. 48 § första stycket i SFB".
_PART = (
    r"(?:(?:första|andra|tredje|fjärde|femte|sista|\d{1,2})\s*"
    r"(?:st\.?|stycket|meningen|punkten|p\.?)|(?:p\.?|punkt)\s*\d{1,2})"
)
_GLUE_AFTER_CLEAN = re.compile(
    rf"\s*(?:{_PART}\s*)*(?:(?:i|enligt|enl\.?|av|under|jfr\.?)\s+)?(?:den\s+)?[\s(]*",
    re.IGNORECASE,
)
_GLUE_AFTER_COMMA = re.compile(rf"\s*(?:{_PART}\s*)*,\s*(?:(?:i|enligt|enl\.?)\s+)?", re.IGNORECASE)
# What may stand between a law and the reference after it: "SFB 27 kap.", "SFB:s 27 kap.".
_GLUE_BEFORE_CLEAN = re.compile(r"[\s(]*(?:(?:i|se|jfr\.?)\s+)?[\s(]*", re.IGNORECASE)
_GLUE_BEFORE_COMMA = re.compile(r"\s*,\s*", re.IGNORECASE)
_LIST_GLUE = re.compile(r"\s*(?:,|och|samt|resp\.?|respektive|&)\s*", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?]\s+[A-ZÅÄÖ]|\n")
_SFS_AFTER_NAME = re.compile(r"[\s(]*")
# The title of a law written out after its number: "(1990:1404) om …", up to the end of the
# clause or the sentence's verb ("lagen (2018:744) om försäkringsmedicinska utredningar ska …").
_OM_AFTER_SFS = re.compile(r"[\s)]*om\s", re.IGNORECASE)
_TITLE_STOP = re.compile(
    r"[.;:()\n,]|\s(?:ska|skall|har|hade|är|var|gäller|gällde|kan|får|innebär|innebar|trädde|"
    r"träder|reglerar|anger|säger|föreskriver|infördes|upphävs|upphävdes|ersattes|ersätter)\b",
    re.IGNORECASE,
)
_TITLE_MAX = 150
_NAME_AFTER_SFS = re.compile(r"[\s)]*(?:om\s)?")
# Words before a weak abbreviation ("sol", "fl") that make it a citation: "enligt sol".
_CITING = frozenset({"enligt", "enl", "jml", "jämlikt", "jfr", "se"})
# "nya SoL", "en ny socialtjänstlag": the newest version, also before it came into force (a
# text announcing a reform). "Nuvarande" and "gällande" mean the one in force on the event
# date, which the date gives anyway: "en ny socialtjänstlag ska ersätta den nuvarande".
_NEWEST = frozenset({"nya", "ny", "nyare"})
_OLDEST = frozenset({"gamla", "tidigare", "förra", "äldre"})
# A term that means something else when these words occur in the text.
_TERM_BLOCKERS = {"anvisning": ("bosättning",)}
# A term that means its law only when one of these word parts occurs in the text: an
# underrättelse (or the duty to send one) is the law on incorrect payments only when payments
# are the subject; Af's underrättelse to an a-kassa and FL's underrättelse om beslut are not.
# Dagersättning is the asylum seekers' allowance only when asylum is the subject; aktivitetsstöd
# is paid as a dagersättning too.
_TERM_NEEDS_WORDS = {
    "underrättelse": ("utbetal", "felaktig", "bidragsbrott", "välfärdssystem"),
    "dagersättning": ("asyl", "migrationsverk", "lma"),
}
# A term that means something else when one of these words follows closely: registered at
# a hospital ward is not registered at Af.
_TERM_NOT_BEFORE = {
    "inskrivning": ("sjukhus", "psyk", "avdelning", "slutenvård", "akuten", "vårdavdelning", "lvm")
}
_LOOK_AHEAD = 4
# A term that means something else when a word starting so stands within a few words of it:
# consent to care or treatment is no consent to share information (OSL), and a patient
# registered at a care unit is not registered at Af.
_TERM_NOT_NEAR = {
    "samtycke": ("vårdas", "vårda", "behandl", "patientlag", "ingrepp"),
    "inskrivning": ("sjukvårdsinrättning", "sjukhus", "slutenvård", "vårdavdelning"),
}
_NEAR = 6
_BENEFIT_NAMES = frozenset({"a-kassa", "akassa", "a kassa", "arbetslöshetskassa"})
_BENEFIT_FIRST = frozenset(name.split(" ")[0] for name in _BENEFIT_NAMES)
_CARE_WORDS = frozenset({"vården", "sjukvården", "vård", "sjukvård"})
_SPECIAL_FIRST = _BENEFIT_FIRST | _CARE_WORDS  # agency words that need a second look
_OWNING_WORDS = frozenset(
    {"en", "sin", "min", "din", "hans", "hennes", "deras", "vår", "er", "vilken", "annan", "egen"}
)
# Ambiguous terms that one law settles when the addressee follows closely: a läkarintyg sent
# to FK is for sickness benefit (docs/tagging.md §11.3), "läkarintyg i tid till FK".
_SETTLED_BY_ADDRESSEE = {
    "läkarintyg": (
        ("fk", "fks", "fk:s", "försäkringskassan", "försäkringskassans"),
        ("law:2010:110",),
    ),
}
_ADDRESSEE_WINDOW = 5
# Terms that only mean their law when their owner is in the text, named, through one of its
# own terms or through one of a few word parts: standing at the labour market's disposal is a
# condition of ekonomiskt bistånd only where social services are involved (an a-kassa asks the
# same), a repayment claim is a SoL återkrav only when soc makes it, and handlingsplan and
# varning are Af's.
_SOCIAL_SERVICES = ("agency:KOMMUN", frozenset({"försörjningsstöd", "ekonomiskt bistånd"}), ())
_EMPLOYMENT_SERVICE = ("agency:AF", frozenset({"inskrivning", "aktivitetsstöd", "anvisning"}), ())
# "Råd och anvisningar" are instructions: an anvisning is to an Af programme only when Af or
# one of its programmes or benefits is in the text (the anvisning itself does not count).
_AF_PROGRAMME = (
    "agency:AF",
    frozenset(
        {
            "inskrivning", "aktivitetsstöd", "utvecklingsersättning", "etableringsersättning",
            "arbetspraktik", "JOB", "jobbgaranti för ungdomar", "etableringsprogrammet",
        }
    ),
    ("program", "arbetsmarknadsutbildning"),
)  # fmt: skip
_NEEDS_OWNER = {
    "stå till arbetsmarknadens förfogande": _SOCIAL_SERVICES,
    "återkrav": _SOCIAL_SERVICES,
    "handlingsplan": _EMPLOYMENT_SERVICE,
    "varning": _EMPLOYMENT_SERVICE,
    "anvisning": _AF_PROGRAMME,
}
# Terms that mean another law when this agency is in the text, unless one of the owner's own
# terms is there too: with an a-kassa in the text a varning is the a-kassa's, under ALF.
_NOT_WITH_AGENCY = {"varning": ("agency:AKASSA", _AF_PROGRAMME[1])}
# Every term one of the context rules above looks at, so the others cost one set lookup.
_IN_CONTEXT = frozenset(
    {
        *_TERM_BLOCKERS,
        *_TERM_NEEDS_WORDS,
        *_TERM_NOT_BEFORE,
        *_TERM_NOT_NEAR,
        *_NEEDS_OWNER,
        *_NOT_WITH_AGENCY,
    }
)


@dataclass(slots=True)
class _LawAt:
    start: int
    end: int
    sfs: str | None  # None for an anaphor not yet resolved
    how: str  # sfs, abbreviation, weak, name, anaphora
    anaphora_kind: str = ""
    used: bool = False  # a weak abbreviation counts only once a reference uses it
    options: tuple[str, ...] = ()  # every version the name stands for ("SoL": three)
    age: str = ""  # "new" or "old" for "nya lagen", "gamla lagen"

    @property
    def anaphora(self) -> bool:
        return self.how == "anaphora"


# A tag found so far: [kind, confidence, rule, spans]. A list, not a dataclass: a text adds
# a dozen tags, and building and updating a list is cheaper.
type _Found = list[Any]

# The suggestions' fields, set as their frozen __init__ sets them but without its per-field
# `object.__setattr__` lookups: the same class, equality and hash, about half the cost.
_new_suggestion = object.__new__
_set_tag_id, _set_kind, _set_confidence, _set_spans, _set_rule = (
    TagSuggestion.__dict__[name].__set__
    for name in ("tag_id", "kind", "confidence", "spans", "rule")
)
# Capped and rounded confidence per raw value: the few values the rules compute recur in every
# text, and there are only so many of them.
_shown: dict[float, float] = {}


class _Collector:
    __slots__ = ("tags",)

    def __init__(self) -> None:
        self.tags: dict[str, _Found] = {}

    def add(self, tag_id: str, kind: TagKind, confidence: float, rule: str, span: Span) -> None:
        found = self.tags.get(tag_id)
        if found is None:
            self.tags[tag_id] = [kind, confidence, rule, [span]]
            return
        spans = found[3]
        if span not in spans:
            spans.append(span)
        if confidence > found[1]:
            found[1], found[2] = confidence, rule

    def result(self) -> list[TagSuggestion]:
        # "agency:" < "law:" < "prov:", so identifier order is also kind order.
        out: list[TagSuggestion] = []
        shown = _shown
        for tag_id, (kind, confidence, rule, spans) in sorted(self.tags.items()):
            suggestion = _new_suggestion(TagSuggestion)
            _set_tag_id(suggestion, tag_id)
            _set_kind(suggestion, kind)
            if (capped := shown.get(confidence)) is None:
                capped = shown[confidence] = round(min(confidence, 0.99), 2)
            _set_confidence(suggestion, capped)
            _set_spans(suggestion, tuple(sorted(spans)) if len(spans) > 1 else (spans[0],))
            _set_rule(suggestion, rule)
            out.append(suggestion)
        return out


def suggest_tags(text: str, *, on: date, catalogue: TagCatalogue) -> list[TagSuggestion]:
    """Tags for one text and event date, sorted by kind then identifier."""
    tokens = Tokens(text)
    found: dict[str, list[Any]] = catalogue.lexicon.find(tokens)  # type: ignore[assignment]
    law_hits: list[Hit[LawMention]] = found.get(LAW, [])
    agency_hits: list[Hit[AgencyMention]] = found.get(AGENCY, [])
    term_hits: list[Hit[TermEntry]] = found.get(TERM, [])
    out = _Collector()
    sfs_numbers, pairs = find_colon_numbers(text) if ":" in text else ([], [])
    laws = _law_mentions(text, tokens, law_hits, sfs_numbers, on, catalogue)
    references = find_references(text, tokens.low) if "§" in text or "kap" in tokens.low else []
    _add_references(text, references + _pairs_next_to_laws(text, pairs, laws), laws, catalogue, out)
    for law in laws:
        if law.sfs and not law.anaphora and (law.how != "weak" or law.used):
            rule = _LAW_RULES.get(law.how, RULE_LAW_ABBREVIATION)
            confidence = 0.9 if law.how == "name" else 0.95
            out.add(law_tag_id(law.sfs), "law", confidence, rule, (law.start, law.end))
    if (agency_hits or term_hits) and laws and (titles := _law_titles(text, laws, catalogue)):
        # Words inside a law's title name no party and no benefit: "lagen om samverkan vid
        # utskrivning från sluten hälso- och sjukvård", "lagen om assistansersättning".
        agency_hits = [h for h in agency_hits if not _inside(h, titles)]
        term_hits = [h for h in term_hits if not _inside(h, titles)]
    if agency_hits:
        agency_hits = [
            h
            for h in agency_hits
            if h.surface not in _SPECIAL_FIRST
            or not (_benefit_not_party(tokens, h) or _care_of_someone(tokens, h))
        ]
    _add_terms(tokens, term_hits, agency_hits, on, catalogue, out)
    _add_agencies(agency_hits, out)
    return out.result()


def _benefit_not_party(tokens: Tokens, hit: Hit[AgencyMention]) -> bool:
    """ "Han har varken sjukpenning eller a-kassa": the a-kassa's name without an ending is also
    its benefit, which on its own brings in no agency; "sin a-kassa", "en a-kassa" is the fund."""
    if hit.surface not in _BENEFIT_FIRST or (
        normalise(tokens.text[hit.start : hit.end]) not in _BENEFIT_NAMES
    ):
        return False
    return not hit.first or tokens.lowered[hit.first - 1] not in _OWNING_WORDS


def _care_of_someone(tokens: Tokens, hit: Hit[AgencyMention]) -> bool:
    """ "Vården av en ung person", "sjukvården av barnet": the care given, not the region."""
    return (
        hit.payload.strength == "context"
        and hit.surface in _CARE_WORDS
        and tokens.lowered[hit.first + 1 : hit.first + 2] == ["av"]
    )


def _law_titles(text: str, laws: list[_LawAt], catalogue: TagCatalogue) -> list[Span]:
    """Where the text writes out a law's title: a law name found as such, or the "om …" after
    an SFS number ("lagen (1990:1404) om kommunernas betalningsansvar för viss hälso- och
    sjukvård"), as far as the catalogue's title goes, else up to the end of the clause."""
    titles: list[Span] = []
    for law in laws:
        if law.how == "name":
            if " " in text[law.start : law.end]:  # one word holds no other word
                titles.append((law.start, law.end))
        elif law.how == "sfs" and (about := _OM_AFTER_SFS.match(text, law.end)):
            titles.append((law.start, _title_end(text, about.end(), catalogue.laws.get(law.sfs))))
    return titles


def _title_end(text: str, start: int, law: LawEntry | None) -> int:
    if law is not None:
        about = law.title.lower().partition(" om ")[2]
        if about and text[start : start + len(about)].lower() == about:
            return start + len(about)
    stop = _TITLE_STOP.search(text, start, start + _TITLE_MAX)
    return stop.start() if stop else min(len(text), start + _TITLE_MAX)


def _inside(hit: Hit[Any], spans: list[Span]) -> bool:
    return any(a <= hit.start and hit.end <= b for a, b in spans)


def _law_mentions(
    text: str,
    tokens: Tokens,
    hits: list[Hit[LawMention]],
    sfs_numbers: list[SfsMention],
    on: date,
    catalogue: TagCatalogue,
) -> list[_LawAt]:
    """Law names, abbreviations, anaphora and SFS numbers in text order, with "the same law"
    resolved to the law it points back at."""
    mentions: list[_LawAt] = []
    for hit in hits:
        m = hit.payload
        before = tokens.lowered[hit.first - 1] if hit.first else ""
        if m.how in ("anaphora", "generic"):
            age = "new" if before in _NEWEST else "old" if before in _OLDEST else ""
            mentions.append(_LawAt(hit.start, hit.end, None, m.how, m.anaphora_kind, age=age))
            continue
        if len(m.sfs) > 1 and (before in _NEWEST or before in _OLDEST):
            sfs = catalogue.resolve_by_age(m.sfs, newest=before in _NEWEST)
        else:
            sfs = catalogue.resolve(m.sfs, on)
        how = "abbreviation" if m.how == "weak" and before in _CITING else m.how
        mentions.append(_LawAt(hit.start, hit.end, sfs, how, options=m.sfs))
    mentions += [_LawAt(s.start, s.end, s.sfs, "sfs") for s in sfs_numbers]
    mentions.sort(key=lambda m: (m.start, -m.end))
    merged: list[_LawAt] = []
    for mention in mentions:
        previous = merged[-1] if merged else None
        if previous and previous.end > mention.start:
            continue  # overlapping: "SFS 2001:453" found both ways
        # "förordningen (2017:819)", "SoL (2001:453)": the explicit number wins.
        if (
            previous
            and mention.how == "sfs"
            and previous.how != "sfs"
            and _SFS_AFTER_NAME.fullmatch(text, previous.end, mention.start)
        ):
            previous.sfs, previous.how, previous.end = mention.sfs, "sfs", mention.end
            continue
        if (
            previous
            and previous.how == "sfs"
            and mention.how == "name"
            and _NAME_AFTER_SFS.fullmatch(text, previous.end, mention.start)
        ):
            previous.end = mention.end  # "lagen (2003:1210) om finansiell samordning …"
            continue
        merged.append(mention)
    merged = [m for m in merged if m.how != "generic"]  # "lag" with no number after it
    _resolve_anaphora(merged, catalogue)
    return merged


def _resolve_anaphora(mentions: list[_LawAt], catalogue: TagCatalogue) -> None:
    """ "samma lag" → the last law named before it; "förordningen" → the last förordning."""
    named: list[_LawAt] = []
    for mention in mentions:
        if not mention.anaphora:
            if mention.sfs and mention.how != "weak":
                named.append(mention)
            continue
        for candidate in reversed(named):
            kind = catalogue.law_kind(candidate.sfs or "")
            wanted = mention.anaphora_kind
            if (
                kind is None
                or wanted == "any"
                or kind == wanted
                or (wanted == "lag" and kind == "balk")
            ):
                mention.sfs = candidate.sfs
                if mention.age and len(candidate.options) > 1:
                    # "4 kap. 1 § SoL … nya lagen": the other version of the law named, which
                    # the text names as surely as if it had written it out.
                    newest = mention.age == "new"
                    mention.sfs = catalogue.resolve_by_age(candidate.options, newest=newest)
                    mention.how = "name"
                break


def _law_for(
    reference: Reference, text: str, laws: list[_LawAt], catalogue: TagCatalogue
) -> tuple[_LawAt, str, float] | None:
    """The law a reference belongs to, how it was found, and how sure that is."""
    after = next((law for law in laws if law.start >= reference.end), None)
    before = next((law for law in reversed(laws) if law.end <= reference.start), None)
    # Closest first: a law right after the reference, then right before it, then the same
    # across a comma ("SFB 27 kap. 48 §, SoL 4 kap. 1 §" ties each reference to its own law).
    for law, glue, first, last in (
        (after, _GLUE_AFTER_CLEAN, reference.end, after.start if after else 0),
        (before, _GLUE_BEFORE_CLEAN, before.end if before else 0, reference.start),
        (after, _GLUE_AFTER_COMMA, reference.end, after.start if after else 0),
        (before, _GLUE_BEFORE_COMMA, before.end if before else 0, reference.start),
    ):
        if law is not None and glue.fullmatch(text, first, last):
            if not law.sfs:
                return None  # "samma lag" with nothing before it: do not guess
            return law, "anaphora" if law.anaphora else law.how, 0.85 if law.anaphora else 0.95
    has_chapter = bool(reference.chapters)
    fits = [
        law
        for law in laws
        if law.sfs and law.how != "weak" and catalogue.fits(law.sfs, has_chapter=has_chapter)
    ]
    earlier = [law for law in fits if law.end <= reference.start]
    if earlier:
        return earlier[-1], "earlier law in text", 0.7
    sentence_end = _SENTENCE_END.search(text, reference.end)
    limit = sentence_end.start() if sentence_end else len(text)
    later = [law for law in fits if reference.end <= law.start < limit]
    if later:
        return later[0], "later law in sentence", 0.6
    return None


def _pairs_next_to_laws(text: str, pairs: list[Reference], laws: list[_LawAt]) -> list[Reference]:
    """`27:48` counts only right next to a named law: "SFB 27:48", "27:48 SFB"."""
    named = [law for law in laws if law.sfs and not law.anaphora]
    return [
        ref
        for ref in pairs
        if any(
            (law.end <= ref.start and not text[law.end : ref.start].strip())
            or (ref.end <= law.start and not text[ref.end : law.start].strip())
            for law in named
        )
    ]


def _add_references(
    text: str,
    references: list[Reference],
    laws: list[_LawAt],
    catalogue: TagCatalogue,
    out: _Collector,
) -> None:
    references = sorted((_with_unmarked(text, r, laws) for r in references), key=lambda r: r.start)
    following: tuple[Reference, tuple[_LawAt, str, float] | None] | None = None
    # Right to left, so "27 kap. 48 § och 30 kap. 6 § SFB" gives both references the law.
    for reference in reversed(references):
        found = _law_for(reference, text, laws, catalogue)
        if (
            following is not None
            and following[1] is not None
            and (found is None or found[2] < following[1][2])
            and _LIST_GLUE.fullmatch(text, reference.end, following[0].start)
        ):
            found = following[1]
        following = (reference, found)
        if found is None:
            continue
        law_at, how, confidence = found
        sfs = law_at.sfs
        if sfs is None:  # _law_for only returns resolved laws
            continue
        law = catalogue.laws.get(sfs)
        span = (reference.start, reference.end)
        rule = _REF_RULES.get(how) or RULE_REF.format(how=_HOW.get(how, how))
        ids = _provision_ids(sfs, reference, law.has_chapters if law else None)
        for tag_id in ids:
            known = tag_id in catalogue.provisions
            out.add(tag_id, "provision", confidence if known else confidence - 0.05, rule, span)
        if ids:
            law_at.used = True
            out.add(law_tag_id(sfs), "law", confidence, RULE_IMPLIED, span)


def _with_unmarked(text: str, reference: Reference, laws: list[_LawAt]) -> Reference:
    """ "11 kap. 2 socialtjänstlagen": the number after the chapter is its section when a law
    follows right after it; otherwise the reference is the chapter alone."""
    if not reference.unmarked:
        return reference
    after = next((law for law in laws if law.start >= reference.unmarked_end), None)
    if after is None or not after.sfs:
        return reference
    if not _GLUE_AFTER_CLEAN.fullmatch(text, reference.unmarked_end, after.start):
        return reference
    return Reference(
        reference.start, reference.unmarked_end, reference.chapters, (reference.unmarked,)
    )


def _provision_ids(sfs: str, reference: Reference, has_chapters: bool | None) -> list[str]:
    chapters, sections = reference.chapters, reference.sections
    if not chapters:
        # "48 § SFB" cannot be placed in a law that has chapters.
        return [] if has_chapters else [_provision_tag_id(sfs, None, s) for s in sections]
    if not sections or len(chapters) > 1:
        return [_provision_tag_id(sfs, c, None) for c in chapters]
    return [_provision_tag_id(sfs, chapters[0], s) for s in sections]


def _add_terms(
    tokens: Tokens,
    hits: list[Hit[TermEntry]],
    agency_hits: list[Hit[AgencyMention]],
    on: date,
    catalogue: TagCatalogue,
    out: _Collector,
) -> None:
    starts = catalogue.law_starts
    for hit in hits:
        term = hit.payload
        if term.ambiguous:
            if term.term in _SETTLED_BY_ADDRESSEE:
                _add_settled(tokens, hit, on, catalogue, out)
            continue
        if term.term in _IN_CONTEXT and _held_back(tokens, hit, hits, agency_hits):
            continue
        penalty = LOOSE_MATCH_PENALTY[hit.how]
        for target in term.targets:
            if not target.applies_on(on):
                continue
            tag = target.tag
            kind, base, implied, sfs = _term_tags.get(tag) or _term_tag(tag)
            # A law cannot apply before it exists: sjukpenning in 2004 is not SFB (2010:110).
            if (start := starts.get(sfs)) is not None and on < start:
                continue
            confidence = base - penalty
            out.add(tag, kind, confidence, RULE_TERM, (hit.start, hit.end))
            if implied:
                out.add(implied, "law", confidence, RULE_IMPLIED, (hit.start, hit.end))


# Per tag a term points at: its kind, the confidence a term gives it, the law a provision
# implies, and the law's SFS number ("" if none). The same few tags recur in every text, and
# parsing one costs more than the rest of a term's work.
_term_tags: dict[str, tuple[TagKind, float, str | None, str]] = {}
_TERM_TAGS_LIMIT = 8192  # distinct tags remembered before the table starts over


def _term_tag(tag: str) -> tuple[TagKind, float, str | None, str]:
    parsed = parse_tag_id(tag)
    provision = parsed.kind == "provision"
    found = (
        parsed.kind,
        0.7 if provision else 0.8,
        parsed.law_tag_id if provision else None,
        parsed.sfs or "",
    )
    if len(_term_tags) >= _TERM_TAGS_LIMIT:
        _term_tags.clear()
    _term_tags[tag] = found
    return found


def _add_settled(
    tokens: Tokens, hit: Hit[TermEntry], on: date, catalogue: TagCatalogue, out: _Collector
) -> None:
    """An ambiguous term its addressee settles: "läkarintyg i tid till FK"."""
    words, tags = _SETTLED_BY_ADDRESSEE[hit.payload.term]
    following = tokens.lowered[hit.first + 1 : hit.first + 1 + _ADDRESSEE_WINDOW]
    if "till" in following and any(word in words for word in following):
        for tag in tags:
            law = catalogue.laws.get(parse_tag_id(tag).sfs or "")
            if law is None or law.in_force_on(on):
                out.add(tag, "law", 0.7, RULE_TERM, (hit.start, hit.end))


def _held_back(
    tokens: Tokens,
    hit: Hit[TermEntry],
    hits: list[Hit[TermEntry]],
    agency_hits: list[Hit[AgencyMention]],
) -> bool:
    """Whether the words around a term give it another meaning (docs/tagging.md §7.1)."""
    name = hit.payload.term
    # The text in lower case (Tokens keeps the original when lowering would change its length).
    lowered = tokens.low if tokens.low is not tokens.text else tokens.text.lower()
    if not_before := _TERM_NOT_BEFORE.get(name):
        following = tokens.lowered[hit.first + 1 : hit.first + 1 + _LOOK_AHEAD]
        if any(word.startswith(not_before) for word in following):
            return True
    if not_near := _TERM_NOT_NEAR.get(name):
        around = tokens.lowered[max(0, hit.first - _NEAR) : hit.first + 1 + _NEAR]
        if any(word.startswith(not_near) for word in around):
            return True
    if (blockers := _TERM_BLOCKERS.get(name)) and any(word in lowered for word in blockers):
        return True
    other, owner = _NOT_WITH_AGENCY.get(name), _NEEDS_OWNER.get(name)
    agencies = {agency_tag_id(h.payload.code) for h in agency_hits} if other or owner else set()
    if other:
        agency, related = other
        if agency in agencies and not any(h.payload.term in related for h in hits):
            return True
    if (needed := _TERM_NEEDS_WORDS.get(name)) and not any(word in lowered for word in needed):
        return True
    if owner:
        agency, related, words = owner
        if (
            agency not in agencies
            and not any(h.payload.term in related for h in hits)
            and not any(word in lowered for word in words)
        ):
            return True
    return False


def _add_agencies(hits: list[Hit[AgencyMention]], out: _Collector) -> None:
    firm = [hit for hit in hits if hit.payload.strength != "context"]
    firm_codes = {hit.payload.code for hit in firm}
    for hit in hits:
        mention = hit.payload
        confidence = AGENCY_CONFIDENCE[mention.strength] - LOOSE_MATCH_PENALTY[hit.how]
        if mention.strength == "context":
            if mention.code not in firm_codes and (
                mention.needs_name or _names_another_agency(mention, firm)
            ):
                continue  # "a-kassan … kassan": the short word is the agency already named
            if not firm_codes - {mention.code}:
                confidence = CONTEXT_ALONE
        out.add(
            agency_tag_id(mention.code),
            "agency",
            confidence,
            RULE_AGENCY[mention.strength],
            (hit.start, hit.end),
        )


def _names_another_agency(mention: AgencyMention, firm: list[Hit[AgencyMention]]) -> bool:
    """Whether a context word is the tail of another agency's name in the text."""
    stem = mention.form[:-2] if len(mention.form) > 4 else mention.form
    return any(stem in hit.surface and hit.payload.code != mention.code for hit in firm)
