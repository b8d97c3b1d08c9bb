"""The tagger's cheap tests before a regex and its quick way of building suggestions must change
nothing: a test that says "no match" must only say so where the regex finds none, and a built
suggestion must be the same frozen TagSuggestion its constructor gives."""

from __future__ import annotations

import dataclasses
import pickle
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalogue.tagging import TagSuggestion, suggest_tags
from catalogue.tagging.references import (
    _NOT_SFS_WORDS,
    _SFS_BEFORE,
    NOT_SFS_BEFORE,
    _ends_sfs_before,
    _may_follow_not_sfs,
)
from tests.catalogue.shipped import default_catalogue

# Words before an SFS-like number, in odd cases and with characters that match a letter under
# IGNORECASE ("K" Kelvin sign, "ſ" long s, dotted and dotless i).
_BEFORE_PIECES = [
    *_NOT_SFS_WORDS, *(w.upper() for w in _NOT_SFS_WORDS), *(w.lower() for w in _NOT_SFS_WORDS),
    "SFS", "SOSFS", "AFFS", "sosfs", "SFS nr", "SFS nr.", "lagen", "förordningen", "2021/12:",
    "1234/56:", "\u212a", "\u017f", "\u0130", "\u0131", "a", "S", "r", "n", "x", "-", ".", ":",
    " ", "  ", "\u00a0", "\n", "(", ")", "( ", "7", "\u0667",
]  # fmt: skip


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(_BEFORE_PIECES), max_size=10), st.integers(0, 30))
def test_not_sfs_check_only_skips_where_the_regex_finds_nothing(
    pieces: list[str], cut: int
) -> None:
    text = "".join(pieces)
    start = len(text)
    window = max(0, start - 24, start - cut)
    if not _may_follow_not_sfs(text, window, start):
        assert NOT_SFS_BEFORE.search(text, window, start) is None


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(_BEFORE_PIECES), max_size=10), st.integers(0, 30))
def test_sfs_before_check_only_skips_where_the_regex_finds_no_prefix(
    pieces: list[str], cut: int
) -> None:
    text = "".join(pieces)
    start = len(text)
    window = max(0, start - 24, start - cut)
    if not _ends_sfs_before(text, window, start):
        found = _SFS_BEFORE.search(text, window, start)
        assert found is not None
        assert found["prefix"] is None
        assert found["paren"] is None


@pytest.mark.parametrize(
    ("before", "number_is_sfs"),
    [
        ("enligt lagen (", True),
        ("förordningen (", True),
        ("SFS ", True),
        ("RiR ", False),
        ("SOSFS ", False),
        ("Dnr 2021/12: ", False),
        ("rapporten ", False),
        ("ISF:s ", False),
        ("vägledningen ", False),
        ("\u212aL ", False),  # Kelvin sign: "kl" under IGNORECASE
    ],
)
def test_sfs_numbers_after_words(before: str, number_is_sfs: bool) -> None:
    text = f"Det står i {before}2010:110) om det."
    tags = {
        s.tag_id for s in suggest_tags(text, on=date(2024, 5, 1), catalogue=default_catalogue())
    }
    assert ("law:2010:110" in tags) is number_is_sfs


def test_built_suggestions_are_ordinary_frozen_suggestions() -> None:
    text = "FK avslog sjukpenning enligt 27 kap. 48 § SFB och 4 kap. 1 § SoL (2001:453)."
    found = suggest_tags(text, on=date(2024, 5, 1), catalogue=default_catalogue())
    assert found
    names = [f.name for f in dataclasses.fields(TagSuggestion)]
    for suggestion in found:
        assert type(suggestion) is TagSuggestion
        rebuilt = TagSuggestion(*(getattr(suggestion, name) for name in names))
        assert suggestion == rebuilt
        assert hash(suggestion) == hash(rebuilt)
        assert repr(suggestion) == repr(rebuilt)
        assert pickle.loads(pickle.dumps(suggestion)) == suggestion  # noqa: S301 - our own bytes
        assert dataclasses.replace(suggestion) == suggestion
        with pytest.raises(dataclasses.FrozenInstanceError):
            suggestion.confidence = 0.0  # type: ignore[misc]
