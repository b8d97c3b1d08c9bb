"""Find catalogue words in text by token lookup, tolerant of Swedish inflection and typos.

A big regex alternation of hundreds of forms scans every position for every form. Here every
inflected surface form (`sjukpenningen`, `FK:s`, `Försäkringskassans`) is generated once when the
catalogue is compiled, so matching a text costs a dict lookup for the few tokens that can match.
Hyphen compounds (`FK-handläggaren`), compounds (`sjukpenningärendet`) and one-letter typos
(`Försäkringskasan`, `ekonomsikt bistånd`) are worked out once per distinct word and remembered,
so they cost nothing once a word has been seen.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Literal

_LETTERS = "0-9A-Za-zÅÄÖåäöÉéÜüÆæØø"
TOKEN_RE = re.compile(rf"[{_LETTERS}]++(?:[-:][{_LETTERS}]++)*+")  # possessive: never backtracks
# The same tokens, quicker: every character that is no letter, digit, `-` or `:` becomes a
# space, then every `-` or `:` without a letter or digit on both sides; what is left between
# the spaces are the tokens, in place. No character beyond Latin-1 is part of a token.
_SPACE_OUT = bytes(i if re.fullmatch(rf"[{_LETTERS}:-]", chr(i)) else ord(" ") for i in range(256))
_LONE_JOINER = re.compile(rf"[-:](?:(?<![{_LETTERS}][-:])|(?![{_LETTERS}]))")
# The spaced-out text's shape, in bytes: every letter or digit `a`, every `-` or `:` a `-`. The
# lone joiners are then `_LONE_SHAPE`'s matches, which the regex engine finds by skipping to
# each `-` (a literal), far quicker than `_LONE_JOINER` tries a character class everywhere.
_SHAPE = bytes(
    ord(" ") if byte == ord(" ") else ord("-") if byte in b"-:" else ord("a") for byte in _SPACE_OUT
)
_LONE_SHAPE = re.compile(rb"-(?:(?<!a-)|(?!a))")

# Endings Swedish adds to a noun or adjective (definite, plural, genitive).
SUFFIXES = (
    "arnas", "ernas", "ornas", "arna", "erna", "orna", "ens", "ets", "ans", "ena", "en", "et",
    "ar", "er", "or", "na", "ns", "ts", "n", "t", "s", "a", "e",
)  # fmt: skip
# Endings after a colon on abbreviations: "FK:s", "SGI:n", "SIP:en".
COLON_SUFFIXES = (
    ":arna", ":erna", ":ens", ":ets", ":en", ":et", ":ar", ":er", ":na", ":s", ":n", ":t", ":a",
    ":e",
)  # fmt: skip
SHORT_SUFFIXES = ("s", *COLON_SUFFIXES)
# A head noun's own endings only: "sistnämnda", "ovannämnde" are participles, not committees.
HEAD_SUFFIXES = (
    "", "s", "en", "ens", "er", "ers", "erna", "ernas", "ar", "ars", "arna", "arnas",
    "n", "ns", "r", "rs", "rna", "rnas",
)  # fmt: skip
# The endings a misspelt form is still recognised with (kept short: each one multiplies the index).
FUZZY_SUFFIXES = ("", "n", "en", "et", "s", "ns", "ens", "ets")
MIN_STEM = 3  # "af" + "t" is not "aft"
MIN_COMPOUND_HEAD = 8  # "sjukpenning|ärendet"; shorter heads ("anvisa|des") are inflections
MIN_FUZZY = 10  # shorter words have too many real neighbours one letter away
MIN_FOLDED = 7  # "bistand" for "bistånd"; shorter plain words are too often other words
_FOLD = str.maketrans("åäöéü", "aaoeu")
MAX_WORDS = 14
LOOSE_CACHE_LIMIT = 200_000  # distinct tokens remembered before the cache starts over
# Real words one letter away from a catalogue word: never read them as typos.
NOT_TYPOS = frozenset(
    {"avvisning", "avvisningen", "avvisningar", "avvisningarna", "utskrivning", "utskrivningen"}
)

How = Literal["exact", "compound", "typo"]


def normalise(phrase: str) -> str:
    """Lower-case words joined by single spaces, the way keys and n-grams are compared."""
    return " ".join(TOKEN_RE.findall(phrase.lower()))


def is_abbreviation(form: str) -> bool:
    """`FK`, `SoL`, `SIP`, `JOB`: short forms whose case carries meaning."""
    letters = form.replace(":", "").replace("-", "")
    return len(letters) <= 5 and " " not in form and sum(c.isupper() for c in letters) >= 2


# A definite singular noun ("socialnämnden", "landstinget", "a-kassan") is how agency names are
# usually listed; the other forms people write (plural, indefinite) come from its stem. Shorter
# stems are left alone: "socialen" would give "sociala".
MIN_NOUN_STEM = 7


def noun_forms(form: str) -> tuple[str, ...]:
    """The indefinite forms of a phrase ending in a definite singular noun, from which the
    Swedish endings give the rest of the paradigm: `socialnämnden` → `socialnämnd` (→
    `socialnämnderna`), `landstinget` → `landsting`, `a-kassan` → `a-kassa` and the plural stem
    `a-kass` (→ `a-kassor`, `a-kassornas`)."""
    key = normalise(form)
    head, space, last = key.rpartition(" ")
    prefix = head + space
    if last.endswith("an") and len(last) - 1 >= MIN_NOUN_STEM:  # kassan: kassa, kass-or
        return (prefix + last[:-1], prefix + last[:-2])
    if last.endswith(("en", "et")) and len(last) - 2 >= MIN_NOUN_STEM:
        return (prefix + last[:-2],)
    if last.endswith("n") and last[-2:-1] in ("i", "o", "u", "y") and len(last) > MIN_NOUN_STEM:
        return (prefix + last[:-1],)  # psykiatrin: psykiatri
    return ()


def _spaced_tokens(low: str) -> str:
    """`low` with everything but its tokens turned into spaces, so `.split()` gives the tokens
    TOKEN_RE finds, at the same offsets. Translating bytes is much quicker than a regex scan;
    a character beyond Latin-1 is encoded as one `?`, which becomes a space."""
    spaced = low.encode("latin-1", errors="replace").translate(_SPACE_OUT)
    if b"-" in spaced or b":" in spaced:  # `_LONE_JOINER.sub(" ", …)`, in bytes
        lone = [match.start() for match in _LONE_SHAPE.finditer(spaced.translate(_SHAPE))]
        if lone:
            out = bytearray(spaced)
            for at in lone:
                out[at] = 32  # a space
            spaced = bytes(out)
    return spaced.decode("latin-1")


def _spaced_offsets(padded: str, lowered: list[str], positions: list[int]) -> list[int] | None:
    """Offsets from the spaced-out text between two spaces: the next ` token ` is the token,
    and the space before it is at the token's offset in the text."""
    out, cursor, find = [], 0, padded.find
    for i in positions:
        token = lowered[i]
        at = find(f" {token} ", cursor)
        if at < 0:  # cannot happen while split and find agree; never give a wrong offset
            return None
        out.append(at)
        cursor = at + len(token) + 1  # the space after it begins the next ` token `
    return out


class Tokens:
    """A text's lower-case word tokens; character offsets are worked out only for the tokens
    that matched something, since most tokens never need them."""

    __slots__ = ("_padded", "_starts", "low", "lowered", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        low = text.lower()
        self._starts: list[int] = []
        # The text with only its tokens left, between spaces: a token's offset is one `find`.
        self._padded: str | None = None
        if len(low) == len(text):
            spaced = _spaced_tokens(low)
            self.low = low
            self.lowered: list[str] = spaced.split()
            self._padded = f" {spaced} "
        else:  # a character whose lower case is longer ("İ"): lower each token on its own
            matches = list(TOKEN_RE.finditer(text))
            self.lowered = [m.group().lower() for m in matches]
            self._starts = [m.start() for m in matches]
            self.low = text  # only used to find offsets, which are all known already

    def __len__(self) -> int:
        return len(self.lowered)

    def offsets(self, positions: list[int]) -> list[int]:
        """Character offsets of the tokens at `positions` (ascending), without walking every
        token: the next occurrence of a token's text that stands alone as a token is that
        token, because no equal token lies between two looked-up positions."""
        if self._starts:
            return [self._starts[i] for i in positions]
        if self._padded is not None:
            spaced = _spaced_offsets(self._padded, self.lowered, positions)
            if spaced is not None:
                return spaced
        low, lowered, out = self.low, self.lowered, []
        cursor, find, size = 0, low.find, len(low)
        for i in positions:
            token = lowered[i]
            at = find(token, cursor)
            while at >= 0 and not _stands_alone(low, at, at + len(token), size):
                at = find(token, at + 1)
            if at < 0:  # cannot happen while findall and find agree; never loop forever
                self._starts = [m.start() for m in TOKEN_RE.finditer(low)]
                return [self._starts[i] for i in positions]
            out.append(at)
            cursor = at + len(token)
        return out

    def end_after(self, first: int, start: int, last: int) -> int:
        """End offset of token `last`, given that token `first` starts at `start`."""
        if self._starts:
            return self._starts[last] + len(self.lowered[last])
        lowered, find = self.lowered, self.low.find
        cursor = start + len(lowered[first])
        for i in range(first + 1, last + 1):
            cursor = find(lowered[i], cursor) + len(lowered[i])
        return cursor


_TOKEN_CHARS = frozenset(
    "0123456789abcdefghijklmnopqrstuvwxyzåäöéüæøABCDEFGHIJKLMNOPQRSTUVWXYZÅÄÖÉÜÆØ"
)


def _stands_alone(low: str, start: int, end: int, size: int) -> bool:
    """Whether low[start:end] is a whole token: no letter or digit, and no joining - or :
    with a letter or digit beyond it, on either side."""
    if start > 0:
        before = low[start - 1]
        if before in _TOKEN_CHARS or (
            before in "-:" and start > 1 and low[start - 2] in _TOKEN_CHARS
        ):
            return False
    if end < size:
        after = low[end]
        if after in _TOKEN_CHARS or (
            after in "-:" and end + 1 < size and low[end + 1] in _TOKEN_CHARS
        ):
            return False
    return True


@dataclass(slots=True)
class Hit[P]:
    start: int
    end: int
    surface: str
    payload: P
    channel: str
    first: int  # index of the first token, for looking at the words around a hit
    how: How = "exact"


# One catalogue word's meaning within one channel (laws, agencies, terms are separate channels).
type Entry[P] = tuple[str, P]
_NO_WORDS: frozenset[str] = frozenset()  # one shared empty set: a plan per word holds one
# Per token text: phrase widths starting with it and the words that can follow it in those
# phrases, whether a case-sensitive form may match, its own entries, and a looser match (hyphen
# head or compound) with its length.
type _Plan[P] = tuple[
    tuple[int, ...] | None,
    frozenset[str],
    bool,
    list[Entry[P]] | None,
    tuple[list[Entry[P]], int, How] | None,
]


def _osa_distance_is_one(a: str, b: str) -> bool:
    """True when `a` and `b` differ by one insertion, deletion, substitution or swap."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        return a[i + 1 :] == b[i + 1 :] or (
            a[i : i + 2] == b[i : i + 2][::-1] and a[i + 2 :] == b[i + 2 :]
        )
    longer, shorter = (a, b) if len(a) > len(b) else (b, a)
    return longer[i + 1 :] == shorter[i:]


class Lexicon[P]:
    """Forms → payloads in named channels. Abbreviations match case-sensitively with colon
    endings; words and phrases match in any case, with an inflectional ending on the last word.
    Each channel keeps its own longest match, so an agency phrase never hides a term inside it."""

    def __init__(self) -> None:
        self._base: dict[str, list[Entry[P]]] = {}
        self._rigid: set[str] = set()  # keys that take no endings ("samma lag", "lagen")
        self._compoundable: set[str] = set()
        self._fuzzy: set[str] = set()
        self._fuzzy_phrase_words: set[str] = set()
        self._exact_base: dict[str, list[Entry[P]]] = {}
        self._widths: dict[str, tuple[int, ...]] = {}
        # First word → every second word of a phrase it begins: "som" begins a phrase, but
        # seldom is the next word the one it needs, and one set lookup says so.
        self._seconds: dict[str, frozenset[str]] = {}
        self._words: dict[str, list[Entry[P]]] = {}
        self._exact: dict[str, list[Entry[P]]] = {}
        self._exact_lower: dict[str, list[Entry[P]]] = {}
        self._compound: dict[str, list[Entry[P]]] = {}
        self._compound_gate: frozenset[str] = frozenset()
        self._typo_index: dict[str, list[str]] = {}
        self._phrase_words: frozenset[str] = frozenset()
        # Head nouns that make a compound name an entry ("arbetsmarknadsnämnden"), with the
        # modifiers they need or refuse; their inflected surfaces, longest first.
        self._head_rules: list[tuple[str, tuple[str, ...], tuple[str, ...], Entry[P]]] = []
        self._head_surfaces: dict[str, list[int]] = {}
        self._head_endings: tuple[str, ...] = ()
        self._folded: dict[str, str] = {}
        # What to try for each token worth a look, incl. the hyphen heads and compounds found
        # so far; misspelt tokens and the word meant; every token already looked at. Filled
        # while tagging; each update is a single dict or set operation, so threads sharing a
        # catalogue at worst work out the same word twice.
        self._plans: dict[str, _Plan[P]] = {}
        self._corrections: dict[str, str] = {}
        self._seen: set[str] = set()
        self._seen_limit = LOOSE_CACHE_LIMIT
        self._compiled = False

    def add(
        self,
        form: str,
        payload: P,
        *,
        channel: str,
        case_sensitive: bool | None = None,
        inflect: bool = True,
        compound: bool = False,
        fuzzy: bool = False,
    ) -> None:
        form = form.strip()
        if not form:
            return
        self._compiled = False
        entry = (channel, payload)
        sensitive = is_abbreviation(form) if case_sensitive is None else case_sensitive
        if sensitive:
            _append(self._exact_base.setdefault(form, []), entry)
            return
        key = normalise(form)
        if not key:
            return
        _append(self._base.setdefault(key, []), entry)
        if not inflect:
            self._rigid.add(key)
        if " " not in key and "-" not in key:
            if compound and len(key) >= MIN_COMPOUND_HEAD:
                self._compoundable.add(key)
            if fuzzy and len(key) >= MIN_FUZZY - 2:
                self._fuzzy.add(key)
        elif fuzzy:  # "ekonomsikt bistånd", "normalt förekomande arbete"
            self._fuzzy_phrase_words.update(
                word for word in key.split(" ") if len(word) >= MIN_FUZZY and word.isalpha()
            )

    def add_head(
        self,
        head: str,
        payload: P,
        *,
        channel: str,
        when: tuple[str, ...] = (),
        unless: tuple[str, ...] = (),
    ) -> None:
        """A compound ending in `head` (any Swedish ending) means `payload` when the part before
        it has at least three letters, starts with one of `when` (if given) and contains none of
        `unless`. Rules added first are tried first; the whole word is the span."""
        self._compiled = False
        self._head_rules.append((normalise(head), when, unless, (channel, payload)))

    def compile(self) -> None:
        """Generate every inflected surface form once, so matching is plain dict lookups."""
        words: dict[str, list[Entry[P]]] = {k: list(v) for k, v in self._base.items()}
        # Longer stems first: "förbundet" + "s" beats "förbund" + "ets" for the same surface,
        # within each channel ("a-kassan" is an agency name and an inflected term).
        for key in sorted(self._base, key=len, reverse=True):
            if key in self._rigid:
                continue
            entries = self._base[key]
            # Two letters ("fk", "af") take only the genitive: "fks", "fk:s".
            endings = (*SUFFIXES, *COLON_SUFFIXES) if len(key) >= MIN_STEM else SHORT_SUFFIXES
            for suffix in endings:
                _merge(words, key + suffix, entries)
        self._words = words

        exact: dict[str, list[Entry[P]]] = {k: list(v) for k, v in self._exact_base.items()}
        for form, entries in self._exact_base.items():
            for suffix in (*COLON_SUFFIXES, "s"):  # "FK:s", and the "FKs", "Afs" people write
                _merge(exact, form + suffix, entries)
        self._exact = exact
        exact_lower: dict[str, list[Entry[P]]] = {}
        for form, entries in exact.items():
            _merge(exact_lower, form.lower(), entries)
        self._exact_lower = exact_lower

        widths: dict[str, set[int]] = {}
        for key in self._base:
            parts = key.split(" ")
            if 1 < len(parts) <= MAX_WORDS:
                widths.setdefault(parts[0], set()).add(len(parts))
        self._widths = {w: tuple(sorted(n, reverse=True)) for w, n in widths.items()}
        seconds: dict[str, set[str]] = {}
        for key in words:  # inflected phrases too: "ekonomiskt biståndet"
            if " " in key:
                first, second = key.split(" ", 2)[:2]
                seconds.setdefault(first, set()).add(second)
        self._seconds = {first: frozenset(following) for first, following in seconds.items()}

        head_surfaces: dict[str, list[int]] = {}
        for index, (head, *_rest) in enumerate(self._head_rules):
            for suffix in HEAD_SUFFIXES:
                _append(head_surfaces.setdefault(head + suffix, []), index)
        self._head_surfaces = head_surfaces
        self._head_endings = tuple(sorted(head_surfaces, key=len, reverse=True))

        self._compound = {k: self._base[k] for k in self._compoundable}
        self._compound_gate = frozenset(k[:MIN_COMPOUND_HEAD] for k in self._compoundable)

        targets = {
            key + suffix
            for key in self._fuzzy
            for suffix in FUZZY_SUFFIXES
            if len(key + suffix) >= MIN_FUZZY and key + suffix in words
        } | self._fuzzy_phrase_words
        typo_index: dict[str, list[str]] = {}
        for surface in targets:
            for deleted in {surface[:i] + surface[i + 1 :] for i in range(1, len(surface))}:
                typo_index.setdefault(deleted, []).append(surface)
            typo_index.setdefault(surface, []).append(surface)
        self._typo_index = typo_index
        # Every word of a catalogue phrase is a real word, never a typo of another one.
        self._phrase_words = frozenset(w for key in self._base for w in key.split(" "))
        # "Forsakringskassan", "forsorjningsstod", "ekonomiskt bistand": written without å, ä, ö
        # (a keyboard without them), two or more letters off, so no typo. Long words only.
        folded: dict[str, str] = {}
        for word in itertools.chain((w for w in words if " " not in w), self._phrase_words):
            if len(word) >= MIN_FOLDED and not word.isascii():
                plain = word.translate(_FOLD)
                if plain != word and plain.isascii() and plain not in words:
                    folded.setdefault(plain, word)
        self._folded = folded
        self._reset_cache()
        self._compiled = True

    def _reset_cache(self) -> None:
        plans: dict[str, _Plan[P]] = {}
        for key in {*self._words, *self._widths, *self._exact_lower}:
            plans[key] = (
                self._widths.get(key),
                self._seconds.get(key, _NO_WORDS),
                key in self._exact_lower,
                self._words.get(key),
                None,
            )
        self._plans = plans
        self._corrections = {}
        self._seen = set(plans) | self._phrase_words
        # The limit counts words learnt from texts, not the catalogue's own: with a full
        # statute register the catalogue alone has more words than the limit, and comparing
        # against the total rebuilt every plan for every text (benchmarks/register.py).
        self._seen_limit = len(self._seen) + LOOSE_CACHE_LIMIT

    def find(self, tokens: Tokens) -> dict[str, list[Hit[P]]]:
        """Each channel's hits in text order: longest match first at each token, and a matched
        stretch is not searched again in that channel. A channel without hits is left out."""
        if not self._compiled:
            self.compile()
        lowered = tokens.lowered
        if not self._seen.issuperset(lowered):
            self._analyse(set(lowered).difference(self._seen))
        # Misspelt words are matched as the word meant; offsets still come from the text.
        corrections, matched = self._corrections, lowered
        if corrections and not corrections.keys().isdisjoint(lowered):
            matched = [corrections.get(w, w) for w in lowered]
        plans = self._plans
        positions = [i for i, w in enumerate(matched) if w in plans]
        if not positions:
            return {}
        words, exact, text, n = self._words, self._exact, tokens.text, len(lowered)
        busy: dict[str, int] = {}  # channel → first token index free again
        hits: dict[str, list[Hit[P]]] = {}
        for i, start in zip(positions, tokens.offsets(positions), strict=True):
            low = matched[i]
            widths, seconds, exact_possible, entries, loose = plans[low]
            claimed = False  # whether any channel matched at this token
            if widths and i + 1 < n and matched[i + 1] in seconds:
                for width in widths:
                    if i + width <= n and (phrase := words.get(" ".join(matched[i : i + width]))):
                        end = tokens.end_after(i, start, i + width - 1)
                        typo = (
                            matched is not lowered
                            and matched[i : i + width] != lowered[i : i + width]
                        )
                        kind: How = "typo" if typo else "exact"
                        claimed |= _claim(phrase, i, i + width, start, end, low, kind, busy, hits)
            end = start + len(lowered[i])
            if exact_possible and (found := exact.get(text[start:end])):
                claimed |= _claim(found, i, i + 1, start, end, low, "exact", busy, hits)
            if entries:
                how: How = "exact" if low is lowered[i] else "typo"
                claimed |= _claim(entries, i, i + 1, start, end, low, how, busy, hits)
            if loose and not claimed:
                found, length, loose_how = loose
                _claim(found, i, i + 1, start, start + length, low, loose_how, busy, hits)
        return hits

    def _analyse(self, new: set[str]) -> None:
        """Look once at each token never seen before: hyphen head, compound or typo. The
        answers are kept, so a text costs dict lookups once its words have been seen."""
        if len(self._seen) > self._seen_limit:
            self._reset_cache()
        for token in new:
            found = self._loose_match(token)
            if found is not None:
                self._plans[token] = (None, _NO_WORDS, False, None, found)
            elif token.isascii() and (plain := self._folded.get(token)):
                self._corrections[token] = plain
            elif (
                len(token) >= MIN_FUZZY - 1
                and token not in NOT_TYPOS
                and token.isalpha()
                and (meant := self._typo_match(token))
            ):
                self._corrections[token] = meant
        self._seen |= new

    def _loose_match(self, low: str) -> tuple[list[Entry[P]], int, How] | None:
        if "-" in low:  # "FK-handläggaren", "SIP-mötet", "soc-handläggaren"
            head = low.split("-", 1)[0]
            entries = self._words.get(head) or self._exact_lower.get(head)
            return (entries, len(head), "exact") if entries else None
        if self._head_endings and low.endswith(self._head_endings):
            found = self._head_match(low)
            if found is not None:
                return found
        if len(low) >= MIN_COMPOUND_HEAD + 3 and low[:MIN_COMPOUND_HEAD] in self._compound_gate:
            return self._compound_match(low)
        return None

    def _head_match(self, low: str) -> tuple[list[Entry[P]], int, How] | None:
        """`omsorgsnämnden`, `socialförvaltningarna`: a modifier plus an inflected head noun."""
        for surface in self._head_endings:
            modifier = low[: -len(surface)]
            if not low.endswith(surface) or len(modifier) < 3:
                continue
            entries: list[Entry[P]] = []
            channels: set[str] = set()
            for index in self._head_surfaces[surface]:
                _head, when, unless, entry = self._head_rules[index]
                if entry[0] in channels:
                    continue
                if (not when or modifier.startswith(when)) and not any(
                    word in modifier for word in unless
                ):
                    entries.append(entry)
                    channels.add(entry[0])
            return (entries, len(low), "compound") if entries else None
        return None

    def _compound_match(self, low: str) -> tuple[list[Entry[P]], int, How] | None:
        """`sjukpenningärendet`, `försörjningsstödsbeslut`: a known head plus a noun of 3+
        letters, with or without the linking -s-."""
        for cut in range(len(low) - 3, MIN_COMPOUND_HEAD - 1, -1):
            head = low[:cut]
            entries = self._compound.get(head)
            if entries is None and head[-1] == "s":
                entries = self._compound.get(head[:-1])  # the linking -s- stays in the span
            if entries:
                return entries, cut, "compound"
        return None

    def _typo_match(self, low: str) -> str | None:
        """The catalogue word one missing, extra, wrong or swapped letter (not the first) away
        from a long word."""
        index = self._typo_index
        candidates = set(index.get(low, ()))
        for j in range(1, len(low)):
            candidates.update(index.get(low[:j] + low[j + 1 :], ()))
        for surface in sorted(candidates, key=lambda s: (abs(len(s) - len(low)), s)):
            if surface[0] == low[0] and _osa_distance_is_one(surface, low):
                return surface
        return None


def _claim[P](
    entries: list[Entry[P]],
    first: int,
    stop: int,
    start: int,
    end: int,
    surface: str,
    how: How,
    busy: dict[str, int],
    hits: dict[str, list[Hit[P]]],
) -> bool:
    """Record a match for each channel not already matched here or inside a longer match
    (a match at token `first` makes its channel busy beyond `first`); whether any was."""
    claimed = False
    for channel, payload in entries:
        free = busy.get(channel)
        if free is None:  # the channel's first hit
            hits[channel] = [Hit(start, end, surface, payload, channel, first, how)]
        elif free <= first:
            hits[channel].append(Hit(start, end, surface, payload, channel, first, how))
        else:
            continue
        busy[channel] = stop
        claimed = True
    return claimed


def _merge[P](table: dict[str, list[Entry[P]]], surface: str, entries: list[Entry[P]]) -> None:
    """Add a derived surface's entries for channels the surface does not have yet."""
    present = table.get(surface)
    if present is None:
        table[surface] = list(entries)
        return
    channels = {channel for channel, _ in present}
    present.extend(entry for entry in entries if entry[0] not in channels)


def _append[T](items: list[T], item: T) -> None:
    if item not in items:
        items.append(item)
