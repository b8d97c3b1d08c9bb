"""Analysis reads against a real streaming replica (core.replica, docs/replicas.md).

The test starts its own PostgreSQL primary and a hot standby streaming from it, on free
loopback ports in a temporary directory (whatever DATABASE_URL the surrounding run has),
migrates and fills the primary, and runs Knutpunkt in processes of its own with
DATABASE_URL=primary and DATABASE_REPLICA_URL=standby (tests/replica/scenario.py), which
report which database ran which statements:

- the knots page, the statistics page and an export read the deviations from the replica,
  and the primary runs none of those reads;
- with the standby's replay paused and the primary written to, once the replica is further
  behind than DATABASE_REPLICA_MAX_LAG_SECONDS (1 s here), the same requests read from the
  primary;
- with the standby stopped, they read from the primary and the pages still answer.

Needs PostgreSQL's server binaries (Debian's postgresql-15); as root, the servers run as the
`postgres` user. About 40 s.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest

from core.replica import LAG_SQL
from deploy.stack import free_port
from tests.replica.scenario import DEVIATIONS

ROOT = Path(__file__).resolve().parents[2]
USER = "knutpunkt"
DATABASE = "knutpunkt"

pytestmark = pytest.mark.replica


def _bindir() -> Path | None:
    """The newest installed server's binaries (Debian keeps them off PATH)."""
    wanted = os.environ.get("KNUTPUNKT_PG_BINDIR")
    if wanted:
        return Path(wanted)
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda path: int(path.parts[-3]) if path.parts[-3].isdigit() else 0,
    )
    return found[-1].parent if found else None


@dataclass
class Clusters:
    bindir: Path
    work: Path
    primary_port: int
    standby_port: int
    as_postgres: bool

    def run(self, program: str, *args: str, timeout: float = 60) -> None:
        command = [str(self.bindir / program), *args]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(  # noqa: S603 - the server's own programs, fixed arguments
            command, capture_output=True, text=True, timeout=timeout, check=False, cwd=self.work
        )
        logs = "".join(
            f"\n{log.name}: {log.read_text(errors='replace')[-2000:]}"
            for log in sorted(self.work.glob("*.log"))
        )
        assert done.returncode == 0, f"{program} {args}: {done.stdout}{done.stderr}{logs}"

    def url(self, port: int) -> str:
        return f"postgres://{USER}@127.0.0.1:{port}/{DATABASE}"

    def sql(self, port: int, statement: str, *, database: str = DATABASE) -> Any:
        with psycopg.connect(
            host="127.0.0.1", port=port, user=USER, dbname=database, autocommit=True
        ) as connection:
            cursor = connection.execute(statement)
            row = cursor.fetchone() if cursor.description else None
            return row[0] if row else None

    def stop(self, name: str) -> None:
        if (self.work / name / "postmaster.pid").exists():
            self.run("pg_ctl", "-D", str(self.work / name), "-m", "immediate", "-w", "stop")

    def replayed(self, *, seconds: float = 30) -> None:
        """Wait until the standby has replayed everything the primary has written."""
        target = self.sql(self.primary_port, "SELECT pg_current_wal_lsn()::text")
        _wait(
            lambda: self.sql(
                self.standby_port, f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn"
            ),
            seconds,
            "the standby to replay the primary's writes",
        )


def _wait(ready: Callable[[], object], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if ready():
            return
        time.sleep(0.1)
    raise AssertionError(f"waited {seconds:.0f} s for {what}")


SERVER_CONFIG = """
listen_addresses = '127.0.0.1'
port = {port}
unix_socket_directories = '{work}'
wal_level = replica
max_wal_senders = 4
hot_standby = on
max_connections = 40
shared_buffers = 32MB
fsync = off
full_page_writes = off
"""


@pytest.fixture(scope="module")
def clusters() -> Iterator[Clusters]:
    bindir = _bindir()
    if bindir is None or not (bindir / "initdb").exists():
        # make test installs them (TEST_PACKAGES); a skipped replica test would hide a gap.
        pytest.fail("PostgreSQL's server binaries are missing: apt-get install postgresql")
    as_postgres = os.geteuid() == 0
    # Not under pytest's own temporary directory: as root, its parents are closed to `postgres`.
    work = Path(tempfile.mkdtemp(prefix="knutpunkt-replica-"))
    if as_postgres:
        owner = pwd.getpwnam("postgres")
        os.chown(work, owner.pw_uid, owner.pw_gid)
    ports = {free_port()}
    while len(ports) < 2:
        ports.add(free_port())
    found = Clusters(bindir, work, *sorted(ports), as_postgres)
    try:
        primary = work / "primary"
        found.run(
            "initdb", "-D", str(primary), "-U", USER, "--auth=trust", "-E", "UTF8",
            "--locale=C.UTF-8", "--no-sync",
        )  # fmt: skip
        with (primary / "postgresql.conf").open("a") as conf:
            conf.write(SERVER_CONFIG.format(port=found.primary_port, work=work))
        with (primary / "pg_hba.conf").open("a") as hba:
            hba.write("host replication all 127.0.0.1/32 trust\n")
        found.run("pg_ctl", "-D", str(primary), "-l", str(work / "primary.log"), "-w", "start")
        found.sql(found.primary_port, f"CREATE DATABASE {DATABASE}", database="postgres")
        standby = work / "standby"
        found.run(
            "pg_basebackup", "-h", "127.0.0.1", "-p", str(found.primary_port), "-U", USER,
            "-D", str(standby), "-R", "-X", "stream", "--checkpoint=fast", "--no-sync",
        )  # fmt: skip
        with (standby / "postgresql.conf").open("a") as conf:
            conf.write(f"port = {found.standby_port}\n")
        found.run("pg_ctl", "-D", str(standby), "-l", str(work / "standby.log"), "-w", "start")
        assert found.sql(found.standby_port, "SELECT pg_is_in_recovery()") is True
        said = _knutpunkt("setup", primary=found.url(found.primary_port))
        assert said["deviations"] == DEVIATIONS
        found.replayed()
        yield found
    finally:
        for name in ("standby", "primary"):
            try:
                found.stop(name)
            except (AssertionError, subprocess.SubprocessError) as error:
                print(f"stopping the {name} failed: {error}")
        shutil.rmtree(work, ignore_errors=True)


def _knutpunkt(command: str, *, primary: str, replica: str = "", **env: str) -> dict[str, Any]:
    """Knutpunkt in a process of its own on these databases, DEBUG on (jobs run inside the
    request that queues them, as in `make run`); its JSON answer."""
    keep = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DATABASE_", "PG", "SQLITE_", "KNUTPUNKT_", "LOG_"))
        and name not in {"SECRET_KEY", "TASK_BACKEND", "DEBUG"}
    }
    keep.update(DEBUG="1", DATABASE_URL=primary, LOG_REQUESTS="0", **env)
    if replica:
        keep["DATABASE_REPLICA_URL"] = replica
    done = subprocess.run(  # noqa: S603 - our own script
        [sys.executable, "-m", "tests.replica.scenario", command],
        cwd=ROOT,
        env=keep,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-5000:]
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    answer["log"] = done.stderr
    return answer


def _visit(clusters: Clusters, **env: str) -> dict[str, Any]:
    return _knutpunkt(
        "visit",
        primary=clusters.url(clusters.primary_port),
        replica=clusters.url(clusters.standby_port),
        **env,
    )


def _data_moved_on(clusters: Clusters) -> None:
    """A write on the primary that moves the data version on, as a filing does: the kept
    knots and figures are then out of date and computed again at the next request."""
    clusters.sql(
        clusters.primary_port,
        "UPDATE deviations_tagversion SET version = version + 1 RETURNING version",
    )


def _read_from(found: dict[str, Any], alias: str) -> None:
    """The pages answered, and every analysis read of theirs ran on `alias` alone."""
    knots, statistics, export = found["knots"], found["statistics"], found["export"]
    assert knots["status"] == 200, knots
    assert knots["knots"] > 0, knots
    assert knots["extraction"] == [alias], knots
    assert statistics["status"] == 200, statistics
    assert statistics["extraction"] == [alias], statistics
    assert export["status"] == 200, export
    assert export["type"].startswith("text/csv"), export
    assert export["lines"] > 100, export  # the county's deviations, one a line
    assert export["export_rows"] == [alias], export


def test_the_knots_page_reads_from_the_replica(clusters: Clusters) -> None:
    _data_moved_on(clusters)  # the knots the filing kept during setup are out of date
    clusters.replayed()
    found = _visit(clusters)
    assert found["aliases"] == ["default", "replica"]
    assert found["replica_in_recovery"] is True  # "replica" really is the standby
    _read_from(found, "replica")
    # The primary still does everything else: sessions, the job, the kept result.
    assert found["knots"]["statements"]["default"] > 0
    # The installation's default view is kept current from the change log on the primary
    # (analytics.live): a cursor and rows from one database.
    default = found["default_knots"]
    assert default["status"] == 200, default
    assert default["knots"] > 0, default
    assert default["extraction"] == ["default"], default
    assert "replica" not in found["log"]


def test_a_lagging_or_stopped_replica_leaves_the_reads_on_the_primary(
    clusters: Clusters,
) -> None:
    standby = clusters.standby_port
    clusters.sql(standby, "SELECT pg_wal_replay_pause()")
    _wait(
        lambda: clusters.sql(standby, "SELECT pg_get_wal_replay_pause_state()") == "paused",
        10,
        "the standby's replay to pause",
    )
    _data_moved_on(clusters)
    _wait(lambda: (clusters.sql(standby, LAG_SQL) or 0) > 1.5, 20, "the replica to lag 1.5 s")

    behind = _visit(clusters, DATABASE_REPLICA_MAX_LAG_SECONDS="1")
    _read_from(behind, "default")
    assert behind["statistics"]["statements"]["replica"] == 0  # only the lag was asked
    assert "s behind (limit 1 s), analysis reads go to the primary" in behind["log"]

    # Cut off from its primary: everything it received is replayed, so receive and replay
    # positions agree, yet the primary has moved on. It must not count as current.
    clusters.sql(standby, "SELECT pg_wal_replay_resume()")
    clusters.replayed()
    clusters.sql(standby, "ALTER SYSTEM SET primary_conninfo = 'host=127.0.0.1 port=1'")
    clusters.sql(standby, "SELECT pg_reload_conf()")
    _wait(
        lambda: clusters.sql(standby, "SELECT count(*) FROM pg_stat_wal_receiver") == 0,
        20,
        "the standby's WAL receiver to lose its primary",
    )
    _data_moved_on(clusters)
    cut_off = _visit(clusters)  # the default limit of 30 s
    _read_from(cut_off, "default")
    assert "replica not receiving from its primary" in cut_off["log"]

    clusters.stop("standby")
    _data_moved_on(clusters)
    gone = _visit(clusters)
    _read_from(gone, "default")
    assert gone["replica_in_recovery"] == "OperationalError"
    assert "replica unreachable, analysis reads go to the primary" in gone["log"]
    assert gone["log"].count("replica unreachable") == 1  # logged once, not per request
