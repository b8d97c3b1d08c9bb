"""Knots kept current: the cost per changed deviation, and the knots after a change.

Run: `.venv/bin/python benchmarks/incremental.py [--rows 1000000] [--changes 2000] [--seed S]`.

Builds a `KnotState` (analytics.incremental) over the planted-knot synthetic table of
`demo.synthetic`, then applies changes one deviation at a time, as filing and triage make
them: a deviation retagged (one tag swapped for a tag of another deviation), a new deviation
(a copy of another's record under a new key) and a deviation withdrawn, in the ratio 6 : 3 : 1.
Timed per change: the whole `apply` (its basket, the subsets' counts, any recount, the
compaction every 2,000 changed rows). Then the knots from the kept counts (gates and evidence,
no counting), and the check that the kept counts equal a count from scratch of the table as it
is now. The last line is one JSON object (`ms_per_change`, `rebuilt_equal`, ...).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analytics.incremental import Change, KnotState  # noqa: E402
from analytics.knots import find_knots  # noqa: E402
from analytics.mining import warm  # noqa: E402
from analytics.types import KnotParams  # noqa: E402
from demo.synthetic import DEFAULT_END, generate_table  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--changes", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=20260630)
    args = parser.parse_args()

    warm()
    table, _planted = generate_table(args.rows, seed=args.seed)
    params = KnotParams()
    keys = np.arange(1, len(table) + 1, dtype=np.int64)
    start = time.perf_counter()
    state = KnotState(table, keys, params=params, concepts={})
    build_s = time.perf_counter() - start

    rng = np.random.default_rng(args.seed)
    records = {}  # key -> record now, for the rows this run touches
    next_key = int(keys[-1]) + 1
    times = []
    kinds = {"retag": 0, "new": 0, "withdrawn": 0}
    for _ in range(args.changes):
        roll = rng.random()
        source = int(rng.integers(0, len(table)))
        reference, day, municipality, unit, severity, gender = (
            str(table.references[source]),
            table.occurred_on[source].item(),
            str(table.municipality[source]),
            int(table.unit[source]),
            int(table.severity[source]) or None,
            str(table.gender[source]),
        )
        if roll < 0.6:
            key = int(keys[int(rng.integers(0, len(keys)))])
            tags = list(table.tags_of(key - 1))
            donor = table.tags_of(int(rng.integers(0, len(table))))
            if tags and donor:
                tags[int(rng.integers(0, len(tags)))] = donor[int(rng.integers(0, len(donor)))]
            record = (
                str(table.references[key - 1]),
                day,
                municipality,
                unit,
                severity,
                gender,
                tuple(sorted(set(tags))),
            )
            kinds["retag"] += 1
        elif roll < 0.9:
            key = next_key
            next_key += 1
            record = (
                f"{reference}-N{key}",
                day,
                municipality,
                unit,
                severity,
                gender,
                table.tags_of(source),
            )
            kinds["new"] += 1
        else:
            key = int(keys[int(rng.integers(0, len(keys)))])
            record = None
            kinds["withdrawn"] += 1
        records[key] = record
        began = time.perf_counter()
        state.apply([Change(key, record)])
        times.append(time.perf_counter() - began)

    start = time.perf_counter()
    now = state.table()
    counts = state.counts()
    knots = find_knots(now, params=params, today=DEFAULT_END, counts=counts)
    knots_s = time.perf_counter() - start
    start = time.perf_counter()
    fresh = find_knots(now, params=params, today=DEFAULT_END)
    fresh_s = time.perf_counter() - start
    rebuilt = state.rebuilt()
    equal = (
        rebuilt.n == counts.n
        and all(
            np.array_equal(rebuilt.itemsets[j], counts.itemsets[j])
            and np.array_equal(rebuilt.counts[j], counts.counts[j])
            for j in range(2, params.max_size + 1)
        )
        and np.array_equal(rebuilt.tag_counts, counts.tag_counts)
    )
    times_ms = np.array(times) * 1000
    figures = {
        "rows": args.rows,
        "changes": args.changes,
        "kinds": kinds,
        "build_s": round(build_s, 3),
        "ms_per_change": round(float(times_ms.mean()), 3),
        "ms_per_change_median": round(float(np.median(times_ms)), 3),
        "ms_per_change_p99": round(float(np.percentile(times_ms, 99)), 3),
        "ms_per_change_max": round(float(times_ms.max()), 1),
        "knots_from_kept_counts_s": round(knots_s, 3),
        "knots_recounted_s": round(fresh_s, 3),
        "same_knots": [k.tags for k in knots] == [k.tags for k in fresh]
        and [k.support for k in knots] == [k.support for k in fresh],
        "rebuilt_equal": bool(equal),
        "itemsets": len(counts),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    print(
        f"{args.rows:,} deviations: state built in {build_s:.2f} s; {args.changes:,} changes "
        f"{figures['ms_per_change']} ms each on average (median "
        f"{figures['ms_per_change_median']}, p99 {figures['ms_per_change_p99']}); knots from "
        f"the kept counts {knots_s:.3f} s (counting again {fresh_s:.3f} s); kept = rebuilt: "
        f"{equal}"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
