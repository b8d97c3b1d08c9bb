"""Build the lists the name warning reads (privacy/data/first_names.txt, surnames.txt,
places.txt, swedish_words.txt).

Not run at run time: run it by hand after upgrading Faker or wswedish, and commit the files
(privacy/data/SOURCES.md says where the data comes from and why):

    apt-get install wswedish            # Debian's Swedish word list, /usr/share/dict/swedish
    .venv/bin/python privacy/data/build_names.py

The names come from Faker's person providers (MIT). Sweden's lists there are official name
statistics: the 500 most common women's and 500 most common men's first names (Isof, 2023) and
the 500 most common surnames (Skatteverket, 2025), which already hold the names of every origin
common in Sweden at that frequency (Ali, Mohammed, Abdi, Agnieszka …). Faker's lists for the
countries most people born abroad and living in Sweden come from (SCB) add the next layer of
names of those origins, where Faker writes them in Latin script.

A name that is also a Swedish word (`Björn`, `Saga`, `Hans`, `Per`, `Alla`) is marked with `~`:
the detector then asks for a surname after it. A foreign list's name that is a Swedish word,
or has only two letters, is left out; a Swedish one is kept, marked.

swedish_words.txt holds the word list's short words that are no first name here: at a sentence
start, where every word is capitalised, an unknown word is taken for a first name only when it is
none of them (`Nemo Sävström` is a name, `Från Vällingby` is not).
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable
from pathlib import Path

import faker
from faker.providers.address import sv_SE as swedish_towns
from faker.providers.person import (
    da_DK,
    de_AT,
    de_CH,
    de_DE,
    en_IN,
    en_KE,
    en_PK,
    es_CL,
    fi_FI,
    fr_DZ,
    hr_HR,
    no_NO,
    pl_PL,
    sv_SE,
    sw,
    tr_TR,
)

FAKER_VERSION = "40.54.0"  # pinned in constraints.txt; the committed lists come from it
SWEDISH_WORDS = Path("/usr/share/dict/swedish")  # Debian wswedish, ISO-8859-1
WSWEDISH_VERSION = "1.4.5"
# Must equal `_SENTENCE_WORD_LENGTH` in privacy/pii.py: 93 % of the first names in the statistics
# are this short, and the list stays near 380 KB (all the word list's words would be 1.2 MB).
SENTENCE_WORD_LENGTH = 8
# Abbreviations case notes open sentences with and the word list lacks (`Pga`, `Dvs`, `Ca`).
ABBREVIATIONS = (
    "ang", "bl", "bla", "ca", "dvs", "enl", "ev", "exkl", "fr", "inkl", "jfr", "kl", "mfl", "mm",
    "obs", "osv", "pga", "resp", "sk", "tex", "tom", "ung", "vg",
)  # fmt: skip
HERE = Path(__file__).resolve().parent
MUNICIPALITIES = HERE.parents[1] / "catalogue" / "data" / "municipalities.json"  # SCB codes

# Sweden's official statistics first, then the countries of birth most common among people
# living in Sweden whose names Faker has in Latin script: Finland, Poland, the former
# Yugoslavia (Croatian list; Bosnian and Serbian names share it), Turkey, Somalia and the
# Horn of Africa (Kenya's list, with Somali and Swahili names), Arabic and Persian names in
# Latin script (Germany's, Algeria's and Pakistan's lists), Germany, Switzerland and Austria
# (whose lists also hold Bosnian, Albanian and Turkish names), Denmark, Norway, Chile, India.
LOCALES = (
    sv_SE, fi_FI, pl_PL, hr_HR, tr_TR, en_KE, sw, fr_DZ, en_PK, de_DE, de_CH, de_AT, da_DK, no_NO,
    es_CL, en_IN,
)  # fmt: skip
# A capitalised name in the letters the detector reads (Latin, Latin-1 and Latin Extended-A:
# ć, đ, ł, ş, ğ, ı …), optionally double-barrelled with a hyphen.
_PART = "[A-ZÀ-ÖØ-ÞĀ-ſ][a-zß-öø-ÿĀ-ſ]+"
NAME_RE = re.compile(rf"{_PART}(?:-{_PART})?")


def _names(provider: type, kind: str) -> set[str]:
    found: set[str] = set()
    for attribute in dir(provider):
        if kind in attribute and not attribute.startswith("_"):
            value = getattr(provider, attribute)
            if isinstance(value, dict | tuple | list):
                found.update(value)
    return {name for name in found if NAME_RE.fullmatch(name) and name[1:] == name[1:].lower()}


def _swedish_words() -> set[str]:
    """Ordinary Swedish words (the lower-case entries of the Debian word list)."""
    lines = SWEDISH_WORDS.read_text(encoding="iso-8859-1").split()
    return {line for line in lines if line.islower()}


def _write(path: Path, names: Iterable[str], words: set[str], header: str) -> int:
    lines = sorted({f"~{name}" if name.lower() in words else name for name in names})
    path.write_text(header + "\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)


def _places() -> set[str]:
    """Sweden's municipalities (SCB, the catalogue's list) and Faker's Swedish towns, each word
    of a name and its genitive: a place ending like a surname (`Göteborg`) is no surname."""
    towns = swedish_towns.Provider.cities
    municipalities = [item["name"] for item in json.loads(MUNICIPALITIES.read_text("utf-8"))]
    words = {word for name in [*towns, *municipalities] for word in name.split()}
    genitive = {word if word.endswith(("s", "x", "z")) else f"{word}s" for word in words}
    return {word for word in words | genitive if NAME_RE.fullmatch(word)}


def _sentence_words(words: set[str], first_names: set[str]) -> list[str]:
    """The ordinary Swedish words an unknown first name at a sentence start is checked against
    (`Från Vällingby`, `Enligt Lindström`): the word list's words of letters only, up to
    `SENTENCE_WORD_LENGTH` letters (the detector takes no longer unknown word for a first name
    there), without the first names of the statistics (they are looked up as names first)."""
    known = {name.lower() for name in first_names}
    return sorted(
        word
        for word in words | set(ABBREVIATIONS)
        if word.isalpha() and len(word) <= SENTENCE_WORD_LENGTH and word not in known
    )


def main() -> None:
    if faker.VERSION != FAKER_VERSION:
        sys.exit(f"Faker {faker.VERSION} installed; the lists are built from {FAKER_VERSION}.")
    words = _swedish_words()
    first: set[str] = set()
    last: set[str] = set()
    for locale in LOCALES:
        first_here = _names(locale.Provider, "first_names")
        last_here = _names(locale.Provider, "last_names")
        if locale is not sv_SE:  # only Sweden's own lists may hold a name that is also a word
            first_here = {name for name in first_here if name.lower() not in words}
            last_here = {name for name in last_here if name.lower() not in words}
            first_here = {name for name in first_here if len(name) > 2}
            last_here = {name for name in last_here if len(name) > 2}
        first |= first_here
        last |= last_here
    names = [locale.__name__.rsplit(".", 1)[-1] for locale in LOCALES]
    header = (
        f"# Built by privacy/data/build_names.py from Faker {FAKER_VERSION} ({', '.join(names)})."
        "\n# See privacy/data/SOURCES.md. `~`: also a Swedish word. Do not edit by hand.\n"
    )
    count_first = _write(HERE / "first_names.txt", first, words, header)
    count_last = _write(HERE / "surnames.txt", last, words, header)
    count_places = _write(HERE / "places.txt", _places(), set(), header)
    sentence_words = _sentence_words(words, first)
    word_header = (
        f"# Built by privacy/data/build_names.py from Debian wswedish {WSWEDISH_VERSION}"
        f" (GPL-2), words of up to {SENTENCE_WORD_LENGTH} letters.\n"
        "# See privacy/data/SOURCES.md. Do not edit by hand.\n"
    )
    (HERE / "swedish_words.txt").write_text(
        word_header + "\n".join(sentence_words) + "\n", encoding="utf-8"
    )
    print(
        f"{count_first} first names, {count_last} surnames, {count_places} place words,"
        f" {len(sentence_words)} sentence-start words"
    )


if __name__ == "__main__":
    main()
