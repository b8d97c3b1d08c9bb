"""Upgrades rehearsed: the previous release's data, restored from its own backups, upgraded to
this checkout by deploy/upgrade_check.py (`make upgrade-check`, docs/upgrades.md).

The fixtures are release 0.1.0's backups, made by its own code (make_fixtures.sh). The SQLite
tests use no database fixture, so they run in CI's SQLite stage only; the PostgreSQL ones use
`db`, so they are kept in CI's PostgreSQL stage and run against its server; they skip only on
SQLite.
"""

from __future__ import annotations

import gzip
import io
import random
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from deploy.upgrade_check import (
    PG_ARCHIVE,
    PG_SQL,
    SQLITE_FILE,
    SQLITE_SQL,
    THROWAWAY_PREFIX,
    Outcome,
    RefusedError,
    backup_detect,
    main,
    upgrade_check,
)

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
RELEASE = "0.1.0"
SQLITE_BACKUP = FIXTURES / f"knutpunkt-{RELEASE}.sqlite3.gz"
PG_BACKUP = FIXTURES / f"knutpunkt-{RELEASE}.pgdump"

# Migrations added since that release (update with the fixtures at each release).
NEW_MIGRATIONS = {
    "deviations.0021_participant_quote",
    "deviations.0022_good_practice",
    "barriers.0007_equality_issue",
    "barriers.0008_decision_spread",
    "jobs.0003_worker_heartbeat",
}
# The data people entered: an upgrade must keep every row of it.
MAIN_TABLES = ("deviations_deviation", "deviations_tagging", "barriers_barrier", "deviations_user")

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs a PostgreSQL server; runs in CI's PostgreSQL stage",
)


def _assert_upgraded(outcome: Outcome, report: str) -> None:
    assert outcome.ok, report
    assert outcome.before is not None
    assert outcome.after is not None
    assert set(outcome.applied) >= NEW_MIGRATIONS
    for table in MAIN_TABLES:
        assert outcome.before.rows[table] > 0, table
        assert outcome.after.rows[table] == outcome.before.rows[table], table
    assert outcome.after.columns["barriers_barrier"]["equality_issue"].endswith("NOT NULL")
    assert "deviations_goodpractice" in outcome.after.columns
    assert any(line.startswith("Catalogue: ") for line in outcome.catalogue)
    assert any(line.startswith("Steering groups: ") for line in outcome.catalogue)
    assert any(line.startswith("Every model reads its table") for line in outcome.serve_check)
    assert "Migrations applied" in report
    for name in NEW_MIGRATIONS:
        assert f"  {name}\n" in report
    assert "Verdict: PASSED" in report


# -- SQLite --------------------------------------------------------------------------------


def test_the_previous_release_on_sqlite_upgrades_and_keeps_its_data(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The live database's settings, which must not reach the rehearsal: a process that read
    # them would fail to connect to these.
    monkeypatch.setenv("DATABASE_URL", "postgres://live@live-database.invalid/knutpunkt")
    monkeypatch.setenv("DATABASE_REPLICA_URL", "postgres://live@live-replica.invalid/knutpunkt")
    out = io.StringIO()
    outcome = upgrade_check(SQLITE_BACKUP, keep=True, out=out)
    try:
        _assert_upgraded(outcome, out.getvalue())
        with closing(sqlite3.connect(outcome.location)) as upgraded:
            rows = upgraded.execute(
                "SELECT count(*), sum(participant_consent), sum(participant_quote = '') "
                "FROM deviations_deviation"
            ).fetchone()
        deviations = outcome.after.rows["deviations_deviation"]
        assert rows == (deviations, 0, deviations)  # the new columns, at their defaults
    finally:
        shutil.rmtree(Path(outcome.location).parent, ignore_errors=True)


def test_a_migration_that_fails_fails_the_check(tmp_path: Path) -> None:
    drifted = tmp_path / "drifted.sqlite3"
    with gzip.open(SQLITE_BACKUP) as packed, drifted.open("wb") as out:
        shutil.copyfileobj(packed, out)
    with closing(sqlite3.connect(drifted)) as database:
        database.execute("DROP TABLE barriers_historicalbarrier")  # lost by hand, say

    out = io.StringIO()
    outcome = upgrade_check(drifted, out=out)

    report = out.getvalue()
    assert outcome.exit_code == 1, report
    assert "`manage.py migrate --no-input` exited with status 1" in outcome.reason
    assert "barriers_historicalbarrier" in outcome.reason
    assert "Verdict: FAILED. Do not upgrade" in report
    assert outcome.dropped
    assert not Path(outcome.location).exists()


def test_random_bytes_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    junk = tmp_path / "backup.bin"
    junk.write_bytes(b"\x00junk" + random.Random(21).randbytes(4096))

    assert main([str(junk)]) == 2

    report = capsys.readouterr().out
    assert "is not a backup this check knows" in report
    assert "Verdict: NOT CHECKED." in report


def test_a_backup_data_xml_file_is_refused_with_the_reason(tmp_path: Path) -> None:
    xml = tmp_path / "backup.xml"
    xml.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<django-objects version="1.0"><object model="deviations.unit" pk="1">'
        '<field name="name" type="CharField">MIA Täby</field></object></django-objects>\n',
        encoding="utf-8",
    )
    done = subprocess.run(  # noqa: S603 - the command as `make upgrade-check` runs it
        [sys.executable, "deploy/upgrade_check.py", str(xml)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "XML backup from `manage.py backup_data`" in done.stdout
    assert "cannot rehearse an upgrade" in done.stdout


def test_a_damaged_sqlite_file_is_refused(tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.sqlite3"
    damaged.write_bytes(b"SQLite format 3\x00" + random.Random(3).randbytes(8192))
    out = io.StringIO()

    outcome = upgrade_check(damaged, out=out)

    assert outcome.exit_code == 2
    assert "SQLite backup" in outcome.reason
    assert outcome.dropped


def test_a_postgresql_dump_without_a_server_is_refused_clearly() -> None:
    out = io.StringIO()

    outcome = upgrade_check(PG_BACKUP, database_url=None, out=out)

    assert outcome.exit_code == 2
    assert "DATABASE_URL is not set" in outcome.reason
    assert "Verdict: NOT CHECKED." in out.getvalue()


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (b"SQLite format 3\x00" + bytes(100), SQLITE_FILE),
        (b"PGDMP\x01\x0f\x00", PG_ARCHIVE),
        (b"toc.dat".ljust(257, b"\x00") + b"ustar\x0000", PG_ARCHIVE),
        (b"--\n-- PostgreSQL database dump\n--\n\nSET statement_timeout = 0;\n", PG_SQL),
        (b"PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\nCOMMIT;\n", SQLITE_SQL),
    ],
)
@pytest.mark.parametrize("packed", [False, True])
def test_the_kind_is_read_from_the_first_bytes(
    tmp_path: Path, content: bytes, kind: str, packed: bool
) -> None:
    path = tmp_path / "backup.any"  # the name says nothing
    path.write_bytes(gzip.compress(content) if packed else content)

    backup = backup_detect(path, tmp_path)

    assert (backup.kind, backup.compressed) == (kind, packed)


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"", "is empty"),
        (b"\x1f\x8b\x08\x00 not really gzip", "cannot be unpacked"),
        (b"media/a.pdf".ljust(257, b"\x00") + b"ustar\x0000", "not a pg_dump one"),
    ],
)
def test_what_is_no_backup_is_refused(tmp_path: Path, content: bytes, says: str) -> None:
    path = tmp_path / "backup"
    path.write_bytes(content)
    with pytest.raises(RefusedError, match=says):
        backup_detect(path, tmp_path / "work")


# -- PostgreSQL ----------------------------------------------------------------------------


@pytest.fixture
def server_url(db: None) -> str:
    """The test run's PostgreSQL server, as DATABASE_URL would name it."""
    s = connection.settings_dict
    host = quote(s["HOST"] or "localhost", safe="")
    user, password = quote(s["USER"], safe=""), quote(s["PASSWORD"] or "", safe="")
    return f"postgres://{user}:{password}@{host}:{s['PORT'] or 5432}/{s['NAME']}"


def _throwaways() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT datname FROM pg_database WHERE starts_with(datname, %s)", [THROWAWAY_PREFIX]
        )
        return {name for (name,) in cursor.fetchall()}


@postgres_only
def test_the_previous_release_on_postgresql_upgrades_and_is_dropped(server_url: str) -> None:
    out = io.StringIO()

    outcome = upgrade_check(PG_BACKUP, database_url=server_url, out=out)

    _assert_upgraded(outcome, out.getvalue())
    assert outcome.location.startswith(THROWAWAY_PREFIX)
    assert outcome.dropped
    assert outcome.location not in _throwaways()


@postgres_only
def test_a_plain_sql_dump_gzipped_upgrades_too(server_url: str, tmp_path: Path) -> None:
    plain = subprocess.run(  # noqa: S603 - pg_restore turns the archive into pg_dump's SQL
        [shutil.which("pg_restore") or "pg_restore", "--file=-", str(PG_BACKUP)],
        capture_output=True,
        check=True,
    ).stdout
    backup = tmp_path / "knutpunkt.sql.gz"
    backup.write_bytes(gzip.compress(plain))
    out = io.StringIO()

    outcome = upgrade_check(backup, database_url=server_url, out=out)

    assert outcome.ok, out.getvalue()
    assert outcome.kind == PG_SQL
    assert set(outcome.applied) >= NEW_MIGRATIONS
    assert outcome.location not in _throwaways()


@postgres_only
def test_a_damaged_dump_is_refused_and_its_database_dropped(
    server_url: str, tmp_path: Path
) -> None:
    damaged = tmp_path / "knutpunkt.dump"
    damaged.write_bytes(b"PGDMP" + random.Random(5).randbytes(4096))
    before = _throwaways()
    out = io.StringIO()

    outcome = upgrade_check(damaged, database_url=server_url, out=out)

    assert outcome.exit_code == 2, out.getvalue()
    assert "The backup does not restore (pg_restore exited" in outcome.reason
    assert outcome.location.startswith(THROWAWAY_PREFIX)
    assert outcome.dropped
    assert _throwaways() == before - {outcome.location}


def test_the_report_leaves_out_the_data_in_a_failing_steps_output() -> None:
    """PostgreSQL quotes rows in its errors; the report is passed on, so they are left out."""
    from deploy.upgrade_check import _tail

    said = _tail(
        'ERROR:  could not create unique index "deviation_email"\n'
        "DETAIL:  Key (email)=(anna.svensson@example.se) is duplicated.\n"
        'CONTEXT:  COPY deviations_deviation, line 12: "1\tAV-2026-1\tringde 070-123 45 67"\n'
        "ERROR:  value 19121212-1212 out of range\n"
    )
    assert "anna.svensson" not in said
    assert "070-123" not in said
    assert "19121212" not in said
    assert "Key (email)=(…) is duplicated" in said  # what failed is still said
    assert "COPY deviations_deviation, line 12 (row left out)" in said
