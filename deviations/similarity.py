"""How alike two deviations are, for suggesting duplicates: shared tags and shared words."""

from __future__ import annotations

import re
from collections.abc import Set

_WORD = re.compile(r"[a-zåäöéü0-9]{3,}")
# Words too common in deviation texts to say anything about sameness.
_STOP = frozenset(
    [
        "och",
        "att",
        "som",
        "för",
        "med",
        "har",
        "det",
        "den",
        "inte",
        "till",
        "kan",
        "till",
        "från",
        "men",
        "hen",
        "hon",
        "han",
        "eller",
        "efter",
        "sedan",
        "ska",
        "vill",
        "får",
        "också",
        "om",
        "vid",
        "när",
        "var",
        "utan",
        "under",
        "enligt",
        "deltagaren",
        "personen",
    ]
)


def text_words(text: str) -> frozenset[str]:
    return frozenset(w for w in _WORD.findall(text.lower()) if w not in _STOP)


def jaccard(a: Set[str], b: Set[str]) -> float:
    if not a and not b:
        return 0.0
    return len(a & b) / len(a | b)


def similarity(tags_a: Set[str], words_a: Set[str], tags_b: Set[str], words_b: Set[str]) -> float:
    """0..1: mostly the tags (what the case is about), partly the words (how it was told)."""
    return round(0.6 * jaccard(tags_a, tags_b) + 0.4 * jaccard(words_a, words_b), 3)
