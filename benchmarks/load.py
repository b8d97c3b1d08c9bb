"""Load test: concurrent staff file and read deviations under gunicorn and PostgreSQL (issue 7).

Run: `.venv/bin/python benchmarks/load.py [--users 50] [--seconds 60] [--workers 4]`.

Starts the app under gunicorn on 127.0.0.1 (DEBUG off) against PostgreSQL at DATABASE_URL, or
else in a throw-away cluster started with Debian's pg_virtualenv (the script re-runs itself
inside it). A setup subprocess migrates, loads the catalogue and steering groups, and creates
one staff user per simulated user (all in one unit covering municipality 0160) with an API
token. Each simulated user (a thread with its own `requests` session) loops: file a deviation
through `POST /api/v1/deviations/` with an idempotency key, retrying the same payload and key
up to 3 times on a timeout or a connection error, then 1-2 reads (its own list, one detail).
With `--lose-acks SHARE`, that share of first submissions waits only 20 ms for the answer: the
server stores the deviation but the client times out, so the retry path is taken end to end
(the same key must come back with the same reference, never a second deviation). With
`--think SECONDS`, each user pauses that long on average (exponentially distributed) before
each action, as a person reads and types; without it they act back to back, which measures
saturation rather than the latency people see. The first `--warmup` seconds (default 10) are
made and checked but not timed: each worker's first requests load the compiled catalogue.

Afterwards the database is checked: every acknowledged reference is there exactly once with the
key that was sent, the deviations filed in the run are exactly the acknowledged keys plus any
accepted whose acknowledgement was lost (reported separately), and no reporter has the same
description twice. Prints throughput and p50/p95/p99/max latency per kind, and as the last
line one JSON object with the p95 of each kind. Exits 1 when a
submission is missing or duplicated or any 5xx happened, 2 when the run itself fails.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.common import percentile, request_figures  # noqa: E402
from deploy.stack import Stack, StackError, database_in_cluster  # noqa: E402

PG_VERSION = "15"
PG_DATABASE = "knutpunkt_load"
INSIDE_MARKER = "KNUTPUNKT_LOAD_IN_PG_VIRTUALENV"
MUNICIPALITY = "0160"
UNIT_NAME = "Lasttest Täby"
USER_PREFIX = "load-staff-"
API = "/api/v1/deviations/"
CLIENT_TIMEOUT = 10.0
LOST_ACK_TIMEOUT = (5.0, 0.02)  # connect, read: the request arrives, the answer is missed
RETRIES = 3
KINDS = ("file", "lost ack", "list", "detail")
CATEGORIES = ("work_capacity", "rule_conflict", "responsibility_gap", "payment_gap")

# Swedish case text without personal data: no digit runs, no phone numbers, no name pairs.
OPENINGS = (
    "En deltagare i insatsen har under våren fått olika besked från myndigheterna.",
    "Personen har varit sjukskriven en längre tid och skulle börja arbetsträna hos oss.",
    "Deltagaren kom till teamet efter att sjukpenningen dragits in vid dag hundraåttio.",
    "Vi har en deltagare som står mellan sjukförsäkringen och arbetsmarknadspolitiken.",
    "Under handläggningen uppstod en situation där ingen myndighet tog ansvar för nästa steg.",
)
MIDDLES = (
    "Försäkringskassan bedömde att arbetsförmågan fanns i ett normalt förekommande arbete, "
    "medan läkaren i regionen skrev att personen inte klarar mer än några timmar i veckan.",
    "Arbetsförmedlingen kunde inte skriva in personen i programmet eftersom underlaget om "
    "arbetsförmåga saknades, och kommunens försörjningsstöd krävde att personen var inskriven.",
    "Socialtjänsten fick vänta på beslut från två håll innan försörjningsstödet kunde betalas ut, "
    "och under tiden saknade hushållet inkomst under nästan en hel månad.",
    "Sekretessen mellan myndigheterna gjorde att samma uppgifter fick lämnas flera gånger, och "
    "deltagaren orkade till slut inte med fler möten.",
    "Handläggaren på Försäkringskassan och arbetsterapeuten i vården gjorde helt olika "
    "bedömningar av vad deltagaren klarar, utan att någon av dem kände till den andra.",
    "Rehabiliteringen avbröts när ersättningen upphörde, eftersom aktivitetsstödet inte kunde "
    "beviljas förrän en ny planering var klar hos Arbetsförmedlingen.",
)
ENDINGS = (
    "Teamet ser detta som ett återkommande glapp mellan regelverken.",
    "Vi vill att samordningsförbundet lyfter frågan till styrgruppen.",
    "Det här har hänt flera gånger i år och borde gå att lösa med en gemensam rutin.",
    "Deltagaren står nu utan planering och utan ersättning medan ärendet utreds.",
)


def _letters(key: uuid.UUID, length: int = 12) -> str:
    """A lowercase, digit-free tag from the key, so that every description is unique."""
    number, out = key.int, []
    for _ in range(length):
        number, rest = divmod(number, 26)
        out.append(chr(ord("a") + rest))
    return "".join(out)


def description(rng: random.Random, key: uuid.UUID) -> str:
    middles = rng.sample(MIDDLES, k=2)
    text = " ".join([rng.choice(OPENINGS), *middles, rng.choice(ENDINGS)])
    return f"{text} Intern märkning för uppföljning: {_letters(key)}."


# --- Django phases (subprocesses with DATABASE_URL set) -----------------------------------


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "knutpunkt.settings")
    import warnings

    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    import django

    django.setup()


def phase_setup(users: int) -> dict[str, Any]:
    """Schema, catalogue, steering groups, roles, one unit and `users` staff with tokens."""
    import io

    from django.core.management import call_command
    from knox.models import AuthToken

    from catalogue.models import Municipality
    from core.roles import STAFF, roles_ensure
    from deviations.models import Unit, User

    for command in ("migrate", "load_catalogue", "load_steering_groups"):
        call_command(command, verbosity=0, stdout=io.StringIO())
    group = roles_ensure()[STAFF]
    unit, _created = Unit.objects.get_or_create(name=UNIT_NAME)
    unit.municipalities.add(Municipality.objects.get(code=MUNICIPALITY))
    tokens = []
    for number in range(users):
        user, _created = User.objects.get_or_create(username=f"{USER_PREFIX}{number:03d}")
        user.set_unusable_password()
        user.save()
        user.groups.add(group)
        user.units.add(unit)
        tokens.append(AuthToken.objects.create(user=user)[1])
    return {"unit": unit.pk, "tokens": tokens}


def phase_verify(facts: dict[str, Any]) -> dict[str, Any]:
    """Compare what the clients were told with what the database holds."""
    from django.db import connection
    from django.db.models import Count

    from deviations.models import Deviation

    acked: dict[str, str] = facts["acked"]  # key -> reference (the first ack of that key)
    acked_refs: dict[str, list[str]] = facts["acked_refs"]  # key -> every reference it got
    sent: set[str] = set(facts["sent"])
    since = datetime.fromisoformat(facts["started"])
    run = Deviation.objects.filter(
        reporter__username__startswith=USER_PREFIX, created_at__gte=since
    )
    in_db = dict(run.values_list("idempotency_key", "reference"))
    in_db = {str(key): ref for key, ref in in_db.items()}
    refs_of_acked = {ref for refs in acked_refs.values() for ref in refs}
    rows = Counter(
        Deviation.objects.filter(reference__in=refs_of_acked).values_list("reference", flat=True)
    )
    missing = sorted(ref for ref in refs_of_acked if rows[ref] == 0)
    duplicated_refs = sorted(ref for ref, n in rows.items() if n > 1)
    key_mismatch = sorted(
        key for key, ref in acked.items() if key in in_db and in_db[key] != ref
    ) + sorted(key for key, refs in acked_refs.items() if len(set(refs)) > 1)
    acked_not_in_db = sorted(key for key in acked if key not in in_db)
    ack_lost = sorted(key for key in in_db if key in sent and key not in acked)
    foreign = sorted(key for key in in_db if key not in sent)
    keys_twice = [
        str(row["idempotency_key"])
        for row in run.values("idempotency_key").annotate(n=Count("id")).filter(n__gt=1)
    ]
    same_text = run.values("reporter", "description").annotate(n=Count("id")).filter(n__gt=1)
    from jobs.models import Job

    jobs = dict(
        Job.objects.filter(kind="knots", created_at__gte=since)
        .values_list("status")
        .annotate(n=Count("id"))
    )
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        (server_version,) = cursor.fetchone()
    return {
        "deviations_in_run": len(in_db),
        "acked_keys": len(acked),
        "ack_lost": ack_lost,
        "missing": missing,
        "acked_not_in_db": acked_not_in_db,
        "duplicated_references": duplicated_refs,
        "key_mismatch": key_mismatch,
        "foreign_keys": foreign,
        "keys_twice": keys_twice,
        "same_description_twice": same_text.count(),
        "postgres": server_version,
        "knot_jobs": jobs,
    }


# --- the simulated staff ----------------------------------------------------------------------


@dataclass(slots=True)
class Results:
    lock: threading.Lock = field(default_factory=threading.Lock)
    latency: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    outcomes: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    acked: dict[str, str] = field(default_factory=dict)
    acked_refs: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    sent: set[str] = field(default_factory=set)
    retries: int = 0
    forced_timeouts: int = 0
    gave_up: int = 0
    errors: list[str] = field(default_factory=list)

    def record(self, kind: str, ms: float, outcome: str, detail: str = "") -> None:
        with self.lock:
            self.latency[kind].append(ms)
            self.outcomes[kind][outcome] += 1
            if detail and len(self.errors) < 10:
                self.errors.append(f"{kind} {outcome}: {detail[:300]}")


def simulate(
    base: str,
    token: str,
    unit: int,
    seed: int,
    deadline: float,
    results: Results,
    lose_acks: float = 0.0,
    think: float = 0.0,
    measured_from: float = 0.0,
) -> None:
    import requests

    rng = random.Random(seed)

    def pause() -> None:
        """A person reads and types between actions: on average `think` seconds."""
        if think > 0:
            time.sleep(min(rng.expovariate(1 / think), max(0.0, deadline - time.monotonic())))

    session = requests.Session()
    session.headers["Authorization"] = f"Token {token}"
    mine: list[str] = []

    def call(
        kind: str, method: str, url: str, timeout: Any = CLIENT_TIMEOUT, **kwargs: Any
    ) -> requests.Response | None:
        started = time.perf_counter()
        try:
            response = session.request(method, url, timeout=timeout, **kwargs)
        except (requests.Timeout, requests.ConnectionError) as error:
            outcome = "timeout" if isinstance(error, requests.Timeout) else "connection error"
            expected = kind == "lost ack"  # the forced timeouts are the point, not samples
            detail = "" if expected else repr(error)
            results.record(kind, (time.perf_counter() - started) * 1000, outcome, detail)
            return None
        ms = (time.perf_counter() - started) * 1000
        bad = response.status_code >= 400
        if bad or time.monotonic() >= measured_from:  # an error counts even while warming up
            results.record(kind, ms, str(response.status_code), response.text if bad else "")
        return response

    while time.monotonic() < deadline:
        key = uuid.uuid4()
        today = datetime.now(UTC).date()
        payload = {
            "occurred_on": (today - timedelta(days=rng.randint(1, 300))).isoformat(),
            "unit": unit,
            "municipality": MUNICIPALITY,
            "description": description(rng, key),
            "category": rng.choice(CATEGORIES),
            "idempotency_key": str(key),
        }
        with results.lock:
            results.sent.add(str(key))
        lose_ack = rng.random() < lose_acks
        for attempt in range(1 + RETRIES):
            if attempt == 0 and lose_ack:
                with results.lock:
                    results.forced_timeouts += 1
                response = call("lost ack", "POST", base + API, LOST_ACK_TIMEOUT, json=payload)
            else:
                response = call("file", "POST", base + API, json=payload)
            if response is not None:
                break
            if attempt < RETRIES:
                with results.lock:
                    results.retries += 1
        else:
            with results.lock:
                results.gave_up += 1
        if response is not None and response.status_code == 201:
            reference = response.json()["reference"]
            mine.append(reference)
            with results.lock:
                results.acked.setdefault(str(key), reference)
                results.acked_refs[str(key)].append(reference)
        for _ in range(rng.randint(1, 2)):
            pause()
            if mine and rng.random() < 0.5:
                call("detail", "GET", f"{base}{API}{rng.choice(mine)}/")
            else:
                call("list", "GET", base + API, params={"mine": "true"})
        pause()


# --- orchestration ---------------------------------------------------------------------------


def _phase(name: str, env: dict[str, str], facts: dict[str, Any] | None = None) -> dict:
    """Run a Django phase of this script in a fresh process; it answers with JSON."""
    with tempfile.TemporaryDirectory() as folder:
        inbox, outbox = Path(folder) / "in.json", Path(folder) / "out.json"
        inbox.write_text(json.dumps(facts or {}))
        command = [sys.executable, str(Path(__file__).resolve()), f"--phase={name}"]
        command += [f"--phase-in={inbox}", f"--phase-out={outbox}"]
        # Our own script with arguments we built: no untrusted input.
        done = subprocess.run(command, env=env, cwd=ROOT, check=False)  # noqa: S603
        if done.returncode != 0 or not outbox.exists():
            raise SystemExit(f"{name} failed with exit code {done.returncode}")
        return json.loads(outbox.read_text())


def _machine() -> dict[str, str]:
    model = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.MULTILINE)
        model = found.group(1).strip() if found else model
    import gunicorn

    return {
        "nproc": str(len(os.sched_getaffinity(0))),
        "cpu": model,
        "python": platform.python_version(),
        "gunicorn": gunicorn.__version__,
    }


def _report(args: argparse.Namespace, results: Results, elapsed: float, facts: dict) -> bool:
    machine = _machine()
    print()
    print(
        f"machine: {machine['nproc']} CPUs ({machine['cpu']}), Python {machine['python']}, "
        f"PostgreSQL {facts['postgres']}, gunicorn {machine['gunicorn']}"
    )
    print(
        f"run: {args.users} users, {args.instances} gunicorn instance(s) × {args.workers} "
        f"workers{' behind nginx + 1 task worker' if args.instances > 1 else ''}, "
        f"{elapsed:.1f} s (asked {args.seconds} s), client timeout {CLIENT_TIMEOUT:.0f} s, "
        f"{RETRIES} retries"
    )
    total = sum(len(results.latency[kind]) for kind in KINDS)
    print(f"throughput: {total / elapsed:.1f} requests/s overall")
    print(
        f"{'kind':<8}{'count':>8}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}"
    )
    for kind in KINDS:
        ordered = sorted(results.latency[kind])
        if not ordered:
            print(f"{kind:<8}{0:>8}")
            continue
        cells = [percentile(ordered, p) for p in (50, 95, 99)] + [ordered[-1]]
        print(
            f"{kind:<8}{len(ordered):>8}{len(ordered) / elapsed:>9.1f}"
            + "".join(f"{cell:>9.0f}" for cell in cells)
        )
    for kind in KINDS:
        print(f"outcomes {kind}: {dict(sorted(results.outcomes[kind].items()))}")
    print(
        f"file retries: {results.retries} ({results.forced_timeouts} after a forced 20 ms "
        f"timeout), gave up after {RETRIES} retries: {results.gave_up}"
    )
    for line in results.errors:
        print(f"  sample error: {line}")
    print(
        f"database: {facts['deviations_in_run']} deviations filed in the run, "
        f"{facts['acked_keys']} acknowledged keys, {len(results.sent)} keys sent, "
        f"{len(facts['ack_lost'])} accepted but acknowledgement lost"
    )
    problems = {
        "acknowledged reference missing": facts["missing"],
        "acknowledged key not in database": facts["acked_not_in_db"],
        "reference more than once": facts["duplicated_references"],
        "key got a different reference": facts["key_mismatch"],
        "key more than once": facts["keys_twice"],
        "deviation with a key never sent": facts["foreign_keys"],
    }
    expected = facts["acked_keys"] + len(facts["ack_lost"])
    if facts["deviations_in_run"] != expected:
        problems["count differs from acked + ack lost"] = [
            f"{facts['deviations_in_run']} != {expected}"
        ]
    if facts["same_description_twice"]:
        problems["same reporter and description twice"] = [str(facts["same_description_twice"])]
    for name, found in problems.items():
        if found:
            print(f"  FAIL {name}: {len(found)} e.g. {found[:3]}")
    exactly_once = not any(problems.values())
    server_errors = sum(
        n for kind in KINDS for status, n in results.outcomes[kind].items() if status[0] == "5"
    )
    print(f"exactly once: {'yes' if exactly_once else 'NO'}; 5xx responses: {server_errors}")
    print(f"knot recomputation jobs during the run, by status: {facts['knot_jobs']}")
    figures: dict[str, Any] = {
        "users": args.users,
        "instances": args.instances,
        "think_s": args.think,
        "requests_per_s": round(total / elapsed, 1),
        "exactly_once": exactly_once,
        "server_errors": server_errors,
    }
    for kind in KINDS:
        ordered = sorted(results.latency[kind])
        if ordered:
            figures[f"{kind.replace(' ', '_')}_p95_ms"] = round(percentile(ordered, 95))
    print(json.dumps(figures))
    return exactly_once and server_errors == 0


def run(args: argparse.Namespace) -> int:
    env = dict(os.environ)
    if not env.get("DATABASE_URL"):
        env["DATABASE_URL"] = database_in_cluster(PG_DATABASE)
    env.update(DEBUG="0", ALLOWED_HOSTS="127.0.0.1,localhost", PYTHONUNBUFFERED="1")
    env.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    env.setdefault("LOG_LEVEL", "WARNING")
    # WhiteNoise looks for STATIC_ROOT, which a benchmark never collects.
    env.setdefault("PYTHONWARNINGS", "ignore:No directory at:UserWarning")
    print(f"database: {re.sub(r':[^:@/]*@', ':***@', env['DATABASE_URL'])}", flush=True)
    setup = _phase("setup", env, {"users": args.users})
    behind_nginx = args.instances > 1
    if behind_nginx:
        env.update(TASK_BACKEND="database", PROXY_COUNT="1", STATIC_MANIFEST="1")
        env.setdefault("STATIC_ROOT", str(ROOT / "var" / "static"))
        _phase("collectstatic", env)
    stack = Stack(
        env=env,
        instances=args.instances,
        workers=args.workers,
        task_workers=1 if behind_nginx else 0,
        nginx=behind_nginx,
    )
    print(
        f"$ {args.instances} gunicorn instance(s) × {args.workers} workers"
        + (", nginx in front, 1 task worker" if behind_nginx else ""),
        flush=True,
    )
    try:
        base = stack.start()
        results = Results()
        started = datetime.now(UTC)
        # Each worker's first requests load the compiled catalogue and warm its caches: the
        # warm-up's requests are made and checked, but not timed.
        measured_from = time.monotonic() + args.warmup
        deadline = measured_from + args.seconds
        threads = [
            threading.Thread(
                target=simulate,
                args=(
                    base,
                    token,
                    setup["unit"],
                    args.seed + n,
                    deadline,
                    results,
                    args.lose_acks,
                    args.think,
                    measured_from,
                ),
                daemon=True,
            )
            for n, token in enumerate(setup["tokens"])
        ]
        # The app's own figures (/metrics) for the timed window: scraped as the warm-up ends
        # and again at the end, so the operator's view can be set beside the clients'.
        scraped: dict[str, Any] = {}
        scraper = threading.Timer(
            max(measured_from - time.monotonic(), 0.0),
            lambda: scraped.update(before=stack.metrics(), at=time.monotonic()),
        )
        scraper.start()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - measured_from
        scraper.join()
        after = stack.metrics()
        app_figures = request_figures(scraped["before"], after, time.monotonic() - scraped["at"])
    finally:
        stack.stop()
    facts = _phase(
        "verify",
        env,
        {
            "acked": results.acked,
            "acked_refs": results.acked_refs,
            "sent": sorted(results.sent),
            "started": (started - timedelta(seconds=5)).isoformat(),
        },
    )
    _report_metrics(app_figures)
    return 0 if _report(args, results, elapsed, facts) else 1


def _report_metrics(rows: list[dict[str, Any]]) -> None:
    print()
    print("the app's /metrics for the timed window (summed over instances and their workers):")
    print(f"{'view':<32}{'method':<8}{'requests':>10}{'per s':>9}{'p50 ms':>9}{'p95 ms':>9}")
    for row in rows:
        print(
            f"{row['view'][:31]:<32}{row['method']:<8}{row['requests']:>10}{row['per_second']:>9.1f}"
            f"{row['p50_ms']:>9.0f}{row['p95_ms']:>9.0f}"
        )


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=50, help="concurrent simulated staff")
    parser.add_argument("--seconds", type=float, default=60, help="how long they keep going")
    parser.add_argument(
        "--workers", type=int, default=4, help="gunicorn worker processes per instance"
    )
    parser.add_argument(
        "--instances",
        type=int,
        default=1,
        help="gunicorn instances; 2 or more run behind nginx with a task worker (issue 8)",
    )
    parser.add_argument(
        "--lose-acks",
        type=float,
        default=0.0,
        help="share of first submissions whose answer the client misses (0-1)",
    )
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="mean seconds each user pauses between actions (0: none, the saturation test)",
    )
    parser.add_argument(
        "--warmup", type=float, default=10.0, help="seconds of requests made but not timed"
    )
    parser.add_argument("--seed", type=int, default=2017)
    parser.add_argument(
        "--phase", choices=["setup", "verify", "collectstatic"], help=argparse.SUPPRESS
    )
    parser.add_argument("--phase-in", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--phase-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if (
        args.users < 1
        or args.seconds <= 0
        or args.workers < 1
        or args.instances < 1
        or not 0 <= args.lose_acks <= 1
        or args.think < 0
        or args.warmup < 0
    ):
        parser.error("need --users ≥ 1, --seconds > 0, --workers ≥ 1 and 0 ≤ --lose-acks ≤ 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.phase:
        _django()
        facts = json.loads(args.phase_in.read_text())
        if args.phase == "collectstatic":
            from django.core.management import call_command

            call_command("collectstatic", interactive=False, verbosity=0)
            answer: dict[str, Any] = {}
        else:
            answer = phase_setup(facts["users"]) if args.phase == "setup" else phase_verify(facts)
        args.phase_out.write_text(json.dumps(answer))
        return 0
    if not os.environ.get("DATABASE_URL") and not os.environ.get(INSIDE_MARKER):
        if shutil.which("pg_virtualenv") is None:
            raise SystemExit("PostgreSQL: set DATABASE_URL or install postgresql-common.")
        # -t: a cluster in a temporary directory; fsync on, so commits cost what they do in use.
        command = ["pg_virtualenv", "-t", "-v", PG_VERSION, "-o", "fsync=on", sys.executable]
        command += [str(Path(__file__).resolve()), *(argv if argv is not None else sys.argv[1:])]
        print(f"$ {' '.join(command)}", flush=True)
        env = {**os.environ, INSIDE_MARKER: "1"}
        return subprocess.run(command, env=env, cwd=ROOT, check=False).returncode  # noqa: S603
    try:
        return run(args)
    except (SystemExit, StackError) as error:
        print(f"load test failed: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
