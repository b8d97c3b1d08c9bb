"""The tagger's view of the catalogue: plain entries plus the lexicon compiled from them.

Built once per catalogue version from plain dicts (the database rows or the JSON files), so the
matching code never touches the ORM and admins' edits take effect without code changes. Laws,
agencies and everyday terms share one lexicon in separate channels, so a text is scanned once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from catalogue.tagging.lexicon import Lexicon, is_abbreviation, normalise, noun_forms
from catalogue.tagging.types import AgencyEntry, LawEntry, TermEntry, TermTarget

AgencyStrength = Literal["name", "abbreviation", "subunit", "context"]

# Words that point back to a law named earlier: "28 kap. 11 § samma lag". The value is the kind
# of law they can point at.
ANAPHORA = {
    "samma lag": "lag",
    "samma balk": "balk",
    "samma förordning": "forordning",
    "samma författning": "any",
    "lagen": "lag",
    "balken": "balk",
    "förordningen": "forordning",
    "denna lag": "lag",
    "denna förordning": "forordning",
    "nämnda lag": "lag",
    "nämnda förordning": "forordning",
}
# "lag (2019:1297)", "förordning (2017:819)": part of a citation only when a number follows.
GENERIC_LAW_WORDS = ("lag", "förordning", "balk")
_DEFINITE = {"lag": "lagen", "förordning": "förordningen", "balk": "balken"}
# Abbreviations that are also ordinary words, names or titles ("sol", "alf", "PL" for
# projektledare): they only count right next to a chapter/section reference or after "enligt".
WEAK_LOWER_CASE = frozenset({"sol", "alf", "sof", "fl", "pl", "rf", "ub", "fb"})
WEAK_CAPITALS = frozenset({"PL", "RF", "UB", "FB"})

LAW, AGENCY, TERM = "law", "agency", "term"

# Committees and their offices are named after what they do, so their names cannot all be
# listed: "arbetsmarknadsnämnden", "vård- och omsorgsnämnden", "socialförvaltningarna". A
# compound ending in "nämnd" belongs to the region when it is about health care, and otherwise to
# the municipality, unless it is one of the state's or an independent body's nämnder (the
# region's patientnämnd takes complaints and is no party, like IVO). "Förvaltning" alone is
# also asset management ("medelsförvaltning"), so only the municipal offices' modifiers count.
# A bare "nämnden" or "förvaltningen" names no one: it points back at a body already named.
_REGION_FIELDS = ("hälso", "sjukvård", "region", "landsting", "tandvård", "vårdval", "primärvård")
_NOT_MUNICIPAL = (
    "patient", "försäkring", "studiestöd", "hyres", "arrende", "rättshjälp", "överklagande",
    "etik", "ansvar", "skilje", "förtroende", "pension", "migration", "statens", "riks",
)  # fmt: skip
_MUNICIPAL_OFFICES = (
    "social", "omsorg", "vård", "arbetsmarknad", "stadsdel", "kommun", "äldre", "funktions",
    "individ", "familj", "välfärd", "vuxen", "utbildning", "arbetsliv", "stöd",
)  # fmt: skip
HEAD_NOUNS: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    # (head noun, agency code, modifier must start with one of, modifier must contain none of)
    ("nämnd", "REGION", _REGION_FIELDS, ()),
    ("förvaltning", "REGION", _REGION_FIELDS, ()),
    ("nämnd", "KOMMUN", (), _NOT_MUNICIPAL),
    ("förvaltning", "KOMMUN", _MUNICIPAL_OFFICES, _NOT_MUNICIPAL),
    # The assembly and the executive: "kommunstyrelsen", "regionfullmäktige".
    ("styrelse", "REGION", ("region", "landsting"), ()),
    ("fullmäktige", "REGION", ("region", "landsting"), ()),
    ("styrelse", "KOMMUN", ("kommun",), ()),
    ("fullmäktige", "KOMMUN", ("kommun",), ()),
)


@dataclass(frozen=True, slots=True)
class LawMention:
    """A surface form naming one law, or several that the event date decides between (SoL)."""

    sfs: tuple[str, ...]
    how: Literal["abbreviation", "name", "anaphora", "weak", "generic"]
    anaphora_kind: str = ""


@dataclass(frozen=True, slots=True)
class AgencyMention:
    code: str
    strength: AgencyStrength
    form: str = ""
    # "PM" (promemoria), "MV": abbreviations that only count once the agency is named outright.
    needs_name: bool = False


def _date(value: Any) -> date | None:
    if value is None or value == "" or isinstance(value, date):
        return value or None
    return date.fromisoformat(str(value))


def title_forms(title: str) -> list[str]:
    """`Lag om X` → `lag om x`, `lagen om x`; `…balk` → `…balken`."""
    lowered = title.lower().strip()
    forms = [lowered]
    first, _, rest = lowered.partition(" ")
    for indefinite, definite in _DEFINITE.items():
        if first == indefinite:
            forms.append(f"{definite} {rest}".strip())
        elif " " not in lowered and lowered.endswith(indefinite):
            forms.append(lowered + definite[len(indefinite) :])
    return forms


class TagCatalogue:
    """Everything the tagger knows, compiled for fast matching."""

    def __init__(
        self,
        *,
        laws: Iterable[LawEntry],
        agencies: Iterable[AgencyEntry],
        terms: Iterable[TermEntry],
        provisions: Iterable[str] = (),
    ) -> None:
        self.laws = {law.sfs: law for law in laws}
        self.agencies = {agency.code: agency for agency in agencies}
        self.terms = list(terms)
        self.provisions = frozenset(provisions)
        # When each law came into force, for the laws that say: a term never gives a law
        # before that date.
        self.law_starts = {
            law.sfs: law.in_force_from for law in self.laws.values() if law.in_force_from
        }
        self.lexicon: Lexicon[LawMention | AgencyMention | TermEntry] = Lexicon()
        self._compile()

    def _compile(self) -> None:
        self._compile_laws()
        self._compile_agencies()
        for term in self.terms:
            for form in (term.term, *term.forms):
                self.lexicon.add(form, term, channel=TERM, compound=True, fuzzy=True)
        self.lexicon.compile()

    def _compile_laws(self) -> None:
        by_abbreviation: dict[str, list[str]] = {}
        by_name: dict[str, list[str]] = {}
        for law in self.laws.values():
            for abbreviation in law.abbreviations:
                by_abbreviation.setdefault(abbreviation, []).append(law.sfs)
            for form in (*law.name_forms, *title_forms(law.title)):
                by_name.setdefault(form.lower(), []).append(law.sfs)
        add = self.lexicon.add
        for form, sfs_list in by_abbreviation.items():
            sfs = tuple(dict.fromkeys(sfs_list))
            strength: Literal["abbreviation", "weak"] = (
                "weak" if form in WEAK_CAPITALS else "abbreviation"
            )
            add(form, LawMention(sfs, strength), channel=LAW, case_sensitive=True)
            if form.upper() != form:  # "SOL", "SOF": capitals for emphasis
                add(form.upper(), LawMention(sfs, strength), channel=LAW, case_sensitive=True)
            lower = form.lower()
            how: Literal["abbreviation", "weak"] = (
                "weak" if lower in WEAK_LOWER_CASE or len(lower) < 3 else "abbreviation"
            )
            add(lower, LawMention(sfs, how), channel=LAW, case_sensitive=False)
        for form, sfs_list in by_name.items():
            mention = LawMention(tuple(dict.fromkeys(sfs_list)), "name")
            add(form, mention, channel=LAW, case_sensitive=False, fuzzy=True)
        for form, kind in ANAPHORA.items():
            mention = LawMention((), "anaphora", kind)
            add(form, mention, channel=LAW, case_sensitive=False, inflect=False)
        for form in GENERIC_LAW_WORDS:
            mention = LawMention((), "generic")
            add(form, mention, channel=LAW, case_sensitive=False, inflect=False)

    def _compile_agencies(self) -> None:
        for agency in self.agencies.values():
            context = {normalise(v) for v in agency.context_dependent}
            mentions: list[tuple[str, AgencyStrength]] = [(agency.name, "name")]
            mentions += [
                (v, "abbreviation" if is_abbreviation(v) or len(v) <= 3 else "name")
                for v in agency.variants
            ]
            mentions += [(v, "subunit") for v in agency.subunits]
            for form, strength in mentions:
                if normalise(form) in context:
                    continue  # "Kommunen" is the name, but alone it is only a word in context
                mention = AgencyMention(agency.code, strength, normalise(form))
                self.lexicon.add(form, mention, channel=AGENCY, compound=True, fuzzy=True)
                # "socialnämnderna", "landsting", "arbetslöshetskassorna": the rest of the
                # paradigm of a name listed in the definite singular. Not as compound heads:
                # "folkbokföringsadress" is no visit to Skatteverket.
                if not is_abbreviation(form):
                    for other in noun_forms(form):
                        if other not in context:
                            self.lexicon.add(other, mention, channel=AGENCY, fuzzy=True)
            for form in agency.context_dependent:
                needs_name = is_abbreviation(form) or (form.isupper() and len(form) <= 3)
                mention = AgencyMention(agency.code, "context", normalise(form), needs_name)
                self.lexicon.add(form, mention, channel=AGENCY)
        for head, code, when, unless in HEAD_NOUNS:
            if code in self.agencies:
                mention = AgencyMention(code, "subunit", head)
                self.lexicon.add_head(head, mention, channel=AGENCY, when=when, unless=unless)

    def resolve(self, sfs_options: tuple[str, ...], on: date) -> str:
        """Pick the law in force on the event date ("SoL" before and after 2025-07-01)."""
        if len(sfs_options) == 1:
            return sfs_options[0]
        laws = [self.laws[s] for s in sfs_options if s in self.laws]
        in_force = [law for law in laws if law.in_force_on(on)]
        if in_force:
            return in_force[0].sfs
        later = [law for law in laws if law.in_force_from and on < law.in_force_from]
        earliest_first = sorted(laws, key=lambda law: law.in_force_from or date.min)
        return (earliest_first[0] if later else earliest_first[-1]).sfs

    def resolve_by_age(self, sfs_options: tuple[str, ...], *, newest: bool) -> str:
        """ "nya SoL" / "gamla SoL": the newest law a name stands for, or the one just before it.

        "Gamla" means the version the newest replaced, not the first ever (SoL 1980:620).
        """
        known = [self.laws[s] for s in sfs_options if s in self.laws]
        if not known:
            return sfs_options[0]
        ordered = sorted(known, key=lambda law: law.in_force_from or date.min)
        return (ordered[-1] if newest or len(ordered) < 2 else ordered[-2]).sfs

    def law_kind(self, sfs: str) -> str | None:
        """`lag`, `balk` or `forordning`, for matching "samma förordning"; None if unknown."""
        law = self.laws.get(sfs)
        if law is None:
            return None
        return "balk" if law.title.lower().endswith("balk") else law.kind

    def fits(self, sfs: str, *, has_chapter: bool) -> bool:
        """Whether a reference with (or without) a chapter can belong to this law at all."""
        law = self.laws.get(sfs)
        return law is None or law.has_chapters == has_chapter

    @classmethod
    def from_rows(
        cls,
        *,
        laws: Iterable[Mapping[str, Any]],
        agencies: Iterable[Mapping[str, Any]],
        terms: Iterable[Mapping[str, Any]],
        provisions: Iterable[str] = (),
    ) -> TagCatalogue:
        """Build from plain dicts shaped like the catalogue's JSON files."""
        return cls(
            laws=[
                LawEntry(
                    sfs=row["sfs"],
                    title=row.get("title", ""),
                    abbreviations=tuple(row.get("abbreviations") or ()),
                    name_forms=tuple(row.get("name_forms") or ()),
                    kind=row.get("kind", "lag"),
                    has_chapters=bool(row.get("has_chapters")),
                    in_force_from=_date(row.get("in_force_from")),
                    in_force_to=_date(row.get("in_force_to")),
                )
                for row in laws
                if row.get("sfs") and ":" in row["sfs"] and row["sfs"][0].isdigit()
            ],
            agencies=[
                AgencyEntry(
                    code=row["code"],
                    name=row["name"],
                    variants=tuple(row.get("variants") or ()),
                    subunits=tuple(row.get("subunits") or ()),
                    context_dependent=tuple(row.get("context_dependent") or ()),
                )
                for row in agencies
            ],
            terms=[
                TermEntry(
                    term=row["term"],
                    forms=tuple(row.get("forms") or ()),
                    targets=tuple(
                        TermTarget(t["tag"], _date(t.get("from")), _date(t.get("until")))
                        if isinstance(t, Mapping)
                        else TermTarget(str(t))
                        for t in row.get("targets") or ()
                    ),
                    ambiguous=bool(row.get("ambiguous")),
                )
                for row in terms
            ],
            provisions=provisions,
        )
