"""Deterministic, realistic synthetic deviations (avvikelser) for demo data and benchmarks.

Pure Python and standard library only, so benchmarks and tests can produce 100k deviations in a
few seconds without a database. The data plants the documented cross-agency knots (DOMAIN.md §5
and (a)–(c)) plus one local decoy among realistic noise, so the knot engine has a known answer.
Texts are composed from fragments that each declare the tags they imply; a deviation's text
therefore names what its tags say and nothing else, which makes the data usable for the tagger
as well.
"""

from __future__ import annotations

import re
from bisect import bisect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from random import Random
from types import MappingProxyType

__all__ = [
    "AGE_BANDS",
    "AGENCY_CODES",
    "CATEGORIES",
    "CONSEQUENCES",
    "GENDERS",
    "MAX_TAGS",
    "PLANTED_KNOTS",
    "DemoDeviation",
    "DemoUnit",
    "PlantedKnot",
    "generate_deviations",
]

CATEGORIES = (
    "rule_conflict",
    "responsibility_gap",
    "work_capacity",
    "information_secrecy",
    "waiting_time",
    "payment_gap",
    "coordination",
    "other",
)
CONSEQUENCES = (
    "no_income",
    "delayed_support",
    "interrupted_support",
    "contradictory_demands",
    "lost_entitlement",
    "health_deterioration",
    "other",
)
GENDERS = ("kvinna", "man", "annat", "okänt")
AGE_BANDS = ("16-19", "20-29", "30-39", "40-49", "50-59", "60-67")
AGENCY_CODES = (
    "FK",
    "AF",
    "KOMMUN",
    "REGION",
    "AKASSA",
    "CSN",
    "MIGRATIONSVERKET",
    "KRONOFOGDEN",
    "SKATTEVERKET",
    "PENSIONSMYNDIGHETEN",
    "KRIMINALVARDEN",
    "FORBUND",
    "ARBETSGIVARE",
)
MAX_TAGS = 8

# Dates on which the law behind "SoL" and "a-kassa" changes (CONTRACTS.md §1, DOMAIN.md §2).
NEW_SOL_FROM = date(2025, 7, 1)
NEW_ALF_FROM = date(2025, 10, 1)


@dataclass(frozen=True, slots=True)
class DemoUnit:
    name: str
    municipalities: tuple[str, ...]  # SCB codes like "0160"


@dataclass(frozen=True, slots=True)
class DemoDeviation:
    external_id: str  # "demo-000001", stable per (seed, index)
    occurred_on: date
    municipality: str  # SCB code, one of the unit's municipalities
    unit: str  # DemoUnit.name
    description: str  # Swedish, 150–700 chars, anonymised
    category: str  # one of CATEGORIES
    consequence: str  # one of CONSEQUENCES
    severity: int  # 1–4
    gender: str  # one of GENDERS
    age_band: str  # one of AGE_BANDS
    tags: tuple[str, ...]  # confirmed tag ids, sorted, unique
    knot: str | None  # key of the planted knot it was generated from, None for noise


@dataclass(frozen=True, slots=True)
class PlantedKnot:
    """A knot planted in the demo data: the answer the knot engine should find."""

    key: str
    title: str  # Swedish, as an analyst would name it
    tags: tuple[str, ...]  # core tag set, sorted, 2–5 tags
    weight: float  # relative share among knot deviations
    trend: str  # "rising" | "flat" | "fading"
    category: str
    consequences: tuple[tuple[str, float], ...]  # (consequence, weight)
    severity: tuple[float, float, float, float]  # weights of severity 1..4
    context: tuple[tuple[tuple[str, ...], float], ...] = ()  # (extra tags, probability)
    age_weights: tuple[float, ...] = (3, 20, 25, 24, 20, 8)
    gender_weights: tuple[float, ...] = (53, 41, 1, 5)
    local: bool = False  # decoy: one municipality and unit only

    def __post_init__(self) -> None:
        # The core set is the knot's identity (KNOTS.md §2): keep it sorted and unique.
        object.__setattr__(self, "tags", tuple(sorted(set(self.tags))))


# --- tag identifiers ------------------------------------------------------------------------
FK, AF, KOM, REG = "agency:FK", "agency:AF", "agency:KOMMUN", "agency:REGION"
AKA, CSN, MIG, KFM = "agency:AKASSA", "agency:CSN", "agency:MIGRATIONSVERKET", "agency:KRONOFOGDEN"
SKV, PM, KRIM = "agency:SKATTEVERKET", "agency:PENSIONSMYNDIGHETEN", "agency:KRIMINALVARDEN"
FORB, AG = "agency:FORBUND", "agency:ARBETSGIVARE"

SFB = "law:2010:110"
SFB_27_2, SFB_27_25, SFB_27_48 = (
    "prov:2010:110#K27P2",
    "prov:2010:110#K27P25",
    "prov:2010:110#K27P48",
)
SFB_26, SFB_30, SFB_30_6 = "prov:2010:110#K26", "prov:2010:110#K30", "prov:2010:110#K30P6"
SFB_110_31 = "prov:2010:110#K110P31"
OSL = "law:2009:400"
OSL_10_1, OSL_25_1, OSL_26_1 = "prov:2009:400#K10P1", "prov:2009:400#K25P1", "prov:2009:400#K26P1"
OSL_28_1, OSL_28_11 = "prov:2009:400#K28P1", "prov:2009:400#K28P11"
F628, F628_6 = "law:2000:628", "prov:2000:628#P6"
F634, L625 = "law:2000:634", "law:2000:625"
F819, F819_2_1 = "law:2017:819", "prov:2017:819#K2P1"
F819_4_1, F819_5_2A = "prov:2017:819#K4P1", "prov:2017:819#K5P2a"
HSL, HSL_16_4 = "law:2017:30", "prov:2017:30#K16P4"
LSS, LSS_9 = "law:1993:387", "prov:1993:387#P9"
FL, FL_8 = "law:2017:900", "prov:2017:900#P8"
FINSAM, FINSAM_7 = "law:2003:1210", "prov:2003:1210#P7"
F462, F462_1, F462_37 = "law:2017:462", "prov:2017:462#P1", "prov:2017:462#P37"
JOB, UGA, INTRO, NYSTART = "law:2007:414", "law:2007:813", "law:2018:42", "law:2018:43"
ETAB, BOSATT, LMA = "law:2017:820", "law:2016:38", "law:1994:137"
KOORD, AFU, AFU_F = "law:2019:1297", "law:2018:744", "law:2018:1633"
SJUKLON, LAKINTYG_F = "law:1991:1047", "law:1995:1051"
STUDIE, SKULD, UB, FB = "law:1999:1395", "law:2016:675", "law:1981:774", "law:1949:381"
BIDRAGSBROTT, UNDERRATT, SSBTEK = "law:2007:612", "law:2008:206", "law:2008:975"
LVM, LPT = "law:1988:870", "law:1991:1128"

# Date-dependent symbols, resolved to concrete tags by the event date (the SoL and ALF rules).
SOL = "@sol"  # försörjningsstöd / ekonomiskt bistånd
SOL_LAW = "@sollaw"  # SoL as a law only (återkrav, SSBTEK)
SOL_SIP = "@sip"  # the SoL half of SIP
SOL_PRAKTIK = "@praktik"  # kommunal praktik
ALF = "@alf"  # a-kassa
_SYMBOLS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    SOL: (("law:2001:453", "prov:2001:453#K4P1"), ("law:2025:400", "prov:2025:400#K12P1")),
    SOL_LAW: (("law:2001:453",), ("law:2025:400",)),
    SOL_SIP: (("law:2001:453", "prov:2001:453#K2P7"), ("law:2025:400", "prov:2025:400#K10P8")),
    SOL_PRAKTIK: (("law:2001:453", "prov:2001:453#K4P4"), ("law:2025:400",)),
    ALF: (("law:1997:238",), ("law:2024:506",)),
}
SIP = (SOL_SIP, HSL, HSL_16_4)
ANVISNING = (F634, L625)
# An agency whose every mention also implies a law: "a-kassan", "förbundet".
_COMPANIONS: dict[str, tuple[str, ...]] = {AKA: (ALF,), FORB: (FINSAM,)}


def _resolve(tags: set[str] | frozenset[str], new_sol: bool, new_alf: bool) -> set[str]:
    out: set[str] = set()
    for tag in tags:
        if tag[0] != "@":
            out.add(tag)
        else:
            eras = _SYMBOLS[tag]
            out.update(eras[1] if (new_alf if tag == ALF else new_sol) else eras[0])
    return out


def _choice[T](rng: Random, items: Sequence[T]) -> T:
    """rng.choice, about twice as fast; the benchmarks generate 100k deviations."""
    return items[int(rng.random() * len(items))]


# --- text fragments ---------------------------------------------------------------------------
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True, slots=True, eq=False)
class _Fragment:
    parts: tuple[str, ...]  # literal, key, literal, key, ..., literal
    needs: frozenset[str]  # tags (or symbols) the text implies; usable only if all present
    size: int  # rough rendered length, for the length budget


def _f(text: str, *needs: str | tuple[str, ...]) -> _Fragment:
    flat: set[str] = set()
    for need in needs:
        flat.update((need,) if isinstance(need, str) else need)
    parts = tuple(_PLACEHOLDER.split(text))
    return _Fragment(parts, frozenset(flat), len(text))


def _forms(*variants: str) -> tuple[str, ...]:
    return variants


def _sfb(chapter: str, section: str | None = None) -> tuple[str, ...]:
    if section is None:
        return (
            f"{chapter} kap. SFB",
            f"{chapter} kap SFB",
            f"SFB {chapter} kap.",
            f"{chapter} kap. socialförsäkringsbalken",
        )
    return (
        f"{chapter} kap. {section} § SFB",
        f"{chapter} kap {section}§ SFB",
        f"{chapter} kap. {section} § SFB",
        f"SFB {chapter} kap. {section} §",
        f"{chapter} kap. {section} § socialförsäkringsbalken",
        f"{chapter} kap {section} § SFB",
    )


def _osl(chapter: str, section: str) -> tuple[str, ...]:
    return (
        f"{chapter} kap. {section} § OSL",
        f"{chapter} kap {section}§ OSL",
        f"{chapter} kap. {section} § offentlighets- och sekretesslagen",
        f"{chapter} kap. {section} § sekretesslagen",
        f"OSL {chapter} kap. {section} §",
    )


_STATIC_FORMS: dict[str, tuple[str, ...]] = {
    # Agencies, as staff write them (DOMAIN.md §4); repeats weight the common forms.
    "fk": _forms(
        "FK",
        "FK",
        "FK",
        "Försäkringskassan",
        "Försäkringskassan",
        "försäkringskassan",
        "Fk",
        "F-kassan",
        "handläggaren på FK",
    ),
    "fks": _forms("FK:s", "FK:s", "FKs", "Försäkringskassans", "försäkringskassans"),
    "af": _forms(
        "Af",
        "Af",
        "AF",
        "Arbetsförmedlingen",
        "Arbetsförmedlingen",
        "arbetsförmedlingen",
        "af",
        "handläggaren på Af",
        "arbetsförmedlaren",
    ),
    "afs": _forms("Af:s", "AF:s", "Afs", "Arbetsförmedlingens", "arbetsförmedlingens"),
    "soc": _forms(
        "soc",
        "soc",
        "socialtjänsten",
        "socialtjänsten",
        "socialsekreteraren",
        "socialkontoret",
        "socialnämnden",
        "soc:en",
    ),
    "socs": _forms("soc:s", "socialtjänstens", "socialtjänstens", "socialsekreterarens"),
    "kom": _forms("kommunen", "kommunen", "AME", "arbetsmarknadsenheten", "kommunens jobbtorg"),
    "vard": _forms(
        "VC",
        "VC",
        "vårdcentralen",
        "vården",
        "psykiatrin",
        "regionen",
        "husläkarmottagningen",
        "vuxenpsykiatrin",
    ),
    "vards": _forms("VC:s", "vårdcentralens", "vårdens", "psykiatrins", "regionens"),
    "lak": _forms(
        "läkaren",
        "läkaren",
        "husläkaren",
        "behandlande läkare",
        "läkaren på VC",
        "läkaren på psykiatrin",
    ),
    "forb": _forms("förbundet", "samordningsförbundet", "förbundet", "förbundsstyrelsen"),
    "akassa": _forms("a-kassan", "a-kassan", "akassan", "A-kassan"),
    "csn": _forms(
        "CSN",
    ),
    "migr": _forms(
        "Migrationsverket",
    ),
    "kfm": _forms("Kronofogden", "Kronofogden", "KFM"),
    "skv": _forms("Skatteverket", "Skatteverket", "SKV"),
    "pm": _forms(
        "Pensionsmyndigheten",
    ),
    "krim": _forms("frivården", "Kriminalvården"),
    "ag": _forms("arbetsgivaren", "arbetsgivaren", "den tidigare arbetsgivaren"),
    "dlt": _forms("deltagaren", "deltagaren", "deltagaren", "personen"),
    "dlts": _forms("deltagarens", "deltagarens", "personens"),
    # Explicit citations, in the forms staff use (eval README).
    "c48": _sfb("27", "48"),
    "c272": _sfb("27", "2"),
    "c2725": _sfb("27", "25"),
    "c26": _sfb("26"),
    "c30": _sfb("30"),
    "c306": _sfb("30", "6"),
    "c11031": _sfb("110", "31"),
    "osl2811": _osl("28", "11"),
    "osl281": _osl("28", "1"),
    "osl261": _osl("26", "1"),
    "osl251": _osl("25", "1"),
    "osl101": _osl("10", "1"),
    "c8192": (
        "2 kap. 1 § förordningen (2017:819)",
        "2 kap 1§ ersättningsförordningen",
        "2 kap. 1 § ersättningsförordningen",
        "2 kap. 1 § förordning (2017:819)",
    ),
    "c8194": (
        "4 kap. 1 § förordningen (2017:819)",
        "4 kap 1§ ersättningsförordningen",
        "4 kap. 1 § ersättningsförordningen",
    ),
    "c8195": ("5 kap. 2 a § förordningen (2017:819)", "5 kap. 2 a § ersättningsförordningen"),
    "hsl164": ("16 kap. 4 § HSL", "16 kap 4§ HSL", "16 kap. 4 § hälso- och sjukvårdslagen"),
    "lss9": (
        "9 § LSS",
        "9 § 10 LSS",
        "9 § LSS",
        "9 § lagen om stöd och service till vissa funktionshindrade",
    ),
    "fl8": ("8 § FL", "8 § förvaltningslagen", "8 § förvaltningslagen (2017:900)"),
    "fin7": ("7 § Finsamlagen", "7 § lagen (2003:1210)", "7 § finsamlagen"),
    "c4621": ("1 § förordningen (2017:462)", "1 § förordning (2017:462)"),
    "c6286": ("6 § förordningen (2000:628)", "6 § förordning (2000:628)"),
    # Harmless numbers that are not personal data.
    "veckor": ("två veckor", "tre veckor", "sex veckor", "4 veckor", "3 veckor", "åtta veckor"),
    "manader": ("två månader", "tre månader", "fem månader", "4 mån", "ett halvår", "snart ett år"),
}
_MONTHS = (
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
)
_SOL_CITES = (
    ("4 kap. 1 § SoL", "4 kap 1§ SoL", "SoL 4 kap. 1 §", "4 kap. 1 § socialtjänstlagen"),
    (
        "12 kap. 1 § SoL",
        "12 kap 1§ SoL",
        "12 kap. 1 § socialtjänstlagen",
        "12 kap. 1 § socialtjänstlagen (2025:400)",
    ),
)
_SIP_CITES = (
    ("2 kap. 7 § SoL", "2 kap 7§ SoL", "2 kap. 7 § socialtjänstlagen"),
    ("10 kap. 8 § SoL", "10 kap 8§ SoL", "10 kap. 8 § socialtjänstlagen (2025:400)"),
)
_PRONOUNS = {
    "kvinna": ("hon", "henne", "hennes"),
    "man": ("han", "honom", "hans"),
    "annat": ("hen", "hen", "hens"),
    "okänt": ("hen", "hen", "hens"),
}


class _Text:
    """Renders fragments for one description; keeps names and pronouns consistent within it."""

    __slots__ = ("cache", "new_sol", "pronouns", "rng")

    def __init__(self, rng: Random, gender: str, new_sol: bool) -> None:
        self.rng = rng
        self.new_sol = new_sol
        neutral = rng.random() < 0.06
        self.pronouns = _PRONOUNS["okänt" if neutral else gender]
        self.cache: dict[str, str] = {}

    def value(self, key: str) -> str:
        rng = self.rng
        cached = self.cache.get(key)
        if cached is not None and rng.random() < 0.8:
            return cached
        forms = _STATIC_FORMS.get(key)
        if forms is not None:
            chosen = _choice(rng, forms)
        elif key == "hon":
            return self.pronouns[0]
        elif key == "henne":
            return self.pronouns[1]
        elif key == "hennes":
            return self.pronouns[2]
        elif key == "csol":
            chosen = _choice(rng, _SOL_CITES[self.new_sol])
        elif key == "csip":
            chosen = _choice(rng, _SIP_CITES[self.new_sol])
        else:
            chosen = _NUMBERS[key](rng)
        self.cache[key] = chosen
        return chosen

    def render(self, fragment: _Fragment) -> str:
        parts = fragment.parts
        if len(parts) == 1:
            return parts[0]
        out = [parts[0]]
        for i in range(1, len(parts), 2):
            out.append(self.value(parts[i]))
            out.append(parts[i + 1])
        return "".join(out)


_NUMBERS: dict[str, Callable[[Random], str]] = {
    "datum": lambda r: f"den {r.randint(1, 28)} {r.choice(_MONTHS)}",
    "belopp": lambda r: f"{r.randint(1, 14)} {r.choice(('000', '200', '500', '800'))} kr",
    "timmar": lambda r: f"{r.randint(4, 40)} timmar",
    "dnr": lambda r: f"dnr {r.randint(2019, 2026)}/{r.randint(1, 9999):04d}",
}

# Neutral sentences: they imply no tag, vary the texts and fill short ones.
_FILLERS = tuple(
    _f(t)
    for t in (
        "Ärendet har lyfts på teamträffen.",
        "Vi har haft tre möten om detta utan att komma vidare.",
        "{hon} är orolig och sover dåligt.",
        "{hon} mår sämre av ovissheten.",
        "Det här är tredje gången i år vi ser samma sak.",
        "{dlt} vill gärna arbeta men orkar inte heltid ännu.",
        "Vi rapporterar ändå så att det syns i statistiken.",
        "Ingen kan säga hur lång tid det tar.",
        "Hyran för förra månaden är obetald.",
        "Handläggningstiden är nu {veckor}.",
        "{dlt} har fått vänta i {veckor} på besked.",
        "Det saknas en gemensam planering.",
        "Vi har mejlat och ringt utan att få svar.",
        "Ärendet gäller {dnr}.",
        "{dlt} har {belopp} kvar att leva på efter hyran.",
        "{dlt} har lagt {timmar} på möten den senaste månaden utan att något hänt.",
        "Kontakten bröts i samband med semestrarna.",
        "Mötet {datum} ställdes in med kort varsel.",
        "Besked utlovades till {datum} men inget har kommit.",
        "Samma sak har hänt två andra deltagare hos oss.",
        "{hon} har barn hemma och klarar inte fler resor mellan olika kontor.",
        "Tolk behövs vid alla möten och bokas inte alltid.",
        "ingen återkoppling än.",
        "väntar fortfarande på svar.",
        "{hon} hamnar mellan stolarna igen.",
        "Vi vet inte vart vi ska vända oss med det här.",
        "Det tog {veckor} bara att få en tid.",
        "Skulden för el och hyra är nu {belopp}.",
    )
)


@dataclass(frozen=True, slots=True)
class _Story:
    openers: tuple[_Fragment, ...]
    middles: tuple[_Fragment, ...]
    closers: tuple[_Fragment, ...] = ()


_CLOSERS = tuple(
    _f(t)
    for t in (
        "Vi har begärt omprövning.",
        "Ärendet tas upp igen på teammötet {datum}.",
        "Samma mönster som i tidigare avvikelser från oss.",
        "Vi vill att det här lyfts till styrgruppen.",
        "Ingen tar ansvar för helheten.",
        "Det här borde gå att lösa mellan myndigheterna.",
        "Vi har inte hittat någon väg vidare.",
    )
)

_STORIES: dict[str, _Story] = {
    "after_day_180": _Story(
        openers=(
            _f(
                "{fk} har prövat {dlt} mot normalt förekommande arbete från dag 181 och dragit in "
                "sjukpenningen.",
                FK,
                SFB,
                SFB_27_48,
            ),
            _f(
                "Sjukpenningen drogs in vid dag 180, {fk} anser att {hon} kan ta ett normalt "
                "förekommande arbete.",
                FK,
                SFB,
                SFB_27_48,
            ),
            _f(
                "{fk} avslag enl {c48}, bedömd kunna ta ett normalt förekommande arbete.",
                FK,
                SFB,
                SFB_27_48,
            ),
            _f(
                "Efter dag 180 bedömdes {dlt} mot hela arbetsmarknaden och förlorade "
                "sjukpenningen.",
                SFB,
                SFB_27_48,
            ),
            _f(
                "{fk} stoppade sjukpenningen {datum} med hänvisning till {c48}.", FK, SFB, SFB_27_48
            ),
            _f("avslag på fortsatt sjp efter dag 181 ({c48}).", SFB, SFB_27_48),
            _f(
                "{dlt} har varit sjukskriven i över ett halvår och prövades {datum} mot normalt "
                "förekommande arbete.",
                SFB,
                SFB_27_48,
            ),
        ),
        middles=(
            _f("{af} bedömer samtidigt att {hon} är för sjuk för att delta i några insatser.", AF),
            _f(
                "{afs} handläggare menar att {hon} först måste bli frisk innan något är aktuellt.",
                AF,
            ),
            _f("{af} tycker inte att {hon} är aktuell för matchning.", AF),
            _f("af bedömer ej aktuell för insatser.", AF),
            _f(
                "{soc} kräver att {hon} skriver in sig på {af} för att få försörjningsstöd.",
                KOM,
                AF,
                F628,
                SOL,
            ),
            _f("soc kräver inskrivning på Af.", KOM, AF, F628),
            _f(
                "{soc} hänvisar till {csol} och kräver att {hon} står till arbetsmarknadens "
                "förfogande.",
                KOM,
                SOL,
            ),
            _f(
                "{soc} avslår ekonomiskt bistånd eftersom {hon} enligt {fk} kan arbeta.",
                KOM,
                SOL,
                FK,
            ),
            _f("{kom} har inget att erbjuda förrän {af} har gjort en bedömning.", KOM, AF),
            _f("{vard} har skrivit ett nytt intyg men {fk} ändrar inte beslutet.", REG, FK),
            _f("{lak} bedömer att {hon} inte klarar något arbete alls.", REG),
            _f(
                "Nu har {hon} ingen inkomst alls och ingen av myndigheterna tar ansvar.",
            ),
            _f("{hon} är för frisk för {fk} och för sjuk för {af}.", FK, AF),
            _f("{fk} och {af} gör helt olika bedömningar av samma arbetsförmåga.", FK, AF),
        ),
    ),
    "sick_pay_denied_soc": _Story(
        openers=(
            _f(
                "{fk} avslog sjukpenning med hänvisning till {c272}, arbetsförmågan anses inte "
                "nedsatt med minst en fjärdedel.",
                FK,
                SFB,
                SFB_27_2,
            ),
            _f("{fks} avslag på sjp grundas på {c272}.", FK, SFB, SFB_27_2),
            _f("avslag på sjukpenning enl {c272}.", SFB, SFB_27_2),
            _f("Nekad sjukpenning {datum} ({c272}).", SFB, SFB_27_2),
        ),
        middles=(
            _f(
                "{soc} läser beslutet som att {hon} är fullt arbetsför och underkänner intyget "
                "från {vard}.",
                KOM,
                REG,
            ),
            _f(
                "När {hon} sökte försörjningsstöd underkände {soc} läkarintyget med hänvisning "
                "till {fks} beslut.",
                KOM,
                SOL,
                FK,
            ),
            _f("{soc} kräver ett nytt intyg från en annan läkare än den på {vard}.", KOM, REG),
            _f("{vard} vill inte skriva ett andra intyg för samma period.", REG),
            _f("{soc} stödjer sig på FMB, som inte är skrivet för socialtjänsten.", KOM),
            _f("{soc} avslår ekonomiskt bistånd enligt {csol}.", KOM, SOL),
            _f("{lak} står fast vid att {hon} inte kan arbeta.", REG),
            _f("Ett avslag hos {fk} blir i praktiken ett avslag hos {soc} också.", FK, KOM),
            _f("soc godtar inte intyget från VC.", KOM, REG),
        ),
    ),
    "sgi_zeroed": _Story(
        openers=(
            _f(
                "{hon} var inskriven med förhinder hos {af} under sjukskrivningen och ingen "
                "berättade att SGI:n kunde påverkas.",
                AF,
                F628,
                SFB,
            ),
            _f(
                "{af} avslutade inskrivningen för tidigt och {fk} har satt SGI till noll.",
                AF,
                F628,
                FK,
                SFB,
            ),
            _f("kod 14 hos {af} i flera månader, nu nollad SGI hos {fk}.", AF, F628, FK, SFB),
            _f(
                "{hon} skrev in sig på {af} igen en vecka för sent och tappade SGI-skyddet.",
                AF,
                F628,
                SFB,
            ),
            _f("SGI nollad efter glapp i inskrivningen hos {af}.", SFB, F628, AF),
        ),
        middles=(
            _f("{fk} hänvisar till {c26} och menar att SGI-skyddet bröts.", FK, SFB, SFB_26),
            _f(
                "Enligt {c26} finns inget skydd för SGI:n när inskrivningen haft ett glapp.",
                SFB,
                SFB_26,
                F628,
            ),
            _f("{fk} räknar glappet som ett avbrott i SGI-skyddet ({c26}).", FK, SFB, SFB_26),
            _f(
                "{af} stängde av {henne} från aktivitetsstöd en dag efter "
                "en sen aktivitetsrapport.",
                AF,
                F819,
                F628,
            ),
            _f(
                "{af} informerade aldrig om vad inskriven med förhinder innebär för SGI:n.",
                AF,
                F628,
                SFB,
            ),
            _f("När {hon} blev sjuk igen fick {hon} ingen sjukpenning alls.", SFB),
            _f("Nu har {hon} bara försörjningsstöd från {soc}.", SOL, KOM),
            _f(
                "Ingen av myndigheterna anser sig ha ansvar för att informera.",
            ),
            _f("{fk} och {af} pekar på varandra.", FK, AF),
        ),
    ),
    "zero_sgi_social_assistance": _Story(
        openers=(
            _f("{hon} saknar SGI och har försörjningsstöd från {soc}.", SFB, SOL, KOM),
            _f("nollplacerad, ingen SGI, sjuk sedan länge.", SFB),
            _f(
                "{dlt} har ingen sjukpenninggrundande inkomst och har aldrig haft sjukpenning.", SFB
            ),
            _f("{dlt} är sjuk men har SGI noll och lever på ekonomiskt bistånd.", SFB, SOL),
        ),
        middles=(
            _f(
                "{soc} kräver läkarintyg varannan månad men {vard} skriver inte intyg utan "
                "pågående behandling.",
                KOM,
                REG,
            ),
            _f(
                "{soc} ska bedöma arbetsförmågan utan medicinsk kompetens och kan inte kräva att "
                "{lak} samarbetar.",
                KOM,
                REG,
            ),
            _f(
                "{fks} ansvar för rehabiliteringen enligt {c30} gäller bara den som har en förmån.",
                FK,
                SFB,
                SFB_30,
            ),
            _f(
                "Rehabiliteringsansvaret i {c30} förutsätter en förmån, så ingen samordnar "
                "rehabiliteringen.",
                SFB,
                SFB_30,
            ),
            _f(
                "{fk} säger att de inte har något ärende och därför inget ansvar enl {c30}.",
                FK,
                SFB,
                SFB_30,
            ),
            _f(
                "{vard} lämnar inte ut journaluppgifter till {soc} med hänvisning till {osl251}.",
                REG,
                KOM,
                OSL,
                OSL_25_1,
            ),
            _f("{soc} hänvisar till {csol} och kräver att {hon} söker arbete.", KOM, SOL),
            _f(
                "Rehabiliteringen har ingen ägare.",
            ),
        ),
    ),
    "secrecy": _Story(
        openers=(
            _f(
                "I teamet går det inte att få fram en gemensam bild av {dlts} situation.",
            ),
            _f("Sekretessen hindrar oss från att prata ihop oss om {dlt}.", OSL),
            _f("{af} vill inte lämna uppgifter till {soc} utan skriftligt samtycke.", AF, KOM, OSL),
            _f(
                "{vard} vägrade lämna uppgifter till {soc} med hänvisning till sekretess.",
                REG,
                KOM,
                OSL,
            ),
            _f(
                "sekretessen mellan {af}, {soc} och {vard} stoppar samordningen.", AF, KOM, REG, OSL
            ),
        ),
        middles=(
            _f("{af} hänvisar till {osl2811}.", AF, OSL, OSL_28_11),
            _f("{soc} hänvisar till {osl261}.", KOM, OSL, OSL_26_1),
            _f("{vard} hänvisar till {osl251}.", REG, OSL, OSL_25_1),
            _f("{fk} hänvisar till {osl281}.", FK, OSL, OSL_28_1),
            _f(
                "{dlt} har gett muntligt samtycke men varje myndighet kräver ett skriftligt på sin "
                "egen blankett.",
                OSL,
            ),
            _f(
                "Samtycke enl {osl101} finns, men {vard} godtar bara sin egen blankett.",
                OSL,
                OSL_10_1,
                REG,
            ),
            _f(
                "Vi har lagt tre teammöten på att diskutera blanketter i stället för insatser.",
            ),
            _f("{af} och {vard} har olika regler för hur länge ett samtycke gäller.", AF, REG, OSL),
            _f("{soc} får inte veta vad {af} planerar.", KOM, AF),
        ),
    ),
    "activity_support_referral": _Story(
        openers=(
            _f(
                "{af} har dröjt med att anvisa {henne} till programmet och därför betalar {fk} "
                "inget aktivitetsstöd.",
                AF,
                ANVISNING,
                FK,
                F819,
            ),
            _f(
                "Anvisningen från {af} kom {veckor} för sent och aktivitetsstödet uteblev.",
                AF,
                ANVISNING,
                F819,
            ),
            _f(
                "{dlt} väntar på anvisning till program, utan anvisning inget aktivitetsstöd.",
                ANVISNING,
                F819,
            ),
            _f(
                "ingen anvisning från {af} än, {fk} kan inte betala aktivitetsstöd.",
                AF,
                ANVISNING,
                FK,
                F819,
            ),
        ),
        middles=(
            _f(
                "{fk} kan inte betala ut något förrän {af} har registrerat anvisningen.",
                FK,
                AF,
                ANVISNING,
            ),
            _f(
                "Rätten till aktivitetsstöd enligt {c8192} förutsätter att {hon} är anvisad.",
                F819,
                F819_2_1,
                ANVISNING,
            ),
            _f("Under tiden har {hon} fått försörjningsstöd från {soc}.", SOL, KOM),
            _f(
                "{soc} betalar försörjningsstöd som förskott och kräver sedan tillbaka det.",
                KOM,
                SOL,
            ),
            _f("{fk} säger att det är {afs} sak, {af} hänvisar till {fk}.", FK, AF),
            _f(
                "Ersättningen rättas i efterhand men {hon} har redan fått betalningsanmärkning.",
            ),
            _f("{hon} är inskriven i jobb- och utvecklingsgarantin.", JOB, F628),
            _f("{hon} är i jobbgarantin för ungdomar.", UGA),
        ),
    ),
    "sick_in_programme": _Story(
        openers=(
            _f(
                "{hon} blev sjuk under programmet och lämnade läkarintyg till {af}, men får "
                "fortfarande aktivitetsstöd i stället för sjukpenning.",
                AF,
                F819,
                F819_4_1,
                SFB,
            ),
            _f(
                "sjuk i programmet, aktivitetsstöd enligt {c8194} i stället för sjukpenning.",
                F819,
                F819_4_1,
                SFB,
            ),
            _f(
                "{dlt} har lämnat läkarintyg till {af} men behålls i aktivitetsstödet.",
                AF,
                F819,
                F819_4_1,
            ),
        ),
        middles=(
            _f(
                "{af} har inte återkallat anvisningen trots att intyget visar att {hon} inte kan "
                "vara aktivt arbetssökande.",
                AF,
                ANVISNING,
            ),
            _f(
                "{fk} säger att {hon} inte kan få sjukpenning så länge {hon} är kvar i programmet.",
                FK,
                SFB,
            ),
            _f("{lak} har skrivit att {hon} inte klarar programmet alls.", REG),
            _f("Läkarintyget från {vard} lämnades till {af} {datum}.", REG, AF, F819, F819_4_1),
            _f(
                "{af} och {fk} ger olika besked om vem som ska pröva rätten till ersättning.",
                AF,
                FK,
            ),
            _f(
                "{hon} har både lägre ersättning och krav på aktiviteter {hon} inte klarar.",
            ),
            _f("Aktivitetsstödet är lägre än sjukpenningen hade varit.", F819, SFB),
            _f("{hon} är i jobb- och utvecklingsgarantin.", JOB),
        ),
    ),
    "sip_state_agencies": _Story(
        openers=(
            _f("SIP kallades av {soc} med {vard}, {af} och {fk}.", SIP, KOM, REG, AF, FK),
            _f("Kallelse till SIP skickad till {fk} och {af}.", SIP, FK, AF),
            _f("SIP-möte {datum} om {dlts} fortsatta planering.", SIP),
            _f("Samordnad individuell plan påbörjad av {soc} och {vard}.", SIP, KOM, REG),
            _f("SIP enl {hsl164} och {csip}, kallelse till {fk}.", SIP, FK),
        ),
        middles=(
            _f(
                "{fk} och {af} tackade nej med hänvisning till att de inte är skyldiga att delta.",
                FK,
                AF,
            ),
            _f("{fk} avböjde att delta i SIP:en.", FK, SIP),
            _f(
                "Enligt {hsl164} och {csip} är bara kommunen och regionen skyldiga att delta.",
                SIP,
                KOM,
                REG,
            ),
            _f(
                "Planen saknar därför både försörjningsdelen och arbetsdelen.",
            ),
            _f("{af} kom men {fk} skickade bara ett mejl.", AF, FK),
            _f("{soc} och {vard} genomförde mötet på egen hand.", KOM, REG),
            _f("{fk} deltar bara om det finns ett pågående ärende.", FK),
        ),
    ),
    "af_fk_information": _Story(
        openers=(
            _f("{fk} väntar på {afs} underlag sedan {manader}.", FK, AF),
            _f(
                "{fk} begärde ut {afs} kartläggning med hänvisning till {c11031}.",
                FK,
                AF,
                SFB,
                SFB_110_31,
            ),
            _f("Underlag från {af} till {fk} dröjer, {dnr}.", AF, FK),
            _f("uppgifter från {af} har inte kommit till {fk} trots påminnelser.", AF, FK),
        ),
        middles=(
            _f("{af} säger att begäran aldrig kom fram.", AF),
            _f(
                "Enligt {c11031} ska {af} lämna uppgifterna, men inget händer.", SFB, SFB_110_31, AF
            ),
            _f("Uppgiftsskyldigheten i {c11031} verkar inte gälla i praktiken.", SFB, SFB_110_31),
            _f("Kravet på samverkan i {fl8} verkar inte räcka.", FL, FL_8),
            _f("{af} menade att det krävdes samtycke från {dlt}.", AF, OSL),
            _f("Under tiden väntar {dlt} på beslut om sjukpenning.", SFB),
            _f("Under tiden väntar {dlt} på beslut om aktivitetsersättning.", SFB),
            _f(
                "Ingen av myndigheterna kan visa när eller hur underlaget begärdes.",
            ),
        ),
    ),
    "young_activity_compensation": _Story(
        openers=(
            _f(
                "Ung deltagare med aktivitetsersättning sedan flera år, inga aktiviteter alls.", SFB
            ),
            _f(
                "{hon} har haft aktivitetsersättning från {fk} i tre år utan någon aktivitet.",
                SFB,
                FK,
            ),
            _f("AE sedan 19 års ålder, ingen planering framåt.", SFB),
            _f("{dlt} är i 20-årsåldern och har aktivitetsersättning men ingenting att göra.", SFB),
        ),
        middles=(
            _f(
                "{kom} har bara daglig verksamhet att erbjuda, vilket {hon} inte vill ha.",
                KOM,
                LSS,
                LSS_9,
            ),
            _f("LSS-handläggaren erbjuder daglig verksamhet enligt {lss9}.", KOM, LSS, LSS_9),
            _f("{fk} hänvisar till {af}, {af} säger att {hon} först måste bli bättre.", FK, AF),
            _f("{af} har inga insatser för unga med aktivitetsersättning.", AF, SFB),
            _f("Stöd via SIUS hade passat men {af} säger nej.", AF, F462, F462_1),
            _f("Lönebidrag är inte aktuellt enligt {af}.", AF, F462),
            _f(
                "{hon} sitter hemma och tappar motivationen.",
            ),
            _f("Daglig verksamhet är det enda som erbjuds.", LSS, LSS_9),
            _f("{fk} har inte kallat till något möte om aktiviteter.", FK),
        ),
    ),
    "finsam_withdrawal": _Story(
        openers=(
            _f(
                "{forb} finansierar hela tjänsten men {fks} och {afs} medarbetare i teamet har "
                "dragits tillbaka.",
                FORB,
                FINSAM,
                FK,
                AF,
            ),
            _f(
                "Insatsen som {forb} finansierar upphör {datum} och ingen part tar över.",
                FORB,
                FINSAM,
            ),
            _f("{fk} har dragit tillbaka sin handläggare från teamet.", FK),
            _f("{af} deltar inte längre i teamets möten.", AF),
        ),
        middles=(
            _f("Kvar finns bara {socs} och {vards} personal.", KOM, REG),
            _f(
                "{forb} har skrivit till båda myndigheterna men har inget mandat att kräva att "
                "personalen kommer tillbaka.",
                FORB,
                FINSAM,
            ),
            _f(
                "Enligt {fin7} kan förbundet finansiera men inte besluta att en part ska göra "
                "något.",
                FORB,
                FINSAM,
                FINSAM_7,
            ),
            _f(
                "Insatserna i gränslandet mellan parternas uppdrag har ingen ägare när pengarna "
                "tar slut.",
            ),
            _f("{af} säger att de inte längre har resurser för samverkan.", AF),
            _f("{fk} säger att samverkan inte längre är prioriterad.", FK),
            _f("Deltagare med sjukpenning har ingen direkt väg in till {fk} längre.", SFB, FK),
        ),
    ),
    "return_to_work_plan": _Story(
        openers=(
            _f(
                "{ag} har inte upprättat någon plan för återgång i arbete trots att "
                "sjukskrivningen varat i {manader}.",
                AG,
                SFB,
                SFB_30_6,
            ),
            _f(
                "plan för återgång i arbete saknas, dag 150 i rehabiliteringskedjan.", SFB, SFB_30_6
            ),
            _f("{fk} saknar uppgifter från {ag} inför dag 180.", FK, AG, SFB),
        ),
        middles=(
            _f("{fk} har inte följt upp planen enligt {c306}.", FK, SFB, SFB_30_6),
            _f("{ag} svarar inte på {fks} frågor om anpassning.", AG, FK),
            _f("{fk} fattar beslut utan att veta vad {ag} kan erbjuda.", FK, AG),
            _f("{lak} har föreslagit arbetsträning på deltid men ingen har frågat {ag}.", REG, AG),
            _f(
                "{ag} betalade sjuklön de första två veckorna och har sedan inte hörts av.",
                AG,
                SJUKLON,
            ),
            _f("Någon plan enligt {c306} har aldrig upprättats.", SFB, SFB_30_6),
        ),
    ),
    "medical_certificate_quality": _Story(
        openers=(
            _f(
                "{fk} har returnerat läkarintyget för sjukpenning två gånger med begäran om "
                "komplettering.",
                FK,
                SFB,
            ),
            _f("{fk} underkänner {vards} intyg enligt {c2725}.", FK, REG, SFB, SFB_27_25),
            _f("Läkarintyget enl {c2725} anses för tunt av {fk}.", SFB, SFB_27_25, FK),
            _f("intyget till {fk} räcker inte enligt handläggaren ({c2725}).", FK, SFB, SFB_27_25),
        ),
        middles=(
            _f("{lak} menar att allt som behövs redan står i intyget.", REG),
            _f("{vard} har inte tid att komplettera inom {veckor}.", REG),
            _f(
                "{fk} vill ha aktivitetsbegränsningar beskrivna på ett sätt som {vard} inte "
                "använder.",
                FK,
                REG,
            ),
            _f("Under tiden betalas ingen sjukpenning ut.", SFB),
            _f(
                "{fk} har begärt intyg från första dagen med stöd av läkarintygsförordningen.",
                FK,
                LAKINTYG_F,
            ),
            _f("{fk} har beställt en AFU för att få ett bättre underlag.", FK, AFU, AFU_F),
            _f("Frågan har lyfts i eskaleringsordningen mellan {vard} och {fk}.", REG, FK),
            _f("Kraven på intyget enligt {c2725} tolkas olika.", SFB, SFB_27_25),
        ),
    ),
    "local_wage_subsidy_stop": _Story(
        openers=(
            _f("Af-kontoret här har stoppat nya beslut om lönebidrag sedan {datum}.", AF, F462),
            _f(
                "{ag} vill anställa {dlt} med lönebidrag men {af} har ett lokalt stopp.",
                AG,
                AF,
                F462,
            ),
            _f("lokalt stopp för lönebidrag hos {af} igen.", AF, F462),
        ),
        middles=(
            _f("SIUS-konsulenten har också slutat komma ut till arbetsplatsen.", AF, F462, F462_1),
            _f("Stödet via SIUS enligt {c4621} är pausat.", F462, F462_1),
            _f("{ag} är positiv men kan inte vänta hur länge som helst.", AG),
            _f(
                "Andra kontor i länet verkar inte ha samma stopp.",
            ),
            _f("Platsen hos {ag} riskerar att gå till någon annan.", AG),
        ),
    ),
}

# Coverage: at least one fragment per tag that names it, used when the story did not.
_MENTIONS: dict[str, tuple[_Fragment, ...]] = {
    FK: (
        _f("{fk} har informerats men inte återkommit.", FK),
        _f("Kontakt har tagits med {fk}.", FK),
        _f("{fks} handläggare har bytts ut två gånger.", FK),
        _f("{fk} har inte svarat på vår fråga.", FK),
    ),
    AF: (
        _f("{af} har inte hörts av på {veckor}.", AF),
        _f("Vi har stämt av med {af}.", AF),
        _f("{afs} handläggare är sjukskriven och ingen ersättare finns.", AF, SFB),
        _f("{af} hänvisar till en leverantör.", AF),
    ),
    KOM: (
        _f("Vi har informerat {soc}.", KOM),
        _f("{kom} har inget att erbjuda just nu.", KOM),
        _f("Vi har stämt av med {soc}.", KOM),
    ),
    REG: (
        _f("Vi har informerat {vard}.", REG),
        _f("{hon} har kontakt med {vard}.", REG),
        _f("{lak} har inte hörts av.", REG),
    ),
    AKA: (
        _f("{akassa} har inte fattat beslut ännu.", AKA, ALF),
        _f("{akassa} nekar ersättning.", AKA, ALF),
    ),
    CSN: (
        _f("{csn} har inte svarat.", CSN),
        _f("{csn} kräver att en gammal skuld regleras först.", CSN),
    ),
    MIG: (_f("{migr} har inte skickat uppgifterna.", MIG), _f("Beslut från {migr} dröjer.", MIG)),
    KFM: (_f("{kfm} har ett pågående ärende.", KFM), _f("Skulderna ligger hos {kfm}.", KFM)),
    SKV: (_f("{skv} har inte registrerat flytten.", SKV),),
    PM: (_f("{pm} har inte svarat.", PM),),
    KRIM: (
        _f("{krim} har inte haft kontakt med oss inför frigivningen.", KRIM),
        _f("{krim} menar att det är någon annans ansvar.", KRIM),
    ),
    FORB: (
        _f("{forb} har informerats.", FORB, FINSAM),
        _f("Insatsen finansieras av {forb}.", FORB, FINSAM),
    ),
    AG: (_f("{ag} har inte hörts av.", AG), _f("{ag} vill gärna ha kvar {henne}.", AG)),
    SFB: (
        _f("{hon} är sjukskriven sedan {manader} tillbaka.", SFB),
        _f("Sjukpenningen är beviljad till {datum}.", SFB),
        _f("{hon} har halv sjukersättning.", SFB),
    ),
    SFB_27_48: (
        _f("Prövning mot normalt förekommande arbete är gjord.", SFB, SFB_27_48),
        _f("Se {c48}.", SFB, SFB_27_48),
    ),
    SFB_27_2: (_f("Beslutet grundas på {c272}.", SFB, SFB_27_2),),
    SFB_27_25: (_f("Intyget ska uppfylla kraven i {c2725}.", SFB, SFB_27_25),),
    SFB_26: (_f("SGI-skyddet enligt {c26} har brutits.", SFB, SFB_26),),
    SFB_30: (_f("Ingen samordning enligt {c30} har kommit igång.", SFB, SFB_30),),
    SFB_30_6: (_f("Plan för återgång i arbete saknas.", SFB, SFB_30_6),),
    SFB_110_31: (_f("Uppgifterna borde lämnas enligt {c11031}.", SFB, SFB_110_31),),
    OSL: (
        _f("Sekretessen hindrar oss från att stämma av.", OSL),
        _f("Samtycke saknas för att dela uppgifterna.", OSL),
    ),
    OSL_28_11: (_f("Sekretess enligt {osl2811} anges som skäl.", OSL, OSL_28_11),),
    OSL_28_1: (_f("Sekretess enligt {osl281} anges som skäl.", OSL, OSL_28_1),),
    OSL_26_1: (_f("Uppgifterna omfattas av {osl261}.", OSL, OSL_26_1),),
    OSL_25_1: (_f("Uppgifterna omfattas av {osl251}.", OSL, OSL_25_1),),
    OSL_10_1: (_f("Samtycke enligt {osl101} finns.", OSL, OSL_10_1),),
    F628: (
        _f("{hon} är inskriven som arbetssökande sedan {datum}.", F628),
        _f("{hon} är inskriven på {af}.", F628, AF),
    ),
    F628_6: (
        _f("Handlingsplanen har inte uppdaterats sedan i fjol.", F628, F628_6),
        _f("Handlingsplan enligt {c6286} saknas.", F628, F628_6),
    ),
    F634: (
        _f("Arbetspraktiken avbröts efter två veckor.", F634),
        _f("{hon} är anvisad till ett program.", F634, L625),
    ),
    L625: (
        _f("{hon} är anvisad till ett program.", F634, L625),
        _f("Anvisningen dröjer.", F634, L625),
    ),
    F819: (
        _f("Aktivitetsstödet betalas ut i efterhand.", F819),
        _f("Enligt förordningen (2017:819) finns ingen annan ersättning att få.", F819),
    ),
    F819_2_1: (_f("Se {c8192}.", F819, F819_2_1),),
    F819_4_1: (_f("Ersättning vid sjukdom enligt {c8194} gäller.", F819, F819_4_1),),
    F819_5_2A: (_f("Ersättningen stoppades enligt {c8195}.", F819, F819_5_2A),),
    HSL: (_f("Någon SIP har inte hållits.", SIP), _f("SIP är inte aktuell än.", SIP)),
    HSL_16_4: (_f("Någon samordnad individuell plan finns inte.", SIP),),
    SOL_SIP: (_f("SIP är begärd men inte kallad.", SIP),),
    SOL: (
        _f("{hon} har försörjningsstöd.", SOL),
        _f("Ekonomiskt bistånd beviljas månad för månad.", SOL),
        _f("{hon} lever på försörjningsstöd, {belopp} i månaden.", SOL),
    ),
    SOL_LAW: (_f("Det finns ett återkrav på tidigare bistånd.", SOL_LAW),),
    SOL_PRAKTIK: (_f("{hon} har kommunal praktik tre dagar i veckan.", SOL_PRAKTIK),),
    ALF: (_f("{akassa} har inte fattat beslut ännu.", AKA, ALF),),
    JOB: (_f("{hon} är i jobb- och utvecklingsgarantin.", JOB),),
    UGA: (_f("{hon} är i jobbgarantin för ungdomar.", UGA),),
    F462: (_f("Lönebidrag har diskuterats men inte beviljats.", F462),),
    F462_1: (_f("SIUS har inte kommit igång.", F462, F462_1),),
    F462_37: (_f("{hon} väntar på skyddat arbete hos Samhall.", F462, F462_37),),
    INTRO: (_f("Ett introduktionsjobb var på gång.", INTRO),),
    NYSTART: (_f("{hon} har ett nystartsjobb på deltid.", NYSTART),),
    LSS: (_f("{hon} har daglig verksamhet två dagar i veckan.", LSS, LSS_9),),
    LSS_9: (_f("Daglig verksamhet enligt {lss9} finns.", LSS, LSS_9),),
    KOORD: (
        _f("Koordineringsinsatser har inte erbjudits.", KOORD),
        _f("Rehabkoordinatorn på {vard} har inte kopplats in.", KOORD, REG),
    ),
    AFU: (_f("En AFU är beställd men inte gjord.", AFU, AFU_F),),
    AFU_F: (_f("En AFU är beställd men inte gjord.", AFU, AFU_F),),
    SJUKLON: (_f("Sjuklön betalades de första två veckorna.", SJUKLON),),
    LAKINTYG_F: (_f("Intyg krävs från första dagen enligt läkarintygsförordningen.", LAKINTYG_F),),
    STUDIE: (_f("Studiemedel är inte beviljat.", STUDIE),),
    SKULD: (_f("{hon} har ansökt om skuldsanering.", SKULD),),
    UB: (_f("{hon} har löneutmätning.", UB),),
    FB: (_f("God man är ansökt men inte utsedd.", FB),),
    LMA: (_f("Dagersättningen upphörde {datum}.", LMA),),
    BIDRAGSBROTT: (_f("Misstanke om bidragsbrott har utretts och lagts ner.", BIDRAGSBROTT),),
    UNDERRATT: (_f("En underrättelse om felaktig utbetalning har skickats.", UNDERRATT),),
    SSBTEK: (_f("Uppgifterna i SSBTEK var inte uppdaterade.", SSBTEK, SOL_LAW),),
    FINSAM: (_f("Insatsen finansieras via Finsam.", FINSAM),),
    FINSAM_7: (
        _f("Enligt {fin7} kan förbundet bara finansiera och följa upp.", FORB, FINSAM, FINSAM_7),
    ),
    LVM: (_f("Efter vård enligt LVM fanns ingen plan för fortsättningen.", LVM),),
    LPT: (_f("{hon} skrevs nyligen ut från tvångsvård enligt LPT.", LPT),),
    ETAB: (_f("{hon} deltar i etableringsprogrammet.", ETAB),),
    BOSATT: (_f("Bosättningslagen styrde var familjen hamnade.", BOSATT),),
    FL: (_f("Samverkansskyldigheten i {fl8} följs inte.", FL, FL_8),),
    FL_8: (_f("Samverkansskyldigheten i {fl8} följs inte.", FL, FL_8),),
}
# Order in which uncovered tags are mentioned: provisions first (they cover their laws).
_MENTION_ORDER = {"p": 0, "@": 1, "l": 2, "a": 3}

# Generic sentences about two agencies, for noise texts.
_PAIR_TEMPLATES = (
    "{A} och {B} ger olika besked om vem som ansvarar.",
    "{A} hänvisar till {B} och {B} hänvisar tillbaka.",
    "{A} väntar på besked från {B}.",
    "Ingen samordning mellan {A} och {B}.",
    "{A} och {B} har inte haft kontakt trots att vi bett om det.",
    "{A} anser att ansvaret ligger hos {B}.",
    "Vi har försökt få {A} och {B} till samma bord utan resultat.",
    "{A} har skickat frågan vidare till {B} utan att någon tagit den.",
)
_PAIR_KEYS = {
    FK: "fk",
    AF: "af",
    KOM: "soc",
    REG: "vard",
    CSN: "csn",
    MIG: "migr",
    KFM: "kfm",
    SKV: "skv",
    PM: "pm",
    KRIM: "krim",
    AG: "ag",
    AKA: "akassa",
}
_PAIR_OPENERS: dict[tuple[str, str], tuple[_Fragment, ...]] = {
    (a, b): tuple(
        _f(
            t.replace("{A}", "{" + ka + "}").replace("{B}", "{" + kb + "}"),
            a,
            b,
            *_COMPANIONS.get(a, ()),
            *_COMPANIONS.get(b, ()),
        )
        for t in _PAIR_TEMPLATES
    )
    for a, ka in _PAIR_KEYS.items()
    for b, kb in _PAIR_KEYS.items()
    if a != b
}
_GENERIC_OPENERS = tuple(
    _f(t)
    for t in (
        "{dlt} har kontakt med flera myndigheter samtidigt och ingen har helheten.",
        "Flera parter är inblandade men ingen tar samordningen.",
        "{dlt} har fått motstridiga besked.",
        "Ärende där reglerna drar åt olika håll.",
    )
)


def _noise_openers(tags: set[str]) -> list[_Fragment]:
    """Sentences about two of the deviation's agencies, found by pair rather than by scanning."""
    agencies = sorted(t for t in tags if t in _PAIR_KEYS)
    out = list(_GENERIC_OPENERS)
    for a in agencies:
        for b in agencies:
            if a != b:
                out.extend(_PAIR_OPENERS[a, b])
    return out


# --- planted knots ------------------------------------------------------------------------------
_NO_INCOME_SEVERITY = (0.02, 0.1, 0.45, 0.43)
_MID_SEVERITY = (0.08, 0.32, 0.42, 0.18)
_OLDER = (0, 8, 20, 30, 30, 12)

_KNOTS: tuple[PlantedKnot, ...] = (
    PlantedKnot(
        key="after_day_180",
        title="För frisk för FK, för sjuk för Af efter dag 180",
        tags=(FK, AF, KOM, SFB, SFB_27_48),
        weight=14,
        trend="rising",
        category="rule_conflict",
        consequences=(
            ("no_income", 5),
            ("contradictory_demands", 3.5),
            ("health_deterioration", 1.5),
        ),
        severity=_NO_INCOME_SEVERITY,
        context=(((SOL,), 0.6), ((REG,), 0.35), ((F628,), 0.3)),
        age_weights=_OLDER,
    ),
    PlantedKnot(
        key="sick_pay_denied_soc",
        title="Nekad sjukpenning – soc underkänner läkarintyget",
        tags=(FK, KOM, REG, SFB, SFB_27_2),
        weight=8,
        trend="flat",
        category="rule_conflict",
        consequences=(("no_income", 6), ("contradictory_demands", 3), ("other", 1)),
        severity=_NO_INCOME_SEVERITY,
        context=(((SOL,), 0.85),),
        age_weights=_OLDER,
    ),
    PlantedKnot(
        key="sgi_zeroed",
        title="Nollad SGI efter glapp i inskrivningen hos Af",
        tags=(AF, FK, F628, SFB, SFB_26),
        weight=9,
        trend="rising",
        category="payment_gap",
        consequences=(("lost_entitlement", 6), ("no_income", 3.5), ("other", 0.5)),
        severity=_NO_INCOME_SEVERITY,
        context=(((F819,), 0.35), ((KOM, SOL), 0.25)),
    ),
    PlantedKnot(
        key="zero_sgi_social_assistance",
        title="Sjuk utan SGI på försörjningsstöd",
        tags=(KOM, REG, SFB, SFB_30),
        weight=7,
        trend="flat",
        category="work_capacity",
        consequences=(
            ("delayed_support", 4),
            ("health_deterioration", 3),
            ("contradictory_demands", 3),
        ),
        severity=_MID_SEVERITY,
        context=(((SOL,), 0.9), ((FK,), 0.45)),
    ),
    PlantedKnot(
        key="secrecy",
        title="Sekretessen hindrar en gemensam bild",
        tags=(AF, KOM, REG, OSL),
        weight=9,
        trend="flat",
        category="information_secrecy",
        consequences=(("delayed_support", 5), ("interrupted_support", 3), ("other", 2)),
        severity=(0.15, 0.45, 0.3, 0.1),
        context=(
            ((OSL_28_11,), 0.4),
            ((OSL_26_1,), 0.3),
            ((OSL_25_1,), 0.3),
            ((OSL_10_1,), 0.15),
            ((FK,), 0.3),
        ),
    ),
    PlantedKnot(
        key="activity_support_referral",
        title="Aktivitetsstöd uteblir när Af:s anvisning dröjer",
        tags=(AF, FK, F634, F819, L625),
        weight=6,
        trend="fading",
        category="waiting_time",
        consequences=(("no_income", 6), ("delayed_support", 4)),
        severity=_NO_INCOME_SEVERITY,
        context=(((F819_2_1,), 0.4), ((KOM, SOL), 0.55), ((JOB, F628), 0.2), ((UGA,), 0.1)),
    ),
    PlantedKnot(
        key="sick_in_programme",
        title="Sjuk i Af-program: aktivitetsstöd i stället för sjukpenning",
        tags=(AF, FK, F819, F819_4_1, SFB),
        weight=6,
        trend="flat",
        category="rule_conflict",
        consequences=(
            ("lost_entitlement", 4),
            ("health_deterioration", 4),
            ("contradictory_demands", 2),
        ),
        severity=_MID_SEVERITY,
        context=(((REG,), 0.65), (ANVISNING, 0.3), ((JOB,), 0.2)),
    ),
    PlantedKnot(
        key="sip_state_agencies",
        title="SIP binder inte FK och Af",
        tags=(FK, HSL, HSL_16_4, KOM, REG),
        weight=8,
        trend="rising",
        category="coordination",
        consequences=(("interrupted_support", 5), ("delayed_support", 4), ("other", 1)),
        severity=(0.1, 0.45, 0.35, 0.1),
        context=(((SOL_SIP,), 1.0), ((AF,), 0.75)),
    ),
    PlantedKnot(
        key="af_fk_information",
        title="Långsam informationsöverföring mellan Af och FK",
        tags=(AF, FK, SFB, SFB_110_31),
        weight=6,
        trend="flat",
        category="waiting_time",
        consequences=(("delayed_support", 7), ("no_income", 2), ("other", 1)),
        severity=_MID_SEVERITY,
        context=(((FL, FL_8), 0.35), ((OSL,), 0.2)),
    ),
    PlantedKnot(
        key="young_activity_compensation",
        title="Unga med aktivitetsersättning utan aktivitet",
        tags=(FK, KOM, LSS, LSS_9, SFB),
        weight=6,
        trend="flat",
        category="responsibility_gap",
        consequences=(("interrupted_support", 5), ("health_deterioration", 3), ("other", 2)),
        severity=(0.1, 0.45, 0.35, 0.1),
        context=(((AF,), 0.7), ((F462,), 0.2), ((F462, F462_1), 0.15)),
        age_weights=(14, 84, 2, 0, 0, 0),
        gender_weights=(40, 55, 2, 3),
    ),
    PlantedKnot(
        key="finsam_withdrawal",
        title="Statliga parter drar sig ur det gemensamma teamet",
        tags=(AF, FINSAM, FK, FORB),
        weight=5,
        trend="rising",
        category="coordination",
        consequences=(("interrupted_support", 7), ("delayed_support", 3)),
        severity=(0.1, 0.4, 0.4, 0.1),
        context=(((FINSAM_7,), 0.4), ((KOM,), 0.5), ((REG,), 0.5)),
    ),
    PlantedKnot(
        key="return_to_work_plan",
        title="Plan för återgång i arbete saknas före dag 180",
        tags=(AG, FK, SFB, SFB_30_6),
        weight=5,
        trend="flat",
        category="responsibility_gap",
        consequences=(("delayed_support", 5), ("lost_entitlement", 3), ("other", 2)),
        severity=_MID_SEVERITY,
        context=(((REG,), 0.4), ((SJUKLON,), 0.15)),
    ),
    PlantedKnot(
        key="medical_certificate_quality",
        title="Oenighet om läkarintygens kvalitet, FK och regionen",
        tags=(FK, REG, SFB, SFB_27_25),
        weight=6,
        trend="flat",
        category="work_capacity",
        consequences=(("delayed_support", 6), ("no_income", 3), ("other", 1)),
        severity=_MID_SEVERITY,
        context=(((LAKINTYG_F,), 0.15), ((AFU, AFU_F), 0.2)),
    ),
    PlantedKnot(
        key="local_wage_subsidy_stop",
        title="Lokalt stopp för lönebidrag och SIUS (ett kontor)",
        tags=(AF, AG, F462, F462_1),
        weight=3,
        trend="flat",
        category="waiting_time",
        consequences=(("delayed_support", 7), ("other", 3)),
        severity=(0.2, 0.5, 0.25, 0.05),
        local=True,
    ),
)
PLANTED_KNOTS: Mapping[str, PlantedKnot] = MappingProxyType({k.key: k for k in _KNOTS})
KNOT_SHARE = 0.6


# --- noise --------------------------------------------------------------------------------------
def _cumulative(weights: Sequence[float]) -> list[float]:
    total = 0.0
    out = []
    for w in weights:
        total += w
        out.append(total)
    return out


class _Weighted[T]:
    """A weighted choice with the cumulative weights computed once (rng.choices redoes them)."""

    __slots__ = ("cum", "items", "total")

    def __init__(self, items: Sequence[T], weights: Sequence[float]) -> None:
        self.items = tuple(items)
        self.cum = _cumulative(weights)
        self.total = self.cum[-1]

    def pick(self, rng: Random) -> T:
        return self.items[bisect(self.cum, rng.random() * self.total)]


_AGENCY_WEIGHTS: tuple[tuple[str, float], ...] = (
    (FK, 1.5),
    (KOM, 7),
    (AF, 4),
    (REG, 6),
    (AKA, 1.2),
    (CSN, 1),
    (MIG, 0.8),
    (KFM, 1),
    (SKV, 0.5),
    (PM, 0.4),
    (KRIM, 0.6),
    (FORB, 1),
    (AG, 1.2),
)
# (tags, owning agency or None, weight)
_NOISE_BUNDLES: tuple[tuple[tuple[str, ...], str | None, float], ...] = (
    ((SFB,), FK, 3),
    ((SFB, SFB_27_48), FK, 0.4),
    ((SFB, SFB_30_6), AG, 0.3),
    ((SFB, SFB_27_25), FK, 0.2),
    ((SOL,), KOM, 3),
    ((SOL_LAW,), KOM, 0.5),
    ((SOL_PRAKTIK,), KOM, 0.6),
    ((SSBTEK, SOL_LAW), KOM, 0.3),
    ((F628,), AF, 2),
    ((F628, F628_6), AF, 1),
    (ANVISNING, AF, 1),
    ((F634,), AF, 0.4),
    ((F819,), AF, 1.5),
    ((F819, F819_5_2A, SFB), AF, 0.3),
    ((JOB,), AF, 0.5),
    ((UGA,), AF, 0.4),
    ((F462,), AF, 0.6),
    ((F462, F462_37), AF, 0.4),
    ((INTRO,), AF, 0.3),
    ((NYSTART,), AF, 0.3),
    ((ETAB,), AF, 0.3),
    (SIP, KOM, 0.5),
    ((LSS, LSS_9), KOM, 0.4),
    ((KOORD,), REG, 0.6),
    ((AFU, AFU_F), REG, 0.4),
    ((SJUKLON,), AG, 0.3),
    ((OSL,), None, 1),
    ((STUDIE,), CSN, 0.5),
    ((SKULD,), KFM, 0.3),
    ((UB,), KFM, 0.4),
    ((FB,), None, 0.3),
    ((LMA,), MIG, 0.3),
    ((BIDRAGSBROTT,), None, 0.2),
    ((UNDERRATT,), None, 0.2),
    ((LVM,), KOM, 0.2),
    ((LPT,), REG, 0.2),
    ((BOSATT,), KOM, 0.15),
    ((FL, FL_8), None, 0.2),
    ((ALF, AKA), AKA, 0.5),
)
_ANY_BUNDLE = _Weighted(_NOISE_BUNDLES, [w for _b, _o, w in _NOISE_BUNDLES])
_BUNDLES_BY_OWNER: dict[str, _Weighted[tuple[str, ...]]] = {
    owner: _Weighted(
        [b for b, o, _w in _NOISE_BUNDLES if o == owner],
        [w for _b, o, w in _NOISE_BUNDLES if o == owner],
    )
    for owner in sorted({o for _b, o, _w in _NOISE_BUNDLES if o is not None})
}
_NOISE_AGENCY_COUNT = _Weighted((1, 2, 3, 4), (30, 40, 20, 10))
_NOISE_BUNDLE_COUNT = _Weighted((0, 1, 2, 3), (20, 40, 30, 10))
_EXTRA_COUNT = _Weighted((0, 1, 2), (35, 45, 20))
_NOISE_CATEGORY = _Weighted(CATEGORIES, (1.5, 1.5, 1.2, 1, 1.2, 1, 1.5, 2.5))
_NOISE_CONSEQUENCE = _Weighted(CONSEQUENCES, (1, 1.5, 1.2, 1, 0.6, 1, 2.5))
_NOISE_SEVERITY = _Weighted((1, 2, 3, 4), (0.3, 0.4, 0.22, 0.08))
_NOISE_GENDER = _Weighted(GENDERS, (53, 41, 1, 5))
_NOISE_AGE = _Weighted(AGE_BANDS, (3, 20, 25, 24, 20, 8))

_SEASON = (1.0, 1.05, 1.05, 1.0, 1.0, 0.85, 0.4, 0.8, 1.1, 1.1, 1.05, 0.8)  # July is quiet
_TREND_BUCKETS = 100


def _trend_factor(trend: str, frac: float) -> float:
    """Multiplier on a knot's share over the period: reporting of rising knots takes off late."""
    if trend == "rising":
        return 0.6 + 2.0 * max(0.0, frac - 0.6) / 0.4
    if trend == "fading":
        return 1.8 - 1.5 * frac
    return 1.0


@dataclass(frozen=True, slots=True)
class _KnotDraw:
    """A knot's fixed weighted choices, built once per call rather than per deviation."""

    knot: PlantedKnot
    story: _Story
    units: _Weighted[int]
    consequence: _Weighted[str]
    severity: _Weighted[int]
    gender: _Weighted[str]
    age: _Weighted[str]
    droppable: tuple[str, ...]


class _Plan:
    """Per-call choices that stay fixed for the whole run: where knots live, their shares."""

    def __init__(self, rng: Random, units: Sequence[DemoUnit]) -> None:
        indices = range(len(units))
        self.units = _Weighted(indices, [len(u.municipalities) ** 0.8 for u in units])
        # Each knot is more common in some places than others, as real knots are.
        self.knots = [
            _KnotDraw(
                knot=k,
                story=_STORIES[k.key],
                units=_Weighted(
                    indices, [len(u.municipalities) ** 0.8 * rng.uniform(0.4, 1.6) for u in units]
                ),
                consequence=_Weighted(
                    [c for c, _w in k.consequences], [w for _c, w in k.consequences]
                ),
                severity=_Weighted((1, 2, 3, 4), k.severity),
                gender=_Weighted(GENDERS, k.gender_weights),
                age=_Weighted(AGE_BANDS, k.age_weights),
                droppable=tuple(
                    t for t in k.tags if t.startswith("agency:") and t not in _COMPANIONS
                ),
            )
            for k in _KNOTS
        ]
        decoy_unit = rng.randrange(len(units))
        self.decoy = (decoy_unit, _choice(rng, units[decoy_unit].municipalities))
        self.by_bucket = [
            _Weighted(
                self.knots, [k.weight * _trend_factor(k.trend, b / _TREND_BUCKETS) for k in _KNOTS]
            )
            for b in range(_TREND_BUCKETS + 1)
        ]


def _day_weights(start: date, days: int) -> list[float]:
    """Reporting grows as the system is adopted, with a summer dip."""
    out = []
    for offset in range(days + 1):
        day = start + timedelta(days=offset)
        frac = offset / days if days else 1.0
        out.append((0.3 + 0.7 * frac) * _SEASON[day.month - 1])
    return out


def _try_add(tags: set[str], bundle: Sequence[str], eras: tuple[bool, bool]) -> bool:
    """Add a bundle (with its companions) unless the deviation would exceed MAX_TAGS."""
    extra = set(bundle)
    for tag in bundle:
        extra.update(_COMPANIONS.get(tag, ()))
    candidate = tags | extra
    upper_bound = len(candidate) + sum(1 for t in candidate if t[0] == "@")
    if upper_bound > MAX_TAGS and len(_resolve(candidate, *eras)) > MAX_TAGS:
        return False
    tags.update(extra)
    return True


def _pick_agencies(rng: Random, k: int, exclude: set[str]) -> list[str]:
    """Weighted sampling without replacement; the hubs FK, KOMMUN, AF and REGION dominate."""
    pool = [(a, w) for a, w in _AGENCY_WEIGHTS if a not in exclude]
    chosen: list[str] = []
    while pool and len(chosen) < k:
        r = rng.random() * sum(w for _a, w in pool)
        i = 0
        while i < len(pool) - 1 and r >= pool[i][1]:
            r -= pool[i][1]
            i += 1
        chosen.append(pool.pop(i)[0])
    return chosen


def _noise_tags(rng: Random, eras: tuple[bool, bool]) -> set[str]:
    agencies = _pick_agencies(rng, _NOISE_AGENCY_COUNT.pick(rng), set())
    tags: set[str] = set()
    for agency in agencies:
        _try_add(tags, (agency,), eras)
    for _ in range(_NOISE_BUNDLE_COUNT.pick(rng)):
        owned = [a for a in agencies if a in _BUNDLES_BY_OWNER]
        if owned and rng.random() < 0.8:
            bundle = _BUNDLES_BY_OWNER[_choice(rng, owned)].pick(rng)
        else:
            bundle, owner, _w = _ANY_BUNDLE.pick(rng)
            if owner is not None and owner not in tags and len(agencies) < 4:
                bundle = (*bundle, owner)
        _try_add(tags, bundle, eras)
    return tags


def _knot_tags(rng: Random, draw: _KnotDraw, eras: tuple[bool, bool]) -> set[str]:
    """Core tags, realistic dropout of one agency, the knot's context and unrelated extras."""
    knot = draw.knot
    tags = set(knot.tags)
    if draw.droppable and rng.random() < 0.10:
        tags.discard(_choice(rng, draw.droppable))
    for bundle, probability in knot.context:
        if rng.random() < probability:
            _try_add(tags, bundle, eras)
    banned = set(knot.tags)
    for _ in range(_EXTRA_COUNT.pick(rng)):
        if rng.random() < 0.3:
            extra: tuple[str, ...] = tuple(_pick_agencies(rng, 1, banned | tags))
        else:
            extra = _ANY_BUNDLE.pick(rng)[0]
            if banned.intersection(extra):
                continue
        _try_add(tags, extra, eras)
    return tags


# --- description --------------------------------------------------------------------------------
MIN_LENGTH, MAX_LENGTH = 150, 700
_MIDDLE_COUNT = _Weighted((1, 2, 3), (30, 45, 25))


def _coverage(rng: Random, tags: set[str], covered: set[str]) -> list[_Fragment]:
    """One mention for each tag the chosen sentences did not already name."""
    out = []
    covered = set(covered)
    for tag in sorted(tags - covered, key=lambda t: (_MENTION_ORDER[t[0]], t)):
        if tag in covered:
            continue
        options = [f for f in _MENTIONS[tag] if f.needs <= tags]
        if not options:
            raise RuntimeError(f"no mention fragment fits {tag!r} in {sorted(tags)}")
        chosen = _choice(rng, options)
        out.append(chosen)
        covered |= chosen.needs
    return out


def _describe(rng: Random, text: _Text, tags: set[str], story: _Story | None) -> str:
    """Compose a description that names every tag and implies none it does not have."""
    if story is None:
        pool = [f for f in _noise_openers(tags) if f.needs <= tags]
        openers, wanted = pool, rng.randint(0, 1)
    else:
        openers = [f for f in story.openers if f.needs <= tags]
        pool = [f for f in story.middles if f.needs <= tags]
        wanted = _MIDDLE_COUNT.pick(rng)
    chosen: list[_Fragment] = []
    covered: set[str] = set()
    if openers:
        first = _choice(rng, openers)
        chosen.append(first)
        covered |= first.needs
    for _ in range(wanted):
        candidates = [f for f in pool if f not in chosen]
        if not candidates:
            break
        useful = [f for f in candidates if not f.needs <= covered]
        pick = _choice(rng, useful if useful and rng.random() < 0.85 else candidates)
        chosen.append(pick)
        covered |= pick.needs
    mentions = _coverage(rng, tags, covered)
    while len(chosen) > 1 and sum(f.size for f in chosen + mentions) > MAX_LENGTH - 120:
        chosen.pop()
        covered = set().union(*(f.needs for f in chosen))
        mentions = _coverage(rng, tags, covered)
    body = chosen + mentions
    if len(body) > 2:  # the mentions need not come last
        rest = body[1:]
        rng.shuffle(rest)
        body[1:] = rest
    sentences = [text.render(f) for f in body]
    length = sum(len(s) + 1 for s in sentences)
    if story is not None and rng.random() < 0.4:
        closer = text.render(_choice(rng, _CLOSERS))
        if length + len(closer) < MAX_LENGTH:
            sentences.append(closer)
            length += len(closer) + 1
    wants_filler = rng.random() < 0.35
    tried = 0
    while (length < MIN_LENGTH + 10 or wants_filler) and tried < 6:
        wants_filler = False
        tried += 1
        filler = text.render(_choice(rng, _FILLERS))
        if length + len(filler) >= MAX_LENGTH or filler in sentences:
            continue
        sentences.insert(rng.randint(1, len(sentences)), filler)
        length += len(filler) + 1
    if rng.random() >= 0.15:  # most staff capitalise; some write fast notes in lower case
        sentences = [s[0].upper() + s[1:] for s in sentences]
    return " ".join(sentences)


# --- public entry point -------------------------------------------------------------------------
# occurred_on, generation index, then DemoDeviation's fields after occurred_on
_Draft = tuple[date, int, str, str, str, str, str, int, str, str, tuple[str, ...], str | None]


def generate_deviations(
    *, n: int, seed: int, units: Sequence[DemoUnit], start: date, end: date
) -> list[DemoDeviation]:
    """Generate `n` synthetic deviations between `start` and `end`, the same for the same input.

    About 60% belong to a planted knot (PLANTED_KNOTS), the rest is plausible noise. The list is
    sorted by occurred_on, then external_id; ids are `demo-%06d` by that position.
    """
    if n < 0:
        raise ValueError("n must not be negative")
    if end < start:
        raise ValueError("end is before start")
    if not units or any(not u.municipalities for u in units):
        raise ValueError("every demo unit needs at least one municipality")
    rng = Random(seed)
    units = tuple(units)
    days = (end - start).days
    plan = _Plan(rng, units)
    offsets = rng.choices(range(days + 1), cum_weights=_cumulative(_day_weights(start, days)), k=n)
    drafts: list[_Draft] = []
    for index, offset in enumerate(offsets):
        when = start + timedelta(days=offset)
        eras = (when >= NEW_SOL_FROM, when >= NEW_ALF_FROM)
        if rng.random() < KNOT_SHARE:
            bucket = round(offset / days * _TREND_BUCKETS) if days else _TREND_BUCKETS
            draw = plan.by_bucket[bucket].pick(rng)
            knot: PlantedKnot | None = draw.knot
            tags = _knot_tags(rng, draw, eras)
            if draw.knot.local:
                unit_i, municipality = plan.decoy
            else:
                unit_i = draw.units.pick(rng)
                municipality = _choice(rng, units[unit_i].municipalities)
            category = draw.knot.category if rng.random() < 0.8 else _choice(rng, CATEGORIES)
            consequence = draw.consequence.pick(rng)
            severity = draw.severity.pick(rng)
            gender = draw.gender.pick(rng)
            age_band = draw.age.pick(rng)
            story: _Story | None = draw.story
        else:
            knot = None
            tags = _noise_tags(rng, eras)
            unit_i = plan.units.pick(rng)
            municipality = _choice(rng, units[unit_i].municipalities)
            category = _NOISE_CATEGORY.pick(rng)
            consequence = _NOISE_CONSEQUENCE.pick(rng)
            severity = _NOISE_SEVERITY.pick(rng)
            gender = _NOISE_GENDER.pick(rng)
            age_band = _NOISE_AGE.pick(rng)
            story = None
        description = _describe(rng, _Text(rng, gender, eras[0]), tags, story)
        drafts.append(
            (
                when,
                index,
                municipality,
                units[unit_i].name,
                description,
                category,
                consequence,
                severity,
                gender,
                age_band,
                tuple(sorted(_resolve(tags, *eras))),
                knot.key if knot else None,
            )
        )
    drafts.sort(key=lambda d: (d[0], d[1]))
    return [DemoDeviation(f"demo-{i:06d}", d[0], *d[2:]) for i, d in enumerate(drafts, start=1)]
