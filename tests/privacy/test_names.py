"""Issue 14: the name warning reads name statistics (privacy/data/), finds names of the origins
common in Sweden at the start of a text and in running text, and warns no more often on
ordinary case text than the hand-typed list it replaced."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from demo.generator import DemoUnit, generate_deviations
from privacy.pii import find_pii

# The seed texts and the tagger's labelled dev set, copied into the repository so a clean
# checkout runs this test (the project's shared folder is not beside every clone).
DATA = Path(__file__).resolve().parent.parent / "data"


def names_in(text: str) -> list[str]:
    return [" ".join(hit.text.split()) for hit in find_pii(text) if hit.type == "name"]


# A first name and a surname of each origin, as people in Sweden are called.
NAMES = [
    "Kalle Enqvist",  # Swedish (the issue's example)
    "Ingrid Sävström",
    "Juha Virtanen",  # Finnish
    "Aino Korhonen",
    "Ahmed Hassan",  # Arabic
    "Fatima Karimi",
    "Abdi Warsame",  # Somali
    "Abdullahi Farah",
    "Reza Ahmadi",  # Persian
    "Leila Hosseini",
    "Amra Hadžić",  # Bosnian
    "Senad Begić",
    "Agnieszka Nowak",  # Polish
    "Piotr Zieliński",
    "Samuel Tesfaye",  # Eritrean
    "Helen Haile",
    "Mehmet Yılmaz",  # Turkish
    "Emre Demir",
]


@pytest.mark.parametrize("name", NAMES)
def test_names_of_every_origin_at_the_start_of_a_text(name: str) -> None:
    text = f"{name} ringde i morse om beslutet."
    hits = find_pii(text)
    assert [(hit.type, hit.start, hit.end) for hit in hits] == [("name", 0, len(name))]
    assert not hits[0].blocking  # a warning the writer may confirm past


@pytest.mark.parametrize("name", NAMES)
def test_names_of_every_origin_in_running_text_and_after_a_full_stop(name: str) -> None:
    assert names_in(f"Vi träffade {name} på mötet hos FK.") == [name]
    assert names_in(f"Mötet var kort. {name} ska ringa tillbaka.") == [name]


def test_the_issues_examples_in_running_text() -> None:
    """Names the statistics do not hold are still found when a surname ending follows."""
    text = "Samtal med Nemo Sävström och med Dawit Ståhlgren i går."
    assert names_in(text) == ["Nemo Sävström", "Dawit Ståhlgren"]


# First names the statistics do not hold: a surname ending, a known surname (`Ahmadi`, no
# ending), a double-barrelled one.
UNKNOWN_FIRST_NAMES = [
    "Nemo Sävström", "Dawit Ståhlgren", "Hodan Ahmadi", "Tsegazab Lind-Hadžić", "Nemo Ahmadi-Nowak",
]  # fmt: skip


@pytest.mark.parametrize("name", UNKNOWN_FIRST_NAMES)
@pytest.mark.parametrize("before", ["", "Mötet var kort. ", "Vem ringde? ", "Anteckning:\n"])
def test_an_unknown_first_name_at_the_start_of_a_sentence(name: str, before: str) -> None:
    text = f"{before}{name} ringde i morse om beslutet."
    hits = find_pii(text)
    assert [(hit.type, hit.start, hit.end) for hit in hits] == [
        ("name", len(before), len(before) + len(name))
    ]
    assert not hits[0].blocking


def test_an_unknown_first_name_before_a_known_surname_in_running_text() -> None:
    assert names_in("Vi träffade Hodan Ahmadi och Nemo Korhonen i går.") == [
        "Hodan Ahmadi",
        "Nemo Korhonen",
    ]


def test_a_first_name_after_an_unknown_word_starts_the_name() -> None:
    """`Osman` ends like a surname (`-man`) but is a first name: the name starts there."""
    assert names_in("Hos Komvux Osman Hassan fick vi svar.") == ["Osman Hassan"]
    assert names_in("Komvux Osman Hassan ringde.") == ["Osman Hassan"]


def test_a_surname_unknown_and_without_ending_is_not_enough() -> None:
    """`Warsame` is in no list and has no surname ending: only a known first name finds it."""
    assert names_in("Hodan Warsame ringde. Abdi Warsame ringde.") == ["Abdi Warsame"]


@pytest.mark.parametrize(
    "start",
    ["Från", "Mot", "Efter", "Enligt", "Hon", "Han", "Dessutom", "Därför", "Igår", "Pga", "Af"],
)
@pytest.mark.parametrize(
    "then",
    ["Hässleholm", "Ljungby", "Vällingby", "Flemingsberg", "Kungsholmen", "Lindström", "Nowak"],
)
def test_a_swedish_word_at_a_sentence_start_before_a_surname_like_word_is_no_name(
    start: str, then: str
) -> None:
    assert names_in(f"{start} {then} kom tre deltagare.") == []
    assert names_in(f"Det gick bra. {start} {then} kom tre deltagare.") == []


def test_places_long_words_and_hyphenated_words_at_a_sentence_start_are_no_name() -> None:
    """A place is no first name (`Huddinge Flemingsberg`); a word longer than the word list's
    eight letters is taken for an ordinary word; `Lindström-utredningen` is no capitalised pair."""
    assert names_in("Huddinge Flemingsberg har öppet hus.") == []
    assert names_in("Ungdomsmottagningen Vällingby tar emot.") == []
    assert names_in("Arbetsmarknadsenheten Hässelby ringde.") == []
    assert names_in("Enligt Lindström-utredningen ska alla ha en plan.") == []
    assert names_in("Efter Storgatan svänger du vänster.") == []


def test_a_surname_that_is_also_a_word_needs_a_known_first_name() -> None:
    """`Nord`, `Skog`, `Storm` are surnames and words: after an unknown word they name no one."""
    assert names_in("Komvux Nord har nya lokaler. Vi gick till Komvux Nord.") == []
    assert names_in("Lernia Skog och Lernia Storm.") == []
    assert names_in("Vi ringde Anna Nord.") == ["Anna Nord"]


def test_a_name_after_the_first_capitalised_pair() -> None:
    assert names_in("Mötet med Af Anna Svensson i dag.") == ["Anna Svensson"]
    assert names_in("Hos FK Region Stockholm Abdi Hassan ringde.") == ["Abdi Hassan"]


def test_a_first_name_that_is_also_a_word_needs_a_surname() -> None:
    """`Hans` (his), `Per`, `Inga` (none), `Maj` are names and words: a surname decides."""
    assert names_in("Hans Försäkringskassan-ärende och Per Capita, Inga Samordningsförbund.") == []
    assert names_in("Vi ringde Hans Lindberg och Inga Nowak.") == ["Hans Lindberg", "Inga Nowak"]


def test_a_first_name_inside_a_longer_title_needs_a_surname() -> None:
    assert names_in("Läs om The International Job Shadow Day i maj.") == []
    assert names_in("Förbundet Huddinge Botkyrka Salem har möte.") == []


@pytest.mark.parametrize(
    "start",
    [
        "Han", "Hon", "Personen", "Kommunen", "Regionen", "Mot", "Vid", "Hos", "Enligt", "Efter",
        "Januari", "Maj", "Juni", "Augusti", "Inga", "Alla", "Deltagaren", "Handläggaren",
        "Arbetsförmedlingen", "Försäkringskassan", "Socialtjänsten", "Samordningsförbundet",
    ],
)  # fmt: skip
@pytest.mark.parametrize(
    "then", ["Göteborg", "Stockholm", "Helsingborg", "Sundsvall", "Norrköping"]
)
def test_ordinary_words_at_a_sentence_start_before_a_place_are_no_name(
    start: str, then: str
) -> None:
    assert names_in(f"{start} {then} var med.") == []
    assert names_in(f"Det gick bra. {start} {then} var med.") == []


# --- Precision on real and synthetic case texts --------------------------------------------

# The people named in the seed texts (a published project report): every other name warning
# there is a false alarm. `Märta Det` is `säger Märta` with the full stop missing.
SEED_NAMES = {
    "Annica Falk", "Annika Falk", "Eva Magnusson", "Fredrik Lindstål", "Anna Lexelius",
    "Karin Gelin", "Kjell Sjundemark", "Ritva Widgren", "Sophia Dahlgren", "Mona Värmå",
    "Kristoffer Zetterberg", "Maria Reed", "Maria Rösby", "Trygve Nylund", "Johanna Thagemark",
    "Helena Bajlo", "Elisabeth Afram", "Märta Det", "Märta Lycken", "Elin Asplund",
    "Siri Persson", "Kerstin Larsson", "Nora Fazel",
}  # fmt: skip
# The labelled dev set plants these four; its other texts hold no name.
EVAL_NAMES = {"Tindra Öhlund", "Ronja Bäckdal", "Samir Qvarnlöf", "Elvin Korsgård"}


def _warnings(texts: list[str], names: set[str]) -> tuple[int, int]:
    """(warnings on real names, false alarms)."""
    found = [name for text in texts for name in names_in(text)]
    true = sum(name in names for name in found)
    return true, len(found) - true


def test_no_more_false_alarms_on_the_seed_texts() -> None:
    """With the hand-typed list: 48 warnings, 2 of them false (`Samordningsförbundet
    Göteborg`, twice). With the statistics and the places: 56, none false; with unknown first
    names at a sentence start (`Trygve Nylund`): 58, none false."""
    texts = [path.read_text(encoding="utf-8") for path in sorted(DATA.glob("seeds/*.txt"))]
    assert len(texts) == 5
    true, false = _warnings(texts, SEED_NAMES)
    assert false == 0
    assert true >= 58


def test_no_false_alarm_on_the_labelled_dev_set() -> None:
    lines = (DATA / "tagging-dev.jsonl").read_text(encoding="utf-8").splitlines()
    texts = [json.loads(line)["text"] for line in lines if line.strip()]
    assert len(texts) == 80
    assert _warnings(texts, EVAL_NAMES) == (4, 0)


def test_no_name_warning_on_demo_texts() -> None:
    units = [DemoUnit(name="Team", municipalities=("0160",))]
    deviations = generate_deviations(
        n=1000, seed=2017, units=units, start=date(2022, 1, 1), end=date(2025, 12, 31)
    )
    assert _warnings([deviation.description for deviation in deviations], set()) == (0, 0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A first name too long to pass the shape check is still a name in running text,
        # whatever ends the text (the check looks before the name, not at the end).
        ("Vi träffade Gebremedhin Lindqvist på kontoret.", ["Gebremedhin Lindqvist"]),
        ("Vi träffade Gebremedhin Lindqvist på kontoret", ["Gebremedhin Lindqvist"]),
        # An "X" before it is a word, not the end of a sentence.
        ("Från kontor X Gebremedhin Lindqvist kom.", ["Gebremedhin Lindqvist"]),
        # At a sentence start the same pair is not found (an ordinary word could stand there).
        ("Gebremedhin Lindqvist ringde.", []),
        ("Från kontor x. Gebremedhin Lindqvist kom.", []),
    ],
)
def test_a_long_unknown_first_name_is_judged_by_what_stands_before_it(
    text: str, expected: list[str]
) -> None:
    assert names_in(text) == expected
