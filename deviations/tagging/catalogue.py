"""The tagger's view of the catalogue: plain entries plus the lexicons compiled from them.

Built once per catalogue version from plain dicts (the database rows or the JSON files), so the
matching code never touches the ORM and admins' edits take effect without code changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from deviations.tagging.lexicon import Lexicon, is_abbreviation
from deviations.tagging.types import AgencyEntry, LawEntry, TermEntry, TermTarget

AgencyStrength = Literal["name", "abbreviation", "subunit", "context"]

# Words that point back to a law named earlier: "28 kap. 11 § samma lag".
ANAPHORA = {
    "samma lag": "lag",
    "samma balk": "lag",
    "samma förordning": "forordning",
    "samma författning": "any",
    "lagen": "lag",
    "balken": "lag",
    "förordningen": "forordning",
    "denna lag": "lag",
    "denna förordning": "forordning",
}
_DEFINITE = {"lag": "lagen", "förordning": "förordningen", "balk": "balken"}


@dataclass(frozen=True, slots=True)
class LawMention:
    """A surface form naming one law, or several that the event date decides between (SoL)."""

    sfs: tuple[str, ...]
    how: Literal["abbreviation", "name", "anaphora"]
    anaphora_kind: str = ""


@dataclass(frozen=True, slots=True)
class AgencyMention:
    code: str
    strength: AgencyStrength


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
        self.law_lexicon: Lexicon[LawMention] = Lexicon()
        self.agency_lexicon: Lexicon[AgencyMention] = Lexicon()
        self.term_lexicon: Lexicon[TermEntry] = Lexicon()
        self._compile()

    def _compile(self) -> None:
        by_abbreviation: dict[str, list[str]] = {}
        by_name: dict[str, list[str]] = {}
        for law in self.laws.values():
            for abbreviation in law.abbreviations:
                by_abbreviation.setdefault(abbreviation, []).append(law.sfs)
            for form in (*law.name_forms, *title_forms(law.title)):
                by_name.setdefault(form.lower(), []).append(law.sfs)
        for form, sfs in by_abbreviation.items():
            self.law_lexicon.add(
                form, LawMention(tuple(dict.fromkeys(sfs)), "abbreviation"), case_sensitive=True
            )
        for form, sfs in by_name.items():
            self.law_lexicon.add(
                form, LawMention(tuple(dict.fromkeys(sfs)), "name"), case_sensitive=False
            )
        for form, kind in ANAPHORA.items():
            self.law_lexicon.add(
                form, LawMention((), "anaphora", kind), case_sensitive=False, inflect=False
            )

        for agency in self.agencies.values():
            mentions: list[tuple[str, AgencyStrength]] = [(agency.name, "name")]
            mentions += [
                (v, "abbreviation" if is_abbreviation(v) or len(v) <= 3 else "name")
                for v in agency.variants
            ]
            mentions += [(v, "subunit") for v in agency.subunits]
            mentions += [(v, "context") for v in agency.context_dependent]
            for form, strength in mentions:
                self.agency_lexicon.add(form, AgencyMention(agency.code, strength))

        for term in self.terms:
            for form in (term.term, *term.forms):
                self.term_lexicon.add(form, term)

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
