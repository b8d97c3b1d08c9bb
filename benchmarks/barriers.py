"""Big knots (issue 19): a barrier from the largest knot, its dossier, and confirming tags with
many open barriers.

Run: `.venv/bin/python benchmarks/barriers.py [--knot 13600] [--others 20000] [--barriers 100]`.

In a throw-away SQLite database under var/bench/ (or DATABASE_URL, e.g. inside pg_virtualenv):
migrates, loads the catalogue and the steering groups, files `--knot` deviations that share a
knot's tags and `--others` synthetic ones (the demo generator), with confirmed tags, and opens
`--barriers` barriers on other tags. Then times, as the services run them: writing up the knot
as a barrier (its evidence linked, each deviation marked as linked for its reporter), the
dossier's context and its PDF, and triaging one new deviation with the knot's tags (evidence
accrual over every open barrier). Prints the figures, and as the last line one JSON object
with `create_s`, `dossier_s`, `pdf_s` and `confirm_ms`.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import platform
import pstats
import random
import resource
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.common import django_in_bench_database  # noqa: E402

KNOT = ("agency:AF", "agency:FK", "prov:2010:110#K27P48")


def _fill(knot: int, others: int) -> None:
    from django.core.management import call_command

    from catalogue.models import Municipality
    from demo.generator import DemoUnit, generate_deviations
    from deviations.models import Tagging, Unit
    from deviations.services import DeviationInput, TagInput, deviations_file_many

    call_command("migrate", verbosity=0)
    call_command("load_catalogue", verbosity=0, stdout=io.StringIO())
    call_command("load_steering_groups", verbosity=0, stdout=io.StringIO())
    municipalities = {m.code: m for m in Municipality.objects.all()}
    codes = sorted(municipalities)
    units = []
    for n in range(8):
        unit = Unit.objects.create(name=f"Team {n}")
        unit.municipalities.set([municipalities[c] for c in codes[n::8]])
        units.append((unit, codes[n::8]))
    rng = random.Random(19)
    today = date(2026, 11, 30)

    def tags(ids: tuple[str, ...]) -> tuple[TagInput, ...]:
        return tuple(TagInput(tag_id=t, confidence=1.0, rule="benchmark") for t in ids)

    items = []
    for n in range(knot):
        unit, places = units[n % len(units)]
        items.append(
            DeviationInput(
                occurred_on=today - timedelta(days=rng.randrange(1, 900)),
                unit=unit,
                municipality=municipalities[rng.choice(places)],
                description="Syntetisk avvikelse: sjukpenningen upphörde efter dag 180.",
                severity=rng.choice([2, 3, 4]),
                external_id=f"bench-knot-{n:06d}",
                tags=tags(KNOT),
            )
        )
    demo_units = [DemoUnit(name=u.name, municipalities=tuple(p)) for u, p in units]
    start = today - timedelta(days=900)
    for g in generate_deviations(n=others, seed=19, units=demo_units, start=start, end=today):
        unit = next(u for u, _p in units if u.name == g.unit)
        items.append(
            DeviationInput(
                occurred_on=g.occurred_on,
                unit=unit,
                municipality=municipalities[g.municipality],
                description=g.description,
                severity=g.severity,
                external_id=g.external_id,
                tags=tags(tuple(g.tags)),
            )
        )
    deviations_file_many(
        by=None,
        items=items,
        tag_origin=Tagging.Origin.IMPORT,
        tag_state=Tagging.State.CONFIRMED,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--knot", type=int, default=13_600)
    parser.add_argument("--others", type=int, default=20_000)
    parser.add_argument("--barriers", type=int, default=100)
    parser.add_argument("--profile", action="store_true", help="cProfile the write-up")
    args = parser.parse_args()
    # Queued, as in production: the knot recomputation a tag change asks for runs in a worker,
    # not inside the confirmation being timed.
    django_in_bench_database(f"barriers-{args.knot}-{args.others}", tasks="database")

    from django.contrib.auth import get_backends
    from django.db import connection

    from analytics.extract import deviation_table
    from analytics.knots import find_knots
    from analytics.types import KnotParams
    from barriers.dossier import dossier_context, dossier_pdf
    from barriers.models import Barrier
    from barriers.services import barrier_create, barrier_create_from_knot
    from catalogue.selectors import concepts
    from deviations.models import Deviation
    from deviations.triage import TriageDecision, deviation_triage
    from tests.factories import UserFactory

    t0 = time.perf_counter()
    _fill(args.knot, args.others)
    print(f"filled {Deviation.objects.count():,} deviations in {time.perf_counter() - t0:.1f} s")
    analyst = UserFactory(username="bench-analyst", roles=["analyst"])
    for n in range(args.barriers):
        barrier_create(by=analyst, title=f"Annat hinder {n}", tags=["agency:CSN", f"law:1999:{n}"])

    knots = find_knots(
        deviation_table(), params=KnotParams(), today=date(2026, 11, 30), concepts=concepts()
    )
    largest = max(knots, key=lambda k: k.support)
    print(f"largest knot: {largest.support:,} deviations ({' + '.join(largest.tags)})")

    # A serving process has loaded the sign-in backends at its first request (the SAML one
    # imports pysaml2, 0.6–0.8 s); the write-up's permission check would pay that here.
    get_backends()

    profiler = cProfile.Profile() if args.profile else None
    statements: list[tuple[float, str]] = []

    def timed(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            statements.append((time.perf_counter() - start, sql[:110]))

    t0 = time.perf_counter()
    if profiler:
        profiler.enable()
    with connection.execute_wrapper(timed):
        barrier = barrier_create_from_knot(knot=largest, by=analyst)
    create_s = time.perf_counter() - t0
    if profiler:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
        for seconds, sql in sorted(statements, reverse=True)[:12]:
            print(f"{seconds * 1000:8.1f} ms  {sql}")
        print(
            f"{len(statements)} statements, {sum(s for s, _ in statements):.2f} s in the database"
        )
    linked = barrier.evidence_rows.count()
    print(f"barrier from the knot: {create_s:.2f} s, {linked:,} evidence rows")

    t0 = time.perf_counter()
    context = dossier_context(user=analyst, barrier=Barrier.objects.get(pk=barrier.pk))
    dossier_s = time.perf_counter() - t0
    print(f"dossier context: {dossier_s * 1000:.0f} ms")
    t0 = time.perf_counter()
    pdf, pages = dossier_pdf(context)
    pdf_s = time.perf_counter() - t0
    print(f"dossier PDF: {pdf_s:.2f} s, {pages} pages, {len(pdf) / 1024:.0f} KiB")

    # One deviation triaged as an analyst would, the knot's tags confirmed, with every open
    # barrier listening (evidence accrues through tags_changed).
    new = Deviation.objects.exclude(confirmed_tags__contains="agency:AF").first()
    decision = TriageDecision(add=list(KNOT), done=True)
    t0 = time.perf_counter()
    deviation_triage(deviation=new, decision=decision, by=analyst)
    confirm_ms = (time.perf_counter() - t0) * 1000
    assert barrier.evidence_rows.filter(deviation=new).exists(), "the new deviation did not accrue"
    print(
        f"triaging one deviation (tags confirmed, {args.barriers + 1} open barriers): "
        f"{confirm_ms:.0f} ms"
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {connection.vendor}; peak RSS {peak:,.0f} MiB"
    )
    print(
        json.dumps(
            {
                "knot": largest.support,
                "create_s": round(create_s, 3),
                "dossier_s": round(dossier_s, 3),
                "pdf_s": round(pdf_s, 2),
                "confirm_ms": round(confirm_ms, 1),
                "open_barriers": args.barriers + 1,
                "database": connection.vendor,
            }
        )
    )


if __name__ == "__main__":
    main()
