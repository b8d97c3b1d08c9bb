"""Personal data in free text: find it before anything is stored.

Deviations must be anonymised. Identity numbers, phone numbers, e-mail addresses and street
addresses block a submission; a possible person's name only warns, because names cannot be told
from ordinary capitalised words with certainty. Pure functions, no Django: the same detector runs
in the form, the API, the import and the `tag_text` command.
"""

from __future__ import annotations

import re
import unicodedata
from calendar import monthrange
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Literal

PiiType = Literal["personnummer", "samordningsnummer", "phone", "email", "address", "name"]

#: Types that refuse a submission. A name is a warning the user may confirm past.
BLOCKING_TYPES: frozenset[str] = frozenset(
    {"personnummer", "samordningsnummer", "phone", "email", "address"}
)


@dataclass(frozen=True, slots=True)
class PiiHit:
    type: PiiType
    start: int
    end: int
    text: str

    @property
    def blocking(self) -> bool:
        return self.type in BLOCKING_TYPES


# --- Normalisation -----------------------------------------------------------------------------
#
# People (and their phones and word processors) write the same number in many ways: an en dash
# from Word or iOS, a non-breaking space, a zero-width space or soft hyphen pasted from a web
# page, full-width or Arabic-Indic digits, a letter O for a zero, a line break in the middle.
# The patterns below look at a normalised copy of the text; every normalised character
# remembers the original characters it came from, so the spans point into the original text.

# Every dash and hyphen that is not U+002D (NFKC turns the full-width and small ones into it).
_DASHES = frozenset("\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212\u2e3a\u2e3b\ufe58")
# Characters NFKC leaves alone and that are kept as they are (ASCII and the Latin-1 letters),
# in runs, unless a combining mark follows the last one.
_CLUSTER_RE = re.compile(
    r"(?P<plain>[\x00-\x7f\u00c0-\u00ff]+)(?![\u0300-\u036f])|.[\u0300-\u036f]*", re.DOTALL
)
# Beyond Latin-1, or the soft hyphen: the only characters that can need a look in text that NFKC
# leaves alone. One small character class, so that the search over ordinary text is quick.
_BEYOND_LATIN1_RE = re.compile(r"[^\x00-\xff]|\xad")
# A letter written for a digit, only between digits: `85O312` is `850312`, `Ola` stays.
_CONFUSABLE_RE = re.compile(r"(?<=\d)[OoIlSB]{1,2}(?=\d)")
_CONFUSABLE_GATE = re.compile(r"[OoIlSB](?<=\d[OoIlSB])")
_CONFUSABLES = str.maketrans("OoIlSB", "001158")
# The same gate for Latin-1 text (whose only decimal digits are ASCII), in bytes: every digit
# becomes `0` and every letter that can stand for one `O`, so `0O` is a digit before such a letter.
_DIGIT_AND_LETTER = bytes(
    ord("0") if chr(i).isdecimal() else ord("O") if chr(i) in "OoIlSB" else ord(" ")
    for i in range(256)
)
# Latin-1 characters that NFKC changes (`\xa0`, `²`, `½`, `´` …) and the soft hyphen. Latin-1
# holds no combining mark, so NFKC changes a Latin-1 text exactly where it holds one of these.
_LATIN1_NEEDS_LOOK = frozenset(
    chr(i) for i in range(256) if unicodedata.normalize("NFKC", chr(i)) != chr(i)
) | {"\xad"}
# `_DIGIT_AND_LETTER` that also marks those characters `!`: one translation tells whether a
# Latin-1 text needs the general normalisation and whether a letter may stand for a digit.
_LATIN1_LOOK = bytes(
    ord("!") if chr(i) in _LATIN1_NEEDS_LOOK else byte for i, byte in enumerate(_DIGIT_AND_LETTER)
)


@lru_cache(maxsize=4096)
def _one_to_one(char: str) -> str | None:
    """What a character that NFKC leaves alone stands for: '' for a format character (Unicode
    category Cf: soft hyphen, zero-width space and joiners, word joiner, BOM, bidi marks), '-'
    for a dash, a line break for U+2028/9, '.' for the ideographic full stop (a dot in IDN
    domains), the ASCII digit for any Unicode decimal digit; None when it stays."""
    if unicodedata.category(char) == "Cf":
        return ""
    if char in _DASHES:
        return "-"
    if char in "\u2028\u2029":
        return "\n"
    if char in "\u3002\uff61":
        return "."
    digit = unicodedata.decimal(char, None)
    return None if digit is None or char.isascii() else str(digit)


@lru_cache(maxsize=4096)
def _normalise_cluster(cluster: str) -> str:
    """A character and its combining marks: NFKC, then the replacements of `_one_to_one`."""
    return "".join(
        char if (other := _one_to_one(char)) is None else other
        for char in unicodedata.normalize("NFKC", cluster)
    )


@dataclass(slots=True)
class _Normalised:
    """The text the patterns see, and for each of its characters the original span (None when
    every character stayed in its place)."""

    text: str
    starts: list[int] | None = None
    ends: list[int] | None = None

    def span(self, start: int, end: int) -> tuple[int, int]:
        if self.starts is None or self.ends is None:
            return start, end
        return self.starts[start], self.ends[end - 1]


def _latin1(text: str) -> bool:
    """Whether every character is Latin-1: encoding is far cheaper than a regex scan."""
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


def _normalise(text: str) -> _Normalised:
    try:
        marked = text.encode("latin-1").translate(_LATIN1_LOOK)
    except UnicodeEncodeError:
        return _normalise_general(text)
    # Most text: Latin-1 that NFKC leaves alone, without soft hyphens. `_normalise_general`
    # gives the same for it, in three more passes over the text.
    if b"!" in marked:
        return _normalise_general(text)
    if b"0O" in marked:
        text = _CONFUSABLE_RE.sub(lambda m: m.group().translate(_CONFUSABLES), text)
    return _Normalised(text)


def _normalise_general(text: str) -> _Normalised:
    # Latin-1 text that NFKC leaves alone can only need a look at the soft hyphen.
    if not text.isascii() and (
        not (nfkc := unicodedata.is_normalized("NFKC", text)) or "\xad" in text or not _latin1(text)
    ):
        if not nfkc:
            return _normalise_mapped(text)
        for char in set(_BEYOND_LATIN1_RE.findall(text)):
            other = _one_to_one(char)
            if other == "":
                return _normalise_mapped(text)  # characters go away: positions move
            if other is not None:
                text = text.replace(char, other)  # one for one: positions stay
    if _confusable_possible(text):
        text = _CONFUSABLE_RE.sub(lambda m: m.group().translate(_CONFUSABLES), text)
    return _Normalised(text)


def _confusable_possible(text: str) -> bool:
    """Whether a letter that can stand for a digit follows a digit (`_CONFUSABLE_GATE`);
    translating bytes is quicker than the regex scan."""
    try:
        encoded = text.encode("latin-1")
    except UnicodeEncodeError:
        return _CONFUSABLE_GATE.search(text) is not None
    return b"0O" in encoded.translate(_DIGIT_AND_LETTER)


def _normalise_mapped(text: str) -> _Normalised:
    """The slow path, for text that NFKC changes or that holds format characters."""
    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for match in _CLUSTER_RE.finditer(text):
        start, end = match.span()
        if match["plain"] is not None:
            pieces.append(match.group())
            starts.extend(range(start, end))
            ends.extend(range(start + 1, end + 1))
        else:
            out = _normalise_cluster(match.group())
            pieces.append(out)
            starts.extend([start] * len(out))
            ends.extend([end] * len(out))
    normal = "".join(pieces)
    if _CONFUSABLE_GATE.search(normal) is not None:
        normal = _CONFUSABLE_RE.sub(lambda m: m.group().translate(_CONFUSABLES), normal)
    return _Normalised(normal, starts, ends)


# --- Identity numbers ------------------------------------------------------------------------

# 10 or 12 digits: (CC)YYMMDD, then NNNC. Between the date and the serial: nothing, `-`, `+`, a
# dot, a slash, spaces (around a dash too) or a line break. The date may be written `YY-MM-DD`
# (or with dots or spaces) when a bare dash comes before the serial. Not part of a longer
# number, an SFS number (`2010:110`), a case number (`2021/879`), a date range or a decimal; a
# colon, slash or dot after it is fine unless a digit follows (`850312-2387:` and URLs are found).
_IDENTITY_RE = re.compile(
    r"(?=\d)(?<!\d)(?<!\d[-.,:/])"  # `(?=\d)` first: the regex engine skips to digits quickly
    r"(?P<century>\d{2})?(?P<yy>\d{2})(?P<dsep>[-. ]?)(?P<mm>\d{2})(?P=dsep)(?P<dd>\d{2})"
    r"(?P<sep>[ \t]{0,3}(?:[-+][ \t]{0,3})?(?:\r?\n[ \t]{0,3}(?:[-+][ \t]{0,3})?)?|[./])"
    r"(?P<serial>\d{4})(?!\d|[-+:/.,]\d)"
)
_IDENTITY_GATE = re.compile(r"[0-9][0-9][-. ]?[0-9][0-9][-. ]?[0-9][0-9]")
# Where `_IDENTITY_RE` can start: its first character and look-behinds, with the character
# class first so that the regex engine skips to the digits.
_IDENTITY_STARTS = re.compile(r"[0-9](?<![0-9][0-9])(?<![0-9][-.,:/][0-9])")


def _matches_at(
    pattern: re.Pattern[str], starts: re.Pattern[str], text: str, pos: int = 0
) -> Iterator[re.Match[str]]:
    """What `pattern.finditer(text)` gives, given that no match starts before `pos`, trying
    `pattern` only where `starts` finds a place it can start (its first character and
    look-behinds). A pattern that opens with a look-around is tried at every character;
    `starts` opens with a character class, which is quick."""
    end = 0
    for start in starts.finditer(text, pos):
        if start.start() >= end and (match := pattern.match(text, start.start())):
            end = match.end()
            yield match


def luhn_valid(ten_digits: str) -> bool:
    """The check digit of a personnummer: Luhn over the 10-digit form."""
    total = 0
    for index, char in enumerate(ten_digits):
        product = int(char) * (2 if index % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    return total % 10 == 0


def _date_plausible(year: int, month: int, day: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= monthrange(year, month)[1]


def classify_identity_number(century: str | None, yymmdd: str) -> PiiType | None:
    """`personnummer`, `samordningsnummer` (day + 60) or None when no real date fits."""
    yy, month, day = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:6])
    if century is not None:
        if century not in ("18", "19", "20"):
            return None
        year = int(century) * 100 + yy
        if year > datetime.now(UTC).year:
            return None  # nobody is born in the future
    else:
        year = 2000 + yy  # the century only decides leap days: 2000 + yy leaps when 1900 + yy does
    kind: PiiType = "personnummer"
    if day > 60:
        kind, day = "samordningsnummer", day - 60
    if _date_plausible(year, month, day):
        return kind
    return None


_Found = tuple[PiiType, int, int]  # a finding in the normalised text


def _identity_numbers(text: str, pos: int = 0) -> list[_Found]:
    """Identity numbers; none starts before `pos` (where `_IDENTITY_GATE` first matched: it
    matches at the start of every identity number)."""
    hits: list[_Found] = []
    for match in _matches_at(_IDENTITY_RE, _IDENTITY_STARTS, text, pos):
        if match["dsep"] and match["sep"] not in ("-", "+"):
            continue  # `2024-05-27 – 2025` is a date and a year; `85-03-12-2387` is one number
        date = match["yy"] + match["mm"] + match["dd"]
        if not luhn_valid(date + match["serial"]):
            continue
        kind = classify_identity_number(match["century"], date)
        if kind is not None:
            hits.append((kind, match.start(), match.end()))
    return hits


# --- Phone numbers, e-mail -------------------------------------------------------------------

# Between digit groups: nothing, spaces, a dash, dot or slash (spaces around it allowed) or a
# line break.
_PHONE_SEP = r"(?:[ \t]{0,2}[-./][ \t]{0,2}|[ \t]{1,2}|[ \t]*\r?\n[ \t]*)?"
_PHONE_RE = re.compile(
    r"(?=[+0(])(?<![\w+])(?<!\d[-./])"  # not inside a date or a longer number
    rf"(?:(?:\+|00) ?46{_PHONE_SEP}(?:\(0\){_PHONE_SEP}|0)?[1-9]\d{{0,2}}"  # country + area
    r"|\(0[1-9]\d{0,2}\)"  # `(070)`
    r"|0[1-9]\d{0,2})"  # trunk + area
    rf"(?:{_PHONE_SEP}\d{{2,4}}){{1,4}}"  # subscriber number in groups
    r"(?!\w|[-:/.,]\d)"
)
# `0\d` first and `00 ?46` left out (`00` is `0\d`): a literal first character keeps the scan quick.
_PHONE_GATE = re.compile(r"0[0-9]|\+ ?46")
# Where `_PHONE_RE` can start, as `_IDENTITY_STARTS` for identity numbers.
_PHONE_STARTS = re.compile(r"[+0(](?<![\w+][+0(])(?<![0-9][-./][+0(])")
# The gates above as substring searches in bytes, which skip along far quicker than the regex
# engine's scan: in `_GATE_DIGITS` every `0` stays, every other digit becomes `1`, and what may
# stand between the parts of an identity number's date becomes `-`; in `_GATE_ANY_DIGIT` also `1`
# becomes `0`. A character beyond Latin-1 is one `?`, which is an `x` like any other.
_GATE_DIGITS = bytes(
    i if chr(i) == "0" else ord("1") if chr(i) in "123456789" else ord("-") if chr(i) in "-. "
    else ord("x")
    for i in range(256)
)  # fmt: skip
_GATE_ANY_DIGIT = bytes.maketrans(b"1", b"0")
_IDENTITY_SHAPES = (b"000000", b"00-0000", b"0000-00", b"00-00-00")  # what _IDENTITY_GATE reads
_TRUNK_SHAPES = (b"00", b"01")  # `0\d`
_COUNTRY_SHAPES = ("+46", "+ 46")  # `\+ ?46`


def _gates(text: str) -> tuple[int, int]:
    """Where `_IDENTITY_GATE` and `_PHONE_GATE` first match in normalised `text`, or -1. Their
    `[0-9]` is `\\d` here: `_normalise` leaves no other decimal digit."""
    digits = text.encode("latin-1", errors="replace").translate(_GATE_DIGITS)
    identity = -1
    if b"00" in (any_digit := digits.translate(_GATE_ANY_DIGIT)):  # no six digits otherwise
        identity = _first(any_digit, _IDENTITY_SHAPES)
    phone = _first(digits, _TRUNK_SHAPES)
    if "+" in text:
        country = _first(text, _COUNTRY_SHAPES)
        if country >= 0 and (phone < 0 or country < phone):
            phone = country
    return identity, phone


def _first[T: (str, bytes)](text: T, shapes: tuple[T, ...]) -> int:
    """Where the first of `shapes` first occurs in `text`, or -1."""
    found = [at for shape in shapes if (at := text.find(shape)) >= 0]
    return min(found) if found else -1


_COUNTRY_CODE_RE = re.compile(r"(?:\+|00) ?46[^\d(]*(?:\(0\))?")
_LAST_GROUP_RE = re.compile(r"[^\d]+\d+$")
# `YYMMDD-NNNN` is how identity numbers are written, never phone numbers.
_IDENTITY_SHAPE_RE = re.compile(r"\d{6}[-+]\d{4}")
_DATE_LIKE_RE = re.compile(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}")
# `08.30`, `08.30 - 09.15`, `08.30 14.15`: times of day.
# A separator between the times is required: `08.100.000.00` is a number, not three times.
# On one line: "08.10" and "00.00" on two lines is a number broken where a phone breaks it
# (a miss found by tests/privacy/test_pii_variants.py's generated numbers).
_TIME_LIKE_RE = re.compile(r"\d{1,2}[.:]\d{2}(?:(?:[^\S\n]+|[^\S\n]*-[^\S\n]*)\d{1,2}[.:]\d{2})*")
_NON_DIGITS = re.compile(r"\D")

# A local part, then a domain of Unicode labels (IDN: `exempel.se` with å, ä, ö, or any
# script) or their punycode (`xn--…`), then a top-level domain of letters.
_EMAIL_RE = re.compile(
    r"(?<![\w.+-])[\w.+-]+@(?:[^\W_](?:[\w-]*[^\W_])?\.)+(?:[^\W\d_]{2,}|xn--[a-z0-9-]{2,})"
    r"(?![\w-])",
    re.IGNORECASE,
)


def _national_digits(raw: str) -> str:
    country = _COUNTRY_CODE_RE.match(raw)
    digits = _NON_DIGITS.sub("", raw[country.end() :] if country else raw)
    return digits[1:] if digits.startswith("0") else digits


def _phones(text: str, pos: int = 0) -> list[_Found]:
    """Phone numbers; none starts before `pos` (one before where `_PHONE_GATE` first matched:
    it matches at the start of every phone number or, after a `(`, one later)."""
    hits: list[_Found] = []
    for match in _matches_at(_PHONE_RE, _PHONE_STARTS, text, pos):
        raw = match.group()
        national = _national_digits(raw)
        while len(national) > 9 and (last := _LAST_GROUP_RE.search(raw)) is not None:
            raw = raw[: last.start()]  # `070-123 45 67 12 gånger`: the number ends earlier
            national = _national_digits(raw)
        if not 7 <= len(national) <= 9:
            continue
        if (
            _DATE_LIKE_RE.fullmatch(raw)
            or _IDENTITY_SHAPE_RE.fullmatch(raw)
            or _TIME_LIKE_RE.fullmatch(raw)
            or raw.count("/") > 1  # `01/07–31/07`: dates
        ):
            continue
        hits.append(("phone", match.start(), match.start() + len(raw)))
    return hits


def _emails(text: str) -> list[_Found]:
    return [("email", m.start(), m.end()) for m in _EMAIL_RE.finditer(text)]


# --- Street addresses --------------------------------------------------------------------------

_STREET_SUFFIXES = (
    "vägen|gatan|gränden|gränd|stigen|backen|torget|allén|allé|platsen|leden|slingan|"
    "liden|höjden|ringen|kajen|stranden|strand|parken|promenaden|hagen|gårdsväg|"
    "väg|gata|stig|torg|backe"
)
# Street words written in lower case count only with a suffix that is never an ordinary word
# (`arbetsplatsen 3 dagar`, `utredningen` stay untouched).
_LOWER_CASE_SUFFIXES = (
    "vägen", "gatan", "gränden", "gränd", "stigen", "backen", "torget", "allén", "allé",
    "gårdsväg", "väg", "gata", "stig", "torg", "backe",
)  # fmt: skip
_UPPER = "A-ZÅÄÖÉÜ"
_LOWER = "a-zåäöéü"
_ADDRESS_RE = re.compile(
    rf"(?<![\w])(?:(?P<prefix>[{_UPPER}][{_LOWER}]+) )?"  # `Östra`, `Drottning`
    rf"(?P<street>(?i:[^\W\d_]+?(?:{_STREET_SUFFIXES}))"  # `Björkvägen`, `storgatan`
    rf"|[{_UPPER}][{_LOWER}]+ (?i:väg|gata|gränd|stig|torg|allé))"  # `Kristinas väg`
    rf" \d{{1,4}}(?: ?[A-Ha-h](?![\w]))?"  # number and optional entrance letter
    rf"(?![\w:/.,]\d|\w)"
)
# The gate: a letter, a space and a digit, where the word ends like a street.
# The last letters of the suffixes, matched from the space: spaces are rarer than those letters,
# so the regex engine tries fewer places. A match's letter is at `match.start() - 1`.
_LETTER_SPACE_DIGIT = re.compile(r" [0-9](?<=[ndtégaeNDTÉGAE] [0-9])")
_SUFFIX_TUPLE = tuple(_STREET_SUFFIXES.split("|"))
# A street word's end as `_ADDRESS_RE` matches it, case-insensitively the regex engine's way
# (which also takes `ı` and `İ` for `i`, unlike `str.lower`).
_STREET_END_RE = re.compile(rf"(?i:{_STREET_SUFFIXES})$")
# A number of days, hours or kronor is not a house number.
_UNIT_AFTER_RE = re.compile(
    r" ?(?:dagar|dag|gånger|gång|timmar|timme|tim|veckor|vecka|månader|år|kr|kronor|procent|st)"
    r"\b|%",
    re.IGNORECASE,
)
# Capitalised words before a street that are not part of its name (`Torget Storgatan 12 B`).
_NOT_STREET_WORDS = frozenset({"vägen", "gatan", "plan", "planen", "torget", "backen", "leden"})


# How far an address reaches around the last letter of its street word: back over at most three
# spaces (`Östra Kristinas väg 3`), forward over ` 1234 B` and what the lookaheads read, with room
# to spare.
_ADDRESS_SPACES_BEFORE = 3
_ADDRESS_REACH_AFTER = 16


def _street_number_possible(text: str) -> bool:
    return bool(_street_windows(text))


def _street_windows(text: str) -> list[tuple[int, int]]:
    """Where `_ADDRESS_RE` can match, or nothing when no word ends like a street before a
    number. The full pattern costs some 0.3 µs a character, so it only looks around each
    letter-space-digit where a word ends like a street: every match ends at one (the last
    letters of the suffixes are in `_LETTER_SPACE_DIGIT`), and no match holds more than two
    spaces before its number."""
    letters = [match.start() - 1 for match in _LETTER_SPACE_DIGIT.finditer(text)]
    if not any(text[max(0, at - 9) : at + 1].lower().endswith(_SUFFIX_TUPLE) for at in letters):
        return []
    windows: list[tuple[int, int]] = []
    for at in letters:
        if not _STREET_END_RE.search(text, max(0, at - 9), at + 1):
            continue  # no street word ends here, so no match does
        start = at
        for _ in range(_ADDRESS_SPACES_BEFORE):
            start = max(0, text.rfind(" ", 0, start))
        end = min(len(text), at + _ADDRESS_REACH_AFTER)
        if windows and start <= windows[-1][1]:
            windows[-1] = (windows[-1][0], end)
        else:
            windows.append((start, end))
    return windows


def _addresses(text: str, windows: list[tuple[int, int]] | None = None) -> list[_Found]:
    """Street addresses; `windows` (from `_street_windows`) limits the search to where they
    can stand, with the same result as searching the whole text."""
    hits: list[_Found] = []
    spans = [(0, len(text))] if windows is None else windows
    for match in (m for start, end in spans for m in _ADDRESS_RE.finditer(text, start, end)):
        street = match["street"]
        if _UNIT_AFTER_RE.match(text, match.end()):
            continue
        if street[0].islower() and not street.lower().endswith(_LOWER_CASE_SUFFIXES):
            continue
        start = match.start()
        prefix = match["prefix"]
        if prefix is not None and (prefix.lower() in _NOT_STREET_WORDS or street[0].islower()):
            start = match.start("street")  # `Torget Storgatan 12 B`: the street is the second
        hits.append(("address", start, match.end()))
    return hits


# --- Names (warning only) ----------------------------------------------------------------------
#
# First names and surnames come from name statistics, loaded once from privacy/data/ (built by
# privacy/data/build_names.py; sources in privacy/data/SOURCES.md). A name that is also an
# ordinary Swedish word (`Björn`, `Hans`, `Per`, `Saga`) is marked `~` there.

_DATA = Path(__file__).resolve().parent / "data"


def _load_names(file: str) -> tuple[frozenset[str], frozenset[str]]:
    """(every name, the names that are also Swedish words) of one list."""
    names: set[str] = set()
    words: set[str] = set()
    for line in (_DATA / file).read_text(encoding="utf-8").splitlines():
        if line.startswith("~"):
            words.add(line[1:])
        elif line and not line.startswith("#"):
            names.add(line)
    return frozenset(names | words), frozenset(words)


_FIRST_NAMES, _FIRST_NAME_WORDS = _load_names("first_names.txt")
_SURNAMES, _SURNAME_WORDS = _load_names("surnames.txt")
_PLACES, _ = _load_names("places.txt")  # municipalities and towns: `Göteborg` is no surname
# Ordinary Swedish words of up to `_SENTENCE_WORD_LENGTH` letters (Debian's word list, not the
# first names): at a sentence start `Från`, `Enligt`, `Hon` are capitalised like a name.
_SENTENCE_WORDS, _ = _load_names("swedish_words.txt")
_SENTENCE_WORD_LENGTH = 8  # the list's limit (build_names.py); 93 % of first names are as short
# Endings that mark a surname not in the lists: Swedish ones, and the Balkan `-ić`, Polish
# `-ski`/`-wicz` and Turkish `-oğlu`.
_SURNAME_ENDINGS = (
    "sson", "son", "berg", "borg", "lund", "ström", "gren", "qvist", "kvist", "dahl", "dal", "gård",
    "löf", "stedt", "holm", "blad", "bäck", "mark", "ling", "ander", "ius", "quist", "strand",
    "by", "sjö", "fors", "hed", "rot", "man", "lind", "ić", "ski", "wicz", "oğlu",
)  # fmt: skip
# A capitalised word in Latin letters, Latin Extended-A included (`Hadžić`, `Yılmaz`, `Łukasz`).
_NAME_UPPER = "A-ZÀ-ÖØ-ÞĀ-ſ"
_NAME_LOWER = "a-zß-öø-ÿĀ-ſ"
# The capital letter comes first and the look back (at the character before it) second: a
# pattern that starts with a character class lets the regex engine skip ahead to the capitals.
_CAPITALISED_RE = re.compile(
    rf"[{_NAME_UPPER}](?<![\w-][{_NAME_UPPER}])[{_NAME_LOWER}]+"
    rf"(?:-[{_NAME_UPPER}][{_NAME_LOWER}]+)?(?![\w-])"
)
# Capitalised words that may follow a first name without being a surname.
_NOT_SURNAMES = frozenset((
    "Af", "Arbetsförmedlingen", "Försäkringskassan", "Kronofogden", "Migrationsverket",
    "Skatteverket", "Region", "Regionen", "Kommun", "Kommunen", "Socialtjänsten", "Vårdcentralen",
    "Samhall", "Finsam", "Januari", "Februari", "Mars", "April", "Maj", "Juni", "Juli", "Augusti",
    "September", "Oktober", "November", "December", "Stockholm", "Sverige", "Väsby", "Vaxholm",
    "Sundbyberg", "Danderyd", "Stockholms", "Karlberg", "Hallunda", "Fittja",
))  # fmt: skip


def _surname_like(word: str) -> bool:
    """Ends like a surname and is not a place (`Sävström`, not `Helsingborg`)."""
    return word.lower().endswith(_SURNAME_ENDINGS) and word not in _PLACES


def _surname_evidence(word: str) -> bool:
    """A known surname, or a word ending like one (the last part of `Lind-Hadžić`)."""
    last = word.split("-")[-1]
    return last in _SURNAMES or _surname_like(last)


# Latin-1 text's shape for the name gate, in bytes: a capital `A`, a small letter `a` (as the
# two classes above read them), any other character `\\w` matches `0`, `-` and ` ` themselves,
# anything else `.`.
_NAME_SHAPE = bytes(
    ord("A") if re.fullmatch(f"[{_NAME_UPPER}]", chr(i))
    else ord("a") if re.fullmatch(f"[{_NAME_LOWER}]", chr(i))
    else ord("0") if re.fullmatch(r"\w", chr(i))
    else i if chr(i) in "- "
    else ord(".")
    for i in range(256)
)  # fmt: skip
# A capitalised word with one space and a capital and small letter after it, as every name
# `_names` finds starts, read backwards: `A(?<![aA0-]A)a+(?:-Aa+)? Aa` reversed. Backwards it
# opens with the literal `aA `, which the regex engine skips along to; forwards every capitalised
# word would be a place to try.
_NAME_PAIR_REVERSED = re.compile(rb"aA (?:a+A-)?a+A(?![aA0-])")


def _name_pair_possible(text: str) -> bool:
    """False only where no two capitalised words stand one space apart, so `_names` finds
    nothing; looking at the text's shape is far quicker than finding every capitalised word."""
    try:
        shape = text.encode("latin-1").translate(_NAME_SHAPE)
    except UnicodeEncodeError:  # letters beyond Latin-1: the full search decides
        return True
    return _NAME_PAIR_REVERSED.search(shape[::-1]) is not None


def _names(text: str) -> list[_Found]:
    if not _name_pair_possible(text):
        return []
    words = list(_CAPITALISED_RE.finditer(text))
    hits: list[_Found] = []
    run_start = True  # the first word of a run of capitalised words
    for first, last in pairwise(words):
        adjacent = text[first.end() : last.start()] == " "
        starts_run, run_start = run_start, not adjacent
        if not adjacent or last.group() in _NOT_SURNAMES:
            continue
        given = first.group().split("-")[0]
        surname = _surname_evidence(last.group())
        if given in _FIRST_NAMES:
            # A known first name and any capitalised word, unless the name is also a word
            # (`Hans`, `Per`) or stands inside a longer title (`The International Job Shadow
            # Day`): then only a surname makes it a name.
            found = surname or (starts_run and given not in _FIRST_NAME_WORDS)
        else:
            found = _unknown_first_name(text, first.start(), given, last.group())
        if found:
            hits.append(("name", first.start(), last.end()))
    return hits


def _unknown_first_name(text: str, start: int, given: str, surname: str) -> bool:
    """No known first name (`Nemo Sävström`, `Dawit Ståhlgren`): the next word must be a
    surname and no first name. A surname ending is enough in running text; at a sentence start,
    where every word is capitalised, and before a known surname (which has no ending to show
    it), `given` must also look like a first name."""
    if surname in _FIRST_NAMES:
        return False
    if _surname_like(surname):
        return _first_name_shaped(given) or not _sentence_start(text, start)
    last = surname.split("-")[-1]
    known = last in _SURNAMES and last not in _SURNAME_WORDS and last not in _PLACES
    return known and _first_name_shaped(given)


def _first_name_shaped(word: str) -> bool:
    """Short, no ordinary Swedish word, place or agency: not `Från` (Vällingby), `Hon`
    (Lindström), `Huddinge` (Flemingsberg), `Af` (Nowak), `Arbetsförmedlingen` (Sundbyberg)."""
    return (
        len(word) <= _SENTENCE_WORD_LENGTH
        and word.lower() not in _SENTENCE_WORDS
        and word not in _PLACES
        and word not in _NOT_SURNAMES
    )


def _sentence_start(text: str, index: int) -> bool:
    before = text[:index].rstrip()
    return not before or before[-1] in ".!?:;\n"


# --- Public entry point ------------------------------------------------------------------------


# When spans overlap, the more specific finding wins.
_PRECEDENCE: dict[str, int] = {
    "email": 0,
    "personnummer": 1,
    "samordningsnummer": 1,
    "phone": 2,
    "address": 3,
    "name": 4,
}


#: How many distinct recent short texts `find_pii` remembers: an import checks the same short
#: column values (dates, codes, unit names) in every row. Longer texts (descriptions, a file's
#: text) are not kept: they seldom come twice, would hold megabytes, and would keep refused
#: personal data in memory.
MEMO_SIZE = 2048
MEMO_MAX_CHARS = 256


def find_pii(text: str) -> list[PiiHit]:
    """Every piece of personal data in `text`, in text order, without overlapping spans.

    The patterns look at a normalised copy (NFKC, one dash, no format characters, ASCII digits,
    `O` for `0` between digits); each span is mapped back, so `text[hit.start:hit.end]` is the
    original writing, odd characters included. Recent short texts are remembered; every call returns
    a new list, so a caller may change it freely."""
    if len(text) > MEMO_MAX_CHARS:
        return list(_find_pii(text))
    return list(_find_pii_memo(text, datetime.now(UTC).year))


def _find_pii(text: str) -> tuple[PiiHit, ...]:
    normal = _normalise(text)
    seen = normal.text
    # Cheap gates first: most case texts hold no long digit run, no "@" and no street number,
    # and the full patterns are only run where they can match.
    found = _names(seen)
    if "@" in seen:
        found += _emails(seen)
    identity_gate, phone_gate = _gates(seen)
    if identity_gate >= 0:
        found += _identity_numbers(seen, identity_gate)
    if phone_gate >= 0:
        found += _phones(seen, max(0, phone_gate - 1))
    if windows := _street_windows(seen):
        found += _addresses(seen, windows)
    if not found:
        return ()
    candidates = []
    for kind, start, end in found:
        start, end = normal.span(start, end)
        candidates.append(PiiHit(kind, start, end, text[start:end]))
    candidates.sort(key=lambda hit: (_PRECEDENCE[hit.type], hit.start))
    chosen: list[PiiHit] = []
    for hit in candidates:
        if all(hit.end <= other.start or other.end <= hit.start for other in chosen):
            chosen.append(hit)
    return tuple(sorted(chosen, key=lambda hit: hit.start))


# PiiHit is frozen, so the memo can hand out the same hits in a new list each time.
@lru_cache(maxsize=MEMO_SIZE)
def _find_pii_memo(text: str, year: int) -> tuple[PiiHit, ...]:
    """`year`: the one fact besides the text an answer rests on (a 12-digit number born after
    it is no personnummer), so a remembered answer does not outlive New Year."""
    return _find_pii(text)
