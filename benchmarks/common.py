"""What the benchmark scripts share."""

from __future__ import annotations

import math
from collections.abc import Sequence


def percentile(ordered: Sequence[float], p: float) -> float:
    """Nearest-rank percentile: a value that was actually measured, never interpolated."""
    return ordered[max(1, math.ceil(p / 100 * len(ordered))) - 1]


def django_in_bench_database(name: str, *, tasks: str = "immediate") -> None:
    """Django set up on a fresh SQLite file var/bench/NAME.sqlite3, or on DATABASE_URL when it
    is set (e.g. inside pg_virtualenv); jobs run at once ("immediate") or are queued
    ("database", as in production)."""
    import logging
    import os
    import warnings
    from pathlib import Path

    if not os.environ.get("DATABASE_URL"):
        bench = Path(__file__).resolve().parents[1] / "var" / "bench"
        bench.mkdir(parents=True, exist_ok=True)
        path = bench / f"{name}.sqlite3"
        path.unlink(missing_ok=True)
        os.environ["SQLITE_PATH"] = str(path)
    os.environ.setdefault("DEBUG", "1")
    os.environ["TASK_BACKEND"] = tasks
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "knutpunkt.settings")
    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    import django

    django.setup()
    logging.disable(logging.INFO)


type Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def histogram_quantile(q: float, buckets: list[tuple[float, float]]) -> float:
    """Prometheus' histogram_quantile: the q-quantile from cumulative (upper bound, count)
    buckets, interpolated linearly inside the bucket it falls in."""
    buckets = sorted(buckets)
    total = buckets[-1][1] if buckets else 0.0
    if total <= 0:
        return math.nan
    rank = q * total
    lower_bound, lower_count = 0.0, 0.0
    for bound, count in buckets:
        if count >= rank:
            if math.isinf(bound):
                return lower_bound
            share = (rank - lower_count) / (count - lower_count) if count > lower_count else 1.0
            return lower_bound + (bound - lower_bound) * share
        lower_bound, lower_count = bound, count
    return lower_bound


def request_figures(before: Samples, after: Samples, seconds: float) -> list[dict[str, object]]:
    """What /metrics says about the requests between two scrapes, per view and method: how
    many, the rate, p50 and p95 (from the latency histogram, so to its buckets' precision)."""
    prefix = "knutpunkt_http_request_duration_seconds"
    buckets: dict[tuple[str, str], list[tuple[float, float]]] = {}
    counts: dict[tuple[str, str], float] = {}
    for key, total in after.items():
        name, labels = key
        label = dict(labels)
        if name not in (f"{prefix}_bucket", f"{prefix}_count"):
            continue
        view = (label.get("view", ""), label.get("method", ""))
        moved = total - before.get(key, 0.0)
        if name.endswith("_bucket"):
            buckets.setdefault(view, []).append((float(label["le"]), moved))
        else:
            counts[view] = moved
    rows: list[dict[str, object]] = []
    for (view, method), n in sorted(counts.items(), key=lambda item: -item[1]):
        if n <= 0:
            continue
        rows.append(
            {
                "view": view,
                "method": method,
                "requests": int(n),
                "per_second": n / seconds,
                "p50_ms": 1000 * histogram_quantile(0.5, buckets.get((view, method), [])),
                "p95_ms": 1000 * histogram_quantile(0.95, buckets.get((view, method), [])),
            }
        )
    return rows
