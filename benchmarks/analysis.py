"""Knot analysis from the database, and the analyst pages, at scale (issue 5).

Run: `.venv/bin/python benchmarks/analysis.py [--rows 100000 1000000] [--pages-at 100000]`;
for PostgreSQL inside `pg_virtualenv` with DATABASE_URL set (one size per run).

For each size, a throw-away SQLite database under var/bench/ (or the PostgreSQL database of
DATABASE_URL) is filled with synthetic deviations (planted knots in a long-tailed vocabulary of
about 400 tags, demo.synthetic) written straight into the packed `confirmed_tags` column. A first
process then does what the task worker does once after such a fill: reads every row (timed as
`extraction_every_row_s`), builds the kept knot counts and writes the snapshot of the default view
(analytics.live, analytics.snapshot). A fresh process then times what any process pays for the
default view: extraction (analytics.extract.deviation_table: the snapshot, the deviations
changed since and a count to check it) and the engine (find_knots), with its peak RSS; then the
extraction again with 1,000 changes recorded since the snapshot. At `--pages-at` rows it also
times the knots page, the overview and the dashboard with Django's test client, cold and warm.

Targets (issue 19) on the 2-core machine: extraction + analysis at 1M ≤ 2 s on SQLite and
PostgreSQL, peak RSS ≤ 1 GiB.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BENCH_DIR = ROOT / "var" / "bench"
TODAY = date(2026, 6, 30)


def _setup(database: Path) -> None:
    os.environ["SQLITE_PATH"] = str(database)
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "knutpunkt.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_catalogue", verbosity=0)


def _fill(rows: int) -> float:
    """Bulk-insert synthetic deviations; only what the analysis reads is realistic."""
    from django.db import connection, transaction

    from catalogue.models import Municipality
    from demo.synthetic import generate_table
    from deviations.models import Deviation, Unit

    started = time.perf_counter()
    table, _planted = generate_table(rows, seed=7, end=TODAY)
    municipalities = {m.code: m.pk for m in Municipality.objects.all()}
    codes = sorted(municipalities)
    unit = Unit.objects.get_or_create(name="Benchmark")[0]
    unit.municipalities.set(municipalities.values())
    batch = []
    with transaction.atomic():
        for i, record in enumerate(table.records()):
            reference, occurred_on, municipality, _unit, severity, gender, tags = record
            code = municipality if municipality in municipalities else codes[i % len(codes)]
            batch.append(
                Deviation(
                    reference=f"AV-B-{i:07d}",
                    occurred_on=occurred_on,
                    reported_at=f"{occurred_on}T12:00:00+00:00",
                    unit_id=unit.pk,
                    municipality_id=municipalities[code],
                    description="Syntetisk avvikelse för prestandamätning.",
                    severity=severity,
                    gender=gender if gender in ("kvinna", "man", "annat", "okänt") else "",
                    confirmed_tags=";".join(tags),
                )
            )
            if len(batch) == 20_000:
                Deviation.objects.bulk_create(batch)
                batch.clear()
        Deviation.objects.bulk_create(batch)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return time.perf_counter() - started


def _peak_rss_mib() -> float:
    """This process's own peak (VmHWM): ru_maxrss would carry over the filling parent's."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _prepare() -> dict[str, float]:
    """What the task worker does once after a bulk fill: read every row, build the kept knot
    counts and write the snapshot (analytics.live, analytics.snapshot)."""
    from analytics import live
    from analytics.extract import AnalysisFilter, deviation_table_keyed
    from analytics.types import KnotParams

    t0 = time.perf_counter()
    deviation_table_keyed(AnalysisFilter(), full=True)
    full_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    live.current(params=KnotParams(), concepts={})
    return {"extraction_full_s": full_s, "worker_build_s": time.perf_counter() - t0}


def _end_to_end(repeats: int) -> dict[str, float]:
    """In a fresh process: the default view read as any process reads it (the snapshot and
    the deviations changed since), then the engine; then again with 1,000 changes since."""
    from analytics.extract import AnalysisFilter, deviation_table
    from analytics.knots import find_knots
    from analytics.mining import warm
    from deviations.models import Deviation, DeviationChange

    warm()  # numba and the kernels, loaded once per process
    extract_s, engine_s, knots = [], [], 0
    for _ in range(repeats):
        gc.collect()
        t0 = time.perf_counter()
        table = deviation_table(AnalysisFilter())
        t1 = time.perf_counter()
        found = find_knots(table, today=TODAY)
        t2 = time.perf_counter()
        extract_s.append(t1 - t0)
        engine_s.append(t2 - t1)
        knots = len(found)
        del table, found
    maxrss = _peak_rss_mib()
    # 1,000 deviations passed the one door since the snapshot: they are read back on top.
    ids = list(Deviation.objects.order_by("?").values_list("pk", flat=True)[:1000])
    DeviationChange.objects.bulk_create([DeviationChange(deviation_id=pk) for pk in ids])
    changed_s = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        deviation_table(AnalysisFilter())
        changed_s.append(time.perf_counter() - t0)
    return {
        "extract_s": statistics.median(extract_s),
        "engine_s": statistics.median(engine_s),
        "total_s": statistics.median(a + b for a, b in zip(extract_s, engine_s, strict=True)),
        "extract_after_changes_s": statistics.median(changed_s),
        "maxrss_mib": maxrss,
        "knots": knots,
    }


def _pages() -> list[tuple[str, float, float, int]]:
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from core.roles import roles_ensure
    from deviations.models import User

    setup_test_environment()
    roles_ensure()
    analyst, _ = User.objects.get_or_create(username="bench-analyst")
    from django.contrib.auth.models import Group

    analyst.groups.add(Group.objects.get(name="analyst"))
    client = Client()
    client.force_login(analyst)
    cache.clear()
    rows = []
    for name, url in (
        ("knots", "/analys/knutar/"),
        ("overview", "/analys/oversikt/"),
        ("dashboard", "/analys/statistik/"),
    ):
        t0 = time.perf_counter()
        assert client.get(url).status_code == 200
        cold = time.perf_counter() - t0
        warm_times = []
        for _ in range(5):
            with CaptureQueriesContext(connection) as queries:
                t0 = time.perf_counter()
                assert client.get(url).status_code == 200
                warm_times.append(time.perf_counter() - t0)
        rows.append((name, cold, statistics.median(warm_times), len(queries)))
    return rows


def worker(rows: int, pages: bool, repeats: int) -> None:
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    database = BENCH_DIR / f"analysis-{rows}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    _setup(database)
    fill_s = _fill(rows)
    print(f"rows {rows:>9,}: filled in {fill_s:.1f} s", flush=True)
    # Measure in fresh processes: the fill's (and the worker's) own peak must not count as
    # the analysis's memory.
    base = [sys.executable, __file__, "--measure", str(rows), "--repeats", str(repeats)]
    prepared = (
        subprocess.run(  # noqa: S603 - this script with fixed arguments
            [*base, "--step", "prepare"], check=True, capture_output=True, text=True
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    command = [*base, "--step", "read"]
    if pages:
        command.append("--with-pages")
    env = {**os.environ, "BENCH_PREPARED": prepared}
    subprocess.run(command, check=True, env=env)  # noqa: S603 - this script with fixed arguments


def measure(rows: int, pages: bool, repeats: int, step: str) -> None:
    database = BENCH_DIR / f"analysis-{rows}.sqlite3"
    os.environ["SQLITE_PATH"] = str(database)
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "knutpunkt.settings")
    import django

    django.setup()
    from django.db import connection

    if step == "prepare":
        prepared = _prepare()
        print(json.dumps(prepared), flush=True)
        return
    figures = _end_to_end(repeats)
    prepared = json.loads(os.environ.get("BENCH_PREPARED", "{}"))
    print(
        f"rows {rows:>9,} ({connection.vendor}): extraction {figures['extract_s']:.2f} s + "
        f"engine {figures['engine_s']:.2f} s = {figures['total_s']:.2f} s (median of "
        f"{repeats}); with 1,000 changes since the snapshot "
        f"{figures['extract_after_changes_s']:.2f} s; reading every row instead "
        f"{prepared.get('extraction_full_s', 0):.2f} s; max RSS {figures['maxrss_mib']:.0f} MiB; "
        f"{figures['knots']} knots",
        flush=True,
    )
    print(
        json.dumps(  # contracts §6: one JSON object on the last line
            {
                "rows": rows,
                "database": connection.vendor,
                "end_to_end_s": round(figures["total_s"], 3),
                "extraction_s": round(figures["extract_s"], 3),
                "engine_s": round(figures["engine_s"], 3),
                "extraction_after_1000_changes_s": round(figures["extract_after_changes_s"], 3),
                "extraction_every_row_s": round(prepared.get("extraction_full_s", 0), 3),
                "worker_build_s": round(prepared.get("worker_build_s", 0), 3),
                "peak_rss_mib": round(figures["maxrss_mib"]),
                "knots": figures["knots"],
            }
        ),
        flush=True,
    )
    if pages:
        for name, cold, warm, queries in _pages():
            print(
                f"rows {rows:>9,}: page {name:<9} cold {cold * 1000:6.0f} ms, warm "
                f"{warm * 1000:5.0f} ms (median of 5), {queries} queries warm",
                flush=True,
            )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--pages-at", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--measure", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--with-pages", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--step", choices=["prepare", "read"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.worker == args.pages_at, args.repeats)
        return 0
    if args.measure:
        measure(args.measure, args.with_pages, args.repeats, args.step)
        return 0
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next(
        (line.split(":", 1)[1].strip() for line in cpuinfo if "model name" in line),
        platform.processor(),
    )
    print(f"machine: {os.cpu_count()} cores, {cpu}, Python {platform.python_version()}")
    status = 0
    for rows in args.rows:
        command = [sys.executable, __file__, "--worker", str(rows), "--pages-at",
                   str(args.pages_at), "--repeats", str(args.repeats)]  # fmt: skip
        status |= subprocess.run(command, check=False).returncode  # noqa: S603
    return status


if __name__ == "__main__":
    sys.exit(main())
