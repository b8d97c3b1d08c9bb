"""Find catalogue words in text by token lookup, tolerant of Swedish inflection.

A big regex alternation of hundreds of forms scans every position for every form; looking up
word n-grams in a dict costs a few hundred hash lookups per text instead, which is what keeps
the tagger at thousands of texts per second.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

_LETTERS = "0-9A-Za-zÅÄÖåäöÉéÜüÆæØø"
TOKEN_RE = re.compile(rf"[{_LETTERS}]+(?:[-:][{_LETTERS}]+)*")

# Endings Swedish adds to a noun or adjective (definite, plural, genitive), longest first.
SUFFIXES = (
    "arnas",
    "ernas",
    "ornas",
    "arna",
    "erna",
    "orna",
    "ens",
    "ets",
    "ans",
    "ena",
    "en",
    "et",
    "ar",
    "er",
    "or",
    "na",
    "ns",
    "ts",
    "n",
    "t",
    "s",
    "a",
    "e",
)
# Endings after a colon on abbreviations: "FK:s", "SGI:n", "SIP:en".
COLON_SUFFIXES = (
    ":arna",
    ":erna",
    ":ens",
    ":ets",
    ":en",
    ":et",
    ":ar",
    ":er",
    ":na",
    ":s",
    ":n",
    ":t",
    ":a",
    ":e",
)
MAX_WORDS = 14


def normalise(phrase: str) -> str:
    """Lower-case words joined by single spaces, the way keys and n-grams are compared."""
    return " ".join(TOKEN_RE.findall(phrase.lower()))


@dataclass(frozen=True, slots=True)
class Token:
    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Hit[P]:
    start: int
    end: int
    surface: str
    payload: P


def tokenize(text: str) -> list[Token]:
    return [Token(m.group(), m.start(), m.end()) for m in TOKEN_RE.finditer(text)]


def is_abbreviation(form: str) -> bool:
    """`FK`, `SoL`, `SIP`, `JOB`: short forms whose case carries meaning."""
    letters = form.replace(":", "").replace("-", "")
    return len(letters) <= 5 and " " not in form and sum(c.isupper() for c in letters) >= 2


class Lexicon[P]:
    """Forms → payloads. Abbreviations match case-sensitively with colon endings; words and
    phrases match in any case, with an inflectional ending on the last word."""

    def __init__(self) -> None:
        self._words: dict[str, list[P]] = {}
        self._exact: dict[str, list[P]] = {}
        # Phrase widths by first word, so only plausible n-grams are ever built.
        self._widths: dict[str, list[int]] = {}

    def add(
        self, form: str, payload: P, *, case_sensitive: bool | None = None, inflect: bool = True
    ) -> None:
        form = form.strip()
        if not form:
            return
        sensitive = is_abbreviation(form) if case_sensitive is None else case_sensitive
        if sensitive:
            self._exact.setdefault(form, []).append(payload)
            return
        key = normalise(form)
        if not key:
            return
        self._words.setdefault(key, []).append(payload)
        if not inflect:
            self._words.setdefault("\x00" + key, []).append(payload)
        words = key.split(" ")
        if 1 < len(words) <= MAX_WORDS:
            widths = self._widths.setdefault(words[0], [])
            if len(words) not in widths:
                widths.append(len(words))
                widths.sort(reverse=True)

    def _lookup_words(self, phrase: str) -> list[P] | None:
        found = self._words.get(phrase)
        if found is not None:
            return found
        if ":" in phrase:
            for suffix in COLON_SUFFIXES:
                if phrase.endswith(suffix):
                    return self._words.get(phrase[: -len(suffix)])
            return None
        for suffix in SUFFIXES:
            if phrase.endswith(suffix) and len(phrase) - len(suffix) >= 3:
                found = self._words.get(phrase[: -len(suffix)])
                if found is not None and ("\x00" + phrase[: -len(suffix)]) not in self._words:
                    return found
        return None

    def _lookup_exact(self, token: str) -> tuple[list[P], int] | None:
        """Case-sensitive lookup; returns the payloads and how many characters matched."""
        found = self._exact.get(token)
        if found is not None:
            return found, len(token)
        for suffix in COLON_SUFFIXES:
            if token.endswith(suffix):
                found = self._exact.get(token[: -len(suffix)])
                if found is not None:
                    return found, len(token)
        if len(token) > 2 and token[-1] == "s" and (found := self._exact.get(token[:-1])):
            return found, len(token)  # "FKs", "Afs"
        head = token.split("-", 1)[0]
        if head != token and (found := self._exact.get(head)):
            return found, len(head)  # "FK-handläggaren", "LVM-vården"
        return None

    def find(self, tokens: list[Token]) -> Iterator[Hit[P]]:
        """Longest match first at each token; a matched stretch is not searched again."""
        i, n = 0, len(tokens)
        lowered = [t.text.lower() for t in tokens]
        while i < n:
            matched = False
            for width in (*self._widths.get(lowered[i], ()), 1):
                if i + width > n:
                    continue
                phrase = " ".join(lowered[i : i + width]) if width > 1 else lowered[i]
                payloads = self._lookup_words(phrase)
                if payloads is not None:
                    start, end = tokens[i].start, tokens[i + width - 1].end
                    for payload in payloads:
                        yield Hit(start, end, phrase, payload)
                    i += width
                    matched = True
                    break
            if matched:
                continue
            exact = self._lookup_exact(tokens[i].text)
            if exact is not None:
                payloads, length = exact
                token = tokens[i]
                for payload in payloads:
                    yield Hit(token.start, token.start + length, token.text[:length], payload)
            else:
                head = lowered[i].split("-", 1)[0]
                if head != lowered[i] and (payloads := self._words.get(head)):
                    token = tokens[i]
                    for payload in payloads:
                        yield Hit(token.start, token.start + len(head), head, payload)
            i += 1

    def extend(self, items: Iterable[tuple[str, P]]) -> None:
        for form, payload in items:
            self.add(form, payload)
