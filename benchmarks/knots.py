"""The knot engine against mlxtend's FP-growth on planted-knot synthetic data (docs/knots.md §7).

Run: `.venv/bin/python benchmarks/knots.py [--sizes 100000 1000000] [--repeats 3]
[--skip-fpgrowth-above N] [--seed S]`.

For each size a worker process generates the deviations once (`demo.synthetic`, 4–6 mining
tags per deviation, 400 tags with a long tail, hub agencies, ten planted knots and a local decoy)
and saves them to a temporary file. Each measurement then runs in a fresh worker process that
loads the table. The parent stays small, because Linux carries a parent's peak RSS over into its
children's ru_maxrss; so a worker's ru_maxrss is its own peak (Python, numpy, scipy, the table and
the run):

- *engine*: the whole `find_knots` (mining baskets, exact counting, gates, folding, evidence,
  trend, ranking) on the in-memory table; wall time is the median of `--repeats` runs.
  tracemalloc's peak comes from one extra run under tracemalloc (numpy reports its buffers to it).
- *fpgrowth*: mlxtend's `fpgrowth` on the same mining baskets (implied law tags left out) at the
  same absolute support and `max_len` 5, from a one-hot sparse DataFrame built before the clock
  starts. FP-growth only yields the itemsets; nothing after that is timed. Afterwards the worker
  asserts that the engine's exact counts give the same frequent itemsets of size 2–5 with the same
  supports.

FP-growth is slow at 1M (tens of seconds per run), so above `--skip-fpgrowth-above` deviations
(default 1,000,000, i.e. it runs at both default sizes) it is skipped, and it runs once rather
than `--repeats` times above 100,000; the output says so.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analytics.knots import count_itemsets, find_knots, mining_baskets  # noqa: E402
from analytics.mining import warm as mining_warm  # noqa: E402
from analytics.types import DeviationTable, KnotParams  # noqa: E402
from demo.synthetic import DEFAULT_END, generate_table  # noqa: E402

TODAY = DEFAULT_END
PARAMS = KnotParams()
FPGROWTH_ONCE_ABOVE = 100_000


def max_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def save(table: DeviationTable, planted: list[Any], path: Path) -> None:
    np.savez(
        path,
        references=np.asarray(table.references, dtype=str),
        occurred_on=table.occurred_on,
        municipality=table.municipality,
        unit=table.unit,
        severity=table.severity,
        gender=table.gender,
        vocabulary=np.array(table.vocabulary),
        indptr=table.indptr,
        indices=table.indices,
    )
    meta = [{"tags": list(k.tags), "local": k.local, "key": k.key} for k in planted]
    path.with_suffix(".json").write_text(json.dumps(meta))


def load(path: Path) -> tuple[DeviationTable, list[dict[str, Any]]]:
    data = np.load(path)
    table = DeviationTable(
        references=data["references"].astype(object),
        occurred_on=data["occurred_on"],
        municipality=data["municipality"],
        unit=data["unit"],
        severity=data["severity"],
        gender=data["gender"],
        vocabulary=tuple(str(t) for t in data["vocabulary"]),
        indptr=data["indptr"],
        indices=data["indices"],
    )
    return table, json.loads(path.with_suffix(".json").read_text())


# --------------------------------------------------------------------------- workers


def generate_worker(path: Path, n: int, seed: int) -> dict[str, Any]:
    start = time.perf_counter()
    table, planted = generate_table(n, seed=seed)
    generated = time.perf_counter() - start
    save(table, planted, path)
    lengths = np.diff(mining_baskets(table)[0])
    return {
        "seconds": generated,
        "tags": len(table.vocabulary),
        "mean_tags": float(lengths.mean()),
        "min_tags": int(lengths.min()),
        "max_tags": int(lengths.max()),
        "tag_rows": len(table.indices),
    }


def engine_worker(path: Path, repeats: int) -> dict[str, Any]:
    table, planted = load(path)
    # numba and the compiled kernels are loaded before the clock, as PyFIM's module is.
    mining_warm()
    rss_loaded = max_rss_mib()
    times, knots = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        # Mining against mining: the equality pass (about 0.1 s at 1M) is not the peer's work.
        knots = find_knots(table, params=PARAMS, today=TODAY, equality=False)
        times.append(time.perf_counter() - start)
    rss_peak = max_rss_mib()
    start = time.perf_counter()
    count_itemsets(table, params=PARAMS)
    count_seconds = time.perf_counter() - start

    tracemalloc.start()
    find_knots(table, params=PARAMS, today=TODAY)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    wanted = {tuple(k["tags"]) for k in planted if not k["local"]}
    decoy = next(tuple(k["tags"]) for k in planted if k["local"])
    top = [k.tags for k in knots[:10]]
    with_local = [k.tags for k in find_knots(table, params=PARAMS, today=TODAY, include_local=True)]
    return {
        "times": times,
        "median": statistics.median(times),
        "count_seconds": count_seconds,
        "rss_loaded_mib": rss_loaded,
        "rss_peak_mib": rss_peak,
        "traced_peak_mib": traced_peak / 2**20,
        "knots": len(knots),
        "recall": len(wanted & {k.tags for k in knots}) / len(wanted),
        "precision_at_10": len(wanted & set(top)) / max(len(top), 1),
        "decoy_rank": with_local.index(decoy) + 1 if decoy in with_local else None,
    }


def fpgrowth_worker(path: Path, repeats: int) -> dict[str, Any]:
    import pandas as pd
    from mlxtend import __version__ as mlxtend_version
    from mlxtend.frequent_patterns import fpgrowth
    from scipy import sparse

    table, _ = load(path)
    n, v = len(table), len(table.vocabulary)
    indptr, indices = mining_baskets(table)
    matrix = sparse.csr_matrix((np.ones(len(indices), dtype=bool), indices, indptr), shape=(n, v))
    frame = pd.DataFrame.sparse.from_spmatrix(matrix, columns=[str(i) for i in range(v)])
    rss_loaded = max_rss_mib()
    # mlxtend keeps counts ≥ ceil(min_support · N): half a count below keeps exactly ≥ min_support.
    fraction = (PARAMS.min_support - 0.5) / n
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fpgrowth(frame, min_support=fraction, max_len=PARAMS.max_size)
        times.append(time.perf_counter() - start)
    rss_peak = max_rss_mib()

    assert result is not None
    theirs = {}
    for support, itemset in zip(result["support"], result["itemsets"], strict=True):
        if len(itemset) >= 2:
            count = round(support * n)
            if count >= PARAMS.min_support:
                theirs[tuple(sorted(table.vocabulary[int(c)] for c in itemset))] = count
    ours = count_itemsets(table, params=PARAMS).as_dict()
    assert ours == theirs, (
        f"engine and FP-growth disagree: {len(ours)} against {len(theirs)} itemsets, "
        f"{len(set(ours) ^ set(theirs))} differ in membership"
    )
    by_size = {j: sum(1 for t in ours if len(t) == j) for j in range(2, PARAMS.max_size + 1)}
    return {
        "times": times,
        "median": statistics.median(times),
        "rss_loaded_mib": rss_loaded,
        "rss_peak_mib": rss_peak,
        "itemsets": len(ours),
        "by_size": by_size,
        "mlxtend": mlxtend_version,
    }


def pyfim_worker(path: Path, repeats: int) -> dict[str, Any]:
    """PyFIM's `fpgrowth` (Borgelt's C library) on the same mining baskets, itemsets only.

    The baskets are handed over as lists of tag numbers, built before the clock starts; a
    negative `supp` is an absolute count, so the threshold is exactly `min_support`."""
    import fim

    table, _ = load(path)
    indptr, indices = mining_baskets(table)
    numbers = indices.tolist()
    baskets = [numbers[indptr[i] : indptr[i + 1]] for i in range(len(table))]
    rss_loaded = max_rss_mib()
    times, result = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        result = fim.fpgrowth(
            baskets, target="s", supp=-PARAMS.min_support, zmin=2, zmax=PARAMS.max_size
        )
        times.append(time.perf_counter() - start)
    rss_peak = max_rss_mib()
    vocabulary = table.vocabulary
    theirs = {
        tuple(sorted(vocabulary[int(c)] for c in itemset)): int(support)
        for itemset, support in result
    }
    ours = count_itemsets(table, params=PARAMS).as_dict()
    return {
        "times": times,
        "median": statistics.median(times),
        "rss_loaded_mib": rss_loaded,
        "rss_peak_mib": rss_peak,
        "itemsets": len(theirs),
        "same_itemsets": ours == theirs,
        "differ": len(set(ours) ^ set(theirs)),
    }


def run_worker(kind: str, path: Path, *arguments: str) -> dict[str, Any]:
    command = [sys.executable, __file__, "--worker", kind, "--data", str(path), *arguments]
    out = subprocess.run(command, check=True, capture_output=True, text=True)  # noqa: S603
    return json.loads(out.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=20260630)
    parser.add_argument(
        "--skip-fpgrowth-above",
        type=int,
        default=1_000_000,
        help="skip mlxtend FP-growth for sizes above this many deviations (default 1,000,000)",
    )
    parser.add_argument(
        "--peer",
        choices=["mlxtend", "pyfim"],
        default="mlxtend",
        help="the miner to compare with: mlxtend's FP-growth (default) or PyFIM's compiled "
        "fpgrowth, run interleaved with the engine in fresh processes",
    )
    parser.add_argument(
        "--worker", choices=["generate", "engine", "fpgrowth", "pyfim"], help=argparse.SUPPRESS
    )
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker == "generate":
        print(json.dumps(generate_worker(args.data, args.size, args.seed)))
        return
    if args.worker:
        worker = {"engine": engine_worker, "fpgrowth": fpgrowth_worker, "pyfim": pyfim_worker}[
            args.worker
        ]
        print(json.dumps(worker(args.data, args.repeats)))
        return

    if args.peer == "pyfim":
        against_pyfim(args)
        return
    print(
        f"Knot engine against mlxtend FP-growth; min_support={PARAMS.min_support}, "
        f"max_size={PARAMS.max_size}, as of {TODAY.isoformat()}, seed {args.seed}; "
        f"wall time is the median of {args.repeats} runs unless noted; "
        f"FP-growth skipped above {args.skip_fpgrowth_above:,} deviations."
    )
    with tempfile.TemporaryDirectory() as scratch:
        for n in args.sizes:
            path = Path(scratch) / f"table-{n}.npz"
            made = run_worker("generate", path, "--size", str(n), "--seed", str(args.seed))
            print(
                f"\n{n:,} deviations (generated in {made['seconds']:.1f} s): {made['tags']} tags, "
                f"{made['mean_tags']:.2f} mining tags per deviation "
                f"({made['min_tags']}–{made['max_tags']}), {made['tag_rows']:,} tag rows"
            )
            engine = run_worker("engine", path, "--repeats", str(args.repeats))
            print(
                f"  engine     {engine['median']:7.3f} s  (runs "
                + ", ".join(f"{t:.3f}" for t in engine["times"])
                + f"; counting alone {engine['count_seconds']:.3f} s)"
                f"  peak RSS {engine['rss_peak_mib']:.0f} MiB"
                f" (of which {engine['rss_loaded_mib']:.0f} MiB with the table loaded),"
                f" tracemalloc peak {engine['traced_peak_mib']:.0f} MiB"
            )
            print(
                f"             {engine['knots']} knots; planted recall {engine['recall']:.2f}, "
                f"precision@10 {engine['precision_at_10']:.2f}, "
                f"local decoy ranked {engine['decoy_rank']} when local knots are shown"
            )
            if n > args.skip_fpgrowth_above:
                limit = args.skip_fpgrowth_above
                print(f"  fpgrowth   skipped (above --skip-fpgrowth-above {limit:,})")
                continue
            repeats = args.repeats if n <= FPGROWTH_ONCE_ABOVE else 1
            fp = run_worker("fpgrowth", path, "--repeats", str(repeats))
            note = f"median of {repeats}" if repeats > 1 else "one run"
            print(
                f"  fpgrowth   {fp['median']:7.3f} s  ({note}, mlxtend {fp['mlxtend']})"
                f"  peak RSS {fp['rss_peak_mib']:.0f} MiB"
                f" (of which {fp['rss_loaded_mib']:.0f} MiB with its one-hot input built)"
            )
            print(
                f"             same {fp['itemsets']:,} frequent itemsets of size 2–5 with the same "
                f"supports (by size {fp['by_size']}); engine "
                f"{fp['median'] / engine['median']:.1f}× faster"
            )


def against_pyfim(args: argparse.Namespace) -> None:
    """Engine and PyFIM alternately, each run in a fresh process; one JSON line at the end."""
    print(
        f"Knot engine (whole analysis) against PyFIM fpgrowth (itemsets only); "
        f"min_support={PARAMS.min_support}, max_size={PARAMS.max_size}, seed {args.seed}, "
        f"{args.repeats} interleaved fresh-process runs each, medians."
    )
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for n in args.sizes:
            path = Path(scratch) / f"table-{n}.npz"
            run_worker("generate", path, "--size", str(n), "--seed", str(args.seed))
            engine_runs, peer_runs = [], []
            for _ in range(args.repeats):
                engine_runs.append(run_worker("engine", path, "--repeats", "1"))
                peer_runs.append(run_worker("pyfim", path, "--repeats", "1"))
            engine_s = statistics.median(r["median"] for r in engine_runs)
            peer_s = statistics.median(r["median"] for r in peer_runs)
            same = all(r["same_itemsets"] for r in peer_runs)
            figures = {
                "size": n,
                "engine_s": round(engine_s, 3),
                "engine_runs_s": [round(r["median"], 3) for r in engine_runs],
                "engine_count_s": round(
                    statistics.median(r["count_seconds"] for r in engine_runs), 3
                ),
                "peak_rss_mib": round(max(r["rss_peak_mib"] for r in engine_runs)),
                "peer": "pyfim",
                "peer_function": "fim.fpgrowth",
                "peer_s": round(peer_s, 3),
                "peer_runs_s": [round(r["median"], 3) for r in peer_runs],
                "peer_peak_rss_mib": round(max(r["rss_peak_mib"] for r in peer_runs)),
                "speedup": round(peer_s / engine_s, 2),
                "same_itemsets": same,
                "itemsets": peer_runs[0]["itemsets"],
                "recall": engine_runs[0]["recall"],
                "precision_at_10": engine_runs[0]["precision_at_10"],
            }
            print(
                f"{n:,} deviations: engine {engine_s:.3f} s, PyFIM {peer_s:.3f} s "
                f"({figures['speedup']}×), same {figures['itemsets']:,} itemsets: {same}"
            )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
