"""Where analysis reads go (core.replica), without a database server: the replica's lag probe
and the connections are stand-ins. tests/replica/test_replica.py runs the same against a real
streaming replica."""

from __future__ import annotations

import json
import logging
import math
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.db import DatabaseError, OperationalError

from core import replica
from core.replica import (
    AnalysisRouter,
    analysis_call,
    analysis_database,
    analysis_reading,
    analysis_reads,
    primary_reads,
)

ROOT = Path(__file__).resolve().parents[2]
router = AnalysisRouter()


class _Connections(dict):
    """`django.db.connections` as core.replica uses it: by alias."""


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch, settings: Any) -> SimpleNamespace:
    """A configured replica whose lag the test sets (None: unreachable), and a primary whose
    `in_atomic_block` it sets; every probe is counted."""
    settings.DATABASE_REPLICA_MAX_LAG_SECONDS = 30
    settings.DATABASE_REPLICA_CHECK_SECONDS = 60
    state = SimpleNamespace(lag=0.5, probes=0)
    state.default = SimpleNamespace(in_atomic_block=False)
    state.replica = SimpleNamespace(errors_occurred=False, closed=0)
    state.replica.close = lambda: setattr(state.replica, "closed", state.replica.closed + 1)

    def probe() -> float | None:
        state.probes += 1
        return state.lag

    monkeypatch.setattr(replica, "replica_configured", lambda: True)
    monkeypatch.setattr(replica, "_lag_probe", probe)
    monkeypatch.setattr(
        replica, "connections", _Connections(default=state.default, replica=state.replica)
    )
    replica.forget()
    yield state
    replica.forget()


@pytest.fixture
def no_replica(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(replica, "replica_configured", lambda: False)
    replica.forget()


def test_a_replica_that_is_the_primary_itself_counts_as_none(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """DATABASE_REPLICA_URL equal to DATABASE_URL, or the test suite's mirror of the test
    database (whose queries pytest-django would refuse as another database's)."""
    primary = {"HOST": "db.example", "PORT": "5432", "NAME": "knutpunkt"}
    aliases = {"default": {}, "replica": {}}
    monkeypatch.setattr(replica, "settings", SimpleNamespace(DATABASES=aliases))

    def configured(**replica_settings: str) -> bool:
        monkeypatch.setattr(
            replica,
            "connections",
            _Connections(
                default=SimpleNamespace(settings_dict=primary),
                replica=SimpleNamespace(settings_dict={**primary, **replica_settings}),
            ),
        )
        return replica.replica_configured()

    assert configured() is False
    assert configured(HOST="replica.example") is True
    assert configured(PORT="5433") is True
    del aliases["replica"]
    assert configured(HOST="replica.example") is False


def test_reads_outside_an_analysis_block_are_left_to_django(world: SimpleNamespace) -> None:
    assert router.db_for_read(Group) is None
    assert analysis_database() == "default"
    assert world.probes == 0  # nobody asked the replica anything


def test_without_a_replica_analysis_reads_go_to_the_primary(no_replica: None) -> None:
    with analysis_reads():
        assert analysis_database() == "default"
        assert router.db_for_read(Group) == "default"


@pytest.mark.parametrize(
    ("lag", "alias"),
    [(0.0, "replica"), (29.9, "replica"), (30.1, "default"), (float("inf"), "default")],
)
def test_analysis_reads_go_to_a_replica_within_the_lag_limit(
    world: SimpleNamespace, lag: float, alias: str
) -> None:
    world.lag = lag
    with analysis_reads():
        assert router.db_for_read(Group) == alias
        assert analysis_database() == alias


def test_an_unreachable_replica_sends_analysis_reads_to_the_primary(
    world: SimpleNamespace,
) -> None:
    world.lag = None
    with analysis_reads():
        assert router.db_for_read(Group) == "default"


def test_writes_always_go_to_the_primary(world: SimpleNamespace) -> None:
    with analysis_reads():
        assert router.db_for_write(Group) == "default"
    assert router.db_for_write(Group) == "default"
    assert router.allow_migrate("default", "auth") is True
    assert router.allow_migrate("replica", "auth") is False
    assert router.allow_relation(object(), object()) is True


def test_the_shared_cache_is_never_read_from_the_replica(world: SimpleNamespace) -> None:
    cache_entry = SimpleNamespace(_meta=SimpleNamespace(app_label="django_cache"))
    with analysis_reads():
        assert router.db_for_read(cache_entry) is None  # Django's default: the primary


def test_inside_an_atomic_block_analysis_reads_stay_on_the_primary(
    world: SimpleNamespace,
) -> None:
    """The replica would not see what the block wrote."""
    with analysis_reads():
        assert analysis_database() == "replica"
        world.default.in_atomic_block = True
        assert router.db_for_read(Group) == "default"
        world.default.in_atomic_block = False
        assert router.db_for_read(Group) == "replica"


def test_a_block_begun_inside_an_atomic_block_stays_on_the_primary(
    world: SimpleNamespace,
) -> None:
    world.default.in_atomic_block = True
    with analysis_reads():
        assert analysis_database() == "default"
        world.default.in_atomic_block = False  # the transaction committed
        assert analysis_database() == "default"  # one block, one database


@pytest.mark.django_db
def test_a_written_transaction_reads_from_the_primary(
    world: SimpleNamespace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With Django's own connection: the test's transaction is an atomic block, written here."""
    from django.db import connections

    monkeypatch.setattr(
        replica, "connections", _Connections(default=connections["default"], replica=world.replica)
    )
    Group.objects.create(name="written in this transaction")
    with analysis_reads():
        assert router.db_for_read(Group) == "default"


def test_one_block_keeps_its_choice_and_asks_once(world: SimpleNamespace) -> None:
    with analysis_reads():
        assert analysis_database() == "replica"
        world.lag = 100.0
        replica.forget()  # even a new measurement does not move a block half way
        with analysis_reads():  # nested: the outer block's choice
            assert analysis_database() == "replica"
        assert analysis_database() == "replica"
    assert world.probes == 1
    with analysis_reads():
        assert analysis_database() == "default"


def test_the_lag_is_measured_again_after_the_check_interval(
    world: SimpleNamespace, settings: Any
) -> None:
    with analysis_reads():
        assert analysis_database() == "replica"
    world.lag = 100.0
    with analysis_reads():
        assert analysis_database() == "replica"  # remembered for a while
    settings.DATABASE_REPLICA_CHECK_SECONDS = 0
    with analysis_reads():
        assert analysis_database() == "default"
    assert world.probes == 2


def test_primary_reads_pin_the_primary_inside_an_analysis_block(world: SimpleNamespace) -> None:
    with analysis_reads():
        assert analysis_database() == "replica"
        with primary_reads():
            assert router.db_for_read(Group) == "default"
            with analysis_reads():
                assert analysis_database() == "default"
        assert analysis_database() == "replica"


def test_a_replica_failing_under_a_computation_is_retried_on_the_primary(
    world: SimpleNamespace, caplog: pytest.LogCaptureFixture
) -> None:
    seen = []

    @analysis_reading
    def compute(x: int) -> int:
        seen.append(analysis_database())
        if len(seen) == 1:
            world.replica.errors_occurred = True  # as Django marks the failed connection
            raise OperationalError("server closed the connection unexpectedly")
        return x * 2

    with caplog.at_level(logging.WARNING, logger="core.replica"):
        assert compute(21) == 42
    assert seen == ["replica", "default"]
    assert world.replica.closed == 1
    assert "replica unreachable" in caplog.text
    with analysis_reads():  # unusable until the next check
        assert analysis_database() == "default"


def test_an_error_on_the_primary_is_not_retried(world: SimpleNamespace) -> None:
    calls = []

    def compute() -> None:
        calls.append(analysis_database())
        raise DatabaseError("a mistake in the query")

    with pytest.raises(DatabaseError):
        analysis_call(compute)
    assert calls == ["replica"]  # the replica's connection had no error: not its fault


def test_an_unreachable_replica_is_logged_once(
    monkeypatch: pytest.MonkeyPatch, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """The real probe, against a connection that cannot connect; a warning, not an error."""
    settings.DATABASE_REPLICA_CHECK_SECONDS = 0

    class Gone:
        vendor = "postgresql"
        closed = 0

        def cursor(self) -> None:
            raise OperationalError('connection to server at "127.0.0.1", port 1 failed')

        def close(self) -> None:
            Gone.closed += 1

    monkeypatch.setattr(replica, "replica_configured", lambda: True)
    monkeypatch.setattr(
        replica,
        "connections",
        _Connections(default=SimpleNamespace(in_atomic_block=False), replica=Gone()),
    )
    replica.forget()
    with caplog.at_level(logging.INFO, logger="core.replica"):
        for _ in range(3):
            with analysis_reads():
                assert analysis_database() == "default"
    warnings = [r for r in caplog.records if r.name == "core.replica"]
    assert [r.levelname for r in warnings] == ["WARNING"]
    assert "port 1 failed" in warnings[0].getMessage()
    # Tried once: an unreachable replica is asked again only after UNREACHABLE_SECONDS, so
    # that not every request waits for its connect timeout.
    assert Gone.closed == 1
    monkeypatch.setattr(replica, "UNREACHABLE_SECONDS", 0.0)
    with analysis_reads():
        assert analysis_database() == "default"
    assert Gone.closed == 2
    assert len([r for r in caplog.records if r.name == "core.replica"]) == 1  # still once
    replica.forget()


def test_falling_behind_and_catching_up_are_logged_once_each(
    world: SimpleNamespace, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.DATABASE_REPLICA_CHECK_SECONDS = 0
    with caplog.at_level(logging.INFO, logger="core.replica"):
        for lag in (1.0, 45.0, 50.0, 2.0, 1.0):
            world.lag = lag
            replica.replica_lag()
    said = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "core.replica"]
    assert [level for level, _ in said] == ["WARNING", "INFO"]
    assert "45.0 s behind (limit 30 s)" in said[0][1]


def test_a_replica_cut_off_from_its_primary_is_not_used(
    world: SimpleNamespace, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """No WAL receiver: the probe cannot tell how far behind it is (infinity), so the reads
    go to the primary with a warning that says why; tests/replica cuts a real one off."""
    settings.DATABASE_REPLICA_CHECK_SECONDS = 0
    world.lag = math.inf
    with caplog.at_level(logging.INFO, logger="core.replica"):
        for _ in range(2):
            with analysis_reads():
                assert analysis_database() == "default"
    said = [r.getMessage() for r in caplog.records if r.name == "core.replica"]
    assert len(said) == 1
    assert "not receiving from its primary" in said[0]


def _settings(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("DATABASE_") and k not in ("DEBUG", "SECRET_KEY")
    }
    code = (
        "import json, knutpunkt.settings as s; "
        "r = s.DATABASES.get('replica', {}); "
        "print(json.dumps([sorted(s.DATABASES), r.get('TEST'), r.get('OPTIONS'), "
        "getattr(s, 'DATABASE_ROUTERS', []), s.DATABASE_REPLICA_MAX_LAG_SECONDS]))"
    )
    return subprocess.run(  # noqa: S603 - fixed interpreter and code
        [sys.executable, "-c", code],
        env={**clean, "DEBUG": "1", **env},
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )


def test_settings_add_the_replica_only_when_asked() -> None:
    plain = _settings(DATABASE_URL="postgres://u:p@127.0.0.1:5432/k")
    assert json.loads(plain.stdout) == [["default"], None, None, [], 30.0]
    both = _settings(
        DATABASE_URL="postgres://u:p@127.0.0.1:5432/k",
        DATABASE_REPLICA_URL="postgres://u:p@127.0.0.1:5433/k",
        DATABASE_REPLICA_MAX_LAG_SECONDS="2.5",
    )
    assert json.loads(both.stdout) == [
        ["default", "replica"],
        {"MIRROR": "default"},  # the test suite reads its test database through it
        {
            "connect_timeout": 5,
            "keepalives": 1,
            "keepalives_idle": 30,
            "keepalives_interval": 10,
            "keepalives_count": 3,
            "tcp_user_timeout": 60_000,
        },
        ["core.replica.AnalysisRouter"],
        2.5,
    ]
    alone = _settings(DATABASE_REPLICA_URL="postgres://u:p@127.0.0.1:5433/k")
    assert alone.returncode != 0
    assert "DATABASE_REPLICA_URL needs DATABASE_URL" in alone.stderr
