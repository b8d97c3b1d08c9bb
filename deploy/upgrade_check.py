"""`make upgrade-check BACKUP=path`: rehearse an upgrade on a copy of a backup (docs/upgrades.md).

The backup is restored into a throw-away database: a temporary SQLite file, or a new database
on the PostgreSQL server of DATABASE_URL that is dropped afterwards, even when a step fails.
This checkout's `manage.py migrate` and catalogue upgrade (`load_catalogue` and
`load_steering_groups`, as `make catalogue`) then run on it as subprocesses whose
DATABASE_URL or SQLITE_PATH point there, so neither the live database nor this process's
settings are ever used. Snapshots before and after (applied migrations, tables, columns, row
counts) make the report: what the upgrade would do to the real data, and whether it works.

Exit status: 0 the upgrade works on this backup; 1 it failed (do not upgrade before the
reason is understood); 2 the check could not run (unknown or damaged backup, no server).
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import secrets
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import tomllib
import traceback
import zlib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

ROOT = Path(__file__).resolve().parents[1]
MANAGE = ROOT / "manage.py"
sys.path.insert(0, str(ROOT))

from privacy.pii import find_pii  # noqa: E402 - pure Python, no Django; after the path

# Names of the throw-away PostgreSQL databases: recognisable, so a leftover is easy to spot.
THROWAWAY_PREFIX = "knutpunkt_upgrade_check_"

# The kinds of backup this check restores.
SQLITE_FILE = "SQLite database file"
SQLITE_SQL = "SQLite SQL dump (sqlite3 .dump)"
PG_ARCHIVE = "PostgreSQL pg_dump archive"
PG_SQL = "PostgreSQL plain SQL dump (pg_dump)"
POSTGRES_KINDS = (PG_ARCHIVE, PG_SQL)

# The FTS5 index tables SQLite keeps beside each full-text table: internals, not data.
FTS_SHADOWS = ("_data", "_idx", "_content", "_docsize", "_config")

# Run in the upgraded database by `manage.py shell`: Django's own checks, then one row read
# through every model, which selects every column the code expects.
SERVE_CHECK = """
from django.apps import apps
from django.core.management import call_command
call_command("check", databases=["default"])
models = [m for m in apps.get_models(include_auto_created=True)
          if m._meta.managed and not m._meta.proxy]
for model in models:
    list(model._base_manager.all()[:1])
print(f"Every model reads its table: {len(models)} models.")
"""


class RefusedError(Exception):
    """The check cannot run on this backup or without what it needs (exit status 2)."""


class StepFailedError(Exception):
    """A step of the upgrade failed on the restored copy (exit status 1)."""


@dataclass(frozen=True)
class Backup:
    kind: str
    path: Path  # unpacked when the backup was gzip-compressed
    compressed: bool


@dataclass
class Snapshot:
    """What a database holds: enough to say what an upgrade changed."""

    migrations: list[str] = field(default_factory=list)  # "app.name", as they were applied
    columns: dict[str, dict[str, str]] = field(default_factory=dict)  # table -> column -> type
    rows: dict[str, int] = field(default_factory=dict)


@dataclass
class Outcome:
    exit_code: int = 0
    reason: str = ""
    kind: str = ""
    database: str = ""  # the throw-away database, in words
    location: str = ""  # its SQLite file or PostgreSQL database name
    before: Snapshot | None = None
    after: Snapshot | None = None
    catalogue: list[str] = field(default_factory=list)
    serve_check: list[str] = field(default_factory=list)
    durations: dict[str, float] = field(default_factory=dict)
    dropped: bool = False
    interrupted: bool = False

    @property
    def ok(self) -> bool:
        return self.exit_code == 0

    @property
    def applied(self) -> list[str]:
        if self.before is None or self.after is None:
            return []
        had = set(self.before.migrations)
        return [name for name in self.after.migrations if name not in had]


# -- What kind of backup -------------------------------------------------------------------


def backup_detect(path: Path, work: Path) -> Backup:
    """The backup's kind from its first bytes, never from its name: a copy renamed by hand
    must not be restored the wrong way."""
    if path.is_dir():
        if (path / "toc.dat").is_file():
            return Backup(PG_ARCHIVE, path, compressed=False)  # pg_dump -Fd
        raise RefusedError(f"{path} is a folder, and not a pg_dump directory archive (no toc.dat).")
    if not path.is_file():
        raise RefusedError(f"{path}: no such file.")
    head = _head(path)
    compressed = head.startswith(b"\x1f\x8b")
    if not compressed:
        return Backup(_kind(head, path), path, compressed)
    unpacked = work / "backup"
    try:
        with gzip.open(path) as packed, unpacked.open("wb") as out:
            shutil.copyfileobj(packed, out, 1 << 20)
    except (OSError, EOFError, zlib.error) as exc:
        raise RefusedError(f"{path} looks gzip-compressed but cannot be unpacked: {exc}") from exc
    return Backup(_kind(_head(unpacked), path), unpacked, compressed)


def _head(path: Path, size: int = 8192) -> bytes:
    with path.open("rb") as file:
        return file.read(size)


def _kind(head: bytes, path: Path) -> str:
    """`path` is the file as the operator named it, for the messages."""
    if not head:
        raise RefusedError(f"{path} is empty.")
    if head.startswith(b"SQLite format 3\x00"):
        return SQLITE_FILE
    if head.startswith(b"PGDMP"):
        return PG_ARCHIVE  # pg_dump -Fc
    if head[257:262] == b"ustar":
        if head.startswith(b"toc.dat"):
            return PG_ARCHIVE  # pg_dump -Ft
        raise RefusedError(
            f"{path} is a tar archive but not a pg_dump one (no toc.dat first). The attached "
            "files that backup_data writes beside its XML (FILE.media.tar) are not a database."
        )
    if head.startswith(b"\x1f\x8b"):
        raise RefusedError(f"{path} is compressed twice; unpack it once first.")
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    if text.startswith(("<?xml", "<django-objects")):
        raise RefusedError(
            f"{path} is an XML backup from `manage.py backup_data`. That portable backup holds "
            "rows but no schema: `restore_data` reads it only into a database of the same "
            "release, so it cannot rehearse an upgrade. Check with a SQLite file copy "
            '(sqlite3 var/knutpunkt.sqlite3 ".backup FILE") or a PostgreSQL dump '
            '(pg_dump -Fc -f FILE "$DATABASE_URL") instead; docs/upgrades.md.'
        )
    if "PostgreSQL database dump" in text:
        return PG_SQL
    if text.startswith(("PRAGMA foreign_keys=OFF;", "BEGIN TRANSACTION;")):
        return SQLITE_SQL
    raise RefusedError(
        f"{path} is not a backup this check knows: expected a SQLite database file, a "
        "pg_dump archive (-Fc, -Ft or -Fd) or a plain SQL dump from pg_dump or sqlite3, "
        "each optionally gzip-compressed."
    )


# -- Throw-away databases ------------------------------------------------------------------


class Throwaway:
    """A database for one rehearsal: restored, snapshotted, upgraded and removed."""

    label = ""
    location = ""

    def restore(self, backup: Backup) -> None:
        raise NotImplementedError

    def manage_env(self, env: dict[str, str]) -> dict[str, str]:
        raise NotImplementedError

    def snapshot(self) -> Snapshot:
        raise NotImplementedError

    def remove(self) -> None:
        raise NotImplementedError


class SqliteThrowaway(Throwaway):
    def __init__(self, work: Path) -> None:
        self.path = work / "upgrade.sqlite3"
        self.label = f"SQLite copy {self.path}"
        self.location = str(self.path)

    def restore(self, backup: Backup) -> None:
        if backup.kind == SQLITE_SQL:
            script = backup.path.read_text(encoding="utf-8")
            with _sqlite(self.path) as connection:
                try:
                    connection.executescript(script)
                except sqlite3.Error as exc:
                    raise RefusedError(f"The SQL dump does not restore into SQLite: {exc}") from exc
        else:
            shutil.copyfile(backup.path, self.path)
            wal = Path(f"{backup.path}-wal")  # a copy taken beside a running app
            if wal.is_file() and not backup.compressed:
                shutil.copyfile(wal, Path(f"{self.path}-wal"))
        try:
            with _sqlite(self.path) as connection:
                verdict = connection.execute("PRAGMA quick_check").fetchone()[0]
        except sqlite3.Error as exc:
            raise RefusedError(f"The SQLite backup cannot be read: {exc}") from exc
        if verdict != "ok":
            raise RefusedError(f"The SQLite backup is damaged (PRAGMA quick_check: {verdict}).")

    def manage_env(self, env: dict[str, str]) -> dict[str, str]:
        env["SQLITE_PATH"] = str(self.path)  # used by the settings when DATABASE_URL is unset
        return env

    def snapshot(self) -> Snapshot:
        with _sqlite(self.path) as connection:
            found = connection.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"
            ).fetchall()
            virtual = [name for name, sql in found if (sql or "").upper().startswith("CREATE V")]
            shadows = {f"{name}{suffix}" for name in virtual for suffix in FTS_SHADOWS}
            snapshot = Snapshot()
            for table, _sql in found:
                if table in shadows:
                    continue
                quoted = '"' + table.replace('"', '""') + '"'
                snapshot.columns[table] = {
                    name: f"{kind or 'any'}{' NOT NULL' if notnull else ''}"
                    for _cid, name, kind, notnull, _default, _pk in connection.execute(
                        f"PRAGMA table_info({quoted})"
                    )
                }
                count = connection.execute(f"SELECT count(*) FROM {quoted}")  # noqa: S608 - a table name from sqlite_master
                snapshot.rows[table] = count.fetchone()[0]
            snapshot.migrations = _migrations(connection)
        return snapshot

    def remove(self) -> None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)


@contextmanager
def _sqlite(path: Path) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        yield connection
    finally:
        connection.close()


def _migrations(connection: Any) -> list[str]:
    """The applied migrations; `connection` is sqlite3's or psycopg's, both have execute()."""
    try:
        rows = connection.execute("SELECT app, name FROM django_migrations ORDER BY id").fetchall()
    except Exception as exc:
        raise RefusedError(
            "The restored database has no django_migrations table: it is not a Knutpunkt "
            f"database, or an empty one ({exc})."
        ) from exc
    return [f"{app}.{name}" for app, name in rows]


class PostgresThrowaway(Throwaway):
    """A new database, uniquely named, on the server of DATABASE_URL; the same account makes
    it, owns what is restored into it (no owners or grants are taken from the dump) and drops
    it again."""

    def __init__(self, database_url: str) -> None:
        parts = urlsplit(database_url)
        if parts.scheme not in {"postgres", "postgresql", "pgsql", "postgis"}:
            raise RefusedError(
                f"DATABASE_URL points to a {parts.scheme or 'non-URL'} database; a PostgreSQL "
                "dump is restored on a PostgreSQL server (postgres://user:password@host/name)."
            )
        stamp = time.strftime("%Y%m%d_%H%M%S")
        self.name = f"{THROWAWAY_PREFIX}{stamp}_{secrets.token_hex(3)}"
        self.url = urlunsplit(parts._replace(path=f"/{self.name}"))  # for Django (dj_database_url)
        self.live_database = parts.path.lstrip("/")
        # libpq reads postgresql:// URLs, not dj_database_url's other names for them.
        self.libpq = urlunsplit(parts._replace(scheme="postgresql"))
        self.label = f"PostgreSQL database {self.name} on {parts.hostname or 'localhost'}"
        self.location = self.name
        self.created = False

    def _conninfo(self, database: str, *, password: bool = True) -> str:
        params = conninfo_to_dict(self.libpq)
        params["dbname"] = database
        if not password:
            params.pop("password", None)
        return make_conninfo("", **params)

    def _password_env(self, env: dict[str, str]) -> dict[str, str]:
        password = conninfo_to_dict(self.libpq).get("password")
        if password:
            env["PGPASSWORD"] = str(password)  # not on the command line, where ps shows it
        return env

    def _server(self) -> Any:
        """A connection for CREATE and DROP DATABASE: to the maintenance database `postgres`,
        else the one DATABASE_URL names (only connected to, never read or written)."""
        errors = []
        for database in dict.fromkeys(("postgres", self.live_database or "postgres")):
            try:
                return psycopg.connect(
                    self._conninfo(database), autocommit=True, connect_timeout=10
                )
            except psycopg.Error as exc:
                errors.append(str(exc).strip())
        raise RefusedError(f"Cannot reach the PostgreSQL server of DATABASE_URL: {errors[-1]}")

    def create(self) -> None:
        with self._server() as connection:
            try:
                # template0: an empty database, as pg_dump's restores expect.
                statement = sql.SQL("CREATE DATABASE {} TEMPLATE template0")
                connection.execute(statement.format(sql.Identifier(self.name)))
            except psycopg.Error as exc:
                raise RefusedError(
                    f"Cannot create the throw-away database {self.name} (the account of "
                    f"DATABASE_URL needs the CREATEDB right): {str(exc).strip()}"
                ) from exc
        self.created = True

    def restore(self, backup: Backup) -> None:
        target = f"--dbname={self._conninfo(self.name, password=False)}"
        if backup.kind == PG_ARCHIVE:
            tool = _binary("pg_restore")
            options = ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
            command = [tool, *options, target, str(backup.path)]
        else:
            tool = _binary("psql")
            options = ["--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1", "--single-transaction"]
            command = [tool, *options, "--output=/dev/null", target, f"--file={backup.path}"]
        env = self._password_env(dict(os.environ))
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603 - our fixed command
        if done.returncode != 0:
            raise RefusedError(
                f"The backup does not restore ({Path(tool).name} exited with status "
                f"{done.returncode}):\n{_tail(done.stderr or done.stdout)}"
            )

    def manage_env(self, env: dict[str, str]) -> dict[str, str]:
        env["DATABASE_URL"] = self.url
        return env

    def snapshot(self) -> Snapshot:
        snapshot = Snapshot()
        with psycopg.connect(self._conninfo(self.name), autocommit=True) as connection:
            columns = connection.execute(
                """
                SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull
                FROM pg_class c
                JOIN pg_namespace n ON n.oid = c.relnamespace
                JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
                ORDER BY c.relname, a.attnum
                """
            ).fetchall()
            for table, column, kind, notnull in columns:
                snapshot.columns.setdefault(table, {})[column] = (
                    f"{kind}{' NOT NULL' if notnull else ''}"
                )
            for table in snapshot.columns:
                query = sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
                snapshot.rows[table] = connection.execute(query).fetchone()[0]
            snapshot.migrations = _migrations(connection)
        return snapshot

    def remove(self) -> None:
        if not self.created:
            return
        with self._server() as connection:
            statement = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
            connection.execute(statement.format(sql.Identifier(self.name)))
        self.created = False


def _binary(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise RefusedError(
            f"{name} is missing: apt-get install postgresql-client (Debian's package)."
        )
    return found


def _tail(text: str, lines: int = 15) -> str:
    """The end of a step's output for the report, without the data in it: PostgreSQL quotes
    rows in its errors (a COPY line's values, a duplicate key), and a report is passed on."""
    kept = [_scrubbed(line) for line in text.strip().splitlines() if line.strip()][-lines:]
    return "\n".join(f"    {line}" for line in kept) or "    (no output)"


_COPY_ROW = re.compile(r"^(\s*CONTEXT:\s+COPY \S+, line \d+)\b.*$")
_KEY_VALUES = re.compile(r"(Key \([^)]*\))=\(.*?\)( already exists| is duplicated|$)")


def _scrubbed(line: str) -> str:
    line = _COPY_ROW.sub(r"\1 (row left out)", line)
    line = _KEY_VALUES.sub(r"\1=(…)\2", line)
    for hit in sorted(find_pii(line), key=lambda hit: -hit.start):
        line = line[: hit.start] + "[removed]" + line[hit.end :]
    return line


# -- The rehearsal -------------------------------------------------------------------------


class Rehearsal:
    """The steps on one throw-away database, each timed and printed as it ends, so a long
    migration shows where the check is."""

    def __init__(self, throwaway: Throwaway, work: Path, outcome: Outcome, out: TextIO) -> None:
        self.throwaway = throwaway
        self.work = work
        self.outcome = outcome
        self.out = out

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        self.out.write(f"  {name} ...")
        self.out.flush()
        started = time.monotonic()
        try:
            yield
        except BaseException:
            self.out.write(" failed\n")
            raise
        finally:
            self.outcome.durations[name] = time.monotonic() - started
        self.out.write(f" {self.outcome.durations[name]:.1f} s\n")

    def manage(self, *args: str) -> list[str]:
        """`manage.py` of this checkout on the throw-away database; the lines it printed."""
        # Only the throw-away database: no other database setting of the live one (such as
        # its read replica, DATABASE_REPLICA_URL) reaches the subprocess.
        env = {
            name: value for name, value in os.environ.items() if not name.startswith("DATABASE_")
        }
        env.pop("SENTRY_DSN", None)  # a rehearsal's errors are not production's error reports
        env["MEDIA_ROOT"] = str(self.work / "media")  # attachments stay where they are
        env = self.throwaway.manage_env(env)
        command = [sys.executable, str(MANAGE), *args]
        done = subprocess.run(  # noqa: S603 - our fixed command
            command, cwd=ROOT, env=env, capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            shown = " ".join("CODE" if "\n" in arg else arg for arg in args)
            reason = f"`manage.py {shown}` exited with status {done.returncode}"
            doing = [line.strip() for line in done.stdout.splitlines() if "Applying " in line]
            if doing:  # the migration that failed: the last one begun
                reason += f", in: {doing[-1]}"
            raise StepFailedError(f"{reason}\n{_tail(done.stderr or done.stdout, lines=8)}")
        return [line.rstrip() for line in done.stdout.splitlines() if line.strip()]

    def run(self, backup: Backup) -> None:
        outcome = self.outcome
        with self.step("restore"):
            self.throwaway.restore(backup)
        with self.step("snapshot before"):
            outcome.before = self.throwaway.snapshot()
        with self.step("migrate"):
            self.manage("migrate", "--no-input")
        with self.step("catalogue upgrade"):
            outcome.catalogue = self.manage("load_catalogue")
            outcome.catalogue += self.manage("load_steering_groups")
        with self.step("snapshot after"):
            outcome.after = self.throwaway.snapshot()
        with self.step("serve check"):
            outcome.serve_check = self.manage("shell", "--no-imports", "-c", SERVE_CHECK)


def upgrade_check(
    backup_path: Path,
    *,
    database_url: str | None = None,
    keep: bool = False,
    out: TextIO | None = None,
) -> Outcome:
    """Rehearse the upgrade of `backup_path` and print the report; `keep` leaves the throw-away
    database for a look (where it is, is printed; remove it yourself)."""
    out = out or sys.stdout  # looked up now: a test or a caller may have replaced it
    work = Path(tempfile.mkdtemp(prefix="knutpunkt-upgrade-"))
    throwaway: Throwaway | None = None
    outcome = Outcome()
    started = time.monotonic()
    out.write(f"Upgrade check of {backup_path}, to {_release()}\n")
    try:
        backup = backup_detect(backup_path, work)
        outcome.kind = backup.kind
        out.write(f"  Backup: {backup.kind}{', gzip-compressed' if backup.compressed else ''}\n")
        if backup.kind in POSTGRES_KINDS:
            if not database_url:
                raise RefusedError(
                    "A PostgreSQL backup is restored into a throw-away database on a PostgreSQL "
                    "server, and DATABASE_URL is not set: set it to the server's URL "
                    "(postgres://user:password@host:port/name; the account needs CREATEDB). "
                    "Only a new database is made there; the one DATABASE_URL names is not touched."
                )
            throwaway = PostgresThrowaway(database_url)
            throwaway.create()
        else:
            throwaway = SqliteThrowaway(work)
        outcome.database, outcome.location = throwaway.label, throwaway.location
        out.write(f"  Throw-away database: {throwaway.label}\n")
        out.write("  The live database is not touched.\n\n")
        Rehearsal(throwaway, work, outcome, out).run(backup)
    except RefusedError as exc:
        outcome.exit_code, outcome.reason = 2, str(exc)
    except StepFailedError as exc:
        outcome.exit_code, outcome.reason = 1, str(exc)
    except Exception as exc:
        outcome.exit_code = 1
        outcome.reason = f"Unexpected error: {exc!r}\n{_tail(traceback.format_exc(), lines=8)}"
    except BaseException:  # Ctrl-C or SIGTERM: clean up, report, and stop as asked
        outcome.exit_code, outcome.interrupted = 1, True
        raise
    finally:
        outcome.durations["total"] = time.monotonic() - started
        if throwaway is not None and not keep:
            try:
                throwaway.remove()
                outcome.dropped = True
            except Exception as exc:  # reported, and the check fails
                outcome.exit_code = outcome.exit_code or 1
                outcome.reason = outcome.reason or (
                    f"The throw-away database could not be removed ({exc}): "
                    f"remove {throwaway.label} by hand."
                )
        if not (keep and isinstance(throwaway, SqliteThrowaway)):
            shutil.rmtree(work, ignore_errors=True)
        report_write(outcome, out, kept=keep and throwaway is not None)
    return outcome


def _release() -> str:
    """This checkout's version and commit: what the backup is upgraded to."""
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    commit = ""
    with suppress(OSError, subprocess.SubprocessError):
        done = subprocess.run(  # noqa: S603 - our fixed command
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],  # noqa: S607 - git from PATH
            capture_output=True,
            text=True,
            check=False,
            timeout=10,
        )
        commit = done.stdout.strip() if done.returncode == 0 else ""
    return f"Knutpunkt {version['version']}" + (f" (commit {commit})" if commit else "")


# -- The report ----------------------------------------------------------------------------


def report_write(outcome: Outcome, out: TextIO, *, kept: bool = False) -> None:
    before, after = outcome.before, outcome.after
    write = out.write
    if before is not None and after is not None:
        write("\n")
        had = f"the backup had {len(before.migrations)}"
        _section(out, "Migrations applied", outcome.applied, count=f"{len(outcome.applied)}; {had}")
        added = sorted(set(after.columns) - set(before.columns))
        removed = sorted(set(before.columns) - set(after.columns))
        _section(out, "Tables added", [f"{t} ({after.rows.get(t, 0)} rows)" for t in added])
        _section(
            out, "Tables removed", [f"{t} (had {before.rows.get(t, 0)} rows)" for t in removed]
        )
        kept_tables = sorted(set(before.columns) & set(after.columns))
        columns_added, columns_removed, columns_changed = [], [], []
        for table in kept_tables:
            old, new = before.columns[table], after.columns[table]
            columns_added += [f"{table}.{c}: {new[c]}" for c in new if c not in old]
            columns_removed += [f"{table}.{c}: {old[c]}" for c in old if c not in new]
            columns_changed += [
                f"{table}.{c}: {old[c]} -> {new[c]}" for c in old if c in new and old[c] != new[c]
            ]
        _section(out, "Columns added", columns_added)
        _section(out, "Columns removed", columns_removed)
        _section(out, "Columns changed", columns_changed)
        changed = [t for t in kept_tables if before.rows[t] != after.rows[t]]
        width = max((len(t) for t in changed), default=0)
        lines = [
            f"{t:<{width}}  {before.rows[t]:>9,} -> {after.rows[t]:,} "
            f"({after.rows[t] - before.rows[t]:+,})"
            for t in changed
        ]
        _section(out, "Row counts changed", lines, count=f"{len(lines)} tables")
        write(
            f"  ({len(kept_tables) - len(changed)} other tables kept their row counts; "
            f"{sum(before.rows.values()):,} rows before, {sum(after.rows.values()):,} after)\n"
        )
        _section(out, "The catalogue upgrade reported", outcome.catalogue, count="")
    if outcome.serve_check:
        _section(out, "The upgraded database serves", outcome.serve_check, count="")
    if outcome.durations:
        spent = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in outcome.durations.items())
        write(f"\nDurations: {spent}\n")
    if outcome.database:
        if kept:
            write(f"Kept for a look: {outcome.database} (remove it yourself).\n")
        elif outcome.dropped:
            write(f"Removed: {outcome.database}.\n")
    write("\n")
    if outcome.ok:
        lost = []
        if before is not None and after is not None:  # fewer rows, or a table gone with rows
            lost = [t for t, n in before.rows.items() if after.rows.get(t, 0) < n]
        applied = len(outcome.applied)
        verdict = (
            f"Verdict: PASSED. The upgrade works on this backup: {applied} migration(s) "
            "applied, the catalogue upgraded, the database serves."
        )
        if lost:
            verdict += f" Rows went away in {len(lost)} table(s) ({', '.join(lost)}): review them."
        conflicts = sum(line.lstrip().startswith("Conflict:") for line in outcome.catalogue)
        if conflicts:
            verdict += (
                f" The catalogue upgrade kept {conflicts} local edit(s) against shipped changes:"
                " review them in the admin after upgrading."
            )
        write(verdict + "\n")
    elif outcome.interrupted:
        write("Verdict: INTERRUPTED. The check was stopped before it finished.\n")
    elif outcome.exit_code == 2:
        write(f"Verdict: NOT CHECKED. {outcome.reason}\n")
    else:
        write(f"Verdict: FAILED. Do not upgrade before this is understood.\n{outcome.reason}\n")
    out.flush()


def _section(out: TextIO, title: str, lines: list[str], count: str | None = None) -> None:
    if not lines:
        out.write(f"{title}: none\n")
        return
    count = str(len(lines)) if count is None else count
    out.write(f"{title} ({count}):\n" if count else f"{title}:\n")
    for line in lines:
        out.write(f"  {line}\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Rehearse an upgrade on a throw-away copy of a backup (docs/upgrades.md)."
    )
    parser.add_argument("backup", type=Path, help="SQLite file, pg_dump archive or SQL dump")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", ""),
        help="PostgreSQL server for a PostgreSQL backup (default: DATABASE_URL); "
        "only a new throw-away database is made there",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the throw-away database for a look"
    )
    args = parser.parse_args(argv)
    # A stop by the service manager (SIGTERM) unwinds like Ctrl-C: the database is dropped.
    previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        outcome = upgrade_check(args.backup, database_url=args.database_url, keep=args.keep)
    finally:
        signal.signal(signal.SIGTERM, previous)
    return outcome.exit_code


if __name__ == "__main__":
    sys.exit(main())
