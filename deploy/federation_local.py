"""Three Knutpunkt sites and a national instance on this machine: `make run-national`.

Each instance is a separate process with its own SQLite database, identity and settings, as
separate förbund would run them. The sites get different synthetic deviations (seed_demo with
their own seed) plus two planted knots: one local to the first site, and one thin at every site
(6 deviations each) that only the union of all three makes frequent. The national instance
(KNUTPUNKT_NATIONAL=1) holds no deviations; it fetches the sites' signed, masked answers over
HTTP (`federation_round run`), computes the national knots, writes up the thin knot as a
national barrier, and the national network NNS forwards it up the ladder; every contributing
site is told (its page "Nationella hinder vi bidrar till").

`--check` (tests/federation/test_instances.py) then also analyses the pooled deviations of all
three sites in one process and exits 1 unless the national knots equal that analysis, every
published figure is at least 5, and every contributing site holds the national decision.
Without `--check` the four instances keep serving until Ctrl-C: the national instance on
PORT (8000), the sites on the ports after it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from deploy.stack import StackError, free_port, wait_healthy  # noqa: E402

PYTHON = sys.executable
SITES = (  # name, label, seed
    ("knutpunkt-norr", "Knutpunkt Norr", 101),
    ("knutpunkt-mitt", "Knutpunkt Mitt", 202),
    ("knutpunkt-syd", "Knutpunkt Syd", 303),
)
NATIONAL = ("knutpunkt-nationell", "Nationell Knutpunkt")
LOCAL_KNOT = "agency:MIGRATIONSVERKET;prov:2000:628#P2"  # 25 at the first site only
THIN_KNOT = "agency:KRONOFOGDEN;prov:2000:628#P5"  # 6 at every site: 18 together
MIN_SUPPORT = 12  # above each site's 6, below the union's 18
ROUND = "demo"

# Run inside the national instance: the pooled analysis of the sites' dumped deviations,
# compared with the round's national knots. Prints one JSON line.
CHECK_POOLED = """
import json, sys
from datetime import date
from analytics.knots import find_knots
from analytics.types import DeviationTable, KnotParams
from catalogue.selectors import concepts
from federation.models import Round
r = Round.objects.get(key=%(round)r)
rows = []
for i, path in enumerate(%(dumps)r):
    for ref, day, muni, unit, sev, gender, tags in json.load(open(path)):
        rows.append((f"{i}-{ref}", date.fromisoformat(day), muni, unit + 1000000 * i, sev,
                     gender, tags))
pooled = find_knots(DeviationTable.from_records(rows), params=KnotParams(**r.params),
                    today=r.today, include_local=True, concepts=concepts())
national = [(k["tags"], k["support"], k["municipalities"], k["units"]) for k in r.knots]
# The sites count on concepts (a provision across a reform is one), so a national knot names
# the concepts; which versions occurred stays with the sites.
reference = [(list(k.tags), k.support, k.municipalities, k.units) for k in pooled]
print(json.dumps({"equal": national == reference, "knots": len(national),
                  "n": r.n_total, "pooled_n": len(rows),
                  "smallest": min([k["support"] for k in r.knots], default=0),
                  "tags": [k["tags"] for k in r.knots],
                  "only_national": [x for x in national if x not in reference][:5],
                  "only_pooled": [x for x in reference if x not in national][:5]}))
"""

DUMP = """
import json
from analytics.extract import deviation_table
t = deviation_table()
json.dump([[r[0], r[1].isoformat(), r[2], int(r[3]), r[4], r[5], list(r[6])]
           for r in t.records()], open(%(out)r, "w"))
"""

BARRIER = """
from datetime import timedelta
from django.utils import timezone
from barriers.models import Barrier, SteeringGroup
from barriers.services import barrier_escalate, barrier_transition, decision_record
from deviations.models import User
from federation.models import NationalBarrier, Round
from federation.notices import national_barrier_create
r = Round.objects.get(key=%(round)r)
index = next(i for i, k in enumerate(r.knots) if ";".join(k["tags"]) == %(thin)r)
if not NationalBarrier.objects.filter(round=r).exists():
    analyst = User.objects.get(username="analytiker")
    member = User.objects.get(username="styrgrupp")
    nns = SteeringGroup.objects.get(slug="nns")
    nns.members.add(member)
    written = national_barrier_create(national=r, index=index, by=analyst)
    barrier_transition(barrier=written.barrier, status=Barrier.Status.ANALYSED, by=analyst)
    escalation = barrier_escalate(barrier=written.barrier, group=nns, due_on=None, by=analyst,
        override_reason="En fråga för förbunden i hela landet: NNS tar den först.")
    decision_record(escalation=escalation, kind="forward", by=member,
        text="NNS ser knuten i alla tre förbunden och lyfter den till Nationella rådet.",
        reason="Ändringen kräver beslut av myndigheterna, inte av förbunden.",
        next_due_on=timezone.localdate() + timedelta(days=60))
print(NationalBarrier.objects.get(round=r).delivery)
"""

NOTICES = """
import json
from federation.models import NationalNotice
print(json.dumps([[n.title, n.status, [d["kind"] for d in n.decisions]]
                  for n in NationalNotice.objects.all()], ensure_ascii=False))
"""


def args_quiet(users: bool) -> bool:
    """The demo users' passwords are printed for people, not for the check."""
    return not users


class Instance:
    def __init__(self, work: Path, name: str, label: str, port: int, *, national: bool) -> None:
        self.name, self.label, self.port, self.national = name, label, port, national
        self.dir = work / name
        self.url = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen | None = None

    def env(self, directory: Path) -> dict[str, str]:
        env = {
            **os.environ,
            "DEBUG": "1",  # runserver serves the static files; jobs run at once
            "SQLITE_PATH": str(self.dir / "db.sqlite3"),
            "FEDERATION_IDENTITY_FILE": str(self.dir / "identity.json"),
            "FEDERATION_DIRECTORY_FILE": str(directory),
            "KNUTPUNKT_NATIONAL": "1" if self.national else "0",
            "SITE_URL": self.url,
        }
        env.pop("DATABASE_URL", None)  # every instance its own database, whatever the caller's
        return env

    def manage(self, directory: Path, *args: str, quiet: bool = True) -> str:
        done = subprocess.run(  # noqa: S603 - our own manage.py
            [PYTHON, "manage.py", *args],
            cwd=ROOT,
            env=self.env(directory),
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise StackError(f"{self.name}: manage.py {' '.join(args)}\n{done.stderr[-3000:]}")
        if not quiet:
            print(done.stdout, end="", flush=True)
        return done.stdout

    def shell(self, directory: Path, code: str) -> str:
        return self.manage(directory, "shell", "-c", code).strip().splitlines()[-1]

    def start(self, directory: Path) -> None:
        self.process = subprocess.Popen(  # noqa: S603
            [PYTHON, "manage.py", "runserver", "--noreload", f"127.0.0.1:{self.port}"],
            cwd=ROOT,
            env=self.env(directory),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def build(work: Path, instances: list[Instance], deviations: int, *, users: bool = True) -> Path:
    """Databases, demo data, identities and the shared directory (public keys and addresses)."""
    directory = work / "directory.json"
    template = work / "template.sqlite3"
    first = instances[0]
    print("== migrating one database and loading the catalogue (copied to every instance)")
    first.dir.mkdir(parents=True, exist_ok=True)
    first.manage(directory, "migrate", "--no-input")
    first.manage(directory, "load_catalogue")
    first.manage(directory, "load_steering_groups")
    shutil.copy(first.dir / "db.sqlite3", template)
    entries = []
    for instance in instances:
        instance.dir.mkdir(parents=True, exist_ok=True)
        if instance is not first:
            shutil.copy(template, instance.dir / "db.sqlite3")
        keys = ["federation_keys", "--name", instance.name, "--out"]
        keys += [str(instance.dir / "identity.json"), "--url", instance.url]
        entry = json.loads(instance.manage(directory, *keys, *(["--national"] * instance.national)))
        entries.append({**entry, "label": instance.label})
        if users or instance.national:  # the national analyst and NNS member write up below
            print(f"== {instance.label}: demo users", flush=True)
            instance.manage(directory, "create_demo_users", quiet=args_quiet(users))
    directory.write_text(json.dumps(entries, ensure_ascii=False, indent=1))
    for (_name, label, seed), site in zip(SITES, instances[1:], strict=True):
        print(f"== {label}: {deviations} synthetic deviations (seed {seed}) and planted knots")
        site.manage(directory, "seed_demo", "--deviations", str(deviations), "--seed", str(seed))
        site.manage(directory, "plant_knot", "--tags", THIN_KNOT, "--count", "6", "--key", "thin")
        if site is instances[1]:
            plant = ["plant_knot", "--tags", LOCAL_KNOT, "--count", "25", "--key", "local"]
            site.manage(directory, *plant)
    instances[0].manage(directory, "federation_sites", "import", str(directory))
    return directory


def run(args: argparse.Namespace) -> int:
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="knutpunkt-fed-"))
    if work.exists() and args.fresh:
        shutil.rmtree(work)
    ports = [free_port() for _ in range(4)] if args.check else [args.port + i for i in range(4)]
    instances = [Instance(work, *NATIONAL, ports[0], national=True)]
    instances += [
        Instance(work, name, label, port, national=False)
        for (name, label, _seed), port in zip(SITES, ports[1:], strict=True)
    ]
    national, sites = instances[0], instances[1:]
    directory = work / "directory.json"
    if not directory.exists():
        directory = build(work, instances, args.deviations, users=not args.check)
    try:
        for instance in instances:
            instance.start(directory)
        for instance in instances:
            wait_healthy(f"{instance.url}/healthz", [p.process for p in instances if p.process])
        print("== national round: the national instance fetches every site's answers over HTTP")
        started = time.perf_counter()
        said = national.manage(
            directory, "federation_round", "run", ROUND, "--min-support", str(MIN_SUPPORT)
        )  # fmt: skip
        print("\n".join(line for line in said.splitlines() if not line.startswith("[")))
        print(f"(round: {time.perf_counter() - started:.1f} s, the command's start-up included)")
        print("== a national barrier from the thin knot, forwarded by NNS; the sites are told")
        print(national.shell(directory, BARRIER % {"round": ROUND, "thin": THIN_KNOT}))
        notices = {s.label: json.loads(s.shell(directory, NOTICES)) for s in sites}
        for label, told in notices.items():
            print(f"{label}: national barriers told: {told}")
        if args.check:
            return check(work, directory, national, sites, notices)
        print(
            f"\nNational instance: {national.url}  (national knots: /analys/nationellt/)\n"
            + "".join(f"{s.label}: {s.url}  (/analys/nationella-hinder/fran-nationell-niva/)\n"
                      for s in sites)
            + "Demo users and passwords are printed above, the same in every instance. "
            "Ctrl-C stops all four."
        )  # fmt: skip
        signal.signal(signal.SIGTERM, lambda *_args: sys.exit(0))
        try:
            while all(i.process and i.process.poll() is None for i in instances):
                time.sleep(1)
        except KeyboardInterrupt:
            return 0
        print("federation_local: an instance stopped; stopping the others", file=sys.stderr)
        return 1
    finally:
        for instance in instances:
            instance.stop()


def check(
    work: Path, directory: Path, national: Instance, sites: list[Instance], notices: dict
) -> int:
    dumps = []
    for site in sites:
        out = work / f"{site.name}-records.json"
        site.shell(directory, DUMP % {"out": str(out)})
        dumps.append(str(out))
    found = json.loads(national.shell(directory, CHECK_POOLED % {"round": ROUND, "dumps": dumps}))
    tags = {";".join(t) for t in found["tags"]}
    ok = {
        "national knots equal the pooled analysis": found["equal"],
        "deviations counted nationally equal the sites' together": found["n"] == found["pooled_n"],
        "the knot local to one site is found": LOCAL_KNOT in tags,
        "the knot frequent only in the union is found": THIN_KNOT in tags,
        "no published knot rests on fewer than 5": found["smallest"] >= 5,
        "every site holds the national decision": all(
            told and told[0][2] == ["forward"] for told in notices.values()
        ),
    }
    for what, passed in ok.items():
        print(f"{'ok  ' if passed else 'FAIL'} {what}")
    if not found["equal"]:
        print(f"only nationally: {found['only_national']}\nonly pooled: {found['only_pooled']}")
    print(f"{found['knots']} national knots over {found['n']} deviations at {len(sites)} sites")
    return 0 if all(ok.values()) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--deviations", type=int, default=1500, help="per site")
    parser.add_argument("--work", default="", help="keeps the instances (default: a temp dir)")
    parser.add_argument("--fresh", action="store_true", help="rebuild the instances in --work")
    parser.add_argument("--check", action="store_true", help="prove, then stop (exit 1: failed)")
    args = parser.parse_args(argv)
    try:
        return run(args)
    except StackError as error:
        print(f"federation_local: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
