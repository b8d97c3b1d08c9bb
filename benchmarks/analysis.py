"""Knot analysis from the database, and the analyst pages, at scale (issue 5).

Run: `.venv/bin/python benchmarks/analysis.py [--rows 100000 1000000] [--pages-at 100000]`.

For each size, a throw-away SQLite database under var/bench/ is filled with synthetic deviations
(planted knots in a long-tailed vocabulary of about 400 tags, demo.synthetic) written
straight into the packed `confirmed_tags` column the analysis reads. Then it times, end to end:
extraction (analytics.extract.deviation_table) and the engine (analytics.knots.find_knots), with
peak memory. At `--pages-at` rows it also times the knots page, the overview and the dashboard
with Django's test client, cold and warm (cache filled), and counts their queries.

Targets on the 2-core machine: end to end at 1M ≤ 10 s within 2 GiB; pages ≤ 300 ms warm at 100k.
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
import tracemalloc
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


def _end_to_end(repeats: int) -> dict[str, float]:
    from analytics.extract import AnalysisFilter, deviation_table
    from analytics.knots import find_knots

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
    # Memory in a separate run: tracemalloc slows allocation-heavy code several times over.
    gc.collect()
    tracemalloc.start()
    find_knots(deviation_table(AnalysisFilter()), today=TODAY)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "extract_s": statistics.median(extract_s),
        "engine_s": statistics.median(engine_s),
        "total_s": statistics.median(a + b for a, b in zip(extract_s, engine_s, strict=True)),
        "peak_traced_mib": peak / 2**20,
        "maxrss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
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
    # Measure in a fresh process: the fill's own peak must not count as the analysis's memory.
    command = [sys.executable, __file__, "--measure", str(rows), "--repeats", str(repeats)]
    if pages:
        command.append("--with-pages")
    subprocess.run(command, check=True)  # noqa: S603 - this script with fixed arguments


def measure(rows: int, pages: bool, repeats: int) -> None:
    database = BENCH_DIR / f"analysis-{rows}.sqlite3"
    os.environ["SQLITE_PATH"] = str(database)
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "knutpunkt.settings")
    import django

    django.setup()
    from django.db import connection

    figures = _end_to_end(repeats)
    print(
        f"rows {rows:>9,}: extraction {figures['extract_s']:.2f} s + engine "
        f"{figures['engine_s']:.2f} s = {figures['total_s']:.2f} s (median of {repeats}); "
        f"peak traced {figures['peak_traced_mib']:.0f} MiB, max RSS "
        f"{figures['maxrss_mib']:.0f} MiB; {figures['knots']} knots",
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
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.worker == args.pages_at, args.repeats)
        return 0
    if args.measure:
        measure(args.measure, args.with_pages, args.repeats)
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
