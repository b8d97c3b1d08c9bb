"""Federated knots across many instances (issue 18): the aggregates' size and the national time.

Run: `.venv/bin/python benchmarks/federation.py [--sites 20] [--rows 50000] [--check-pooled]`.

Simulates `--sites` instances of `--rows` synthetic deviations each (demo.synthetic, a different
seed per site, the default planted knots plus one knot planted thinly at every site), and runs
the protocol of analytics.federation as the sites and the national instance would: the size
round, each site's tags, the counts level by level (masked, as signed documents,
analytics.aggregates), the national sums and knots, and the evidence round. `--partition`
also sizes the one-shot partition variant (every site proposing its locally frequent
itemsets). Prints per phase the time (sites: the slowest site, since they work in parallel;
national: its own work) and the documents' sizes. `--check-pooled` also analyses the pooled
deviations in one instance and checks that the national knots are the same.
"""

from __future__ import annotations

import argparse
import base64
import platform
import resource
import statistics
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TODAY = date(2026, 6, 30)


def _mib(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MiB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=20)
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--min-support", type=int, default=None)
    parser.add_argument("--check-pooled", action="store_true")
    parser.add_argument(
        "--partition", action="store_true", help="also size the one-shot partition variant"
    )
    args = parser.parse_args()

    from analytics.aggregates import aggregate_bytes, aggregate_document, signing_key_new
    from analytics.federation import (
        EvidenceRequest,
        agreement_key_new,
        agreement_public,
        evidence_cells,
        level_candidates,
        level_outcome,
        masked_cells,
        masked_vector,
        national_evidence_knots,
        national_knots,
        pair_key,
        secure_sum,
        secure_sum_vector,
        site_candidates,
        site_evidence,
        site_level_vector,
        site_profile,
        site_tags,
    )
    from analytics.knots import find_knots
    from analytics.types import DeviationTable, KnotParams
    from demo.synthetic import DEFAULT_PLANTED, PlantedKnot, generate_table

    params = KnotParams() if args.min_support is None else KnotParams(min_support=args.min_support)
    thin = PlantedKnot("thin", ("prov:1993:387#K1P9", "prov:2000:625#K1P1"), 0.00015, "stable", 20)
    print(
        f"# federation: {args.sites} sites × {args.rows:,} deviations, min_support "
        f"{params.min_support}; {platform.processor() or platform.machine()}, "
        f"Python {platform.python_version()}"
    )
    started = time.perf_counter()
    tables: dict[str, DeviationTable] = {}
    for i in range(args.sites):
        table, _ = generate_table(
            args.rows, seed=100 + i, end=TODAY, planted=(*DEFAULT_PLANTED, thin)
        )
        tables[f"site{i:02d}"] = table
    print(f"generate: {time.perf_counter() - started:.1f} s")

    private = {s: agreement_key_new() for s in tables}
    public = {s: agreement_public(k) for s, k in private.items()}
    signing = {s: signing_key_new() for s in tables}
    keys = {s: {p: pair_key(private[s], public[p]) for p in tables if p != s} for s in tables}

    def document(site: str, kind: str, body: dict) -> bytes:
        return aggregate_bytes(
            aggregate_document(
                kind,
                body,
                sender=site,
                signing_private=signing[site],
                agreement_public=public[site],
                round_id="bench",
                catalogue_version="bench",
                concordance="-",
                params=params,
                created=datetime.now(UTC),
            )
        )

    def timed_sites(work):  # noqa: ANN001, ANN202
        times, results = [], {}
        for site, table in tables.items():
            t0 = time.perf_counter()
            results[site] = work(site, table)
            times.append(time.perf_counter() - t0)
        return results, max(times), statistics.median(times)

    # Round 0: sizes, masked.
    sizes, slow, _ = timed_sites(
        lambda s, t: masked_cells({"n": len(t)}, site=s, pair_keys=keys[s], round_id="b:0")
    )
    n_total = secure_sum(list(sizes.values()))["n"]
    # Round 1: proposals — each site's tags, names only.
    profiles = {s: site_profile(t) for s, t in tables.items()}
    proposals, slow1, _ = timed_sites(lambda s, t: site_tags(t))
    tags = sorted(frozenset().union(*proposals.values()))
    proposal_bytes = len(
        document("site00", "proposal", {"itemsets": [[t] for t in sorted(proposals["site00"])]})
    )
    print(
        f"round 1 tags: slowest site {slow1:.2f} s; {len(tags):,} tags in the union; "
        f"document {_mib(proposal_bytes)}"
    )
    if args.partition:
        t0 = time.perf_counter()
        partition = frozenset().union(
            *(site_candidates(t, n_total=n_total, params=params) for t in tables.values())
        )
        print(
            f"(one-shot partition variant: union of locally frequent itemsets "
            f"{len(partition):,}, {time.perf_counter() - t0:.1f} s for all sites)"
        )
    # Round 2: counts, level by level: packed masked vectors in the candidates' order.
    sums: dict[str, int] = {"n": n_total}
    frequent = [(t,) for t in tags]
    total_cells, total_bytes, slow_sum, national_s = 0, 0, 0.0, 0.0
    for level in range(1, params.max_size + 1):
        t0 = time.perf_counter()
        candidates = level_candidates(level, frequent)
        made = time.perf_counter() - t0
        if not candidates:
            break
        sent, slow2, _ = timed_sites(
            lambda s, t, candidates=candidates, level=level: masked_vector(
                site_level_vector(t, candidates, params=params),
                site=s,
                pair_keys=keys[s],
                round_id=f"b:2:{level}",
            )
        )
        size = len(base64.b64encode(sent["site00"].tobytes()))  # the answer's payload
        t0 = time.perf_counter()
        totals = secure_sum_vector(list(sent.values()))
        frequent, cells = level_outcome(candidates, totals.tolist(), min_support=params.min_support)
        sums.update(cells)
        national_s += time.perf_counter() - t0 + made
        print(
            f"round 2 level {level}: {len(candidates):,} candidates (made in {made:.1f} s), "
            f"{len(frequent):,} frequent; slowest site {slow2:.2f} s; answer {_mib(size)}"
        )
        total_cells += len(candidates)
        total_bytes += size
        slow_sum += slow2
    t0 = time.perf_counter()
    gated = national_knots(sums, params)
    national_s += time.perf_counter() - t0
    print(
        f"round 2 in all: {total_cells:,} counts and {_mib(total_bytes)} per site; sites "
        f"{slow_sum:.1f} s (slowest per level, summed); national {national_s:.2f} s → "
        f"{len(gated)} knots"
    )
    # Round 3: evidence.
    request = EvidenceRequest.for_profiles(
        (k.tags for k in gated), profiles.values(), today=TODAY, horizon_days=params.horizon_days
    )
    names = evidence_cells(request)

    def answer(site: str, table: DeviationTable) -> np.ndarray:
        plain = site_evidence(table, request)
        vector = np.array([plain[name] for name in names], dtype=np.int64)
        return masked_vector(vector, site=site, pair_keys=keys[site], round_id="b:3")

    evidence, slow3, med3 = timed_sites(answer)
    t0 = time.perf_counter()
    totals = secure_sum_vector(list(evidence.values()))
    knots = national_evidence_knots(
        gated, dict(zip(names, totals.tolist(), strict=True)), request, params=params
    )
    national3_s = time.perf_counter() - t0
    evidence_bytes = len(base64.b64encode(evidence["site00"].tobytes()))
    print(
        f"round 3 evidence: slowest site {slow3:.2f} s (median {med3:.2f} s); "
        f"{len(names):,} numbers per site, answer {_mib(evidence_bytes)}; "
        f"national {national3_s:.2f} s → {len(knots)} knots"
    )
    found_thin = any(k.tags == thin.tags for k in knots)
    print(f"knot planted thinly at every site found nationally: {found_thin}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:,.0f} MiB")
    if args.check_pooled:
        t0 = time.perf_counter()
        pooled = DeviationTable.from_records(
            (f"{s}-{r[0]}", r[1], r[2], r[3] + 1000 * i, *r[4:])
            for i, (s, t) in enumerate(tables.items())
            for r in t.records()
        )
        reference = find_knots(pooled, params=params, today=TODAY, include_local=True)
        same = [k.tags for k in knots] == [k.tags for k in reference] and all(
            (a.support, a.municipalities, a.units) == (b.support, b.municipalities, b.units)
            for a, b in zip(knots, reference, strict=True)
        )
        print(
            f"pooled analysis {time.perf_counter() - t0:.1f} s; same knots, order, support, "
            f"spread and units: {same}"
        )


if __name__ == "__main__":
    main()
