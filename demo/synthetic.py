"""A pure, seeded planted-knot generator for the knot engine's tests and benchmarks.

`generate_table(n, seed=…)` returns a `DeviationTable` of `n` deviations and the knots planted in
it, the answer the engine should find. Vectorised numpy, so a million rows take a few seconds.

- *Vocabulary* (`vocabulary_size` tags, default 400): the 13 agencies of docs/contracts.md §1, the
  laws, and provisions spread over those laws. Provisions are drawn with Zipf–Mandelbrot
  frequencies (1 / (rank + 5)^1.1): the most common is in about one deviation in seven, most are
  rare.
- *Noise deviations* have 4–6 mining tags: agencies drawn independently with hub rates (FK in about
  half of all deviations, AF and KOMMUN in about a third), now and then a law that stands alone,
  and the rest provisions. Every provision also carries its law tag, as confirmed tags do
  (docs/contracts.md §1), which the engine leaves out again for mining.
- *Planted knots* (2–5 tags, at least one provision) are put into `share · n` deviations each,
  topped up with noise tags to 4–6 mining tags; each knot tag drops out with probability
  `dropout`. They differ in spread (15–35 municipalities, and one local decoy in a single unit)
  and in trend (rising, stable, falling, measured against the noise's own growth in volume).
- Dates run from `start` to `end`; reporting volume grows threefold over that time, as adoption
  would make it. References are `AV-<year>-<nnnnnn>`, numbered by date.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Literal

import numpy as np

from analytics.types import DeviationTable, implied_law, tag_kind

__all__ = [
    "AGENCY_RATES",
    "DEFAULT_END",
    "DEFAULT_PLANTED",
    "DEFAULT_START",
    "MUNICIPALITIES",
    "PlantedKnot",
    "generate_table",
    "synthetic_vocabulary",
]

Trend = Literal["rising", "stable", "falling"]

DEFAULT_START = date(2024, 1, 1)
DEFAULT_END = date(2026, 6, 30)

# Agency hub rates: FK in about half of all deviations.
AGENCY_RATES = {
    "agency:FK": 0.50,
    "agency:AF": 0.33,
    "agency:KOMMUN": 0.30,
    "agency:REGION": 0.15,
    "agency:AKASSA": 0.06,
    "agency:FORBUND": 0.05,
    "agency:ARBETSGIVARE": 0.05,
    "agency:CSN": 0.04,
    "agency:MIGRATIONSVERKET": 0.04,
    "agency:KRONOFOGDEN": 0.03,
    "agency:SKATTEVERKET": 0.02,
    "agency:PENSIONSMYNDIGHETEN": 0.02,
    "agency:KRIMINALVARDEN": 0.02,
}
# Laws with provisions: (SFS, relative number of provisions, chapters or 0 for none).
LAWS = (
    ("2010:110", 40, 117),  # socialförsäkringsbalken
    ("2001:453", 12, 16),  # socialtjänstlag (old)
    ("2025:400", 6, 16),  # socialtjänstlag (new)
    ("2009:400", 8, 44),  # offentlighets- och sekretesslag
    ("2017:30", 6, 17),  # hälso- och sjukvårdslag
    ("1993:387", 4, 0),  # LSS
    ("1997:238", 4, 0),  # lag om arbetslöshetsförsäkring
    ("2017:819", 4, 8),  # förordning om arbetsmarknadspolitiska program
    ("2000:628", 3, 0),  # förordning om den arbetsmarknadspolitiska verksamheten
    ("2003:1210", 2, 0),  # lag om finansiell samordning
    ("2019:1297", 2, 0),  # lag om koordineringsinsatser
    ("1994:137", 2, 0),  # lag om mottagande av asylsökande
    ("1981:774", 2, 10),  # utsökningsbalken
    ("2017:900", 3, 0),  # förvaltningslag
)
STANDALONE_LAWS = ("law:1991:481", "law:2008:567", "law:2018:218", "law:2018:585")
STANDALONE_LAW_RATE = 0.08
MUNICIPALITIES = (
    "0114", "0115", "0117", "0120", "0123", "0125", "0126", "0127", "0128", "0136",
    "0138", "0139", "0140", "0160", "0162", "0163", "0180", "0181", "0182", "0183",
    "0184", "0186", "0187", "0188", "0191", "0192", "0305", "0319", "0330", "0331",
    "0360", "0380", "0381", "0382", "0428", "0461", "0480", "0481", "0482", "0483",
)  # fmt: skip
UNITS_PER_MUNICIPALITY = 2
GENDERS = ("kvinna", "man", "annat", "okänt", "")
GENDER_WEIGHTS = (0.50, 0.38, 0.01, 0.04, 0.07)
NOISE_SEVERITY = (0.25, 0.30, 0.25, 0.13, 0.07)  # 0 (not assessed), 1..4
ZIPF_EXPONENT = 1.1
ZIPF_OFFSET = 5  # Zipf–Mandelbrot: weight 1 / (rank + offset)^exponent
PROVISION_DRAWS = 14


@dataclass(frozen=True, slots=True)
class PlantedKnot:
    """A knot planted in the synthetic data: the answer the engine should find."""

    key: str
    tags: tuple[str, ...]  # sorted, 2–5 tags, at least one provision
    share: float  # fraction of all deviations that carry it
    trend: Trend
    municipalities: int  # spread; 1 makes a local decoy (also a single unit)
    severity: tuple[float, float, float, float, float] = (0.2, 0.2, 0.3, 0.2, 0.1)
    rows: int = 0  # realised number of planted deviations (set by generate_table)

    def __post_init__(self) -> None:
        object.__setattr__(self, "tags", tuple(sorted(set(self.tags))))
        if not 2 <= len(self.tags) <= 5:
            raise ValueError("a planted knot has 2–5 tags")
        if not any(tag_kind(t) == "provision" for t in self.tags):
            raise ValueError("a planted knot needs at least one provision")

    @property
    def local(self) -> bool:
        return self.municipalities == 1


DEFAULT_PLANTED = (
    PlantedKnot(
        "sjukpenning-forsorjningsstod",
        ("prov:2010:110#K27P48", "prov:2001:453#K4P1"),
        0.0060,
        "rising",
        30,
        (0.2, 0.1, 0.3, 0.3, 0.1),
    ),
    PlantedKnot("program-anvisning", ("agency:AF", "prov:2017:819#K5P2a"), 0.0050, "stable", 25),
    PlantedKnot(
        "rehabilitering",
        ("agency:AF", "agency:FK", "prov:2010:110#K30P8"),
        0.0070,
        "stable",
        35,
        (0.2, 0.1, 0.2, 0.3, 0.2),
    ),
    PlantedKnot(
        "sip-vard", ("agency:KOMMUN", "agency:REGION", "prov:2017:30#K16P4"), 0.0050, "rising", 20
    ),
    PlantedKnot(
        "sekretess-sjukpenning",
        ("agency:FK", "prov:2009:400#K10P2", "prov:2010:110#K110P14"),
        0.0060,
        "falling",
        30,
    ),
    PlantedKnot(
        "akassa-program",
        ("agency:AF", "agency:AKASSA", "prov:1997:238#P9", "prov:2000:628#P6"),
        0.0040,
        "rising",
        15,
    ),
    PlantedKnot(
        "studier-sjukpenning",
        ("agency:CSN", "agency:FK", "prov:2010:110#K26P9", "prov:2001:453#K2P7"),
        0.0045,
        "stable",
        25,
    ),
    PlantedKnot(
        "asyl-bistand",
        ("agency:KOMMUN", "agency:MIGRATIONSVERKET", "prov:1994:137#P17", "prov:2001:453#K4P3"),
        0.0050,
        "falling",
        20,
    ),
    PlantedKnot(
        "lss-assistans",
        (
            "agency:FK",
            "agency:KOMMUN",
            "agency:REGION",
            "prov:1993:387#P9",
            "prov:2010:110#K34P3",
        ),
        0.0045,
        "rising",
        30,
        (0.1, 0.1, 0.2, 0.3, 0.3),
    ),
    PlantedKnot(
        "skuld-bistand",
        (
            "agency:KOMMUN",
            "agency:KRONOFOGDEN",
            "prov:1981:774#K7P3",
            "prov:2001:453#K4P4",
            "prov:2019:1297#P2",
        ),
        0.0040,
        "stable",
        20,
    ),
    PlantedKnot(
        "lokal-samordning",
        ("agency:FORBUND", "agency:KOMMUN", "prov:2003:1210#P7"),
        0.0080,
        "stable",
        1,
    ),
)
# Zipf ranks of the planted provisions: mid-table, neither hubs nor the rarest.
PLANTED_RANKS = (20, 8, 45, 25, 30, 35, 40, 50, 55, 60, 65, 70, 75, 80, 85, 90, 95, 100, 110, 120)


def synthetic_vocabulary(
    vocabulary_size: int, extra: Sequence[str] = ()
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(agencies and laws, provisions): the synthetic tag ids before sorting.

    Deterministic in `vocabulary_size`; the `extra` tags (the planted ones) are always included.
    """
    fixed = [*AGENCY_RATES, *(f"law:{sfs}" for sfs, _, _ in LAWS), *STANDALONE_LAWS]
    fixed += [t for t in extra if tag_kind(t) != "provision" and t not in fixed]
    provisions = list(dict.fromkeys(t for t in extra if tag_kind(t) == "provision"))
    fixed += [law for t in provisions if (law := implied_law(t)) and law not in fixed]
    wanted = max(0, vocabulary_size - len(fixed) - len(provisions))
    weight_total = sum(w for _, w, _ in LAWS)
    per_law = [math.floor(wanted * w / weight_total) for _, w, _ in LAWS]
    per_law[0] += wanted - sum(per_law)
    taken = set(provisions)
    for (sfs, _, chapters), count in zip(LAWS, per_law, strict=True):
        i = 0
        while count > 0:
            if chapters:
                tag = f"prov:{sfs}#K{i % chapters + 1}P{i // chapters + 1}"
            else:
                tag = f"prov:{sfs}#P{i + 1}"
            i += 1
            if tag not in taken:
                taken.add(tag)
                provisions.append(tag)
                count -= 1
    return tuple(fixed), tuple(provisions)


def _day_weights(days: int, trend: Trend | None) -> np.ndarray:
    x = np.arange(days, dtype=np.float64) / max(days - 1, 1)
    base = 1.0 + 2.0 * x  # adoption: volume triples over the period
    if trend == "rising":
        start = 1.0 - 365.0 / max(days, 366)  # rises over the last year
        return base * np.clip((x - start) / (1.0 - start), 0.0, None) ** 1.5
    if trend == "falling":
        return base * (1.0 - x) ** 2
    return base


def _draw(rng: np.random.Generator, weights: np.ndarray, size: int) -> np.ndarray:
    cumulative = np.cumsum(weights)
    picks = np.searchsorted(cumulative, rng.random(size) * cumulative[-1], side="right")
    return np.minimum(picks, len(weights) - 1)


def generate_table(
    n: int,
    *,
    seed: int,
    vocabulary_size: int = 400,
    planted: Sequence[PlantedKnot] | None = None,
    start: date = DEFAULT_START,
    end: date = DEFAULT_END,
    dropout: float = 0.02,
) -> tuple[DeviationTable, list[PlantedKnot]]:
    """`n` synthetic deviations with planted knots; the same arguments give the same table."""
    if end < start:
        raise ValueError("end must not be before start")
    planted = tuple(DEFAULT_PLANTED if planted is None else planted)
    rng = np.random.default_rng(seed)
    fixed, provisions = synthetic_vocabulary(vocabulary_size, [t for k in planted for t in k.tags])
    vocabulary = tuple(sorted((*fixed, *provisions)))
    number = {tag: i for i, tag in enumerate(vocabulary)}
    v = len(vocabulary)

    # Zipf ranks of provisions: planted ones at fixed mid ranks, the rest shuffled.
    planted_provisions = list(
        dict.fromkeys(t for k in planted for t in k.tags if tag_kind(t) == "provision")
    )
    others = [p for p in provisions if p not in set(planted_provisions)]
    order = [others[i] for i in rng.permutation(len(others))]
    for rank, tag in zip(PLANTED_RANKS, planted_provisions, strict=False):
        order.insert(min(rank, len(order)), tag)
    order += [t for t in planted_provisions if t not in order]
    provision_ids = np.array([number[t] for t in order], dtype=np.int64)
    provision_weights = 1.0 / (np.arange(1, len(order) + 1) + ZIPF_OFFSET) ** ZIPF_EXPONENT
    agency_ids = np.array([number[a] for a in AGENCY_RATES], dtype=np.int64)
    agency_rates = np.array(list(AGENCY_RATES.values()))
    standalone_ids = np.array([number[t] for t in STANDALONE_LAWS], dtype=np.int64)
    law_of = np.full(v, -1, dtype=np.int64)
    for tag, i in number.items():
        if (law := implied_law(tag)) is not None:
            law_of[i] = number[law]

    # Which knot each row carries (-1: noise), and the knot's tags with dropout.
    counts = [round(k.share * n) for k in planted]
    if sum(counts) > n:
        raise ValueError("planted shares add up to more than all deviations")
    knot_of = np.full(n, -1, dtype=np.int64)
    knot_of[: sum(counts)] = np.repeat(np.arange(len(planted)), counts)
    knot_of = knot_of[rng.permutation(n)]
    required = np.full((n, 5), -1, dtype=np.int64)
    for k, knot in enumerate(planted):
        rows = np.flatnonzero(knot_of == k)
        for c, tag in enumerate(knot.tags):
            present = rng.random(len(rows)) >= dropout
            required[rows[present], c] = number[tag]
    n_required = (required >= 0).sum(axis=1)
    knot_size = np.array([len(k.tags) for k in planted] + [0])[knot_of]
    size = np.maximum(rng.integers(4, 7, n), knot_size)  # 4–6 mining tags

    # Agencies: independent hub rates, minus those already required, capped to leave a slot.
    drawn = rng.random((n, len(agency_ids))) < agency_rates
    for c in range(5):
        column = required[:, c]
        for a, agency in enumerate(agency_ids):
            drawn[column == agency, a] = False
    cap = np.maximum(size - n_required - 1, 0)
    priority = np.where(drawn, rng.random(drawn.shape), 2.0)
    rank = np.argsort(np.argsort(priority, axis=1), axis=1)
    drawn &= rank < cap[:, None]
    n_agencies = drawn.sum(axis=1)

    # A standalone law now and then, when at least two slots are left.
    free = size - n_required - n_agencies
    with_law = (rng.random(n) < STANDALONE_LAW_RATE) & (free >= 2)
    law_tag = standalone_ids[rng.integers(0, len(standalone_ids), n)]
    need = free - with_law

    # Provisions: Zipf draws, distinct within the row and from the required tags.
    chosen = np.full((n, PROVISION_DRAWS), -1, dtype=np.int64)
    missing = np.flatnonzero(need > 0)
    while len(missing):
        draws = provision_ids[_draw(rng, provision_weights, len(missing) * PROVISION_DRAWS)]
        draws = draws.reshape(len(missing), PROVISION_DRAWS)
        valid = np.ones(draws.shape, dtype=bool)
        for c in range(1, PROVISION_DRAWS):
            valid[:, c] = ~np.any(draws[:, :c] == draws[:, c : c + 1], axis=1)
        for c in range(5):
            valid &= draws != required[missing, c : c + 1]
        take = valid & (np.cumsum(valid, axis=1) <= need[missing, None])
        enough = take.sum(axis=1) == need[missing]
        rows = missing[enough]
        chosen[rows] = np.where(take[enough], draws[enough], -1)
        missing = missing[~enough]

    # Assemble (row, tag) entries, add the laws the provisions imply, and build the CSR.
    required_rows, required_columns = np.nonzero(required >= 0)
    agency_rows, agency_columns = np.nonzero(drawn)
    law_rows = np.flatnonzero(with_law)
    provision_rows, provision_columns = np.nonzero(chosen >= 0)
    row_of = np.concatenate([required_rows, agency_rows, law_rows, provision_rows])
    tag_of = np.concatenate(
        [
            required[required_rows, required_columns],
            agency_ids[agency_columns],
            law_tag[law_rows],
            chosen[provision_rows, provision_columns],
        ]
    )
    implied = law_of[tag_of]
    has_law = implied >= 0
    row_of = np.concatenate([row_of, row_of[has_law]])
    tag_of = np.concatenate([tag_of, implied[has_law]])
    keys = np.sort(row_of * v + tag_of)
    keys = keys[np.concatenate(([True], keys[1:] != keys[:-1]))]
    entry_rows, entry_tags = keys // v, keys % v

    # Dates, places, severity, gender.
    days = (end - start).days + 1
    day = np.empty(n, dtype=np.int64)
    day[knot_of < 0] = _draw(rng, _day_weights(days, None), int(np.sum(knot_of < 0)))
    unit_municipality = np.repeat(np.arange(len(MUNICIPALITIES)), UNITS_PER_MUNICIPALITY)
    unit_weights = 1.0 / np.arange(1, len(unit_municipality) + 1) ** 0.5
    unit = _draw(rng, unit_weights, n)
    severity = _draw(rng, np.array(NOISE_SEVERITY), n)
    for k, knot in enumerate(planted):
        rows = np.flatnonzero(knot_of == k)
        day[rows] = _draw(rng, _day_weights(days, knot.trend), len(rows))
        spread = rng.permutation(len(MUNICIPALITIES))[: knot.municipalities]
        if knot.local:
            units = spread[:1] * UNITS_PER_MUNICIPALITY
        else:
            units = np.flatnonzero(np.isin(unit_municipality, spread))
        unit[rows] = units[rng.integers(0, len(units), len(rows))]
        severity[rows] = _draw(rng, np.array(knot.severity), len(rows))
    gender = _draw(rng, np.array(GENDER_WEIGHTS), n)

    # Rows in date order; references numbered within each year.
    order_rows = np.argsort(day, kind="stable")
    rank_of = np.empty(n, dtype=np.int64)
    rank_of[order_rows] = np.arange(n)
    occurred = np.datetime64(start, "D") + day[order_rows]
    years = occurred.astype("datetime64[Y]").astype(np.int64) + 1970
    first_of_year = np.searchsorted(years, years)
    sequence = np.arange(n) - first_of_year + 1
    references = np.array(
        [f"AV-{y}-{s:06d}" for y, s in zip(years.tolist(), sequence.tolist(), strict=True)],
        dtype=object,
    )
    entries = np.sort(rank_of[entry_rows] * v + entry_tags)
    lengths = np.bincount(entries // v, minlength=n)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    table = DeviationTable(
        references=references,
        occurred_on=occurred,
        municipality=np.array(MUNICIPALITIES)[unit_municipality[unit[order_rows]]],
        unit=unit[order_rows] + 1,
        severity=severity[order_rows].astype(np.int8),
        gender=np.array(GENDERS)[gender[order_rows]],
        vocabulary=vocabulary,
        indptr=indptr,
        indices=(entries % v).astype(np.int32),
    )
    realised = [replace(k, rows=int(c)) for k, c in zip(planted, counts, strict=True)]
    return table, realised
