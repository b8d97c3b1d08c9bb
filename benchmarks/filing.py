"""Server time and database queries for filing a deviation with 100,000 in the table (issue 4).

Run: `.venv/bin/python benchmarks/filing.py [--database sqlite|postgres|both] [--rows 100000]
[--submissions 300] [--profile]`.

The bar: submitting a ~600-character text takes p95 ≤ 150 ms of server time on SQLite and on
PostgreSQL, and the number of queries per request does not grow with the data. Each database
runs in its own subprocess (clean settings): SQLite in a throw-away file under var/bench/,
PostgreSQL at DATABASE_URL or else in a throw-away cluster started with Debian's pg_virtualenv.
The worker migrates, loads the catalogue, roles and demo users, fills the table with demo
deviations (confirmed tags), then posts the web form and the API with Django's test Client as
the staff user `personal`, timing each `client.post` and counting its queries. Queries per
submit are counted for the same texts at a small table and at the full one: they must be equal.
Exits 1 when the bar is missed, 2 when a run fails. Results go in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import os
import platform
import pstats
import re
import shutil
import sqlite3
import subprocess
import sys
import time
import uuid
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from random import Random
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.common import percentile  # noqa: E402
from deploy.stack import database_in_cluster  # noqa: E402

if TYPE_CHECKING:
    from django.http import HttpResponse
    from django.test import Client

    from catalogue.models import Municipality
    from demo.generator import DemoDeviation
    from deviations.models import Unit, User
    from deviations.services import DeviationInput

BENCH_DIR = ROOT / "var" / "bench"
TARGET_P95_MS = 150.0
TEXT_CHARS = 600
FILL_BATCH = 5_000
WARMUP = 5
PROBES = 20
PG_DATABASE = "knutpunkt_bench"
PG_VERSION = "15"
# Only for this throw-away run: settings refuse DEBUG off without a key.
BENCH_SECRET_KEY = "benchmark-only-secret-key-not-used-anywhere-else-0123456789abcdef"  # noqa: S105
STAFF_USERNAME = "personal"
SQLITE_FILES = ("", "-wal", "-shm", "-journal")
FORM_URL = "/avvikelser/ny/"
API_URL = "/api/v1/deviations/"


# --- figures -------------------------------------------------------------------------------


@dataclass(slots=True)
class PathFigures:
    """Timings (ms) and queries per request of one submission path at the full table."""

    count: int
    mean: float
    p50: float
    p95: float
    p99: float
    max: float
    queries_min: int
    queries_max: int
    queries_small: list[int]  # the probe texts at the small table
    queries_full: list[int]  # the same texts at the full table

    @property
    def grows(self) -> bool:
        return bool(self.queries_small) and self.queries_small != self.queries_full


def figures(
    times_ms: list[float], queries: list[int], small: list[int], full: list[int]
) -> PathFigures:
    ordered = sorted(times_ms)
    return PathFigures(
        count=len(ordered),
        mean=sum(ordered) / len(ordered),
        p50=percentile(ordered, 50),
        p95=percentile(ordered, 95),
        p99=percentile(ordered, 99),
        max=ordered[-1],
        queries_min=min(queries),
        queries_max=max(queries),
        queries_small=small,
        queries_full=full,
    )


# --- orchestration (no Django here) -----------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--rows", type=int, default=100_000, help="deviations before measuring")
    parser.add_argument("--small-rows", type=int, default=1_000, help="table for the query probe")
    parser.add_argument("--submissions", type=int, default=300, help="timed posts per path")
    parser.add_argument("--seed", type=int, default=2017)
    parser.add_argument("--profile", action="store_true", help="cProfile and a query log too")
    parser.add_argument("--worker", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    parser.add_argument("--result-file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.rows < args.small_rows or args.small_rows < 0 or args.submissions < 1:
        parser.error("need 0 ≤ --small-rows ≤ --rows and --submissions ≥ 1")
    return args


def _worker_command(args: argparse.Namespace, database: str, result: Path) -> list[str]:
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        f"--worker={database}",
        f"--rows={args.rows}",
        f"--small-rows={args.small_rows}",
        f"--submissions={args.submissions}",
        f"--seed={args.seed}",
        f"--result-file={result}",
        *(["--profile"] if args.profile else []),
    ]
    if database == "postgres" and not os.environ.get("DATABASE_URL"):
        if shutil.which("pg_virtualenv") is None:
            raise SystemExit("PostgreSQL: set DATABASE_URL or install postgresql-common.")
        # -t keeps the cluster in a temporary directory, so parallel runs never share one;
        # fsync back on (pg_virtualenv turns it off) so that commits cost what they do in use.
        command = ["pg_virtualenv", "-t", "-v", PG_VERSION, "-o", "fsync=on", *command]
    return command


def run_database(args: argparse.Namespace, database: str) -> dict[str, Any] | None:
    """One database in its own process, so settings and connections never leak between them."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    tag = f"{database}-{os.getpid()}"
    result = BENCH_DIR / f"filing-{tag}.json"
    sqlite_path = BENCH_DIR / f"filing-{tag}.sqlite3"
    env = dict(os.environ)
    env["DEBUG"] = "0"  # production settings: no query log kept, no debug pages
    env.setdefault("SECRET_KEY", BENCH_SECRET_KEY)
    env["PYTHONUNBUFFERED"] = "1"
    if database == "sqlite":
        env.pop("DATABASE_URL", None)
        env["SQLITE_PATH"] = str(sqlite_path)
    command = _worker_command(args, database, result)
    print(f"$ {' '.join(command)}", flush=True)
    try:
        code = subprocess.run(command, env=env, cwd=ROOT, check=False).returncode  # noqa: S603
        if code != 0 or not result.exists():
            print(f"[{database}] failed with exit code {code}", file=sys.stderr)
            return None
        return json.loads(result.read_text())
    finally:
        for path in (result, *(sqlite_path.with_name(sqlite_path.name + s) for s in SQLITE_FILES)):
            path.unlink(missing_ok=True)


def machine() -> dict[str, str]:
    import django

    model = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.MULTILINE)
        model = found.group(1).strip() if found else model
    return {
        "nproc": str(len(os.sched_getaffinity(0))),
        "cpu": model,
        "python": platform.python_version(),
        "django": django.get_version(),
        "sqlite": sqlite3.sqlite_version,
    }


def verdict(path: PathFigures) -> str:
    problems = []
    if path.p95 > TARGET_P95_MS:
        problems.append(f"p95 > {TARGET_P95_MS:.0f} ms")
    if path.grows:
        problems.append("queries grow")
    if not path.queries_small:
        problems.append("growth not measured")
    return ", ".join(problems) or "ok"


def _span(values: Sequence[int]) -> str:
    if not values:
        return "n/a"
    low, high = min(values), max(values)
    return str(low) if low == high else f"{low}–{high}"


def report(results: dict[str, dict[str, Any] | None]) -> int:
    """The summary per database and the machine; returns the exit code."""
    info = machine()
    postgres = next(
        (r["version"] for r in results.values() if r and r["vendor"] == "postgresql"), ""
    )
    print("\n== Filing benchmark (issue 4): server time of one submission, DEBUG off ==")
    print(
        f"machine: nproc {info['nproc']}, CPU {info['cpu']}, Python {info['python']}, "
        f"Django {info['django']}, SQLite {info['sqlite']}, "
        f"PostgreSQL {postgres or 'not run'}"
    )
    code = 0
    for database, result in results.items():
        if result is None:
            print(f"\n{database}: FAILED (see the output above)")
            code = 2
            continue
        print(
            f"\n{database} ({result['server']}): {result['rows_before']:,} deviations before "
            f"measuring ({result['rows_after']:,} after); filled in {result['fill_s']:.1f} s "
            f"(+ {result['generate_s']:.1f} s generating); texts {result['mean_chars']:.0f} "
            f"characters on average, {result['tags_mean']:.1f} tags each"
        )
        small, full = f"q@{result['small_rows']:,}", f"q@{result['rows_before']:,}"
        print(
            f"  {'path':<5} {'n':>4} {'mean':>7} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7}  "
            f"{'queries':>7}  {small:>8} {full:>10}  verdict"
        )
        for path in ("form", "api"):
            f = PathFigures(**result[path])
            print(
                f"  {path:<5} {f.count:>4} {f.mean:>7.1f} {f.p50:>7.1f} {f.p95:>7.1f} "
                f"{f.p99:>7.1f} {f.max:>7.1f}  {_span([f.queries_min, f.queries_max]):>7}  "
                f"{_span(f.queries_small):>8} {_span(f.queries_full):>10}  {verdict(f)}"
            )
            if f.p95 > TARGET_P95_MS or f.grows:
                code = max(code, 1)
    print(
        f"\ntimes in ms (time.perf_counter around client.post); target p95 ≤ {TARGET_P95_MS:.0f}"
        " ms; q@N = queries per submit of the same probe texts at N deviations (must be equal)"
    )
    print(f"exit {code}: {('ok', 'bar missed', 'a run failed')[code]}")
    return code


def main() -> int:
    args = parse_args()
    if args.worker:
        return worker(args)
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    results = {database: run_database(args, database) for database in databases}
    return report(results)


# --- the worker: one database, Django set up ---------------------------------------------------


def log(message: str) -> None:
    print(f"[{os.environ.get('BENCH_DATABASE', '?')}] {message}", flush=True)


def _django_setup(database: str) -> None:
    os.environ["BENCH_DATABASE"] = database
    if database == "postgres" and not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = database_in_cluster(PG_DATABASE)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "knutpunkt.settings")
    # WhiteNoise looks for STATIC_ROOT, which a benchmark never collects.
    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    import django

    django.setup()


def _quietly(command: str, *args: str) -> None:
    from django.core.management import call_command

    call_command(command, *args, verbosity=0, stdout=io.StringIO())


@dataclass(slots=True)
class Staff:
    user: User
    unit: Unit
    municipalities: list[Municipality]
    token: str


def prepare() -> Staff:
    """Schema, catalogue, roles and demo users, as `make setup` does."""
    from django.urls import get_resolver
    from knox.models import AuthToken

    from core.roles import roles_ensure
    from deviations.models import User

    started = time.perf_counter()
    assert get_resolver().url_patterns  # import every view now, not after minutes of filling
    _quietly("migrate", "--no-input")
    _quietly("load_catalogue")
    roles_ensure()
    _quietly("create_demo_users", "--keep-passwords")
    user = User.objects.get(username=STAFF_USERNAME)
    unit = user.units.get()
    municipalities = list(unit.municipalities.order_by("code"))
    _instance, token = AuthToken.objects.create(user=user)
    log(f"schema, catalogue, roles and users ready in {time.perf_counter() - started:.1f} s")
    return Staff(user=user, unit=unit, municipalities=municipalities, token=token)


def demo_rows(rows: int, seed: int) -> list[DeviationInput]:
    """`rows` demo deviations over three years with confirmed tags, shuffled so that any prefix
    spreads over all dates and units like the whole."""
    from django.utils import timezone

    from catalogue.models import Municipality
    from demo.generator import DemoUnit, generate_deviations
    from demo.setup import demo_units_ensure
    from deviations.services import DeviationInput, TagInput

    units = demo_units_ensure()
    by_name = {unit.name: unit for unit in units}
    municipalities = {m.code: m for m in Municipality.objects.all()}
    demo_units = [
        DemoUnit(u.name, tuple(sorted(m.code for m in u.municipalities.all()))) for u in units
    ]
    end = timezone.localdate()
    start = end.replace(year=end.year - 3, day=min(end.day, 28))
    generated = generate_deviations(n=rows, seed=seed, units=demo_units, start=start, end=end)
    rng = Random(seed)
    rng.shuffle(generated)
    now = timezone.now()
    zone = timezone.get_default_timezone()
    items = []
    for g in generated:
        reported = datetime.combine(
            g.occurred_on + timedelta(days=rng.randrange(8)),
            clock(8 + rng.randrange(9), rng.randrange(60), tzinfo=zone),
        )
        items.append(
            DeviationInput(
                occurred_on=g.occurred_on,
                unit=by_name[g.unit],
                municipality=municipalities[g.municipality],
                description=g.description,
                category=g.category,
                consequence=g.consequence,
                severity=g.severity,
                gender=g.gender,
                age_band=g.age_band,
                external_id="bench-" + g.external_id.removeprefix("demo-"),
                reported_at=min(reported, now),
                tags=tuple(TagInput(tag_id=t, confidence=1.0, rule="demo data") for t in g.tags),
            )
        )
    return items


def fill(items: Sequence[DeviationInput], rows: int) -> float:
    """Top the table up to `rows` in bulk batches (one transaction each); returns seconds."""
    from deviations.models import Deviation, Tagging
    from deviations.services import deviations_file_many

    present = set(
        Deviation.objects.filter(external_id__startswith="bench-").values_list(
            "external_id", flat=True
        )
    )
    missing = max(0, rows - Deviation.objects.count())
    pending = [item for item in items if item.external_id not in present][:missing]
    started = time.perf_counter()
    for first in range(0, len(pending), FILL_BATCH):
        deviations_file_many(
            by=None,
            items=pending[first : first + FILL_BATCH],
            tag_origin=Tagging.Origin.IMPORT,
            tag_state=Tagging.State.CONFIRMED,
        )
        done = min(first + FILL_BATCH, len(pending))
        elapsed = time.perf_counter() - started
        if done == len(pending) or done % (4 * FILL_BATCH) == 0:
            log(
                f"filled {done:,}/{len(pending):,} ({done / elapsed:,.0f} rows/s); "
                f"{Deviation.objects.count():,} deviations in the table"
            )
    return time.perf_counter() - started


@dataclass(slots=True)
class Submission:
    """One report as the staff member would write it; tags are the chips the tagger offered."""

    description: str
    occurred_on: date
    category: str
    consequence: str
    severity: int
    municipality: Municipality
    tags: list[str]


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def _texts(generated: Sequence[DemoDeviation]) -> Iterator[tuple[str, DemoDeviation]]:
    """Sentences of consecutive demo texts joined to TEXT_CHARS (−10/+40) characters, each
    with the demo deviation it starts from (date, category, municipality)."""
    chunk: list[str] = []
    length = 0
    source = generated[0]
    for item in generated:
        for sentence in _SENTENCE_END.split(item.description):
            if not sentence or sentence in chunk or length + len(sentence) > TEXT_CHARS + 40:
                continue
            if not chunk:
                source = item
            chunk.append(sentence)
            length += len(sentence) + 1
            if length > TEXT_CHARS - 10:
                yield " ".join(chunk), source
                chunk, length = [], 0


def submissions(count: int, seed: int, staff: Staff) -> list[Submission]:
    """`count` distinct texts of about TEXT_CHARS characters, built from the demo generator's
    anonymised sentences (agencies, statute references, everyday terms), none with personal data.
    """
    from django.utils import timezone

    from catalogue.selectors import tag_choices
    from demo.generator import DemoUnit, generate_deviations
    from deviations.services import tags_suggest
    from privacy.pii import find_pii

    end = timezone.localdate() - timedelta(days=1)
    unit = DemoUnit(staff.unit.name, tuple(m.code for m in staff.municipalities))
    generated = generate_deviations(
        n=count * 4, seed=seed, units=[unit], start=end - timedelta(days=180), end=end
    )
    Random(seed).shuffle(generated)
    by_code = {m.code: m for m in staff.municipalities}
    known = tag_choices()
    result: list[Submission] = []
    seen: set[str] = set()
    for text, source in _texts(generated):
        if text in seen or find_pii(text):
            continue
        seen.add(text)
        on = source.occurred_on
        chips = [s.tag_id for s in tags_suggest(text=text, on=on) if s.tag_id in known]
        result.append(
            Submission(
                description=text,
                occurred_on=on,
                category=source.category,
                consequence=source.consequence,
                severity=source.severity,
                municipality=by_code[source.municipality],
                tags=chips,
            )
        )
        if len(result) == count:
            return result
    raise RuntimeError(f"only {len(result)} texts of {count}: raise the generator's n")


def post_form(client: Client, staff: Staff, s: Submission) -> HttpResponse:
    """The web form with JavaScript: the chips the tagger offered, all kept."""
    return client.post(
        FORM_URL,
        {
            "description": s.description,
            "occurred_on": s.occurred_on.isoformat(),
            "unit": staff.unit.pk,
            "municipality": s.municipality.pk,
            "category": s.category,
            "consequence": s.consequence,
            "severity": s.severity,
            "tags": s.tags,
            "tags_edited": "on",
            "action": "submit",
        },
    )


def post_api(client: Client, staff: Staff, s: Submission) -> HttpResponse:
    """An integration: no tags (every suggestion kept for analysts), a retry-safe key."""
    return client.post(
        API_URL,
        {
            "occurred_on": s.occurred_on.isoformat(),
            "unit": staff.unit.pk,
            "municipality": s.municipality.code,
            "description": s.description,
            "category": s.category,
            "severity": s.severity,
            "idempotency_key": str(uuid.uuid4()),
        },
        content_type="application/json",
    )


type Poster = Callable[[Client, Staff, Submission], HttpResponse]
EXPECTED = {post_form: 302, post_api: 201}


def forget_time_memos() -> None:
    """The catalogue fingerprint is checked at most every two seconds per process, so whether a
    request asks for it depends on the clock. The query probe starts each request without the
    memo, so that equal counts mean equal work."""
    from catalogue.selectors import catalogue_changed

    catalogue_changed()


def measure(
    poster: Poster,
    client: Client,
    staff: Staff,
    batch: Sequence[Submission],
    *,
    probe: bool = False,
) -> tuple[list[float], list[int]]:
    """Milliseconds and queries of each post; the receipt page is fetched afterwards, untimed,
    as the browser does, so that flash messages never pile up in the session."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    times: list[float] = []
    queries: list[int] = []
    for submission in batch:
        if probe:
            forget_time_memos()
        reset_queries()  # the log keeps 9,000 queries; beyond that nothing new is counted
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = poster(client, staff, submission)
            elapsed = time.perf_counter() - started
        # Read now: the next request's request_started signal empties the query log.
        queries.append(len(captured.captured_queries))
        assert queries[-1] > 0, "no queries captured: the count would be wrong"
        times.append(elapsed * 1000)
        if response.status_code != EXPECTED[poster]:
            body = response.content.decode(errors="replace")[:2000]
            raise RuntimeError(f"{poster.__name__}: HTTP {response.status_code}\n{body}")
        if response.status_code == 302:
            if "/kvitto/" not in response["Location"]:  # a login page or the form again
                raise RuntimeError(f"{poster.__name__}: redirected to {response['Location']}")
            client.get(response["Location"])
    return times, queries


def query_log(poster: Poster, client: Client, staff: Staff, submission: Submission) -> None:
    """Every statement of one post with its own time: Django's query log rounds to 1 ms."""
    from django.db import connection

    timings: list[tuple[float, str]] = []

    def timed(execute: Callable[..., Any], sql: str, *args: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, *args)
        finally:
            timings.append(((time.perf_counter() - started) * 1000, sql))

    started = time.perf_counter()
    with connection.execute_wrapper(timed):
        poster(client, staff, submission)
    total = (time.perf_counter() - started) * 1000
    in_db = sum(ms for ms, _sql in timings)
    log(
        f"query log of one {poster.__name__}: {len(timings)} statements, {in_db:.1f} ms in the "
        f"database of {total:.1f} ms"
    )
    for number, (ms, sql) in enumerate(timings, start=1):
        print(f"  {number:>3} {ms:6.2f} ms  {' '.join(sql.split())[:140]}")


def profile(poster: Poster, client: Client, staff: Staff, batch: Sequence[Submission]) -> None:
    profiler = cProfile.Profile()
    profiler.runcall(measure, poster, client, staff, batch)
    log(f"cProfile of {len(batch)} × {poster.__name__}, by cumulative time:")
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.sort_stats("cumulative").print_stats(35)
    stats.sort_stats("tottime").print_stats(15)


def settle() -> None:
    """A table that grew over years has been vacuumed, analysed and checkpointed; a bulk load a
    moment ago has not, and its autovacuum and checkpoint would land in the timed requests."""
    from django.db import DatabaseError, connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE")
            try:
                cursor.execute("CHECKPOINT")  # superuser only; a given DATABASE_URL may lack it
            except DatabaseError as error:
                log(f"no CHECKPOINT: {error}")
        else:
            cursor.execute("ANALYZE")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    log(f"vacuumed, analysed and checkpointed in {time.perf_counter() - started:.1f} s")


def server_version() -> tuple[str, str, str]:
    """Vendor, version, and a description with the settings that decide what a commit costs."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT current_setting('server_version'), current_setting('fsync')")
            version, fsync = cursor.fetchone()
            return connection.vendor, version, f"PostgreSQL {version}, fsync {fsync}"
        cursor.execute("PRAGMA journal_mode")
        (mode,) = cursor.fetchone()
        cursor.execute("PRAGMA synchronous")
        (synchronous,) = cursor.fetchone()
        version = sqlite3.sqlite_version
        return connection.vendor, version, f"SQLite {version}, {mode}, synchronous={synchronous}"


def worker(args: argparse.Namespace) -> int:
    _django_setup(args.worker)
    from django.test import Client

    from deviations.models import Deviation

    vendor, version, server = server_version()
    log(f"{server}; {args.rows:,} rows, {args.submissions} submissions per path")
    staff = prepare()

    started = time.perf_counter()
    items = demo_rows(args.rows, args.seed)
    generate_s = time.perf_counter() - started
    log(f"generated {len(items):,} demo deviations in {generate_s:.1f} s")
    needed = PROBES + 2 * (2 * WARMUP + args.submissions) + (2 * 26 if args.profile else 0)
    texts = submissions(needed, args.seed + 1, staff)
    supply = iter(texts)

    def take(n: int) -> list[Submission]:
        return [next(supply) for _ in range(n)]

    form_client = Client()
    form_client.force_login(staff.user)
    api_client = Client(headers={"authorization": f"Token {staff.token}"})
    probes = take(PROBES)  # the same texts at both table sizes
    posters: list[tuple[Poster, Client]] = [(post_form, form_client), (post_api, api_client)]

    fill_s = fill(items, args.small_rows)
    small_rows = Deviation.objects.count()
    small: dict[str, list[int]] = {}
    if small_rows <= args.small_rows:
        for poster, client in posters:
            measure(poster, client, staff, take(WARMUP))
            small[poster.__name__] = measure(poster, client, staff, probes, probe=True)[1]
        log(f"queries per submit at {small_rows:,} deviations: {small}")
    else:
        log(f"{small_rows:,} deviations already: no small-table probe, growth not measured")

    fill_s += fill(items, args.rows)
    # A server process does not hold 100,000 inputs: drop them so that garbage collection
    # passes cost what they would in the server, not what this script's leftovers cost.
    del items
    gc.collect()
    settle()
    rows_before = Deviation.objects.count()
    results: dict[str, Any] = {}
    for poster, client in posters:
        name = poster.__name__
        measure(poster, client, staff, take(WARMUP))
        full = measure(poster, client, staff, probes, probe=True)[1]
        batch = take(args.submissions)
        times, queries = measure(poster, client, staff, batch)
        results[name] = figures(times, queries, small.get(name, []), full)
        f = results[name]
        log(
            f"{name}: n {f.count}, mean {f.mean:.1f} ms, p50 {f.p50:.1f}, p95 {f.p95:.1f}, "
            f"p99 {f.p99:.1f}, max {f.max:.1f}; queries {f.queries_min}–{f.queries_max}; "
            f"probe texts at {small_rows:,} rows {small.get(name)} and at {rows_before:,} {full}"
        )
        if f.grows:
            changed = [
                f"text {i}: {a} → {b}"
                for i, (a, b) in enumerate(zip(f.queries_small, full, strict=True))
                if a != b
            ]
            log(f"{name}: queries changed with the data for {', '.join(changed)}")
    if args.profile:
        for poster, client in posters:
            query_log(poster, client, staff, next(supply))
            profile(poster, client, staff, take(25))

    result = {
        "vendor": vendor,
        "version": version,
        "server": server,
        "rows_before": rows_before,
        "rows_after": Deviation.objects.count(),
        "small_rows": small_rows,
        "fill_s": fill_s,
        "generate_s": generate_s,
        "mean_chars": sum(len(t.description) for t in texts) / len(texts),
        "tags_mean": sum(len(t.tags) for t in texts) / len(texts),
        "form": asdict(results["post_form"]),
        "api": asdict(results["post_api"]),
    }
    if args.result_file:
        args.result_file.write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
