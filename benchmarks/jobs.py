"""Background jobs at the size of a region's backlog (issue 8): how long they take, and what
watching their progress costs.

Run: `.venv/bin/python benchmarks/jobs.py [--rows 20000]`.

In a throw-away SQLite database under var/bench/ (or DATABASE_URL, e.g. inside pg_virtualenv):
migrates and loads the catalogue, writes `--rows` synthetic deviations (the demo generator, half
of them without tags so the tagger suggests) to a CSV file, then runs as jobs, in this process
and with a progress callback like the command line's: the import of that file, a re-import of
the same file (must create nothing), the re-tagging of the whole backlog, the knot
recomputation, and an Excel export of everything. Prints wall time, rows per second, how many
progress writes each job made, and peak memory. Exits 1 when the re-import creates anything.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import platform
import resource
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.common import django_in_bench_database  # noqa: E402


def _demo_units() -> list[Any]:
    from catalogue.models import Municipality
    from demo.generator import DemoUnit

    codes = tuple(Municipality.objects.order_by("code").values_list("code", flat=True))
    return [DemoUnit(name=f"Team {n}", municipalities=codes[n::4]) for n in range(4)]


def _units() -> None:
    from catalogue.models import Municipality
    from deviations.models import Unit

    for demo in _demo_units():
        unit = Unit.objects.create(name=demo.name)
        unit.municipalities.set(Municipality.objects.filter(code__in=demo.municipalities))


def _csv(rows: int) -> bytes:
    from demo.generator import generate_deviations

    units = _demo_units()
    generated = generate_deviations(
        n=rows, seed=2017, units=units, start=date(2021, 11, 1), end=date(2026, 10, 31)
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["external_id", "occurred_on", "municipality", "unit", "description", "tags"])
    for index, item in enumerate(generated):
        tags = ";".join(item.tags) if index % 2 else ""  # half for the tagger to suggest
        writer.writerow(
            [
                f"bench-{index}",
                item.occurred_on,
                item.municipality,
                item.unit,
                item.description,
                tags,
            ]
        )
    return buffer.getvalue().encode()


KEYS = {
    "import": "import_s",
    "import again (same file)": "import_again_s",
    "re-tag the backlog": "retag_s",
    "knot recomputation": "knots_s",
    "export to Excel": "export_s",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument(
        "--import-only",
        action="store_true",
        help="only the import and the same file again, with follow-up work (the knots) queued "
        "as in production instead of run inside the import; prints a JSON line",
    )
    args = parser.parse_args()
    django_in_bench_database(
        f"jobs-{args.rows}", tasks="database" if args.import_only else "immediate"
    )
    from django.core.management import call_command
    from django.db import connection

    from deviations.models import Deviation
    from jobs.models import Job
    from jobs.services import job_run_here

    call_command("migrate", verbosity=0)
    call_command("load_catalogue", verbosity=0, stdout=io.StringIO())
    _units()  # an import files under existing units only
    content = _csv(args.rows)
    print(
        f"machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"{connection.vendor}; {args.rows:,} rows, {len(content) / 2**20:.1f} MiB CSV"
    )
    print(f"{'job':<28}{'seconds':>9}{'rows/s':>9}{'progress writes':>17}  result")
    failed = False
    runs = [
        ("import", "import", {}, content),
        ("import again (same file)", "import", {}, content),
        ("re-tag the backlog", "retag", {}, None),
        ("knot recomputation", "knots", {}, None),
        ("export to Excel", "export", {"format": "xlsx", "query": {}}, None),
    ]
    if args.import_only:
        runs = runs[:2]
        # A long-running worker has the tagger's compiled catalogue already.
        job_run_here(kind="import", by=None, params={}, input=_csv(20).replace(b"bench-", b"warm-"),
                     input_name="warm.csv")  # fmt: skip
        Deviation.objects.all().delete()
    figures: dict[str, Any] = {"rows": args.rows, "database": connection.vendor}
    from core.roles import roles_ensure
    from tests.factories import UserFactory  # an analyst to own the export

    roles_ensure()
    analyst = UserFactory(username="bench-analyst", roles=["analyst"])
    for label, kind, params, data in runs:
        writes = 0

        def count(_job: Job) -> None:
            nonlocal writes
            writes += 1

        started = time.perf_counter()
        job = job_run_here(
            kind=kind, by=analyst, params=params, input=data, input_name="backlog.csv", echo=count
        )
        seconds = time.perf_counter() - started
        rows = Deviation.objects.count()
        shown = {k: v for k, v in job.result.items() if k not in {"errors", "retryable"}}
        print(
            f"{label:<28}{seconds:>9.2f}{rows / seconds:>9.0f}{writes:>17}  "
            f"{job.status} {shown if job.status == 'succeeded' else job.error}"
        )
        figures[KEYS[label]] = round(seconds, 2)
        if label == "import":
            figures["import_rows_per_s"] = round(args.rows / seconds)
        if label.startswith("import again") and job.result.get("created") != 0:
            failed = True
        if job.status != Job.Status.SUCCEEDED:
            failed = True
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:.0f} MiB")
    figures["peak_rss_mib"] = round(peak)
    print(json.dumps(figures))  # one JSON object on the last line
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
