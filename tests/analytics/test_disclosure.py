"""The one small-count rule: 1–4 leave the analyst role as “<5”, in text, bars and shares."""

from __future__ import annotations

from django.utils import translation

from analytics.disclosure import (
    SMALL_COUNT,
    SUPPRESSED,
    present_count,
    suppress_small,
)


def test_small_counts_are_hidden_only_from_those_who_may_not_see_them() -> None:
    assert SUPPRESSED == f"<{SMALL_COUNT}" == "<5"
    with translation.override("en"):
        assert present_count(3, viewer_may_see_small=False) == "<5"
        assert present_count(3, viewer_may_see_small=True) == "3"
        assert present_count(0, viewer_may_see_small=False) == "0"  # nobody behind a zero
        assert present_count(SMALL_COUNT, viewer_may_see_small=False) == "5"
        assert present_count(12_345, viewer_may_see_small=False) == "12,345"


def test_a_suppressed_count_leaks_through_neither_bar_nor_share() -> None:
    rows = [("a", 90), ("b", 4), ("c", 6)]
    hidden = suppress_small(rows, viewer_may_see_small=False)
    assert [(r.label, r.text, r.drawn, r.suppressed) for r in hidden] == [
        ("a", "90", 90, False),
        ("b", "<5", 0, True),
        ("c", "6", 6, False),
    ]
    assert hidden[1].share is None
    assert hidden[0].share == 0.9  # of the full total: the hidden row cannot be worked out
    shown = suppress_small(rows, viewer_may_see_small=True)
    assert [(r.text, r.drawn) for r in shown] == [("90", 90), ("4", 4), ("6", 6)]
    assert suppress_small([], viewer_may_see_small=False) == []
