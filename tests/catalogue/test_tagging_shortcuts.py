"""The tagger's quick paths must give what the plain regex scans give: the tokens and their
offsets from the spaced-out text, and the references tried only before a window's last anchor."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalogue.tagger_catalogue import catalogue_from_files
from catalogue.tagging import suggest_tags
from catalogue.tagging.lexicon import TOKEN_RE, Tokens
from catalogue.tagging.references import find_references

_TOKEN_PIECES = [
    "FK", "fk:s", "Af:s", "a-kassan", "SGI-skyddet", "-", ":", "--", "::", "-:", " ", "  ", "\n",
    "27:48", "2024-05-14", "§", "kap.", "48§", "Försäkringskassans", "ÅÄÖ", "é", "ü", "æø",
    "\u2013", "\u00a0", "\u00ad", "İ", "ß", "ı", "Ω", "x", "1", ".", ",", "(", ")", "?", "\u200b",
]  # fmt: skip

TOKEN_TEXTS = [
    "",
    "-",
    ":a-",
    "a--b::c-:d:-e",
    "-FK:s- och Af:s: samt a-kassan–SGI",
    "27 kap. 46\u201349 §§ SFB, 2024-05-14, kl 14:30",
    "Försäkringskassans handläggare\u00a0ringde",
    "Ωmega and İstanbul",  # İ lowers to two characters: the slow path
]


def regex_tokens(text: str) -> tuple[list[str], list[int]]:
    low = text.lower()
    if len(low) != len(text):
        matches = list(TOKEN_RE.finditer(text))
        return [m.group().lower() for m in matches], [m.start() for m in matches]
    matches = list(TOKEN_RE.finditer(low))
    return [m.group() for m in matches], [m.start() for m in matches]


def check_tokens(text: str) -> None:
    tokens = Tokens(text)
    words, starts = regex_tokens(text)
    assert tokens.lowered == words
    assert tokens.offsets(list(range(len(words)))) == starts
    # The lexicon looks up every occurrence of the words it knows, never only some of them.
    known = sorted(set(words))[::2]
    positions = [i for i, word in enumerate(words) if word in known]
    assert tokens.offsets(positions) == [starts[i] for i in positions]


def test_tokens_match_the_token_regex() -> None:
    for text in TOKEN_TEXTS:
        check_tokens(text)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_TOKEN_PIECES), max_size=40))
def test_tokens_match_the_token_regex_on_generated_text(pieces: list[str]) -> None:
    check_tokens("".join(pieces))


_REFERENCE_PIECES = [
    "27", "kap.", "KAP", "Kap", "48", "§", "§§", "och", "46\u201349", "11\u201311 b", ",", "1",
    "2 a", "SFB", "4:1", "st", "x" * 30, "2021/879", "14:30", "2024-05-14", "9 § 2", " ", "ı",
]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_REFERENCE_PIECES), max_size=60))
def test_references_after_the_last_anchor_are_not_missed(parts: list[str]) -> None:
    text = " ".join(parts)
    whole = find_references(text, whole_text=True)
    assert find_references(text) == whole
    assert find_references(text, text.lower()) == whole


def test_a_reference_right_at_a_window_edge() -> None:
    text = "x" * 200 + " 27 kap. 48 § SFB och 2024-05-14 " + "y" * 200 + " 4 kap. 1 §"
    assert find_references(text) == find_references(text, whole_text=True)
    assert [(r.chapters, r.sections) for r in find_references(text)] == [
        (("27",), ("48",)),
        (("4",), ("1",)),
    ]


@pytest.mark.parametrize(
    "text", ["2024-05-14 İ KAP §§ SFB 1", "27 kap. 46–49 İ §§ SFB", "9–18İ § LSS"]
)
def test_a_letter_that_lowers_to_two_characters_breaks_nothing(text: str) -> None:
    """`İ` is a letter to the reference pattern and two characters in lower case: the tagger
    answers (no crash on a filing), whatever it makes of the range."""
    tags = suggest_tags(text, on=date(2024, 6, 1), catalogue=catalogue_from_files())
    assert {t.tag_id for t in tags} & {"law:2010:110", "law:1993:387"}  # SFB or LSS still named


def test_the_lone_joiners_go_as_the_joiner_regex_takes_them() -> None:
    from catalogue.tagging.lexicon import _LONE_JOINER, _SPACE_OUT, _spaced_tokens

    for text in [*TOKEN_TEXTS, "a-:b", "-a-", ":-:", "a- b :c d:e", "x--", "2024-05-14:"]:
        low = text.lower()
        spaced = low.encode("latin-1", errors="replace").translate(_SPACE_OUT).decode("latin-1")
        assert _spaced_tokens(low) == _LONE_JOINER.sub(" ", spaced), text


class _Everything(frozenset[str]):
    """A second-word set that lets every phrase be tried, as before the check."""

    def __contains__(self, item: object) -> bool:
        return True


PHRASE_TEXTS = [
    "Han har ekonomiskt biståndet kvar och ekonomiskt bistånd från soc.",
    "Hon får ekonomsikt bistånd, och ekonomiskt",
    "Enligt 4 kap. 1 § samma lag har han rätt till ekonomiskt bistånd.",
    "Han ska stå till arbetsmarknadens förfogande enligt socialsekreteraren.",
    "Han är inskriven med förhinder och har normalt förekommande arbete som mål.",
    "lagen (2019:1297) om koordineringsinsatser för sjukskrivna patienter och lagen om",
    "Plan för återgång i arbete saknas; daglig verksamhet enligt LSS och samma",
]


def test_a_phrase_start_is_tried_only_before_a_word_its_phrases_continue_with() -> None:
    """The second-word check skips phrases that cannot match, never one that can: inflected
    phrases ("ekonomiskt biståndet") and typos corrected to a phrase word still match."""
    checked = catalogue_from_files()
    for key in checked.lexicon._words:
        if " " in key:
            first, second = key.split(" ")[:2]
            assert second in checked.lexicon._seconds[first], key
    unchecked = catalogue_from_files()
    plans = unchecked.lexicon._plans
    for word, (widths, _seconds, *rest) in list(plans.items()):
        plans[word] = (widths, _Everything(), *rest)  # type: ignore[assignment]
    on = date(2024, 6, 1)
    for text in PHRASE_TEXTS + TOKEN_TEXTS:
        assert suggest_tags(text, on=on, catalogue=checked) == suggest_tags(
            text, on=on, catalogue=unchecked
        ), text
