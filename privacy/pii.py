"""Personal data in free text: find it before anything is stored.

Deviations must be anonymised. Identity numbers, phone numbers, e-mail addresses and street
addresses block a submission; a possible person's name only warns, because names cannot be told
from ordinary capitalised words with certainty. Pure functions, no Django: the same detector runs
in the form, the API, the import and the `tag_text` command.
"""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import UTC, datetime
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


# --- Identity numbers ------------------------------------------------------------------------

# 10 or 12 digits: (CC)YYMMDD, optional -, + or space, then NNNC. Not part of a longer number,
# an SFS number (`2010:110`), a case number (`2021/879`) or a decimal.
_IDENTITY_RE = re.compile(
    r"(?<![\d/])(?<!\d[.,:])(?P<century>\d{2})?(?P<date>\d{6})(?P<sep>[-+ ]?)(?P<serial>\d{4})"
    r"(?![\d:/]|[.,]\d)"
)


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
        years = [int(century) * 100 + yy]
        if years[0] > datetime.now(UTC).year:
            return None  # nobody is born in the future
    else:
        years = [1900 + yy, 2000 + yy]  # leap days depend on the century
    kind: PiiType = "personnummer"
    if day > 60:
        kind, day = "samordningsnummer", day - 60
    if any(_date_plausible(year, month, day) for year in years):
        return kind
    return None


def _identity_numbers(text: str) -> list[PiiHit]:
    hits = []
    for match in _IDENTITY_RE.finditer(text):
        century = match["century"]
        if century and match["sep"] == " ":
            continue  # a space never separates the century from the rest of a 12-digit number
        if not luhn_valid(match["date"] + match["serial"]):
            continue
        kind = classify_identity_number(century, match["date"])
        if kind is not None:
            hits.append(PiiHit(kind, match.start(), match.end(), match.group()))
    return hits


# --- Phone numbers, e-mail -------------------------------------------------------------------

_PHONE_RE = re.compile(
    r"(?<![\w+])"
    r"(?:(?:\+|00)46[ -]?(?:\(0\))?[ -]?[1-9]\d{0,2}|0[1-9]\d{0,2})"  # country or trunk + area
    r"(?:[ \-]?\d{2,4}){1,4}"  # subscriber number in groups
    r"(?![\w:/]|[.,]\d)"
)
# `YYMMDD-NNNN` is how identity numbers are written, never phone numbers.
_IDENTITY_SHAPE_RE = re.compile(r"\d{6}[-+]\d{4}")
_DATE_LIKE_RE = re.compile(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}")

_EMAIL_RE = re.compile(
    r"(?<![\w.+-])[\w.+-]+@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}(?![\w-])", re.UNICODE
)


def _phones(text: str) -> list[PiiHit]:
    hits = []
    for match in _PHONE_RE.finditer(text):
        raw = match.group().rstrip(" -")
        digits = re.sub(r"\D", "", raw)
        national = (
            digits[2:]
            if raw.startswith("+")
            else digits[4:]
            if raw.startswith("00")
            else digits[1:]
        )
        if not 7 <= len(national) <= 9:
            continue
        if _DATE_LIKE_RE.fullmatch(raw) or _IDENTITY_SHAPE_RE.fullmatch(raw):
            continue
        hits.append(PiiHit("phone", match.start(), match.start() + len(raw), raw))
    return hits


def _emails(text: str) -> list[PiiHit]:
    return [PiiHit("email", m.start(), m.end(), m.group()) for m in _EMAIL_RE.finditer(text)]


# --- Street addresses --------------------------------------------------------------------------

_STREET_SUFFIXES = (
    "vägen|gatan|gränden|gränd|stigen|backen|torget|allén|allé|platsen|leden|slingan|"
    "liden|höjden|ringen|kajen|stranden|strand|parken|promenaden|hagen|gårdsväg|"
    "väg|gata|stig|torg|backe"
)
_UPPER = "A-ZÅÄÖÉÜ"
_LOWER = "a-zåäöéü"
_ADDRESS_RE = re.compile(
    rf"(?<![\w])(?:[{_UPPER}][{_LOWER}]+ )?"  # `Östra`, `Drottning`
    rf"(?:[{_UPPER}][{_LOWER}]*(?:{_STREET_SUFFIXES})"  # `Björkvägen`, `Storgatan`
    rf"|[{_UPPER}][{_LOWER}]+ (?:väg|gata|gränd|stig|torg|allé))"  # `Kristinas väg`
    rf" \d{{1,4}}(?: ?[A-Ha-h](?![\w]))?"  # number and optional entrance letter
    rf"(?![\w:/.,]\d)"
)
# Capitalised words that end like streets but are not (`Planen`, `Vägen` as a sentence start).
_NOT_STREET_WORDS = frozenset({"Vägen", "Gatan", "Plan", "Planen", "Torget", "Backen", "Leden"})


def _addresses(text: str) -> list[PiiHit]:
    hits = []
    for match in _ADDRESS_RE.finditer(text):
        first_word = match.group().split(" ", 1)[0]
        if first_word in _NOT_STREET_WORDS:
            continue
        hits.append(PiiHit("address", match.start(), match.end(), match.group()))
    return hits


# --- Names (warning only) ----------------------------------------------------------------------


def _word_set(block: str) -> frozenset[str]:
    return frozenset(block.split())


# Common first names in Sweden across generations and origins (SCB name statistics, abridged).
_FIRST_NAMES = _word_set(
    """
    Adam Adrian Ahmad Ahmed Alba Albin Alexander Alfred Ali Alice Alicia Alma Alva Amanda Amelia
    Amina Anders Andreas Anette Anita Ann Anna Anneli Annika Anton Arvid Astrid Axel Barbro
    Bengt Berit Birgitta Björn Bo Britt Camilla Carina Carl Caroline Cecilia Charlotte Christer
    Christina Daniel David Ebba Edvin Elias Elin Elisabeth Ella Ellen Elsa Elvin Emil Emelie
    Emma Emir Eric Erik Eva Evelina Fabian Farah Fatima Felix Filip Frida Fredrik Gabriel
    Gunilla Gunnar Gustav Hamid Hanna Hannes Hans Harriet Hassan Hedda Helena Helen Henrik Hugo
    Ibrahim Ida Ines Ingrid Irene Isak Jakob Jan Jenny Jessica Joakim Johan Johanna Jonas Jonna
    Josef Julia Kajsa Karin Karl Kerstin Kevin Khalid Kristina Lars Leila Lena Leo Levi Liam
    Lina Linda Linnea Linnéa Lisa Liv Lotta Louise Lova Lucas Ludvig Magnus Maja Malin Malte
    Marcus Maria Marie Marianne Markus Martin Matilda Mats Mattias Max Meja Mikael Milo Mira
    Mohamed Mohammad Mohammed Moa Mona Monica Nadia Nils Nina Noah Noel Nora Nour Olivia Olle
    Omar Oscar Oskar Ove Patrik Per Peter Petra Rasmus Rebecka Robert Robin Ronja Rut Saga Sam
    Samir Sanna Sara Sebastian Selma Signe Simon Siri Sofia Sofie Stefan Stella Sten Stina
    Susanne Svea Sven Tage Theo Thomas Tilda Tindra Tobias Tomas Tove Ulla Ulf Valter Vera
    Viktor Vilgot Wilma Yasmin Yusuf Zara Zakaria
    """
)
# Endings that mark a Swedish surname, for pairs whose first name is not in the list.
_SURNAME_ENDINGS = (
    "sson", "son", "berg", "borg", "lund", "ström", "gren", "qvist", "kvist", "dahl", "dal", "gård",
    "löf", "stedt", "holm", "blad", "bäck", "mark", "ling", "ander", "ius", "quist", "strand",
    "by", "sjö", "fors", "hed", "rot", "man", "lind",
)  # fmt: skip
_CAPITALISED_RE = re.compile(
    rf"(?<![\w-])[{_UPPER}][{_LOWER}]+(?:-[{_UPPER}][{_LOWER}]+)?(?![\w-])"
)
# Capitalised words that may follow a first name without being a surname.
_NOT_SURNAMES = _word_set(
    """
    Af Arbetsförmedlingen Försäkringskassan Kronofogden Migrationsverket Skatteverket Region
    Regionen Kommun Kommunen Socialtjänsten Vårdcentralen Samhall Finsam Januari Februari Mars
    April Maj Juni Juli Augusti September Oktober November December Stockholm Sverige
    Väsby Vaxholm Sundbyberg Danderyd Stockholms Karlberg Hallunda Fittja
    """
)


def _names(text: str) -> list[PiiHit]:
    words = list(_CAPITALISED_RE.finditer(text))
    hits = []
    for first, last in zip(words, words[1:], strict=False):
        if text[first.end() : last.start()] != " " or last.group() in _NOT_SURNAMES:
            continue
        known_first = first.group().split("-")[0] in _FIRST_NAMES
        surname_like = (
            last.group().lower().endswith(_SURNAME_ENDINGS) and last.group() not in _FIRST_NAMES
        )
        if known_first or (surname_like and not _sentence_start(text, first.start())):
            hits.append(PiiHit("name", first.start(), last.end(), text[first.start() : last.end()]))
    return hits


def _sentence_start(text: str, index: int) -> bool:
    before = text[:index].rstrip()
    return not before or before[-1] in ".!?:;\n"


# --- Public entry point ------------------------------------------------------------------------

_SIX_DIGITS = re.compile(r"\d{6}")
_PHONE_GATE = re.compile(r"(?:\+|00)46|0\d")
_ANY_DIGIT = re.compile(r"\d")

# When spans overlap, the more specific finding wins.
_PRECEDENCE: dict[str, int] = {
    "email": 0,
    "personnummer": 1,
    "samordningsnummer": 1,
    "phone": 2,
    "address": 3,
    "name": 4,
}


def find_pii(text: str) -> list[PiiHit]:
    """Every piece of personal data in `text`, in text order, without overlapping spans."""
    # Cheap gates first: most case texts hold no long digit run, no "@" and no street number,
    # and the full patterns are only run where they can match.
    long_digits = _SIX_DIGITS.search(text) is not None
    candidates = [
        *(_emails(text) if "@" in text else ()),
        *(_identity_numbers(text) if long_digits else ()),
        *(_phones(text) if _PHONE_GATE.search(text) else ()),
        *(_addresses(text) if _ANY_DIGIT.search(text) else ()),
        *_names(text),
    ]
    candidates.sort(key=lambda hit: (_PRECEDENCE[hit.type], hit.start))
    chosen: list[PiiHit] = []
    for hit in candidates:
        if all(hit.end <= other.start or other.end <= hit.start for other in chosen):
            chosen.append(hit)
    return sorted(chosen, key=lambda hit: hit.start)
