"""National knots from many Knutpunkt instances without one deviation leaving any of them.

Frequent itemsets counted across sites in the manner of the partitioned and distributed
methods (Savasere, Omiecinski and Navathe's Partition; Cheung et al.'s FDM), with the sums made
by secure summation so that no site's own count ever leaves it in the clear:

1. **Sizes.** Every site sends its number of deviations, masked; the sum is N.
2. **Candidates.** Every site proposes what it holds — the tags of its deviations, without
   counts — and says its month range and municipality codes.
3. **Counts, level by level.** Every site counts the candidates (first the tags, then pairs,
   triples … up to the knot size) and sends the counts masked: to each count it adds, modulo
   2^64, a pseudo-random number it shares with each other site, added by one and subtracted by
   the other. The national instance sums them — exactly — keeps those with at least
   `min_support` deviations, and makes the next level's candidates from them (Apriori's join
   and prune: every subset one smaller must be frequent). Every itemset frequent in the union is
   counted, also one that is rare at every site; and the candidates stay close to the frequent
   itemsets themselves. (The one-shot variant, where each site proposes its itemsets frequent
   at its share `ceil(min_support · n_site / N)`, `site_candidates`, is also exact but proposes
   every itemset a site holds once that share drops to 1: 10 million itemsets for 20 sites of
   50,000, benchmarks/README.md.)
4. **Evidence.** For the knots the counts give (analytics.knots.gated_knots, the same gates as
   one instance), every site sends masked per-month and per-municipality counts, units,
   severities and trend windows, and the national instance scores them (knots_scored).

Pure: plain data in and out, no Django (docs/architecture.md R9). Keys, signing and files are at
the edges (analytics.aggregates, federation/); the simulation in tests and benchmarks drives
these functions.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from analytics.knots import (
    SEVERITY_WEIGHTS,
    GatedKnot,
    KnotFeatures,
    _count,
    _postings,
    _supporting_rows,
    gated_knots,
    knots_scored,
    mining_baskets,
)
from analytics.trend import month_labels, windows
from analytics.types import DeviationTable, ItemsetCounts, Knot, KnotParams

MODULUS = 1 << 64  # the masks' ring: counts are far below 2^63
Itemset = tuple[str, ...]  # sorted tag ids (concepts when the concordance is used)

N_CELL = "n"


def tag_cell(tag: str) -> str:
    return f"t:{tag}"


def itemset_cell(itemset: Itemset) -> str:
    return "s:" + "|".join(itemset)


@dataclass(frozen=True, slots=True)
class SiteCounts:
    """One site's exact counts: never sent as they are (`masked`)."""

    n: int
    tags: Mapping[str, int] = field(default_factory=dict)
    itemsets: Mapping[Itemset, int] = field(default_factory=dict)

    def cells(self) -> dict[str, int]:
        cells = {N_CELL: self.n}
        cells.update((tag_cell(tag), count) for tag, count in self.tags.items())
        cells.update((itemset_cell(s), count) for s, count in self.itemsets.items())
        return cells


# --- Counting at a site ------------------------------------------------------------------------


def _bridged(table: DeviationTable, concepts: Mapping[str, str] | None) -> DeviationTable:
    return table.on_concepts(concepts) if concepts else table


def _all_counts(
    table: DeviationTable,
    *,
    params: KnotParams,
    min_support: int,
    concepts: Mapping[str, str] | None,
) -> tuple[dict[str, int], dict[Itemset, int]]:
    """Tag and itemset counts over the mining baskets, as the knot engine counts them."""
    table = _bridged(table, concepts)
    vocabulary = table.vocabulary
    if len(table) == 0 or not vocabulary:
        return {}, {}
    indptr, indices = mining_baskets(table, concepts=concepts)
    tag_counts, itemsets, counts = _count(
        indptr,
        indices,
        len(vocabulary),
        min_support=min_support,
        max_size=params.max_size,
        max_tags_enumerated=params.max_tags_enumerated,
    )
    tags = {vocabulary[i]: int(c) for i, c in enumerate(tag_counts.tolist()) if c}
    found: dict[Itemset, int] = {}
    for j, rows in itemsets.items():
        for row, count in zip(rows.tolist(), counts[j].tolist(), strict=True):
            found[tuple(vocabulary[c] for c in row)] = int(count)
    return tags, found


def local_threshold(min_support: int, n_site: int, n_total: int) -> int:
    """The site's share of the national threshold (step 2), at least 1."""
    if n_total <= 0:
        return max(1, min_support)
    return max(1, math.ceil(min_support * n_site / n_total))


def site_candidates(
    table: DeviationTable,
    *,
    n_total: int,
    params: KnotParams | None = None,
    concepts: Mapping[str, str] | None = None,
) -> frozenset[Itemset]:
    """Step 2 at one site: its locally frequent itemsets (no counts)."""
    params = params or KnotParams()
    threshold = local_threshold(params.min_support, len(table), n_total)
    _tags, itemsets = _all_counts(table, params=params, min_support=threshold, concepts=concepts)
    return frozenset(itemsets)


def site_counts(
    table: DeviationTable,
    union: Iterable[Itemset],
    *,
    params: KnotParams | None = None,
    concepts: Mapping[str, str] | None = None,
) -> SiteCounts:
    """Step 3 at one site: the exact count of every itemset of the union (0 where absent) and of
    every tag they contain."""
    params = params or KnotParams()
    wanted = sorted(set(union))
    tags, itemsets = _all_counts(table, params=params, min_support=1, concepts=concepts)
    tag_ids = sorted({tag for itemset in wanted for tag in itemset})
    return SiteCounts(
        n=len(table),
        tags={tag: tags.get(tag, 0) for tag in tag_ids},
        itemsets={itemset: itemsets.get(itemset, 0) for itemset in wanted},
    )


def site_tags(
    table: DeviationTable, *, concepts: Mapping[str, str] | None = None
) -> frozenset[str]:
    """Step 2 at one site: the tags its deviations hold (names only, no counts)."""
    bridged = _bridged(table, concepts)
    if len(bridged) == 0 or not bridged.vocabulary:
        return frozenset()
    _indptr, indices = mining_baskets(bridged, concepts=concepts)
    return frozenset(bridged.vocabulary[i] for i in np.unique(indices).tolist())


def site_level_counts(
    table: DeviationTable,
    candidates: Iterable[Itemset],
    *,
    params: KnotParams | None = None,
    concepts: Mapping[str, str] | None = None,
) -> SiteCounts:
    """Step 3 at one site: the exact count of every candidate (tags for 1-itemsets), 0 where
    absent; sent only `masked`."""
    params = params or KnotParams()
    wanted = sorted(set(candidates))
    tags, itemsets = _all_counts(table, params=params, min_support=1, concepts=concepts)
    return SiteCounts(
        n=len(table),
        tags={c[0]: tags.get(c[0], 0) for c in wanted if len(c) == 1},
        itemsets={c: itemsets.get(c, 0) for c in wanted if len(c) > 1},
    )


def apriori_next(frequent: Iterable[Itemset]) -> list[Itemset]:
    """The next level's candidates: itemsets one larger whose every subset one smaller is
    frequent (Apriori's join of two frequent itemsets sharing all but their last tag, then the
    prune)."""
    known = set(frequent)
    by_prefix: dict[Itemset, list[str]] = {}
    for itemset in sorted(known):
        by_prefix.setdefault(itemset[:-1], []).append(itemset[-1])
    out = []
    for prefix, lasts in by_prefix.items():
        for i, first in enumerate(lasts):
            for second in lasts[i + 1 :]:
                candidate = (*prefix, first, second)
                if all(
                    candidate[:d] + candidate[d + 1 :] in known for d in range(len(candidate) - 2)
                ):
                    out.append(candidate)
    return out


def level_outcome(
    candidates: Sequence[Itemset], totals: Sequence[int], *, min_support: int
) -> tuple[list[Itemset], dict[str, int]]:
    """A level's summed counts read: the candidates that reach `min_support` (the next level is
    made from them), and the cells the knot engine needs — every tag, and the itemsets that
    reach the threshold."""
    frequent: list[Itemset] = []
    cells: dict[str, int] = {}
    for candidate, total in zip(candidates, totals, strict=True):
        if len(candidate) == 1:
            cells[tag_cell(candidate[0])] = total
        if total >= min_support:
            frequent.append(candidate)
            if len(candidate) > 1:
                cells[itemset_cell(candidate)] = total
    return frequent, cells


# --- Keys ----------------------------------------------------------------------------------------


def agreement_key_new() -> bytes:
    """A site's private key for agreeing mask keys (X25519, 32 bytes); its public half is
    published with the site's identity."""
    return X25519PrivateKey.generate().private_bytes_raw()


def agreement_public(private: bytes) -> bytes:
    return X25519PrivateKey.from_private_bytes(private).public_key().public_bytes_raw()


def pair_key(private: bytes, peer_public: bytes) -> bytes:
    """The key two sites share without sending it (Diffie–Hellman over X25519, through HKDF):
    each computes it from its own private key and the other's public key."""
    shared = X25519PrivateKey.from_private_bytes(private).exchange(
        X25519PublicKey.from_public_bytes(peer_public)
    )
    return HKDF(algorithm=SHA256(), length=32, salt=None, info=b"knutpunkt-masks").derive(shared)


# --- Secure summation --------------------------------------------------------------------------


def _prf(key: bytes, round_id: str, cell: str) -> int:
    digest = hmac.new(key, f"{round_id}\x00{cell}".encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big")


def masked(
    counts: SiteCounts, *, site: str, pair_keys: Mapping[str, bytes], round_id: str
) -> dict[str, int]:
    """The site's counts as it sends them: each plus, modulo 2^64, the masks it shares with
    every other site (`pair_keys`: peer → the key the two agreed on; the lower site name adds,
    the higher subtracts). A fresh `round_id` per exchange gives fresh masks, so two exchanges
    cannot be differenced either."""
    return masked_cells(counts.cells(), site=site, pair_keys=pair_keys, round_id=round_id)


def masked_cells(
    cells: Mapping[str, int], *, site: str, pair_keys: Mapping[str, bytes], round_id: str
) -> dict[str, int]:
    """Named cells masked one by one (HMAC per cell): for the few cells of the size exchange;
    a level's many counts go as a vector (`masked_vector`)."""
    out = {}
    for cell, value in cells.items():
        total = value
        for peer, key in pair_keys.items():
            mask = _prf(key, round_id, cell)
            total += mask if site < peer else -mask
        out[cell] = total % MODULUS
    return out


def keystream(key: bytes, label: str, n: int) -> np.ndarray:
    """n pseudo-random 64-bit masks for one pair of sites and one exchange (AES-256 in counter
    mode under the pair's key, the exchange's label as the nonce): the masks of a whole level's
    counts in one call, in the candidates' order."""
    nonce = hashlib.sha256(label.encode()).digest()[:16]
    encryptor = Cipher(algorithms.AES(key), modes.CTR(nonce)).encryptor()
    return np.frombuffer(encryptor.update(bytes(8 * n)), dtype="<u8")


def masked_vector(
    values: np.ndarray, *, site: str, pair_keys: Mapping[str, bytes], round_id: str
) -> np.ndarray:
    """Counts in a fixed order, masked as `masked` masks named cells: plus, modulo 2^64, the
    pair's keystream for every other site (the lower name adds, the higher subtracts)."""
    out = np.asarray(values, dtype=np.int64).astype(np.uint64)
    for peer, key in sorted(pair_keys.items()):
        stream = keystream(key, round_id, len(out))
        out = out + stream if site < peer else out - stream  # uint64 wraps: modulo 2^64
    return out


def secure_sum_vector(contributions: Sequence[np.ndarray]) -> np.ndarray:
    """The exact counts from every site's masked vector (all of the same length)."""
    if not contributions or len({len(c) for c in contributions}) != 1:
        raise ValueError("the sites did not send the same number of counts; run the level again")
    total = np.zeros(len(contributions[0]), dtype=np.uint64)
    for contribution in contributions:
        total = total + np.asarray(contribution, dtype=np.uint64)
    if len(total) and int(total.max()) >= MODULUS // 2:
        raise ValueError("the counts do not sum: a site is missing")
    return total.astype(np.int64)


def level_candidates(level: int, previous: Sequence[Itemset]) -> list[Itemset]:
    """The candidates of a level, in the one order every party computes alike: the tags for
    level 1 (`previous` = the proposed tags as 1-itemsets), else Apriori's join and prune of
    the itemsets frequent one level below."""
    if level == 1:
        return sorted(set(previous))
    return sorted(apriori_next(previous))


def candidates_digest(candidates: Sequence[Itemset]) -> str:
    """Both sides' candidate list in a few bytes, to check they counted the same things."""
    digest = hashlib.sha256()
    for itemset in candidates:
        digest.update("|".join(itemset).encode() + b"\n")
    return digest.hexdigest()


def site_level_vector(
    table: DeviationTable,
    candidates: Sequence[Itemset],
    *,
    params: KnotParams | None = None,
    concepts: Mapping[str, str] | None = None,
) -> np.ndarray:
    """Step 3 at one site: the candidates' exact counts, in their order."""
    counts = site_level_counts(table, candidates, params=params, concepts=concepts)
    return np.array(
        [counts.tags[c[0]] if len(c) == 1 else counts.itemsets[c] for c in candidates],
        dtype=np.int64,
    )


def secure_sum(contributions: Sequence[Mapping[str, int]]) -> dict[str, int]:
    """The national sums of the masked contributions: exact when every site of the round sent
    the same cells (the masks cancel), meaningless otherwise — so a missing cell is an error."""
    cells = set(contributions[0]) if contributions else set()
    for contribution in contributions[1:]:
        if set(contribution) != cells:
            raise ValueError("the sites did not send the same cells; run the round again")
    sums = {}
    for cell in cells:
        total = sum(contribution[cell] for contribution in contributions) % MODULUS
        if total >= MODULUS // 2:
            raise ValueError(f"cell {cell!r} does not sum to a count: a site is missing")
        sums[cell] = total
    return sums


# --- The national computation ------------------------------------------------------------------


def national_counts(sums: Mapping[str, int], *, min_support: int) -> ItemsetCounts:
    """The engine's counts from the summed cells: the itemsets with at least `min_support`
    deviations in the union, in the engine's key order."""
    tags = {cell[2:]: count for cell, count in sums.items() if cell.startswith("t:")}
    itemsets = {
        tuple(cell[2:].split("|")): count
        for cell, count in sums.items()
        if cell.startswith("s:") and count >= min_support
    }
    vocabulary = tuple(sorted(tags))
    number = {tag: i for i, tag in enumerate(vocabulary)}
    by_size: dict[int, list[tuple[tuple[int, ...], int]]] = {}
    for itemset, count in itemsets.items():
        by_size.setdefault(len(itemset), []).append((tuple(number[t] for t in itemset), count))
    rows, counts = {}, {}
    for j, found in by_size.items():
        found.sort()
        rows[j] = np.array([r for r, _c in found], dtype=np.int32).reshape(len(found), j)
        counts[j] = np.array([c for _r, c in found], dtype=np.int64)
    return ItemsetCounts(
        vocabulary=vocabulary,
        n=int(sums.get(N_CELL, 0)),
        tag_counts=np.array([tags[t] for t in vocabulary], dtype=np.int64),
        itemsets=rows,
        counts=counts,
    )


def national_knots(sums: Mapping[str, int], params: KnotParams | None = None) -> list[GatedKnot]:
    """Step 4: the knots of the union, from the summed counts alone."""
    params = params or KnotParams()
    return gated_knots(national_counts(sums, min_support=params.min_support), params)


# --- Evidence: spread, severity and trend of the national knots ----------------------------------


@dataclass(frozen=True, slots=True)
class SiteProfile:
    """What a site says about itself with its proposal: its size and the range of its data
    (months, municipalities) — so every site can be asked for the same cells."""

    n: int
    first_month: str  # "YYYY-MM"; "" without deviations
    last_month: str
    municipalities: tuple[str, ...]


def site_profile(table: DeviationTable) -> SiteProfile:
    if len(table) == 0:
        return SiteProfile(0, "", "", ())
    days = table.occurred_on
    return SiteProfile(
        n=len(table),
        first_month=str(days.min().astype("datetime64[M]")),
        last_month=str(days.max().astype("datetime64[M]")),
        municipalities=tuple(sorted({str(m) for m in table.municipality.tolist()})),
    )


@dataclass(frozen=True, slots=True)
class EvidenceRequest:
    """Round 3: the national knots, and the cells each site fills for each of them."""

    knots: tuple[Itemset, ...]
    months: tuple[str, ...]  # the union's whole month range
    municipalities: tuple[str, ...]
    today: date
    horizon_days: int

    @classmethod
    def for_profiles(
        cls,
        knots: Iterable[Itemset],
        profiles: Iterable[SiteProfile],
        *,
        today: date,
        horizon_days: int,
    ) -> EvidenceRequest:
        profiles = [p for p in profiles if p.n]
        months: tuple[str, ...] = ()
        if profiles:
            first = min(p.first_month for p in profiles)
            last = max(p.last_month for p in profiles)
            months = month_labels(
                date.fromisoformat(first + "-01"), date.fromisoformat(last + "-01")
            )
        return cls(
            knots=tuple(sorted(set(knots))),
            months=months,
            municipalities=tuple(sorted({m for p in profiles for m in p.municipalities})),
            today=today,
            horizon_days=horizon_days,
        )


def _knot_key(itemset: Itemset) -> str:
    return "|".join(itemset)


def site_evidence(
    table: DeviationTable,
    request: EvidenceRequest,
    *,
    concepts: Mapping[str, str] | None = None,
) -> dict[str, int]:
    """Round 3 at one site: for every knot of the request, its deviations per month and per
    municipality, its units, severities and trend windows; and the window totals. Exact counts,
    sent only `masked` (every site fills exactly the same cells)."""
    cells: dict[str, int] = {}
    table = _bridged(table, concepts)
    previous_start, recent_start, end = (
        np.datetime64(d, "D") for d in windows(request.today, request.horizon_days)
    )
    days = table.occurred_on
    cells["R"] = int(np.count_nonzero((days >= recent_start) & (days <= end)))
    cells["Q"] = int(np.count_nonzero((days >= previous_start) & (days < recent_start)))
    number = {tag: i for i, tag in enumerate(table.vocabulary)}
    if len(table) and table.vocabulary:
        indptr, indices = mining_baskets(table, concepts=concepts)
        v, n = len(table.vocabulary), len(table)
        postings, pointer = _postings(indptr, indices, v, n)
        tag_counts = np.diff(pointer)
    for itemset in request.knots:
        key = _knot_key(itemset)
        if len(table) and all(tag in number for tag in itemset):
            columns = np.array([number[tag] for tag in itemset], dtype=np.int64)
            rows = _supporting_rows(columns, tag_counts, postings, pointer)
        else:
            rows = np.zeros(0, dtype=np.int64)
        knot_days = days[rows]
        months = np.datetime_as_string(knot_days.astype("datetime64[M]")).tolist()
        by_month: dict[str, int] = {}
        for month in months:
            by_month[month] = by_month.get(month, 0) + 1
        for month in request.months:
            cells[f"{key}#m:{month}"] = by_month.pop(month, 0)
        if by_month:
            raise ValueError("a deviation outside the request's months: the profiles were stale")
        places = table.municipality[rows].tolist()
        for code in request.municipalities:
            cells[f"{key}#p:{code}"] = 0
        for code in places:
            cells[f"{key}#p:{code}"] += 1
        severity = table.severity[rows].astype(np.int64)
        cells[f"{key}#u"] = len(set(table.unit[rows].tolist()))
        cells[f"{key}#a"] = int(np.count_nonzero(severity > 0))
        cells[f"{key}#w"] = int(sum(SEVERITY_WEIGHTS[s] for s in severity.tolist()))
        cells[f"{key}#r"] = int(np.count_nonzero((knot_days >= recent_start) & (knot_days <= end)))
        cells[f"{key}#q"] = int(
            np.count_nonzero((knot_days >= previous_start) & (knot_days < recent_start))
        )
    return cells


def evidence_cells(request: EvidenceRequest) -> list[str]:
    """The evidence round's cells in the one order every party computes alike, so a site's
    answer is a packed vector in that order (`masked_vector`)."""
    names = ["R", "Q"]
    for itemset in request.knots:
        key = _knot_key(itemset)
        names += [f"{key}#m:{month}" for month in request.months]
        names += [f"{key}#p:{code}" for code in request.municipalities]
        names += [f"{key}#{suffix}" for suffix in ("u", "a", "w", "r", "q")]
    return names


def cells_digest(names: Sequence[str]) -> str:
    digest = hashlib.sha256()
    for name in names:
        digest.update(name.encode() + b"\n")
    return digest.hexdigest()


def _month_end(label: str) -> date:
    first = date.fromisoformat(label + "-01")
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def national_evidence_knots(
    gated: Sequence[GatedKnot],
    sums: Mapping[str, int],
    request: EvidenceRequest,
    *,
    params: KnotParams,
    include_local: bool = True,
) -> list[Knot]:
    """The national knots with their evidence from the summed round-3 cells, scored as one
    instance scores its own (analytics.knots.knots_scored). No deviation references; first and
    last seen are by month (the first day of the first month, the last day of the last)."""
    by_tags = {knot.tags: knot for knot in gated}
    knots = [by_tags[tags] for tags in request.knots if tags in by_tags]
    if not knots:
        return []
    monthly = np.array(
        [[sums[f"{_knot_key(k.tags)}#m:{m}"] for m in request.months] for k in knots],
        dtype=np.int64,
    )
    places = np.array(
        [[sums[f"{_knot_key(k.tags)}#p:{c}"] for c in request.municipalities] for k in knots],
        dtype=np.float64,
    )
    support = np.array([k.support for k in knots], dtype=np.int64)
    shares = places / support[:, None]

    def column(suffix: str) -> np.ndarray:
        return np.array([sums[f"{_knot_key(k.tags)}#{suffix}"] for k in knots], dtype=np.int64)

    first_seen, last_seen = [], []
    for row in monthly:
        present = np.flatnonzero(row)
        first_seen.append(date.fromisoformat(request.months[present[0]] + "-01"))
        last_seen.append(_month_end(request.months[present[-1]]))
    features = KnotFeatures(
        tags=[k.tags for k in knots],
        split=[k.split for k in knots],
        support=support,
        expected=np.array([k.expected for k in knots]),
        municipalities=np.count_nonzero(places, axis=1),
        concentration=(shares * shares).sum(axis=1),
        units=column("u"),
        assessed=column("a").astype(np.float64),
        weight_sum=column("w").astype(np.float64),
        recent=column("r"),
        previous=column("q"),
        total_recent=int(sums["R"]),
        total_previous=int(sums["Q"]),
        labels=request.months,
        monthly=monthly,
        first_seen=first_seen,
        last_seen=last_seen,
        deviations=[() for _ in knots],
        versions=[() for _ in knots],
    )
    return knots_scored(features, params=params, include_local=include_local)


def simulate_round(
    tables: Mapping[str, DeviationTable],
    *,
    params: KnotParams | None = None,
    concepts: Mapping[str, str] | None = None,
    pair_keys: Mapping[str, Mapping[str, bytes]],
    round_id: str,
    today: date | None = None,
) -> tuple[list[GatedKnot], dict[str, object]]:
    """Steps 1–4 with the sites in one process (tests, benchmark): the national knots and what
    crossed the wire (profiles and tags per site, every level's candidates, the masked cells
    and their sums). With `today`, step 4 too: `wire["knots"]` holds the knots with evidence."""
    params = params or KnotParams()
    profiles = {site: site_profile(_bridged(table, concepts)) for site, table in tables.items()}
    proposals = {site: site_tags(table, concepts=concepts) for site, table in tables.items()}
    frequent: list[Itemset] = sorted((tag,) for tag in frozenset().union(*proposals.values()))
    sent: dict[str, list[np.ndarray]] = {site: [] for site in tables}
    sums: dict[str, int] = {}
    union: list[Itemset] = []
    levels = []
    for level in range(1, params.max_size + 1):
        candidates = level_candidates(level, frequent)
        if not candidates:
            break
        union += candidates
        level_sent = {
            site: masked_vector(
                site_level_vector(table, candidates, params=params, concepts=concepts),
                site=site,
                pair_keys=pair_keys[site],
                round_id=f"{round_id}:level{level}",
            )
            for site, table in tables.items()
        }
        totals = secure_sum_vector(list(level_sent.values()))
        for site in tables:
            sent[site].append(level_sent[site])
        frequent, cells = level_outcome(candidates, totals.tolist(), min_support=params.min_support)
        sums.update(cells)
        levels.append({"candidates": len(candidates), "frequent": len(frequent)})
    sizes = {
        site: masked_cells(
            {N_CELL: len(table)}, site=site, pair_keys=pair_keys[site], round_id=f"{round_id}:n"
        )
        for site, table in tables.items()
    }
    sums[N_CELL] = secure_sum(list(sizes.values()))[N_CELL]
    gated = national_knots(sums, params)
    wire: dict[str, object] = {
        "profiles": profiles,
        "proposals": proposals,
        "union": union,
        "levels": levels,
        "sent": sent,
        "sums": sums,
    }
    if today is not None:
        request = EvidenceRequest.for_profiles(
            (k.tags for k in gated),
            profiles.values(),
            today=today,
            horizon_days=params.horizon_days,
        )
        names = evidence_cells(request)
        evidence = {}
        for site, table in tables.items():
            plain = site_evidence(table, request, concepts=concepts)
            evidence[site] = masked_vector(
                np.array([plain[name] for name in names], dtype=np.int64),
                site=site,
                pair_keys=pair_keys[site],
                round_id=f"{round_id}:evidence",
            )
        totals = secure_sum_vector(list(evidence.values()))
        evidence_sums = dict(zip(names, totals.tolist(), strict=True))
        wire |= {"request": request, "evidence": evidence, "evidence_sums": evidence_sums}
        wire["knots"] = national_evidence_knots(gated, evidence_sums, request, params=params)
    return gated, wire
