"""The tagger on Swedish as staff write it: every form of reference, agency and everyday term
the tracker lists, the things it must never tag, and the evidence it must give for each tag.

Each case is a short text with the complete set of tags it must get, so an extra tag fails a
case as surely as a missing one. Pure: the catalogue comes from the JSON data files.
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalogue.tagging import TagSuggestion, suggest_tags
from catalogue.tagging.lexicon import TOKEN_RE, Tokens
from catalogue.tagging.references import find_references
from tests.catalogue.shipped import default_catalogue

BEFORE_NEW_SOL = date(2024, 5, 14)
AFTER_NEW_SOL = date(2025, 11, 3)

SFB, OSL, SOL_OLD, SOL_NEW = "law:2010:110", "law:2009:400", "law:2001:453", "law:2025:400"


def suggest(text: str, on: date = BEFORE_NEW_SOL) -> list[TagSuggestion]:
    return suggest_tags(text, on=on, catalogue=default_catalogue())


def tag_ids(text: str, on: date = BEFORE_NEW_SOL) -> set[str]:
    return {s.tag_id for s in suggest(text, on)}


def by_id(text: str, on: date = BEFORE_NEW_SOL) -> dict[str, TagSuggestion]:
    return {s.tag_id: s for s in suggest(text, on)}


# --- Statute references -----------------------------------------------------------------------

SFS_NUMBERS = [
    pytest.param(
        "FK hänvisar till socialförsäkringsbalken (2010:110) i beslutet",
        {"agency:FK", SFB},
        id="name-with-sfs-in-parentheses",
    ),
    pytest.param(
        "soc har avslagit, se SFS 2001:453, men hon kan inte söka jobb",
        {"agency:KOMMUN", SOL_OLD},
        id="sfs-prefix",
    ),
    pytest.param(
        "ersättningen regleras i förordningen ( 2017:819 ) och inget annat",
        {"law:2017:819"},
        id="sfs-with-spaces-in-parentheses",
    ),
    pytest.param(
        "arbetsgivaren hänvisade till lagen (1982:80) om anställningsskydd",
        {"agency:ARBETSGIVARE", "law:1982:80"},
        id="law-not-in-catalogue",
    ),
    pytest.param(
        "beslut enl lag (2022:1250) om något helt annat, ingen vet vem som äger frågan",
        {"law:2022:1250"},
        id="unknown-law-lower-case-enl",
    ),
    pytest.param(
        "socialtjänstlagen (2001:453) gäller fortfarande för beslutet",
        {SOL_OLD},
        id="explicit-old-sol-after-the-new-law",
    ),
]

CHAPTER_SECTION = [
    pytest.param(
        "FK avslog enl 27 kap. 48 § SFB",
        {"agency:FK", SFB, "prov:2010:110#K27P48"},
        id="chapter-section-abbreviation",
    ),
    pytest.param(
        "avslag 27 kap 48§ sfb, pröva mot hela arbetsmarknaden",
        {SFB, "prov:2010:110#K27P48"},
        id="no-dots-no-space-lower-case",
    ),
    pytest.param(
        "ingen samordning enl 30 kap.socialförsäkringsbalken trots att hon varit sjuk länge",
        {SFB, "prov:2010:110#K30"},
        id="whole-chapter-glued-to-name",
    ),
    pytest.param(
        "FK skriver att 27:48 SFB är uppfyllt",
        {"agency:FK", SFB, "prov:2010:110#K27P48"},
        id="colon-form-law-after",
    ),
    pytest.param(
        "enl SFB 27:48 ska hon prövas mot normalt förekommande arbete",
        {SFB, "prov:2010:110#K27P48"},
        id="colon-form-law-before",
    ),
    pytest.param(
        "ekonomiskt bistånd nekas enligt 4 kap. 1 och 3 §§ SoL",
        {SOL_OLD, "prov:2001:453#K4P1", "prov:2001:453#K4P3"},
        id="two-sections-joined-by-och",
    ),
    pytest.param(
        "inför bedömningarna enl 27 kap. 46–49 §§ SFB saknas underlag",
        {SFB, *(f"prov:2010:110#K27P{n}" for n in (46, 47, 48, 49))},
        id="section-range-en-dash",
    ),
    pytest.param(
        "27 kap 46-49 §§ sfb tillämpas stelbent",
        {SFB, *(f"prov:2010:110#K27P{n}" for n in (46, 47, 48, 49))},
        id="section-range-hyphen",
    ),
    pytest.param(
        "SSBTEK visar bara det som avses i 11 kap. 11–11 b §§ SoL",
        {
            SOL_OLD,
            "law:2008:975",
            "prov:2001:453#K11P11",
            "prov:2001:453#K11P11a",
            "prov:2001:453#K11P11b",
        },
        id="range-to-lettered-section",
    ),
    pytest.param(
        "FK begärde uppgifter med stöd av 110 kap. 14 och 31 § SFB",
        {"agency:FK", SFB, "prov:2010:110#K110P14", "prov:2010:110#K110P31"},
        id="two-sections-single-paragraph-sign",
    ),
    pytest.param(
        "prövning enligt 33–35 kap. SFB, aktiviteter saknas",
        {SFB, "prov:2010:110#K33", "prov:2010:110#K34", "prov:2010:110#K35"},
        id="chapter-range",
    ),
    pytest.param(
        "SGI-skyddet enligt 26 kap. 18 a § SFB gällde inte",
        {SFB, "prov:2010:110#K26P18a"},
        id="lettered-section",
    ),
    pytest.param(
        "kommunen hänvisar till 55 b § FL",
        {"agency:KOMMUN", "law:2017:900", "prov:2017:900#P55b"},
        id="lettered-section-law-without-chapters",
    ),
    pytest.param(
        "personlig assistans enl 9 § 2 LSS avslogs",
        {"law:1993:387", "prov:1993:387#P9"},
        id="section-with-point",
    ),
    pytest.param(
        "enl SFB 27 kap. 48 § ska hon klara ett arbete",
        {SFB, "prov:2010:110#K27P48"},
        id="law-before-reference",
    ),
    pytest.param(
        "i socialförsäkringsbalkens 27 kap. 48 § står det om dag 181",
        {SFB, "prov:2010:110#K27P48"},
        id="name-genitive-before-reference",
    ),
    pytest.param(
        "enligt SFB:s 27 kap. 2 § krävs nedsättning med minst en fjärdedel",
        {SFB, "prov:2010:110#K27P2"},
        id="abbreviation-genitive-before-reference",
    ),
    pytest.param(
        "27 kap. 48 § första stycket SFB tillämpades",
        {SFB, "prov:2010:110#K27P48"},
        id="stycke-between-reference-and-law",
    ),
    pytest.param(
        "kravet i 4 kap 1 § 2 st SoL på att stå till förfogande",
        {SOL_OLD, "prov:2001:453#K4P1"},
        id="numbered-stycke",
    ),
    pytest.param(
        "FK hänvisar till 27 kap. 48 § och 49 § SFB",
        {"agency:FK", SFB, "prov:2010:110#K27P48", "prov:2010:110#K27P49"},
        id="second-section-keeps-the-chapter",
    ),
    pytest.param(
        "enligt SFB 27 kap. 48 §, SoL 4 kap. 1 § och OSL 10:2",
        {
            SFB,
            SOL_OLD,
            OSL,
            "prov:2010:110#K27P48",
            "prov:2001:453#K4P1",
            "prov:2009:400#K10P2",
        },
        id="three-laws-each-before-its-reference",
    ),
    pytest.param(
        "enligt 2 kap 1 § förordning (2017:819) krävs ett program",
        {"law:2017:819", "prov:2017:819#K2P1"},
        id="indefinite-förordning-with-sfs",
    ),
    pytest.param(
        "handlingsplan ska upprättas enl 6 § i förordning 2000:628",
        {"law:2000:628", "prov:2000:628#P6"},
        id="bare-sfs-number-after-förordning",
    ),
    pytest.param(
        "4 kap. 1 §, 27 kap. 48 § SFB och 10 kap. 2 § OSL",
        {SFB, OSL, "prov:2010:110#K4P1", "prov:2010:110#K27P48", "prov:2009:400#K10P2"},
        id="list-of-references-before-one-law",
    ),
]

ABBREVIATIONS_AND_NAMES = [
    pytest.param(
        "regionen hänvisar till HSL 16 kap 4 §",
        {"agency:REGION", "law:2017:30", "prov:2017:30#K16P4"},
        id="HSL",
    ),
    pytest.param(
        "vc lämnar inget utan 25 kap. 1 § OSL",
        {"agency:REGION", OSL, "prov:2009:400#K25P1"},
        id="OSL",
    ),
    pytest.param("daglig verksamhet enl LSS nekad", {"law:1993:387", "prov:1993:387#P9"}, id="LSS"),
    pytest.param(
        "enl FL 8 § ska myndigheter samverka", {"law:2017:900", "prov:2017:900#P8"}, id="FL"
    ),
    pytest.param(
        "intyg begärt med stöd av PDL 3 kap. 16 §",
        {"law:2008:355", "prov:2008:355#K3P16"},
        id="PDL",
    ),
    pytest.param("fast vårdkontakt enl PL saknas", {"law:2014:821"}, id="PL"),
    pytest.param("PL har ringt FK om mötet", {"agency:FK"}, id="PL-as-projektledare"),
    pytest.param("4 kap 1 § sol", {SOL_OLD, "prov:2001:453#K4P1"}, id="sol-next-to-reference"),
    pytest.param(
        "arbetsgivaren följer inte AML 3 kap 2 a §",
        {"agency:ARBETSGIVARE", "law:1977:1160", "prov:1977:1160#K3P2a"},
        id="AML",
    ),
    pytest.param("efter vård enligt LPT fanns ingen plan", {"law:1991:1128"}, id="LPT"),
    pytest.param("LVM-placeringen avslutades utan plan", {"law:1988:870"}, id="LVM-compound"),
    pytest.param("enl SoL har hon rätt till bistånd", {SOL_OLD}, id="SoL"),
    pytest.param("enl sol har hon rätt till bistånd", {SOL_OLD}, id="sol-lower-case-after-enl"),
    pytest.param("SFB:s regler om sjukpenning", {SFB}, id="SFB-genitive"),
    pytest.param("socialförsäkringsbalkens regler är tydliga", {SFB}, id="name-genitive"),
    pytest.param(
        "enligt socialförsäkringsbalken är det FK som beslutar",
        {"agency:FK", SFB},
        id="name-definite",
    ),
    pytest.param(
        "en socialförsäkringsbalk som inte tar hänsyn till detta", {SFB}, id="name-indefinite"
    ),
    pytest.param("Offentlighets- och sekretesslagen hindrar utbytet", {OSL}, id="hyphenated-name"),
    pytest.param(
        "patientlagen ger rätt till fast vårdkontakt", {"law:2014:821"}, id="patientlagen"
    ),
    pytest.param(
        "enligt förvaltningslagen ska de samverka", {"law:2017:900"}, id="förvaltningslagen"
    ),
    pytest.param(
        "lagen om sjuklön gäller de första 14 dagarna", {"law:1991:1047"}, id="title-lagen-om"
    ),
    pytest.param(
        "förordningen om ersättning till deltagare i arbetsmarknadspolitiska insatser",
        {"law:2017:819"},
        id="long-title",
    ),
    pytest.param("enl socialförsäkringsbalkn ska FK pröva", {"agency:FK", SFB}, id="misspelt-name"),
]

ANAPHORA = [
    pytest.param(
        "FK hänvisar till 28 kap. 1 § OSL och Af till 28 kap. 11 § samma lag",
        {"agency:FK", "agency:AF", OSL, "prov:2009:400#K28P1", "prov:2009:400#K28P11"},
        id="samma-lag",
    ),
    pytest.param(
        "enligt 27 kap. 48 § SFB och 30 kap. 6 § samma balk",
        {SFB, "prov:2010:110#K27P48", "prov:2010:110#K30P6"},
        id="samma-balk",
    ),
    pytest.param(
        "Af följer förordningen (2017:819), men enligt 4 kap. 1 § förordningen får hon behålla den",
        {"agency:AF", "law:2017:819", "prov:2017:819#K4P1"},
        id="förordningen",
    ),
    pytest.param(
        "Finsam styrs av lagen (2003:1210). Enligt 7 § lagen får förbundet bara finansiera.",
        {"agency:FORBUND", "law:2003:1210", "prov:2003:1210#P7"},
        id="lagen",
    ),
    pytest.param(
        "FK tillämpar SFB och Af förordningen (2017:819); 6 kap. 2 § samma förordning gäller",
        {"agency:FK", "agency:AF", SFB, "law:2017:819", "prov:2017:819#K6P2"},
        id="samma-förordning-skips-a-lag",
    ),
]

NO_LAW_FOR_REFERENCE = [
    pytest.param("enligt 6 kap. 2 § samma lag får de inte", set(), id="anaphor-without-antecedent"),
    pytest.param("3 § i avtalet med leverantören", set(), id="section-of-a-contract"),
    pytest.param("11–11 b §§ gäller inte här", set(), id="range-without-law"),
    pytest.param("48 § SFB enligt handläggaren", {SFB}, id="section-without-chapter-in-sfb"),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [*SFS_NUMBERS, *CHAPTER_SECTION, *ABBREVIATIONS_AND_NAMES, *ANAPHORA, *NO_LAW_FOR_REFERENCE],
)
def test_statute_references(text: str, expected: set[str]) -> None:
    assert tag_ids(text) == expected


# --- The SoL date rule (docs/contracts.md §1) -------------------------------------------------

SOL_DATE_RULE = [
    pytest.param("enl SoL", date(2025, 6, 30), {SOL_OLD}, id="last-day-of-old-law"),
    pytest.param("enl SoL", date(2025, 7, 1), {SOL_NEW}, id="first-day-of-new-law"),
    pytest.param("socialtjänstlagen kräver det", date(2023, 1, 10), {SOL_OLD}, id="name-old"),
    pytest.param("socialtjänstlagen kräver det", AFTER_NEW_SOL, {SOL_NEW}, id="name-new"),
    pytest.param(
        "SoL 4 kap 1 § tillämpades",
        AFTER_NEW_SOL,
        {SOL_NEW, "prov:2025:400#K4P1"},
        id="citation-transcribed-as-written",
    ),
    pytest.param(
        "4 kap. 1 § SoL (2001:453) tillämpades",
        AFTER_NEW_SOL,
        {SOL_OLD, "prov:2001:453#K4P1"},
        id="explicit-sfs-wins-after",
    ),
    pytest.param(
        "12 kap. 1 § socialtjänstlagen (2025:400)",
        date(2025, 3, 1),
        {SOL_NEW, "prov:2025:400#K12P1"},
        id="explicit-sfs-wins-before",
    ),
    pytest.param(
        "hon har försörjningsstöd",
        BEFORE_NEW_SOL,
        {SOL_OLD, "prov:2001:453#K4P1"},
        id="term-before",
    ),
    pytest.param("hon har försörjningsstöd", AFTER_NEW_SOL, {SOL_NEW}, id="term-after"),
    pytest.param(
        "enligt nya socialtjänstlagen", date(2025, 5, 1), {SOL_NEW}, id="nya-means-the-new-law"
    ),
    pytest.param("enligt gamla SoL", AFTER_NEW_SOL, {SOL_OLD}, id="gamla-means-the-old-law"),
]


@pytest.mark.parametrize(("text", "on", "expected"), SOL_DATE_RULE)
def test_sol_resolves_by_event_date(text: str, on: date, expected: set[str]) -> None:
    assert tag_ids(text, on) == expected


# --- Agencies ---------------------------------------------------------------------------------

AGENCIES = [
    pytest.param("FK har inte svarat", {"agency:FK"}, id="FK"),
    pytest.param("FK:s beslut kom igår", {"agency:FK"}, id="FK-genitive"),
    pytest.param("fks handläggare ringde", {"agency:FK"}, id="fks"),
    pytest.param("Försäkringskassans handläggare ringde", {"agency:FK"}, id="Försäkringskassans"),
    pytest.param("försäkringskassan har inte fattat beslut", {"agency:FK"}, id="lower-case-name"),
    pytest.param("FK-handläggaren var sjuk", {"agency:FK"}, id="FK-compound"),
    pytest.param("Försäkringskasan har inte svarat", {"agency:FK"}, id="FK-misspelt"),
    pytest.param("Af har inte skrivit in honom", {"agency:AF", "law:2000:628"}, id="Af"),
    pytest.param("af:s handläggare byts hela tiden", {"agency:AF"}, id="af-genitive"),
    pytest.param("hon träffade arbetsförmedlaren i tisdags", {"agency:AF"}, id="arbetsförmedlaren"),
    pytest.param("Arbetsförmedligen har inte svarat", {"agency:AF"}, id="AF-misspelt"),
    pytest.param("soc vill ha nytt intyg", {"agency:KOMMUN"}, id="soc"),
    pytest.param("soc:en kräver inskrivning", {"agency:KOMMUN", "law:2000:628"}, id="soc-en"),
    pytest.param("socialsekreteraren säger nej", {"agency:KOMMUN"}, id="socialsekreteraren"),
    pytest.param("socialtjänstens handläggare", {"agency:KOMMUN"}, id="socialtjänstens"),
    pytest.param(
        "handläggaren på ekonomiskt bistånd säger nej",
        {"agency:KOMMUN", SOL_OLD, "prov:2001:453#K4P1"},
        id="ekonomiskt-bistånd-as-unit",
    ),
    pytest.param("vårdcentralen skriver inte intyg", {"agency:REGION"}, id="vårdcentralen"),
    pytest.param("VC:n svarar inte i telefon", {"agency:REGION"}, id="VC"),
    pytest.param("psykiatrin har remitterat tillbaka", {"agency:REGION"}, id="psykiatrin"),
    pytest.param("husläkaren vill inte skriva något mer", {"agency:REGION"}, id="husläkaren"),
    pytest.param("a-kassan nekade ersättning", {"agency:AKASSA", "law:1997:238"}, id="a-kassan"),
    pytest.param(
        "Migrationsverkets beslut dröjer", {"agency:MIGRATIONSVERKET"}, id="migrationsverket"
    ),
    pytest.param("frivården har inte hört av sig", {"agency:KRIMINALVARDEN"}, id="frivården"),
    pytest.param(
        "Kronofogden tar allt över förbehållsbeloppet",
        {"agency:KRONOFOGDEN", "law:1981:774"},
        id="kronofogden",
    ),
    pytest.param("CSN:s krav på studieresultat", {"agency:CSN"}, id="CSN"),
    pytest.param("kassan har inte betalat", {"agency:FK"}, id="kassan-alone"),
    pytest.param("kommunen erbjuder praktik", {"agency:KOMMUN"}, id="kommunen-alone"),
    pytest.param("vården säger att hon inte kan jobba", {"agency:REGION"}, id="vården-alone"),
    pytest.param(
        "a-kassan säger att kassan inte kan betala",
        {"agency:AKASSA", "law:1997:238"},
        id="kassan-after-a-kassan-is-a-kassan",
    ),
    pytest.param("a kassan nekade", {"agency:AKASSA", "law:1997:238"}, id="a-kassan-with-space"),
    pytest.param("skrev ett PM om detta till styrgruppen", set(), id="PM-is-a-memo"),
    pytest.param(
        "Pensionsmyndigheten och PM hänvisar till varandra",
        {"agency:PENSIONSMYNDIGHETEN"},
        id="PM-once-named",
    ),
    pytest.param("ISF och JO har granskat detta", set(), id="oversight-bodies-are-not-agencies"),
    pytest.param("hon får stöd av en leverantör", set(), id="supplier-is-not-af"),
    # Plural and indefinite forms of names listed in the definite singular (issue 15).
    pytest.param("Socialnämnderna i länet svarar olika", {"agency:KOMMUN"}, id="socialnämnderna"),
    pytest.param(
        "Landsting och kommuner samverkar",
        {"agency:REGION", "agency:KOMMUN"},
        id="landsting-indefinite",
    ),
    pytest.param("landstingens och landstingets ansvar", {"agency:REGION"}, id="landstingen"),
    pytest.param(
        "Arbetslöshetskassorna kräver intyg",
        {"agency:AKASSA", "law:1997:238"},
        id="arbetslöshetskassorna",
    ),
    pytest.param(
        "a-kassornas handläggningstider", {"agency:AKASSA", "law:1997:238"}, id="a-kassornas"
    ),
    pytest.param("de allmänna försäkringskassorna", {"agency:FK"}, id="försäkringskassorna"),
    pytest.param("vårdcentralernas mottagningar", {"agency:REGION"}, id="vårdcentralerna"),
    # A committee or office named after what it does (issue 15).
    pytest.param("Vård- och omsorgsnämnden beslutade", {"agency:KOMMUN"}, id="vård-och-omsorg"),
    pytest.param("arbetsmarknadsnämndens beslut", {"agency:KOMMUN"}, id="arbetsmarknadsnämnden"),
    pytest.param(
        "individ- och familjeomsorgsnämnden har yttrat sig",
        {"agency:KOMMUN"},
        id="ifo-nämnden",
    ),
    pytest.param("socialförvaltningarna i länet", {"agency:KOMMUN"}, id="socialförvaltningarna"),
    pytest.param("Hälso- och sjukvårdsnämnden beslutade", {"agency:REGION"}, id="region-nämnd"),
    pytest.param(
        "Patientnämnden tog emot klagomålet och nämnden svarade",
        set(),
        id="patientnämnden-is-no-party",
    ),
    pytest.param("nämnden har inte fattat beslut", set(), id="bare-nämnden-names-no-one"),
    pytest.param("förvaltningen svarade inte", set(), id="bare-förvaltningen-names-no-one"),
    pytest.param("hyresnämnden och Statens överklagandenämnd", set(), id="state-nämnder"),
    pytest.param("medelsförvaltningen sköts av banken", set(), id="asset-management"),
    pytest.param(
        "den ovannämnda deltagaren och sistnämnda myndigheten", set(), id="participles-of-nämna"
    ),
    pytest.param(
        "Kommunstyrelsen och kommunfullmäktige beslutade",
        {"agency:KOMMUN"},
        id="municipal-assembly-and-executive",
    ),
    pytest.param(
        "Regionstyrelsen och landstingsfullmäktige", {"agency:REGION"}, id="regional-assembly"
    ),
    pytest.param("styrelsen har inte beslutat", set(), id="bare-styrelsen-names-no-one"),
    pytest.param(
        "arbetsmarknadsnämndernas och socialförvaltningarnas beslut",
        {"agency:KOMMUN"},
        id="committee-plural-genitive",
    ),
    pytest.param(
        "Centrala studiestödsnämnden och studiestödsnämnden", {"agency:CSN"}, id="csn-not-kommun"
    ),
]


@pytest.mark.parametrize(("text", "expected"), AGENCIES)
def test_agencies(text: str, expected: set[str]) -> None:
    assert tag_ids(text) == expected


def test_context_words_are_less_certain_than_names() -> None:
    alone = by_id("kassan har inte betalat")["agency:FK"].confidence
    with_other = by_id("kassan har inte betalat och Af väntar")["agency:FK"].confidence
    named = by_id("Försäkringskassan har inte betalat")["agency:FK"].confidence
    abbreviated = by_id("FK har inte betalat")["agency:FK"].confidence
    assert alone < with_other < abbreviated <= named
    for word in ("kommunen", "vården", "regionen"):
        (suggestion,) = suggest(f"{word} har inte svarat")
        assert suggestion.confidence < abbreviated
        assert suggestion.rule == "agency word in context"


# --- Everyday terms ---------------------------------------------------------------------------

TERMS = [
    pytest.param("han har sjukpenning sedan mars", {SFB}, id="sjukpenning"),
    pytest.param("sjukpenningen drogs in i juni", {SFB}, id="sjukpenningen"),
    pytest.param("sjp upphörde", {SFB}, id="sjp"),
    pytest.param("fk nekar sjukpeng", {"agency:FK", SFB}, id="sjukpeng"),
    pytest.param(
        "prövad mot normalt förekomande arbete",
        {SFB, "prov:2010:110#K27P48"},
        id="typo-inside-a-phrase",
    ),
    pytest.param(
        "hon har ekonomsikt bistånd", {SOL_OLD, "prov:2001:453#K4P1"}, id="swapped-letters"
    ),
    pytest.param(
        "Af har stängt av henne från ersättning i fem dagar",
        {"agency:AF", "law:2017:819"},
        id="stängt-av",
    ),
    pytest.param("sjukpenningärendet ligger still", {SFB}, id="sjukpenning-compound"),
    pytest.param("hon är sjukskriven på heltid", {SFB}, id="sjukskriven"),
    pytest.param(
        "prövad mot normalt förekommande arbete",
        {SFB, "prov:2010:110#K27P48"},
        id="normalt-förekommande-arbete",
    ),
    pytest.param("efter dag 181 gäller andra regler", {SFB, "prov:2010:110#K27P48"}, id="dag-181"),
    pytest.param(
        "har försörjningsstöd sen i våras", {SOL_OLD, "prov:2001:453#K4P1"}, id="försörjningsstöd"
    ),
    pytest.param(
        "försörjningstöd beviljades", {SOL_OLD, "prov:2001:453#K4P1"}, id="försörjningsstöd-typo"
    ),
    pytest.param("fick aktivitetsstöd i tre månader", {"law:2017:819"}, id="aktivitetsstöd"),
    pytest.param("aktivitetsstödet dröjer", {"law:2017:819"}, id="aktivitetsstödet"),
    pytest.param(
        "SIP hölls i går",
        {"law:2017:30", "prov:2017:30#K16P4", SOL_OLD, "prov:2001:453#K2P7"},
        id="SIP-before-new-sol",
    ),
    pytest.param(
        "SIP-mötet blev inställt",
        {"law:2017:30", "prov:2017:30#K16P4", SOL_NEW},
        id="SIP-compound-after-new-sol",
    ),
    pytest.param("hennes SGI är nollad", {SFB}, id="SGI"),
    pytest.param("SGI:n sattes till noll", {SFB}, id="SGI-n"),
    pytest.param(
        "inskriven med förhinder hos Af",
        {"agency:AF", "law:2000:628"},
        id="inskriven-med-förhinder",
    ),
    pytest.param("sekretess hindrar utbytet", {OSL}, id="sekretess"),
    pytest.param("sekretessen gör att vi inte kan prata", {OSL}, id="sekretessen"),
    pytest.param("hon vill inte ge sitt samtycke", {OSL}, id="samtycke"),
    pytest.param(
        "det var ett nödvändigt utlämnande enligt Af",
        {"agency:AF", OSL, "prov:2009:400#K10P2"},
        id="nödvändigt-utlämnande",
    ),
    pytest.param(
        "har ekonomiskt bistånd", {SOL_OLD, "prov:2001:453#K4P1"}, id="ekonomiskt-bistånd-term"
    ),
    pytest.param(
        "arbetsgivaren har ingen plan för återgång i arbete",
        {"agency:ARBETSGIVARE", SFB, "prov:2010:110#K30P6"},
        id="plan-för-återgång",
    ),
    pytest.param(
        "ingen plan för återgång finns hos arbetsgivaren",
        {"agency:ARBETSGIVARE", SFB, "prov:2010:110#K30P6"},
        id="plan-för-återgång-short",
    ),
    pytest.param(
        "soc kräver att han står till arbetsmarknadens förfogande",
        {"agency:KOMMUN", SOL_OLD, "prov:2001:453#K4P1"},
        id="arbetsmarknadens-förfogande-for-soc",
    ),
    pytest.param(
        "a-kassan anser att han inte står till arbetsmarknadens förfogande",
        {"agency:AKASSA", "law:1997:238"},
        id="arbetsmarknadens-förfogande-for-a-kassan",
    ),
    pytest.param(
        "hon var inskriven på psykiatrisk avdelning i två veckor",
        {"agency:REGION"},
        id="inskriven-at-a-hospital-is-not-af",
    ),
    pytest.param("han skrevs in hos Af först i maj", {"agency:AF", "law:2000:628"}, id="skrevs-in"),
    pytest.param(
        "kommunen erbjuder bara daglig verksamhet",
        {"agency:KOMMUN", "law:1993:387", "prov:1993:387#P9"},
        id="daglig-verksamhet",
    ),
    pytest.param("Af beviljade lönebidrag", {"agency:AF", "law:2017:462"}, id="lönebidrag"),
    pytest.param(
        "han har väntat på skyddat arbete hos Samhall",
        {"law:2017:462", "prov:2017:462#P37"},
        id="skyddat-arbete",
    ),
    pytest.param(
        "Af:s handlingsplan är inte uppdaterad",
        {"agency:AF", "law:2000:628", "prov:2000:628#P6"},
        id="handlingsplan",
    ),
    pytest.param(
        "kommunens handlingsplan mot hemlöshet hjälper inte",
        {"agency:KOMMUN"},
        id="handlingsplan-not-af",
    ),
    pytest.param(
        "FK gjorde återkrav på sjukpenningen", {"agency:FK", SFB}, id="återkrav-by-fk-is-not-sol"
    ),
    pytest.param(
        "soc gör återkrav när FK betalar retroaktivt",
        {"agency:KOMMUN", "agency:FK", SOL_OLD},
        id="återkrav-by-soc",
    ),
    pytest.param(
        "hon lämnade läkarintyget till FK i tid", {"agency:FK", SFB}, id="läkarintyget-till-fk"
    ),
    pytest.param("studiemedel beviljas inte", {"law:1999:1395"}, id="studiemedel"),
    pytest.param(
        "förbundet finansierar tjänsten", {"agency:FORBUND", "law:2003:1210"}, id="förbundet"
    ),
    pytest.param(
        "familjen anvisades till kommunen enligt bosättningslagen",
        {"agency:KOMMUN", "law:2016:38"},
        id="municipal-anvisning-is-not-af",
    ),
    pytest.param("hon har nedsatt arbetsförmåga", set(), id="ambiguous-arbetsförmåga"),
    pytest.param("ett FMI saknas", set(), id="ambiguous-FMI"),
    pytest.param("hon har begärt omprövning", set(), id="ambiguous-omprövning"),
    pytest.param("läkarintyget räcker inte", set(), id="läkarintyg-alone"),
]


@pytest.mark.parametrize(("text", "expected"), TERMS)
def test_everyday_terms(text: str, expected: set[str]) -> None:
    on = AFTER_NEW_SOL if "SIP-mötet" in text else BEFORE_NEW_SOL
    assert tag_ids(text, on) == expected


def test_a_kassa_term_depends_on_the_date() -> None:
    assert tag_ids("a-kassan nekade", date(2025, 9, 30)) == {"agency:AKASSA", "law:1997:238"}
    assert tag_ids("a-kassan nekade", date(2025, 10, 1)) == {"agency:AKASSA"}


# --- Never tagged -------------------------------------------------------------------------------

NOT_TAGS = [
    pytest.param("mötet den 27 maj flyttades", id="date-words"),
    pytest.param("beslutet 2024-05-14 gäller", id="iso-date"),
    pytest.param("möte kl 14:30 och kl. 9:15", id="times"),
    pytest.param("möte 10:00-11:30 i stora rummet", id="time-range"),
    pytest.param("hon har 4 500 kr kvar efter hyran", id="amount"),
    pytest.param("27 timmar i telefonkö", id="hours"),
    pytest.param("se dnr 2021/879 och dnr RS 2023/0456", id="case-numbers"),
    pytest.param("samma mönster som i RiR 2020:12 och ISF 2016:10", id="report-numbers"),
    pytest.param("ISF:s rapport 2019:3 visar samma sak", id="isf-report-genitive"),
    pytest.param("enligt SOSFS 2013:1 och AFFS 2015:1", id="foreskrifter"),
    pytest.param("se HSLF-FS 2016:40 och FKFS 2018:2", id="other-foreskrifter"),
    pytest.param("SOU 2020:24 och prop. 2024/25:89", id="sou-prop"),
    pytest.param("FK:s vägledning 2015:1 säger annat", id="vagledning"),
    pytest.param("beslut enligt protokoll § 14", id="protocol-paragraph"),
    pytest.param("§ 14 styrelsemöte, § 15 övriga frågor", id="agenda-items"),
    pytest.param("deltagaren är 24 år", id="age"),
    pytest.param("start vecka 12, uppföljning v. 14", id="week-numbers"),
    pytest.param("jobbar 25 % sedan 3 veckor", id="percent"),
    pytest.param("JO 3185-2017 kritiserade hanteringen", id="jo-number"),
    pytest.param("hon får sol i ansiktet", id="sol-the-sun"),
    pytest.param("vi har avvisningen från domstolen", id="avvisning-is-not-anvisning"),
    # Everyday words that only mean a law in the right company (issue 15).
    pytest.param("Enligt råd och anvisningar från myndigheten.", id="råd-och-anvisningar"),
    pytest.param("Underrättelseskyldighet gäller.", id="underrättelseskyldighet-alone"),
    pytest.param("Af skickade en underrättelse om att hon uteblev", id="af-underrättelse"),
    pytest.param("En rehabiliteringsplan upprättades.", id="generic-rehabiliteringsplan"),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "Underrättelse om felaktig utbetalning skickades till FK",
            {"agency:FK", "law:2008:206"},
            id="underrättelse-about-payments",
        ),
        pytest.param(
            "FK har underrättelseskyldighet när ersättning betalats ut felaktigt",
            {"agency:FK", "law:2008:206"},
            id="underrättelseskyldighet-with-payments",
        ),
        pytest.param(
            "Han blev anvisad till program i oktober",
            {"law:2000:634", "law:2000:625"},
            id="anvisad-till-program",
        ),
        pytest.param(
            "Af anvisade honom men anvisningarna var otydliga",
            {"agency:AF", "law:2000:634", "law:2000:625"},
            id="anvisning-with-af",
        ),
        pytest.param(
            "Deltagaren väntar på anvisning till JOB",
            {"law:2000:634", "law:2000:625", "law:2007:414"},
            id="anvisning-with-an-af-programme",
        ),
    ],
)
def test_ambiguous_everyday_words_with_their_context(text: str, expected: set[str]) -> None:
    assert tag_ids(text) == expected


@pytest.mark.parametrize("text", NOT_TAGS)
def test_never_tagged(text: str) -> None:
    found = {s.tag_id for s in suggest(text) if s.kind != "agency"}
    assert found == set()


def test_tricky_numbers_leave_the_real_tags_alone() -> None:
    text = (
        "FK avslog enl 27 kap. 48 § SFB den 27 maj kl 14:30; soc ger 4 500 kr "
        "(dnr 2021/879, RiR 2020:12, protokoll § 14), hon är 24 år."
    )
    assert tag_ids(text) == {"agency:FK", "agency:KOMMUN", SFB, "prov:2010:110#K27P48"}


# --- Evidence ---------------------------------------------------------------------------------

EVIDENCE_TEXTS = [
    "FK avslog enl 27 kap 48§ SFB, soc kräver inskrivning på Af och VC skriver inget intyg.",
    "Enligt 28 kap. 1 § OSL och 28 kap. 11 § samma lag får inget lämnas ut utan samtycke.",
    "kassan drog in sjukpenningen, hon har försörjningsstöd och SIP är inte bokad.",
    "Förordningen (2017:819) 6 kap. 2 § och SoL 4:1 nämns i beslutet från kommunen.",
]


@pytest.mark.parametrize("text", EVIDENCE_TEXTS)
def test_every_tag_points_at_the_words_that_triggered_it(text: str) -> None:
    suggestions = suggest(text)
    assert suggestions
    for s in suggestions:
        assert s.rule
        assert 0 < s.confidence < 1
        assert s.spans
        for start, end in s.spans:
            assert 0 <= start < end <= len(text)
            evidence = text[start:end]
            assert evidence == evidence.strip()
            assert any(c.isalnum() for c in evidence)


@pytest.mark.parametrize("text", EVIDENCE_TEXTS)
def test_every_provision_comes_with_its_law(text: str) -> None:
    ids = tag_ids(text)
    for tag_id in ids:
        if tag_id.startswith("prov:"):
            assert "law:" + tag_id.removeprefix("prov:").split("#")[0] in ids


def test_spans_name_the_reference_and_the_law() -> None:
    text = "FK avslog enl 27 kap 48§ SFB i maj"
    found = by_id(text)
    provision = found["prov:2010:110#K27P48"]
    assert [text[a:b] for a, b in provision.spans] == ["27 kap 48§"]
    assert provision.rule == "chapter-section + law abbreviation"
    law = found[SFB]
    assert {text[a:b] for a, b in law.spans} == {"27 kap 48§", "SFB"}
    assert [text[a:b] for a, b in found["agency:FK"].spans] == ["FK"]


def test_sfs_span_covers_the_parentheses_but_no_spaces() -> None:
    text = "enligt förordningen ( 2017:819 ) om ersättning"
    (law,) = suggest(text)
    assert [text[a:b] for a, b in law.spans] == ["förordningen ( 2017:819 )"]
    assert law.rule == "SFS number"
    text = "se även ( 2017:819 ), inget annat"
    (law,) = suggest(text)
    assert [text[a:b] for a, b in law.spans] == ["( 2017:819 )"]


def test_term_spans_and_rule() -> None:
    text = "hon har sjukpenningen kvar men försörjningsstöd söks"
    found = by_id(text)
    assert [text[a:b] for a, b in found[SFB].spans] == ["sjukpenningen"]
    assert found[SFB].rule == "everyday term"
    assert [text[a:b] for a, b in found["prov:2001:453#K4P1"].spans] == ["försörjningsstöd"]


def test_suggestions_are_sorted_by_kind_then_identifier() -> None:
    suggestions = suggest("enl 27 kap. 48 § SFB och 4 kap. 1 § SoL, Af och FK")
    order = {"agency": 0, "law": 1, "provision": 2}
    keys = [(order[s.kind], s.tag_id) for s in suggestions]
    assert keys == sorted(keys)


def test_a_new_word_is_remembered_without_changing_the_result() -> None:
    text = "arbetsförmedlingshandläggaren och Försäkringskasan har sjukpenningärendet"
    first, second = suggest(text), suggest(text)
    assert first == second
    assert {s.tag_id for s in first} == {"agency:AF", "agency:FK", SFB}


# --- Robustness -------------------------------------------------------------------------------

_ALPHABET = "abcfgiklnoprsåäöAFKLSOBÅÄÖİK0123456789 :-–§().,/\n"
_WORDS = [
    "FK", "FK:s", "soc", "27", "kap.", "48", "§", "SFB", "(2010:110)", "SoL", "sjukpenningen",
    "a-kassan", "kassan", "och", "samma", "lag", "11–11 b", "§§", "kl", "14:30", "dnr", "2021/879",
    "Försäkringskasan", "sjukpenningärendet", "İstanbul", "af-", "-fk", "fk-", ":s",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_WORDS), st.text(_ALPHABET, max_size=6)), max_size=30))
def test_any_text_gives_well_formed_suggestions(parts: list[str]) -> None:
    text = " ".join(parts)
    for s in suggest(text):
        assert s.tag_id
        assert s.rule
        assert 0 < s.confidence < 1
        for start, end in s.spans:
            assert 0 <= start < end <= len(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_WORDS), st.text(_ALPHABET, max_size=6)), max_size=30))
def test_token_offsets_agree_with_the_tokenizer(parts: list[str]) -> None:
    text = "".join(parts)
    expected = [m.start() for m in TOKEN_RE.finditer(text.lower())]
    tokens = Tokens(text)
    if len(text.lower()) == len(text):
        assert tokens.offsets(list(range(len(tokens)))) == expected
        # As the lexicon asks: every position of each token text it looks up.
        looked_up = [i for i, word in enumerate(tokens.lowered) if len(word) % 2 == 0]
        assert tokens.offsets(looked_up) == [expected[i] for i in looked_up]
    assert len(tokens) == len(tokens.lowered)


_REFERENCE_WORDS = [
    "27", "kap.", "kap", "48", "§", "§§", "och", "46–49", "11–11 b", ",", "1", "3", "2 a",
    "SFB", "4:1", "st", "x" * 30, "2021/879", "14:30", "KAP", "33-35", "9 § 2",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_REFERENCE_WORDS), max_size=60))
def test_reference_windows_find_what_a_full_scan_finds(parts: list[str]) -> None:
    text = " ".join(parts)
    assert find_references(text) == find_references(text, whole_text=True)


# --- Found on real official prose (tests/data/real, dev split) ---------------------------------


@pytest.mark.parametrize(
    ("text", "on", "expected"),
    [
        pytest.param(
            "Lagarna (2 kap § 7 SoL, 16 kap § 4 HSL) beskriver vad en SIP ska innehålla",
            date(2022, 5, 1),
            {SOL_OLD, "law:2017:30", "prov:2001:453#K2P7", "prov:2017:30#K16P4"},
            id="section-after-its-mark",
        ),
        pytest.param(
            "en utredning enligt 11 kap. 2 socialtjänstlagen (2001:453), SoL, avslutades",
            date(2015, 10, 15),
            {SOL_OLD, "prov:2001:453#K11P2"},
            id="section-whose-mark-was-lost",
        ),
        pytest.param(
            "FK har prövat det enligt SFB 30 kap. 6 veckor senare",
            date(2015, 10, 15),
            {"agency:FK", SFB, "prov:2010:110#K30"},
            id="number-after-a-chapter-without-a-law-is-no-section",
        ),
        pytest.param(
            "Enligt lagen (2018:744) om försäkringsmedicinska utredningar ska regionerna ansvara "
            "för utredningar på begäran av Försäkringskassan.",
            date(2020, 9, 1),
            {"law:2018:744", "agency:REGION", "agency:FK"},
            id="a-written-out-title-ends-at-the-verb",
        ),
        pytest.param(
            "Hon fick beslut enligt lagen om assistansersättning",
            date(2005, 1, 1),
            {"law:1993:389"},
            id="no-term-inside-a-law-title",
        ),
        pytest.param(
            "ingen ska vårdas mot sin vilja eller behandlas utan samtycke enligt 4 kap. "
            "Patientlagen",
            date(2023, 5, 1),
            {"law:2014:821", "prov:2014:821#K4"},
            id="consent-to-care-is-not-osl",
        ),
        pytest.param(
            "chefsöverläkaren vid den sjukvårdsinrättning där patienten är inskriven",
            date(2020, 1, 1),
            set(),
            id="inskriven-at-a-care-unit",
        ),
        pytest.param(
            "vården av en ung person fortsatte vid en låsbar enhet",
            date(2016, 2, 1),
            set(),
            id="vården-av-is-care-given",
        ),
        pytest.param(
            "Samtidigt upphävs lagen (1990:1404) om kommunernas betalningsansvar för viss "
            "hälso- och sjukvård.",
            date(2017, 2, 16),
            {"law:1990:1404"},
            id="agency-words-in-an-unknown-law-title",
        ),
        pytest.param(
            "Regionen hänvisar till lagen om samverkan vid utskrivning från sluten hälso- och "
            "sjukvård",
            date(2019, 3, 1),
            {"agency:REGION", "law:2017:612"},
            id="agency-words-in-a-known-law-title",
        ),
        pytest.param(
            "Han ansökte om ekonomiskt bistånd hos socialnämnden",
            date(1999, 5, 1),
            {"agency:KOMMUN", "law:1980:620"},
            id="ekonomiskt-bistånd-before-2002",
        ),
        pytest.param(
            "Hon hade sjukpenning och assistansersättning",
            date(2004, 6, 1),
            {"law:1962:381", "law:1993:389"},
            id="sfb-terms-before-2011",
        ),
        pytest.param(
            "SIP med landstinget",
            date(2012, 5, 1),
            {"agency:REGION", "law:1982:763", SOL_OLD, "prov:2001:453#K2P7"},
            id="sip-under-the-old-hsl",
        ),
        pytest.param(
            "Den lägsta dagersättningen i aktivitetsstödet ligger på 365 kronor.",
            date(2019, 2, 10),
            {"law:2017:819"},
            id="dagersättning-of-aktivitetsstöd",
        ),
        pytest.param(
            "Som asylsökande har du rätt till dagersättning",
            date(2017, 4, 21),
            {"law:1994:137"},
            id="dagersättning-for-asylum-seekers",
        ),
        pytest.param(
            "Arbetsförmedlingen ska underrätta arbetslöshetskassan. Den kan ge en varning.",
            date(2020, 3, 1),
            {"agency:AF", "agency:AKASSA", "law:1997:238"},
            id="a-kassa-varning-is-alf",
        ),
        pytest.param(
            "överenskommelse med kommun, Försäkringskassan och länsarbetsnämnden",
            date(2007, 5, 10),
            {"agency:KOMMUN", "agency:FK", "agency:AF"},
            id="länsarbetsnämnden-is-af-of-old",
        ),
        pytest.param(
            "Arbetsförmedlingen anvisar också till arbetsmarknadspolitiska program.",
            date(2020, 3, 1),
            {"agency:AF", "law:2000:634", "law:2000:625"},
            id="anvisar",
        ),
        pytest.param(
            "man behåller samma SGI om man anmäler sig som arbetslös hos Arbetsförmedlingen",
            date(2022, 6, 1),
            {SFB, "agency:AF", "law:2000:628"},
            id="anmäler-sig-som-arbetslös",
        ),
    ],
)
def test_real_prose(text: str, on: date, expected: set[str]) -> None:
    assert tag_ids(text, on) == expected


@pytest.mark.parametrize(
    ("text", "on", "expected"),
    [
        pytest.param(
            "Enligt 4 kap. 1 § SoL prövas behovet. Från 1 juli gäller nya lagen.",
            date(2025, 6, 16),
            {SOL_OLD, "prov:2001:453#K4P1", SOL_NEW},
            id="nya-lagen-is-the-next-version",
        ),
        pytest.param(
            "Efter 1 okt gäller nya ALF, men perioden räknas enligt gamla lagen.",
            date(2025, 10, 15),
            {"law:2024:506", "law:1997:238"},
            id="gamla-lagen-is-the-version-before",
        ),
        pytest.param(
            "I propositionen föreslås att en ny socialtjänstlag ska ersätta den nuvarande "
            "socialtjänstlagen.",
            date(2025, 1, 23),
            {SOL_NEW, SOL_OLD},
            id="ny-is-the-coming-version-nuvarande-the-one-in-force",
        ),
        pytest.param(
            "Den 1 oktober 2025 börjar en ny lag om arbetslöshetsförsäkring att gälla.",
            date(2025, 9, 15),
            {"law:2024:506"},
            id="ny-lag-announced",
        ),
        pytest.param(
            "LSS gäller, men enligt nya lagen blir det annorlunda",
            date(2025, 10, 15),
            {"law:1993:387"},
            id="nya-lagen-of-a-law-with-one-version",
        ),
        pytest.param(
            "han har varken sjukpenning eller a-kassa",
            date(2024, 5, 14),
            {SFB, "law:1997:238"},
            id="a-kassa-as-a-benefit",
        ),
        pytest.param(
            "hon ska kontakta sin a-kassa",
            date(2024, 5, 14),
            {"agency:AKASSA", "law:1997:238"},
            id="her-a-kassa-is-the-fund",
        ),
        pytest.param(
            "Forsakringskassan har inte svarat och hon har forsorjningsstod fran socialtjansten",
            date(2024, 10, 1),
            {"agency:FK", "agency:KOMMUN", SOL_OLD, "prov:2001:453#K4P1"},
            id="typed-without-å-ä-ö",
        ),
        pytest.param(
            "Lakarintyg till FK dröjer, de kan inte bevilja ekonomiskt bistand",
            date(2024, 10, 1),
            {"agency:FK", SFB, SOL_OLD, "prov:2001:453#K4P1"},
            id="phrases-typed-without-å-ä-ö",
        ),
        pytest.param(
            "deltagarna får inte läkarintyg i tid till FK",
            date(2020, 2, 26),
            {"agency:FK", SFB},
            id="läkarintyg-sent-to-fk",
        ),
        pytest.param(
            "FK vill ha läkarintyg från VC",
            date(2020, 2, 26),
            {"agency:FK", "agency:REGION"},
            id="läkarintyg-not-sent-to-fk",
        ),
    ],
)
def test_staff_wording(text: str, on: date, expected: set[str]) -> None:
    assert tag_ids(text, on) == expected
