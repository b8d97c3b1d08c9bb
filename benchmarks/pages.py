"""Every page and API list at scale (issue 19): p95 warm, and the first request after a change.

Run: `.venv/bin/python benchmarks/pages.py [--rows 1000000] [--requests 20]`; for PostgreSQL
inside `pg_virtualenv` with DATABASE_URL set.

A first process fills a throw-away database (var/bench/pages-N.sqlite3, or DATABASE_URL) with
`--rows` synthetic deviations (demo.synthetic's planted knots, packed confirmed tags, statuses by
age, 8 units, 200 reporters), writes three of its largest knots up as barriers and 100 more by
hand, escalates one, and does what the task worker does once after a bulk fill (every row read,
the kept knot counts and the snapshot, the knots, graph and figures cached). A fresh process,
like a web worker that has only served other requests, then times each page and API list with
Django's test client as the person who uses it: one cold request, then `--requests` warm ones
(p50, p95, queries). Then, with the task worker running beside it as in production, five
times (3 s apart) a deviation is filed and triaged through the services (the one door for tag
changes) and each analyst page is asked for at once: the first request after a change.

Target (issue 19): every page and API list p95 ≤ 200 ms warm at 1M, the first request after a
change included. Last line: one JSON object with each page's p95 and the worst.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.common import percentile  # noqa: E402

TODAY = datetime.now(UTC).date()  # the pages count back from today
UNITS = 8
REPORTERS = 200


def _django(rows: int, *, fresh: bool) -> None:
    """Django on the bench database; only the filling process starts it afresh."""
    os.environ.setdefault("DEBUG", "1")
    os.environ["TASK_BACKEND"] = "database"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "knutpunkt.settings")
    if not os.environ.get("DATABASE_URL"):
        bench = ROOT / "var" / "bench"
        bench.mkdir(parents=True, exist_ok=True)
        path = bench / f"pages-{rows}.sqlite3"
        if fresh:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ["SQLITE_PATH"] = str(path)
    import logging
    import warnings

    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    import django

    django.setup()
    logging.disable(logging.INFO)


def _status(occurred_on: date, rng: random.Random) -> str:
    """Older deviations have been triaged and often linked; the last weeks wait in the queue."""
    age = (TODAY - occurred_on).days
    if age < 21:
        return "submitted" if rng.random() < 0.7 else "triaged"
    return rng.choices(("triaged", "linked", "closed"), weights=(5, 3, 2))[0]


def fill(rows: int) -> None:
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection, transaction

    from catalogue.models import Municipality
    from core.roles import roles_ensure
    from demo.synthetic import generate_table
    from deviations.models import Deviation, Unit, User

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("load_catalogue", verbosity=0)
    call_command("load_steering_groups", verbosity=0)
    roles_ensure()
    municipalities = {m.code: m.pk for m in Municipality.objects.all()}
    codes = sorted(municipalities)
    units = []
    for n in range(UNITS):
        unit = Unit.objects.create(name=f"Samordningsteam {n + 1}")
        unit.municipalities.set([municipalities[c] for c in codes[n::UNITS]])
        units.append(unit.pk)
    unit_of = {code: units[i % UNITS] for i, code in enumerate(codes)}
    reporters = User.objects.bulk_create(
        User(username=f"bench-staff-{n}", password=make_password(None)) for n in range(REPORTERS)
    )
    by_unit: dict[int, list[int]] = {}
    for n, reporter in enumerate(reporters):
        by_unit.setdefault(units[n % UNITS], []).append(reporter.pk)
    User.units.through.objects.bulk_create(
        User.units.through(user_id=pk, unit_id=unit) for unit, pks in by_unit.items() for pk in pks
    )
    table, _planted = generate_table(rows, seed=7, end=TODAY)
    rng = random.Random(19)
    batch = []
    with transaction.atomic():
        for i, record in enumerate(table.records()):
            reference, occurred_on, municipality, _unit, severity, gender, tags = record
            code = municipality if municipality in municipalities else codes[i % len(codes)]
            unit = unit_of[code]
            batch.append(
                Deviation(
                    reference=f"AV-B-{i:07d}",
                    occurred_on=occurred_on,
                    reported_at=datetime.combine(occurred_on, datetime.min.time()).isoformat()
                    + "+00:00",
                    unit_id=unit,
                    municipality_id=municipalities[code],
                    reporter_id=rng.choice(by_unit[unit]),
                    description="Syntetisk avvikelse för prestandamätning av sidorna.",
                    severity=severity,
                    gender=gender if gender in ("kvinna", "man", "annat", "okänt") else "",
                    status=_status(occurred_on, rng),
                    confirmed_tags=";".join(tags),
                )
            )
            if len(batch) == 20_000:
                Deviation.objects.bulk_create(batch)
                batch.clear()
        Deviation.objects.bulk_create(batch)
    # What autovacuum does after a bulk insert (PostgreSQL 13+): statistics, and the visibility
    # map that lets counts and deep pages read the indexes alone.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    print(f"filled {rows:,} deviations in {time.perf_counter() - started:.0f} s", flush=True)
    _barriers_and_caches()


def _barriers_and_caches() -> None:
    """The worker's one-off build, then barriers as analysts would write them up."""
    from analytics import live
    from analytics.extract import AnalysisFilter, deviation_table_keyed
    from analytics.results import dashboard_refresh, graph_refresh, knot_result
    from analytics.types import KnotParams
    from barriers.services import (
        barrier_create,
        barrier_create_from_knot,
        barrier_escalate,
        barrier_transition,
    )
    from catalogue.selectors import concepts
    from tests.factories import UserFactory

    started = time.perf_counter()
    deviation_table_keyed(AnalysisFilter(), full=True)
    live.current(params=KnotParams(), concepts=concepts())
    result = knot_result(AnalysisFilter(), params=KnotParams())
    graph_refresh(AnalysisFilter())
    dashboard_refresh(AnalysisFilter())
    print(f"worker's build and caches: {time.perf_counter() - started:.0f} s", flush=True)
    analyst = UserFactory(username="bench-analyst", roles=["analyst"])
    largest = sorted(result.knots, key=lambda k: -k.support)[:3]
    started = time.perf_counter()
    written = [barrier_create_from_knot(knot=knot, by=analyst) for knot in largest]
    for n in range(100):
        barrier_create(by=analyst, title=f"Hinder {n}", tags=["agency:CSN", f"law:1999:{n}"])
    barrier_transition(barrier=written[0], status="analysed", by=analyst)
    barrier_escalate(barrier=written[0], group=None, due_on=None, by=analyst)
    print(
        f"{len(written)} barriers from knots ({', '.join(f'{k.support:,}' for k in largest)} "
        f"deviations) and 100 by hand in {time.perf_counter() - started:.0f} s",
        flush=True,
    )


def _pages(rows: int) -> list[tuple[str, str, str]]:
    """(name, who asks, url): every page and API list a person opens day to day; `middle` is
    the page halfway down the whole list (50 a page), where OFFSET paging is slowest but one."""
    from barriers.models import Barrier, SteeringGroup
    from deviations.models import Deviation

    barrier = Barrier.objects.exclude(evidence_rows=None).order_by("pk").first()
    assert barrier is not None
    deviation = Deviation.objects.filter(status="submitted").order_by("-reported_at").first()
    assert deviation is not None
    group = SteeringGroup.objects.filter(escalations__isnull=False).first() or (
        SteeringGroup.objects.first()
    )
    assert group is not None
    middle = max(1, rows // 50 // 2)
    return [
        ("start page", "staff", "/"),
        ("my deviations", "staff", "/avvikelser/mina/"),
        ("new deviation", "staff", "/avvikelser/ny/"),
        ("start page", "analyst", "/"),
        ("deviation list", "analyst", "/avvikelser/"),
        ("deviation list, middle page", "analyst", f"/avvikelser/?page={middle}"),
        ("deviation list, filtered", "analyst", "/avvikelser/?status=linked"),
        ("deviation", "analyst", f"/avvikelser/{deviation.reference}/"),
        ("triage queue", "analyst", "/analys/triage/"),
        ("triage of one", "analyst", f"/analys/triage/{deviation.reference}/"),
        ("knots", "analyst", "/analys/knutar/"),
        ("overview", "analyst", "/analys/oversikt/"),
        ("dashboard", "analyst", "/analys/statistik/"),
        ("barriers", "analyst", "/systemhinder/"),
        ("barrier", "analyst", f"/systemhinder/{barrier.pk}/"),
        ("dossier", "analyst", f"/systemhinder/{barrier.pk}/underlag/"),
        ("audit history", "analyst", "/analys/historik/"),
        ("search", "analyst", "/sok/?q=sjukpenning"),
        ("jobs", "analyst", "/jobb/"),
        ("steering inboxes", "steering", "/styrgrupper/"),
        ("steering inbox", "steering", f"/styrgrupper/{group.slug}/"),
        ("API deviations", "analyst", "/api/v1/deviations/"),
        ("API deviations, middle page", "analyst", f"/api/v1/deviations/?page={middle}"),
        ("API deviations, cursor", "analyst", "/api/v1/deviations/?cursor=@"),
        ("API triage queue", "analyst", "/api/v1/triage/"),
        ("API knots", "analyst", "/api/v1/knots/"),
        ("API statistics", "analyst", "/api/v1/statistics/"),
        ("API barriers", "analyst", "/api/v1/barriers/"),
        ("API escalations", "steering", "/api/v1/escalations/"),
        ("API decisions", "steering", "/api/v1/decisions/"),
    ]


AFTER_CHANGE = ("start page", "knots", "overview", "dashboard", "API knots", "API statistics")


def _clients() -> dict[str, object]:
    from django.contrib.auth.models import Group
    from django.test import Client

    from barriers.models import SteeringGroup
    from deviations.models import User
    from tests.factories import UserFactory

    staff = User.objects.get(username="bench-staff-0")
    staff.groups.add(Group.objects.get(name="staff"))
    # Measured again on the same database (`--measure`): the steering member is made once.
    steering = User.objects.filter(username="bench-steering").first() or UserFactory(
        username="bench-steering", roles=["steering"]
    )
    for group in SteeringGroup.objects.all():
        group.members.add(steering)
    clients = {}
    for role, user in (
        ("staff", staff),
        ("analyst", User.objects.get(username="bench-analyst")),
        ("steering", steering),
    ):
        client = Client()
        client.force_login(user)
        clients[role] = client
    return clients


def _cursor_url(client: object, url: str) -> str:
    """The second page by cursor, as a client would follow the `next` link."""
    first = client.get("/api/v1/deviations/?cursor=").json()  # type: ignore[attr-defined]
    following = first.get("next") or ""
    return following.split("testserver", 1)[-1] or url


def _change(by: object, n: int) -> None:
    """A filing and its triage through the services, as a reporter and an analyst make them."""
    from deviations.models import Unit
    from deviations.services import DeviationInput, TagInput, deviation_file
    from deviations.triage import TriageDecision, deviation_triage

    unit = Unit.objects.order_by("pk").first()
    assert unit is not None
    deviation = deviation_file(
        by=by,  # type: ignore[arg-type]
        data=DeviationInput(
            unit=unit,
            municipality=unit.municipalities.first(),
            occurred_on=TODAY - timedelta(days=n),
            description="Sjukpenningen drogs in och aktivitetsstödet kom inte igång.",
            tags=[TagInput("agency:FK"), TagInput("agency:AF")],
        ),
    )
    decision = TriageDecision(add=["agency:KOMMUN"], done=True)
    deviation_triage(deviation=deviation, decision=decision, by=by)  # type: ignore[arg-type]


def measure(rows: int, requests: int) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from deviations.models import User

    setup_test_environment()
    clients = _clients()
    figures = []
    for name, role, url in _pages(rows):
        client = clients[role]
        if "cursor=@" in url:
            url = _cursor_url(client, url)
        t0 = time.perf_counter()
        response = client.get(url)  # type: ignore[attr-defined]
        cold = time.perf_counter() - t0
        assert response.status_code == 200, (url, response.status_code)
        times = []
        for _ in range(requests):
            with CaptureQueriesContext(connection) as queries:
                t0 = time.perf_counter()
                response = client.get(url)  # type: ignore[attr-defined]
                times.append(time.perf_counter() - t0)
            assert response.status_code == 200, (url, response.status_code)
        times.sort()
        figure = {
            "page": f"{name} ({role})",
            "cold_ms": round(cold * 1000, 1),
            "p50_ms": round(percentile(times, 50) * 1000, 1),
            "p95_ms": round(percentile(times, 95) * 1000, 1),
            "queries": len(queries),
        }
        figures.append(figure)
        print(
            f"{figure['page']:<38} cold {figure['cold_ms']:7.0f} ms   p50 {figure['p50_ms']:6.0f}"
            f" ms   p95 {figure['p95_ms']:6.0f} ms   {figure['queries']:3d} queries",
            flush=True,
        )
    analyst = User.objects.get(username="bench-analyst")
    after: dict[str, list[float]] = {}
    pages = {name: (role, url) for name, role, url in _pages(rows)}
    # The task worker runs beside the pages, as in production: it applies each change to the
    # kept counts and computes the knots and figures again, on the same two cores.
    worker = subprocess.Popen(  # noqa: S603 - our manage.py
        [sys.executable, str(ROOT / "manage.py"), "db_worker", "--interval=0.5"],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for n in range(5):
        if n:
            time.sleep(3)  # the worker's recomputation lands between changes
        _change(analyst, n)
        for name in AFTER_CHANGE:
            role, url = pages[name]
            t0 = time.perf_counter()
            response = clients["analyst" if role == "staff" else role].get(url)  # type: ignore[attr-defined]
            after.setdefault(name, []).append(time.perf_counter() - t0)
            assert response.status_code == 200, (url, response.status_code)
    worker.terminate()
    worker.wait(timeout=30)
    for name, times in after.items():
        times.sort()
        figures.append(
            {
                "page": f"{name}, first after a change",
                "p95_ms": round(percentile(times, 95) * 1000, 1),
                "max_ms": round(times[-1] * 1000, 1),
            }
        )
        print(f"{name + ', first after a change':<38} max {times[-1] * 1000:6.0f} ms", flush=True)
    worst = max(figures, key=lambda f: f["p95_ms"])
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, {connection.vendor}"
    )
    print(
        json.dumps(
            {
                "rows": rows,
                "database": connection.vendor,
                "worst_p95_ms": worst["p95_ms"],
                "worst_page": worst["page"],
                "pages": figures,
            },
            ensure_ascii=False,
        )
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        _django(args.rows, fresh=False)
        measure(args.rows, args.requests)
        return 0
    _django(args.rows, fresh=True)
    fill(args.rows)
    # A fresh process, as a web worker that did not build anything itself.
    command = [sys.executable, __file__, "--measure", "--rows", str(args.rows)]
    return subprocess.call([*command, "--requests", str(args.requests)])  # noqa: S603 - this script


if __name__ == "__main__":
    raise SystemExit(main())
