"""Deterministic, realistic synthetic deviations (avvikelser) for demo data and benchmarks.

Pure Python and standard library only, so benchmarks and tests can produce 100k deviations in a
few seconds without a database. The data plants the documented cross-agency knots (docs/domain.md §5
and (a)–(c)) plus one local decoy among realistic noise, so the knot engine has a known answer.
Texts are composed from fragments that each declare the tags they imply; a deviation's text
therefore names what its tags say and nothing else, which makes the data usable for the tagger
as well.

The content (phrases, forms, stories, planted knots, weights) lives in demo/data/*.json, read
once at import and checked for consistency; this module holds only the logic. Tags are written
there by their catalogue ids; "@…" symbols stand for tags that depend on the event date.
"""

from __future__ import annotations

import json
import re
from bisect import bisect
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from random import Random
from types import MappingProxyType
from typing import Any

__all__ = [
    "AGE_BANDS",
    "AGENCY_CODES",
    "CATEGORIES",
    "CONSEQUENCES",
    "GENDERS",
    "MAX_TAGS",
    "PLANTED_KNOTS",
    "DemoDeviation",
    "DemoUnit",
    "PlantedKnot",
    "generate_deviations",
]

# --- data -------------------------------------------------------------------------------------
DATA_DIR = Path(__file__).resolve().parent / "data"


def _load(name: str) -> dict[str, Any]:
    """One data file, demo/data/<name>.json."""
    with (DATA_DIR / f"{name}.json").open(encoding="utf-8") as file:
        loaded: dict[str, Any] = json.load(file)
    return loaded


def _require(ok: bool, message: str) -> None:
    """Refuse inconsistent data at import, where a typo in a data file is easy to find."""
    if not ok:
        raise ValueError(f"demo/data: {message}")


_VOCABULARY = _load("vocabulary")
CATEGORIES: tuple[str, ...] = tuple(_VOCABULARY["categories"])
CONSEQUENCES: tuple[str, ...] = tuple(_VOCABULARY["consequences"])
GENDERS: tuple[str, ...] = tuple(_VOCABULARY["genders"])
AGE_BANDS: tuple[str, ...] = tuple(_VOCABULARY["age_bands"])
AGENCY_CODES: tuple[str, ...] = tuple(_VOCABULARY["agency_codes"])
MAX_TAGS = 8

# Dates on which the law behind "SoL" and "a-kassa" changes (docs/contracts.md §1,
# docs/domain.md §2).
_TAGS = _load("tags")
NEW_SOL_FROM = date.fromisoformat(_TAGS["new_law_from"]["sol"])
NEW_ALF_FROM = date.fromisoformat(_TAGS["new_law_from"]["alf"])


@dataclass(frozen=True, slots=True)
class DemoUnit:
    name: str
    municipalities: tuple[str, ...]  # SCB codes like "0160"


@dataclass(frozen=True, slots=True)
class DemoDeviation:
    external_id: str  # "demo-000001", stable per (seed, index)
    occurred_on: date
    municipality: str  # SCB code, one of the unit's municipalities
    unit: str  # DemoUnit.name
    description: str  # Swedish, 150–700 chars, anonymised
    category: str  # one of CATEGORIES
    consequence: str  # one of CONSEQUENCES
    severity: int  # 1–4
    gender: str  # one of GENDERS
    age_band: str  # one of AGE_BANDS
    tags: tuple[str, ...]  # confirmed tag ids, sorted, unique
    knot: str | None  # key of the planted knot it was generated from, None for noise


@dataclass(frozen=True, slots=True)
class PlantedKnot:
    """A knot planted in the demo data: the answer the knot engine should find."""

    key: str
    title: str  # Swedish, as an analyst would name it
    tags: tuple[str, ...]  # core tag set, sorted, 2–5 tags
    weight: float  # relative share among knot deviations
    trend: str  # "rising" | "flat" | "fading"
    category: str
    consequences: tuple[tuple[str, float], ...]  # (consequence, weight)
    severity: tuple[float, float, float, float]  # weights of severity 1..4
    context: tuple[tuple[tuple[str, ...], float], ...] = ()  # (extra tags, probability)
    age_weights: tuple[float, ...] = (3, 20, 25, 24, 20, 8)
    gender_weights: tuple[float, ...] = (53, 41, 1, 5)
    local: bool = False  # decoy: one municipality and unit only

    def __post_init__(self) -> None:
        # The core set is the knot's identity (docs/knots.md §2): keep it sorted and unique.
        object.__setattr__(self, "tags", tuple(sorted(set(self.tags))))


# --- tags ---------------------------------------------------------------------------------------
# Date-dependent symbols, resolved to concrete tags by the event date (the SoL and ALF rules).
_SYMBOLS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    symbol: (tuple(eras["before"]), tuple(eras["from"]))
    for symbol, eras in _TAGS["symbols"].items()
}
_ALF_SYMBOLS = frozenset(s for s, eras in _TAGS["symbols"].items() if eras["law"] == "alf")
# An agency whose every mention also implies a law: "a-kassan", "förbundet".
_COMPANIONS: dict[str, tuple[str, ...]] = {
    agency: tuple(implied) for agency, implied in _TAGS["companions"].items()
}
_TAG_ID = re.compile(r"^(agency|law|prov):\S+$")


def _resolve(tags: set[str] | frozenset[str], new_sol: bool, new_alf: bool) -> set[str]:
    out: set[str] = set()
    for tag in tags:
        if tag[0] != "@":
            out.add(tag)
        else:
            eras = _SYMBOLS[tag]
            out.update(eras[1] if (new_alf if tag in _ALF_SYMBOLS else new_sol) else eras[0])
    return out


def _choice[T](rng: Random, items: Sequence[T]) -> T:
    """rng.choice, about twice as fast; the benchmarks generate 100k deviations."""
    return items[int(rng.random() * len(items))]


# --- text fragments ---------------------------------------------------------------------------
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True, slots=True, eq=False)
class _Fragment:
    parts: tuple[str, ...]  # literal, key, literal, key, ..., literal
    needs: frozenset[str]  # tags (or symbols) the text implies; usable only if all present
    size: int  # rough rendered length, for the length budget


def _f(text: str, *needs: str) -> _Fragment:
    return _Fragment(tuple(_PLACEHOLDER.split(text)), frozenset(needs), len(text))


def _fragment(item: Mapping[str, Any]) -> _Fragment:
    """A sentence from the data files: {"text": ..., "needs": [tag, ...]}."""
    return _f(item["text"], *item["needs"])


_FORMS = _load("forms")
# What each {placeholder} renders as; repeats weight the common forms (docs/domain.md §4).
_STATIC_FORMS: dict[str, tuple[str, ...]] = {
    key: tuple(variants) for key, variants in _FORMS["forms"].items()
}
_MONTHS: tuple[str, ...] = tuple(_FORMS["months"])
# One list per era: before and from the new SoL.
_SOL_CITES = (tuple(_FORMS["sol_citations"]["before"]), tuple(_FORMS["sol_citations"]["from"]))
_SIP_CITES = (tuple(_FORMS["sip_citations"]["before"]), tuple(_FORMS["sip_citations"]["from"]))
_PRONOUNS: dict[str, tuple[str, ...]] = {
    gender: tuple(forms) for gender, forms in _FORMS["pronouns"].items()
}


class _Text:
    """Renders fragments for one description; keeps names and pronouns consistent within it."""

    __slots__ = ("cache", "new_sol", "pronouns", "rng")

    def __init__(self, rng: Random, gender: str, new_sol: bool) -> None:
        self.rng = rng
        self.new_sol = new_sol
        neutral = rng.random() < 0.06
        self.pronouns = _PRONOUNS["okänt" if neutral else gender]
        self.cache: dict[str, str] = {}

    def value(self, key: str) -> str:
        rng = self.rng
        cached = self.cache.get(key)
        if cached is not None and rng.random() < 0.8:
            return cached
        forms = _STATIC_FORMS.get(key)
        if forms is not None:
            chosen = _choice(rng, forms)
        elif key == "hon":
            return self.pronouns[0]
        elif key == "henne":
            return self.pronouns[1]
        elif key == "hennes":
            return self.pronouns[2]
        elif key == "csol":
            chosen = _choice(rng, _SOL_CITES[self.new_sol])
        elif key == "csip":
            chosen = _choice(rng, _SIP_CITES[self.new_sol])
        else:
            chosen = _NUMBERS[key](rng)
        self.cache[key] = chosen
        return chosen

    def render(self, fragment: _Fragment) -> str:
        parts = fragment.parts
        if len(parts) == 1:
            return parts[0]
        out = [parts[0]]
        for i in range(1, len(parts), 2):
            out.append(self.value(parts[i]))
            out.append(parts[i + 1])
        return "".join(out)


_NUMBERS: dict[str, Callable[[Random], str]] = {
    "datum": lambda r: f"den {r.randint(1, 28)} {r.choice(_MONTHS)}",
    "belopp": lambda r: f"{r.randint(1, 14)} {r.choice(('000', '200', '500', '800'))} kr",
    "timmar": lambda r: f"{r.randint(4, 40)} timmar",
    "dnr": lambda r: f"dnr {r.randint(2019, 2026)}/{r.randint(1, 9999):04d}",
}

_PHRASES = _load("phrases")
# Neutral sentences: they imply no tag, vary the texts and fill short ones.
_FILLERS = tuple(_f(t) for t in _PHRASES["fillers"])


@dataclass(frozen=True, slots=True)
class _Story:
    openers: tuple[_Fragment, ...]
    middles: tuple[_Fragment, ...]
    closers: tuple[_Fragment, ...] = ()


_CLOSERS = tuple(_f(t) for t in _PHRASES["closers"])

_STORY_DATA = _load("stories")
_STORIES: dict[str, _Story] = {
    key: _Story(
        openers=tuple(_fragment(item) for item in story["openers"]),
        middles=tuple(_fragment(item) for item in story["middles"]),
    )
    for key, story in _STORY_DATA["stories"].items()
}

# Coverage: at least one fragment per tag that names it, used when the story did not.
_MENTIONS: dict[str, tuple[_Fragment, ...]] = {
    tag: tuple(_fragment(item) for item in items)
    for tag, items in _load("mentions")["mentions"].items()
}
# Order in which uncovered tags are mentioned: provisions first (they cover their laws).
_MENTION_ORDER = {"p": 0, "@": 1, "l": 2, "a": 3}

# Generic sentences about two agencies, for noise texts.
_PAIR_TEMPLATES: tuple[str, ...] = tuple(_PHRASES["pair_templates"])
_PAIR_KEYS: dict[str, str] = dict(_PHRASES["pair_keys"])
_PAIR_OPENERS: dict[tuple[str, str], tuple[_Fragment, ...]] = {
    (a, b): tuple(
        _f(
            t.replace("{A}", "{" + ka + "}").replace("{B}", "{" + kb + "}"),
            a,
            b,
            *_COMPANIONS.get(a, ()),
            *_COMPANIONS.get(b, ()),
        )
        for t in _PAIR_TEMPLATES
    )
    for a, ka in _PAIR_KEYS.items()
    for b, kb in _PAIR_KEYS.items()
    if a != b
}
_GENERIC_OPENERS = tuple(_f(t) for t in _PHRASES["generic_openers"])


def _noise_openers(tags: set[str]) -> list[_Fragment]:
    """Sentences about two of the deviation's agencies, found by pair rather than by scanning."""
    agencies = sorted(t for t in tags if t in _PAIR_KEYS)
    out = list(_GENERIC_OPENERS)
    for a in agencies:
        for b in agencies:
            if a != b:
                out.extend(_PAIR_OPENERS[a, b])
    return out


# --- planted knots ------------------------------------------------------------------------------
_KNOT_DATA = _load("knots")
_KNOT_DEFAULTS = _KNOT_DATA["defaults"]
_KNOTS: tuple[PlantedKnot, ...] = tuple(
    PlantedKnot(
        key=k["key"],
        title=k["title"],
        tags=tuple(k["tags"]),
        weight=k["weight"],
        trend=k["trend"],
        category=k["category"],
        consequences=tuple(k["consequences"].items()),
        severity=tuple(k["severity"]),
        context=tuple((tuple(c["tags"]), c["probability"]) for c in k["context"]),
        age_weights=tuple(k.get("age_weights", _KNOT_DEFAULTS["age_weights"])),
        gender_weights=tuple(k.get("gender_weights", _KNOT_DEFAULTS["gender_weights"])),
        local=k.get("local", False),
    )
    for k in _KNOT_DATA["knots"]
)
PLANTED_KNOTS: Mapping[str, PlantedKnot] = MappingProxyType({k.key: k for k in _KNOTS})
KNOT_SHARE = 0.6


# --- noise --------------------------------------------------------------------------------------
def _cumulative(weights: Sequence[float]) -> list[float]:
    total = 0.0
    out = []
    for w in weights:
        total += w
        out.append(total)
    return out


class _Weighted[T]:
    """A weighted choice with the cumulative weights computed once (rng.choices redoes them)."""

    __slots__ = ("cum", "items", "total")

    def __init__(self, items: Sequence[T], weights: Sequence[float]) -> None:
        self.items = tuple(items)
        self.cum = _cumulative(weights)
        self.total = self.cum[-1]

    def pick(self, rng: Random) -> T:
        return self.items[bisect(self.cum, rng.random() * self.total)]


def _counts(weights: Mapping[str, float]) -> _Weighted[int]:
    """A weighted count, written in the data as {"0": weight, "1": weight, ...}."""
    return _Weighted([int(count) for count in weights], list(weights.values()))


def _over(values: tuple[str, ...], weights: Mapping[str, float], what: str) -> _Weighted[str]:
    """A weighted choice of one of `values`, which the data must name all and in order."""
    _require(tuple(weights) == values, f"noise.json {what} must weigh {values} in that order")
    return _Weighted(values, list(weights.values()))


_NOISE = _load("noise")
_AGENCY_WEIGHTS: tuple[tuple[str, float], ...] = tuple(_NOISE["agency_weights"].items())
# (tags, owning agency or None, weight)
_NOISE_BUNDLES: tuple[tuple[tuple[str, ...], str | None, float], ...] = tuple(
    (tuple(b["tags"]), b["owner"], b["weight"]) for b in _NOISE["bundles"]
)
_ANY_BUNDLE = _Weighted(_NOISE_BUNDLES, [w for _b, _o, w in _NOISE_BUNDLES])
_BUNDLES_BY_OWNER: dict[str, _Weighted[tuple[str, ...]]] = {
    owner: _Weighted(
        [b for b, o, _w in _NOISE_BUNDLES if o == owner],
        [w for _b, o, w in _NOISE_BUNDLES if o == owner],
    )
    for owner in sorted({o for _b, o, _w in _NOISE_BUNDLES if o is not None})
}
_NOISE_AGENCY_COUNT = _counts(_NOISE["agencies_per_deviation"])
_NOISE_BUNDLE_COUNT = _counts(_NOISE["bundles_per_deviation"])
_EXTRA_COUNT = _counts(_NOISE["knot_extras_per_deviation"])
_NOISE_CATEGORY = _over(CATEGORIES, _NOISE["category"], "category")
_NOISE_CONSEQUENCE = _over(CONSEQUENCES, _NOISE["consequence"], "consequence")
_NOISE_SEVERITY = _counts(_NOISE["severity"])
_NOISE_GENDER = _over(GENDERS, _NOISE["gender"], "gender")
_NOISE_AGE = _over(AGE_BANDS, _NOISE["age_band"], "age_band")

_SEASON: tuple[float, ...] = tuple(_NOISE["season_by_month"])  # January first; July is quiet
_TREND_BUCKETS = 100


def _trend_factor(trend: str, frac: float) -> float:
    """Multiplier on a knot's share over the period: reporting of rising knots takes off late."""
    if trend == "rising":
        return 0.6 + 2.0 * max(0.0, frac - 0.6) / 0.4
    if trend == "fading":
        return 1.8 - 1.5 * frac
    return 1.0


@dataclass(frozen=True, slots=True)
class _KnotDraw:
    """A knot's fixed weighted choices, built once per call rather than per deviation."""

    knot: PlantedKnot
    story: _Story
    units: _Weighted[int]
    consequence: _Weighted[str]
    severity: _Weighted[int]
    gender: _Weighted[str]
    age: _Weighted[str]
    droppable: tuple[str, ...]


class _Plan:
    """Per-call choices that stay fixed for the whole run: where knots live, their shares."""

    def __init__(self, rng: Random, units: Sequence[DemoUnit]) -> None:
        indices = range(len(units))
        self.units = _Weighted(indices, [len(u.municipalities) ** 0.8 for u in units])
        # Each knot is more common in some places than others, as real knots are.
        self.knots = [
            _KnotDraw(
                knot=k,
                story=_STORIES[k.key],
                units=_Weighted(
                    indices, [len(u.municipalities) ** 0.8 * rng.uniform(0.4, 1.6) for u in units]
                ),
                consequence=_Weighted(
                    [c for c, _w in k.consequences], [w for _c, w in k.consequences]
                ),
                severity=_Weighted((1, 2, 3, 4), k.severity),
                gender=_Weighted(GENDERS, k.gender_weights),
                age=_Weighted(AGE_BANDS, k.age_weights),
                droppable=tuple(
                    t for t in k.tags if t.startswith("agency:") and t not in _COMPANIONS
                ),
            )
            for k in _KNOTS
        ]
        decoy_unit = rng.randrange(len(units))
        self.decoy = (decoy_unit, _choice(rng, units[decoy_unit].municipalities))
        self.by_bucket = [
            _Weighted(
                self.knots, [k.weight * _trend_factor(k.trend, b / _TREND_BUCKETS) for k in _KNOTS]
            )
            for b in range(_TREND_BUCKETS + 1)
        ]


def _day_weights(start: date, days: int) -> list[float]:
    """Reporting grows as the system is adopted, with a summer dip."""
    out = []
    for offset in range(days + 1):
        day = start + timedelta(days=offset)
        frac = offset / days if days else 1.0
        out.append((0.3 + 0.7 * frac) * _SEASON[day.month - 1])
    return out


def _try_add(tags: set[str], bundle: Sequence[str], eras: tuple[bool, bool]) -> bool:
    """Add a bundle (with its companions) unless the deviation would exceed MAX_TAGS."""
    extra = set(bundle)
    for tag in bundle:
        extra.update(_COMPANIONS.get(tag, ()))
    candidate = tags | extra
    upper_bound = len(candidate) + sum(1 for t in candidate if t[0] == "@")
    if upper_bound > MAX_TAGS and len(_resolve(candidate, *eras)) > MAX_TAGS:
        return False
    tags.update(extra)
    return True


def _pick_agencies(rng: Random, k: int, exclude: set[str]) -> list[str]:
    """Weighted sampling without replacement; the hubs FK, KOMMUN, AF and REGION dominate."""
    pool = [(a, w) for a, w in _AGENCY_WEIGHTS if a not in exclude]
    chosen: list[str] = []
    while pool and len(chosen) < k:
        r = rng.random() * sum(w for _a, w in pool)
        i = 0
        while i < len(pool) - 1 and r >= pool[i][1]:
            r -= pool[i][1]
            i += 1
        chosen.append(pool.pop(i)[0])
    return chosen


def _noise_tags(rng: Random, eras: tuple[bool, bool]) -> set[str]:
    agencies = _pick_agencies(rng, _NOISE_AGENCY_COUNT.pick(rng), set())
    tags: set[str] = set()
    for agency in agencies:
        _try_add(tags, (agency,), eras)
    for _ in range(_NOISE_BUNDLE_COUNT.pick(rng)):
        owned = [a for a in agencies if a in _BUNDLES_BY_OWNER]
        if owned and rng.random() < 0.8:
            bundle = _BUNDLES_BY_OWNER[_choice(rng, owned)].pick(rng)
        else:
            bundle, owner, _w = _ANY_BUNDLE.pick(rng)
            if owner is not None and owner not in tags and len(agencies) < 4:
                bundle = (*bundle, owner)
        _try_add(tags, bundle, eras)
    return tags


def _knot_tags(rng: Random, draw: _KnotDraw, eras: tuple[bool, bool]) -> set[str]:
    """Core tags, realistic dropout of one agency, the knot's context and unrelated extras."""
    knot = draw.knot
    tags = set(knot.tags)
    if draw.droppable and rng.random() < 0.10:
        tags.discard(_choice(rng, draw.droppable))
    for bundle, probability in knot.context:
        if rng.random() < probability:
            _try_add(tags, bundle, eras)
    banned = set(knot.tags)
    for _ in range(_EXTRA_COUNT.pick(rng)):
        if rng.random() < 0.3:
            extra: tuple[str, ...] = tuple(_pick_agencies(rng, 1, banned | tags))
        else:
            extra = _ANY_BUNDLE.pick(rng)[0]
            if banned.intersection(extra):
                continue
        _try_add(tags, extra, eras)
    return tags


# --- description --------------------------------------------------------------------------------
MIN_LENGTH, MAX_LENGTH = 150, 700
_MIDDLE_COUNT = _counts(_STORY_DATA["middles_per_text"])


def _coverage(rng: Random, tags: set[str], covered: set[str]) -> list[_Fragment]:
    """One mention for each tag the chosen sentences did not already name."""
    out = []
    covered = set(covered)
    for tag in sorted(tags - covered, key=lambda t: (_MENTION_ORDER[t[0]], t)):
        if tag in covered:
            continue
        options = [f for f in _MENTIONS[tag] if f.needs <= tags]
        if not options:
            raise RuntimeError(f"no mention fragment fits {tag!r} in {sorted(tags)}")
        chosen = _choice(rng, options)
        out.append(chosen)
        covered |= chosen.needs
    return out


def _describe(rng: Random, text: _Text, tags: set[str], story: _Story | None) -> str:
    """Compose a description that names every tag and implies none it does not have."""
    if story is None:
        pool = [f for f in _noise_openers(tags) if f.needs <= tags]
        openers, wanted = pool, rng.randint(0, 1)
    else:
        openers = [f for f in story.openers if f.needs <= tags]
        pool = [f for f in story.middles if f.needs <= tags]
        wanted = _MIDDLE_COUNT.pick(rng)
    chosen: list[_Fragment] = []
    covered: set[str] = set()
    if openers:
        first = _choice(rng, openers)
        chosen.append(first)
        covered |= first.needs
    for _ in range(wanted):
        candidates = [f for f in pool if f not in chosen]
        if not candidates:
            break
        useful = [f for f in candidates if not f.needs <= covered]
        pick = _choice(rng, useful if useful and rng.random() < 0.85 else candidates)
        chosen.append(pick)
        covered |= pick.needs
    mentions = _coverage(rng, tags, covered)
    while len(chosen) > 1 and sum(f.size for f in chosen + mentions) > MAX_LENGTH - 120:
        chosen.pop()
        covered = set().union(*(f.needs for f in chosen))
        mentions = _coverage(rng, tags, covered)
    body = chosen + mentions
    if len(body) > 2:  # the mentions need not come last
        rest = body[1:]
        rng.shuffle(rest)
        body[1:] = rest
    sentences = [text.render(f) for f in body]
    length = sum(len(s) + 1 for s in sentences)
    if story is not None and rng.random() < 0.4:
        closer = text.render(_choice(rng, _CLOSERS))
        if length + len(closer) < MAX_LENGTH:
            sentences.append(closer)
            length += len(closer) + 1
    wants_filler = rng.random() < 0.35
    tried = 0
    while (length < MIN_LENGTH + 10 or wants_filler) and tried < 6:
        wants_filler = False
        tried += 1
        filler = text.render(_choice(rng, _FILLERS))
        if length + len(filler) >= MAX_LENGTH or filler in sentences:
            continue
        sentences.insert(rng.randint(1, len(sentences)), filler)
        length += len(filler) + 1
    if rng.random() >= 0.15:  # most staff capitalise; some write fast notes in lower case
        sentences = [s[0].upper() + s[1:] for s in sentences]
    return " ".join(sentences)


# --- consistency of the data ------------------------------------------------------------------
def _check_data() -> None:
    """Every tag is a catalogue id or a symbol and has a mention; knots and stories match."""
    known = set(_MENTIONS)

    def tags_ok(tags: Iterable[str], where: str) -> None:
        for tag in tags:
            _require(tag in _SYMBOLS or bool(_TAG_ID.match(tag)), f"{where}: bad tag {tag!r}")
            _require(tag in known, f"{where}: no sentence in mentions.json names {tag!r}")

    tags_ok(_COMPANIONS, "tags.json companions")
    for implied in _COMPANIONS.values():
        tags_ok(implied, "tags.json companions")
    tags_ok(_PAIR_KEYS, "phrases.json pair_keys")
    tags_ok((a for a, _w in _AGENCY_WEIGHTS), "noise.json agency_weights")
    _require(
        {a.removeprefix("agency:") for a, _w in _AGENCY_WEIGHTS} <= set(AGENCY_CODES),
        "noise.json agency_weights names an agency missing from vocabulary.json",
    )
    for bundle, owner, _w in _NOISE_BUNDLES:
        tags_ok((*bundle, *([owner] if owner else [])), "noise.json bundles")
    for key, fragments in _MENTIONS.items():
        for fragment in fragments:
            tags_ok(fragment.needs, f"mentions.json {key}")
    _require(set(_STORIES) == {k.key for k in _KNOTS}, "stories.json and knots.json differ")
    for key, story in _STORIES.items():
        for fragment in story.openers + story.middles:
            tags_ok(fragment.needs, f"stories.json {key}")
    for knot in _KNOTS:
        where = f"knots.json {knot.key}"
        tags_ok(knot.tags, where)
        for extra, _p in knot.context:
            tags_ok(extra, where)
        _require(knot.trend in {"rising", "flat", "fading"}, f"{where}: unknown trend")
        _require(knot.category in CATEGORIES, f"{where}: unknown category")
        _require({c for c, _w in knot.consequences} <= set(CONSEQUENCES), f"{where}: consequence")
        _require(len(knot.severity) == 4, f"{where}: severity needs four weights")
        _require(len(knot.age_weights) == len(AGE_BANDS), f"{where}: one weight per age band")
        _require(len(knot.gender_weights) == len(GENDERS), f"{where}: one weight per gender")
    for fragment in _FILLERS + _CLOSERS + _GENERIC_OPENERS:
        _require(not fragment.needs, "phrases.json sentences imply no tag")
    _require(set(_PRONOUNS) == set(GENDERS), "forms.json pronouns: one entry per gender")
    placeholders = {*_STATIC_FORMS, *_NUMBERS, "hon", "henne", "hennes", "csol", "csip"}
    sentences = [*_FILLERS, *_CLOSERS, *_GENERIC_OPENERS]
    sentences += [f for fragments in _PAIR_OPENERS.values() for f in fragments]
    sentences += [f for fragments in _MENTIONS.values() for f in fragments]
    sentences += [f for story in _STORIES.values() for f in story.openers + story.middles]
    for fragment in sentences:
        unknown = set(fragment.parts[1::2]) - placeholders
        _require(
            not unknown, f"unknown placeholder {sorted(unknown)} in {''.join(fragment.parts)!r}"
        )
    _require(len(_SEASON) == 12, "noise.json season_by_month needs twelve months")


_check_data()


# --- public entry point -------------------------------------------------------------------------
# occurred_on, generation index, then DemoDeviation's fields after occurred_on
_Draft = tuple[date, int, str, str, str, str, str, int, str, str, tuple[str, ...], str | None]


def generate_deviations(
    *, n: int, seed: int, units: Sequence[DemoUnit], start: date, end: date
) -> list[DemoDeviation]:
    """Generate `n` synthetic deviations between `start` and `end`, the same for the same input.

    About 60% belong to a planted knot (PLANTED_KNOTS), the rest is plausible noise. The list is
    sorted by occurred_on, then external_id; ids are `demo-%06d` by that position.
    """
    if n < 0:
        raise ValueError("n must not be negative")
    if end < start:
        raise ValueError("end is before start")
    if not units or any(not u.municipalities for u in units):
        raise ValueError("every demo unit needs at least one municipality")
    rng = Random(seed)
    units = tuple(units)
    days = (end - start).days
    plan = _Plan(rng, units)
    offsets = rng.choices(range(days + 1), cum_weights=_cumulative(_day_weights(start, days)), k=n)
    drafts: list[_Draft] = []
    for index, offset in enumerate(offsets):
        when = start + timedelta(days=offset)
        eras = (when >= NEW_SOL_FROM, when >= NEW_ALF_FROM)
        if rng.random() < KNOT_SHARE:
            bucket = round(offset / days * _TREND_BUCKETS) if days else _TREND_BUCKETS
            draw = plan.by_bucket[bucket].pick(rng)
            knot: PlantedKnot | None = draw.knot
            tags = _knot_tags(rng, draw, eras)
            if draw.knot.local:
                unit_i, municipality = plan.decoy
            else:
                unit_i = draw.units.pick(rng)
                municipality = _choice(rng, units[unit_i].municipalities)
            category = draw.knot.category if rng.random() < 0.8 else _choice(rng, CATEGORIES)
            consequence = draw.consequence.pick(rng)
            severity = draw.severity.pick(rng)
            gender = draw.gender.pick(rng)
            age_band = draw.age.pick(rng)
            story: _Story | None = draw.story
        else:
            knot = None
            tags = _noise_tags(rng, eras)
            unit_i = plan.units.pick(rng)
            municipality = _choice(rng, units[unit_i].municipalities)
            category = _NOISE_CATEGORY.pick(rng)
            consequence = _NOISE_CONSEQUENCE.pick(rng)
            severity = _NOISE_SEVERITY.pick(rng)
            gender = _NOISE_GENDER.pick(rng)
            age_band = _NOISE_AGE.pick(rng)
            story = None
        description = _describe(rng, _Text(rng, gender, eras[0]), tags, story)
        drafts.append(
            (
                when,
                index,
                municipality,
                units[unit_i].name,
                description,
                category,
                consequence,
                severity,
                gender,
                age_band,
                tuple(sorted(_resolve(tags, *eras))),
                knot.key if knot else None,
            )
        )
    drafts.sort(key=lambda d: (d[0], d[1]))
    return [DemoDeviation(f"demo-{i:06d}", d[0], *d[2:]) for i, d in enumerate(drafts, start=1)]
