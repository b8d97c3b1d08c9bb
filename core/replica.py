"""Analysis reads from a streaming replica, when there is one (docs/replicas.md).

The knot engine, the statistics and the exports read many rows and may be a little behind:
inside `analysis_reads()` (or `analysis_call`) their queries go to the database alias
"replica", configured from DATABASE_REPLICA_URL, while everything else (sign-in, filing, the
shared cache, jobs) stays on the primary ("default"). Without a replica (or with one that is
the primary itself, as the test suite's mirror is), or when it is not usable, they go to the
primary as before.

Usable means reachable and at most DATABASE_REPLICA_MAX_LAG_SECONDS behind, measured on the
replica with one query and remembered by each process for DATABASE_REPLICA_CHECK_SECONDS. A
replica that cannot be reached is logged once as a warning (logger "core.replica"), and so
is one too far behind; the pages go on, from the primary.

Three rules keep a computation consistent:

- One block, one database. The choice is made at the block's first read and kept to its end
  (blocks nest: an inner one uses the outer one's choice), so one computation never mixes a
  primary's row count, say, with a replica's older rows.
- Read your own writes. Inside an atomic block on the primary the replica does not yet see
  what the block wrote, so reads there stay on the primary; Django cannot tell whether the
  block has written, so any atomic block counts. A block that starts inside one stays on the
  primary to its end.
- `primary_reads()` pins a block to the primary: for state kept across calls from a
  cursor into the change log (analytics.live), whose rows must never be older than its cursor.

`analysis_call` also survives a replica that fails under a computation (it went away since it
was last checked, or cancelled a long query for a conflict with recovery): the computation is
run once more on the primary, and the replica counts as unusable until the next check.

The router (`AnalysisRouter`, DATABASE_ROUTERS) sends the reads of analysis blocks to the
chosen database, every write to the primary, and migrates only the primary. The shared cache
(core.cache) is never read from the replica: results are written there and read back at once.
Model objects read in a block remember their database (Django's `_state.db`), and related
objects fetched from them later come from there too: analysis code hands on values.
"""

from __future__ import annotations

import functools
import logging
import math
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

logger = logging.getLogger(__name__)

REPLICA = "replica"
DEFAULT = DEFAULT_DB_ALIAS
MAX_LAG_SECONDS = 30.0  # DATABASE_REPLICA_MAX_LAG_SECONDS
CHECK_SECONDS = 5.0  # DATABASE_REPLICA_CHECK_SECONDS
UNREACHABLE_SECONDS = 60.0  # after an unreachable answer, before the next try
CACHE_APP_LABEL = "django_cache"  # Django's database cache's model (core.cache)

# How far behind the replica is, in seconds: 0 on a primary and when everything received has
# been replayed (an idle primary sends nothing, and the last replayed transaction may be old);
# otherwise the age of the last transaction replayed. NULL when it cannot tell: nothing
# replayed yet, or no WAL receiver connected to the primary. A standby cut off from its
# primary has replayed all it received and would otherwise look current for ever; its
# receiver row (pg_stat_wal_receiver, whose pid every role may see) is gone while it cannot
# connect.
LAG_SQL = (
    "SELECT CASE WHEN NOT pg_is_in_recovery() THEN 0 "
    "WHEN NOT EXISTS (SELECT 1 FROM pg_stat_wal_receiver) THEN NULL "
    "WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
    "ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp()) END"
)


@dataclass
class _Reads:
    alias: str | None = None  # chosen at the block's first read, then kept


_reads: ContextVar[_Reads | None] = ContextVar("core_replica_reads", default=None)


@contextmanager
def analysis_reads() -> Iterator[None]:
    """Mark the reads inside as analysis reads that may be a little behind (nestable)."""
    if _reads.get() is not None:
        yield
        return
    token = _reads.set(_Reads())
    try:
        yield
    finally:
        _reads.reset(token)


@contextmanager
def primary_reads() -> Iterator[None]:
    """The reads inside go to the primary, also within an analysis block."""
    token = _reads.set(_Reads(alias=DEFAULT))
    try:
        yield
    finally:
        _reads.reset(token)


def analysis_call[T](compute: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """`compute(*args, **kwargs)` inside `analysis_reads()`; if the replica fails under it,
    once more on the primary. Inside an outer block it only calls: the outer one retries."""
    if _reads.get() is not None:
        return compute(*args, **kwargs)
    reads = _Reads()
    token = _reads.set(reads)
    try:
        return compute(*args, **kwargs)
    except DatabaseError as error:
        if reads.alias != REPLICA or not connections[REPLICA].errors_occurred:
            raise
        replica_failed(error)
    finally:
        _reads.reset(token)
    with primary_reads():
        return compute(*args, **kwargs)


def analysis_reading[**P, T](function: Callable[P, T]) -> Callable[P, T]:
    """Decorator: the function's reads are analysis reads (`analysis_call`)."""

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        return analysis_call(function, *args, **kwargs)

    return wrapper


def replica_configured() -> bool:
    """A "replica" alias that is not the primary itself: DATABASE_REPLICA_URL equal to
    DATABASE_URL, or the test suite's mirror of the test database, reads as no replica."""
    if REPLICA not in settings.DATABASES:
        return False
    primary = connections[DEFAULT].settings_dict
    replica = connections[REPLICA].settings_dict
    return any(primary.get(key) != replica.get(key) for key in ("HOST", "PORT", "NAME"))


def analysis_database() -> str:
    """The alias analysis reads use here and now: "replica" inside an analysis block when a
    replica is configured and usable, else "default"."""
    reads = _reads.get()
    if reads is None or not replica_configured():
        return DEFAULT
    writing = connections[DEFAULT].in_atomic_block
    if reads.alias is None:
        reads.alias = DEFAULT if writing or not replica_usable() else REPLICA
    return DEFAULT if writing else reads.alias


def max_lag_seconds() -> float:
    return float(getattr(settings, "DATABASE_REPLICA_MAX_LAG_SECONDS", MAX_LAG_SECONDS))


def replica_usable() -> bool:
    """Reachable and at most DATABASE_REPLICA_MAX_LAG_SECONDS behind (checked now and then)."""
    lag = replica_lag()
    return lag is not None and lag <= max_lag_seconds()


_lock = threading.Lock()
_checked: tuple[float, float | None] | None = None  # (time.monotonic(), lag or None)
_reported = "usable"  # what was last logged: "usable", "behind", "cut off" or "unreachable"


def replica_lag() -> float | None:
    """Seconds behind, as this process last measured it (at most DATABASE_REPLICA_CHECK_SECONDS
    ago); None when the replica cannot be reached, infinity when it cannot tell."""
    global _checked
    interval = float(getattr(settings, "DATABASE_REPLICA_CHECK_SECONDS", CHECK_SECONDS))
    with _lock:  # one thread measures; the others wait for its answer
        if _checked is not None:
            # An unreachable replica is asked again only after a while: each try may wait for
            # the connect timeout, and a request pays for it.
            wait = interval if _checked[1] is not None else max(interval, UNREACHABLE_SECONDS)
            if time.monotonic() - _checked[0] < wait:
                return _checked[1]
        lag = _lag_probe()
        _checked = (time.monotonic(), lag)
    if lag is not None:
        _report_lag(lag)
    return lag


def _lag_probe() -> float | None:
    """One query on the replica (PostgreSQL; any other database counts as current)."""
    connection = connections[REPLICA]
    try:
        if connection.vendor != "postgresql":
            return 0.0
        with connection.cursor() as cursor:
            cursor.execute(LAG_SQL)
            row = cursor.fetchone()
    except DatabaseError as error:
        _report_unreachable(error)
        with suppress(DatabaseError):
            connection.close()
        return None
    if row is None or row[0] is None:
        return math.inf
    return max(0.0, float(row[0]))


def replica_failed(error: DatabaseError) -> None:
    """A read on the replica failed: unusable until the next check, connection closed."""
    global _checked
    with _lock:
        _checked = (time.monotonic(), None)
    _report_unreachable(error)
    with suppress(DatabaseError):
        connections[REPLICA].close()


def forget() -> None:
    """Measure again at the next read (tests, and after changing the replica)."""
    global _checked, _reported
    with _lock:
        _checked = None
        _reported = "usable"


def _report_unreachable(error: DatabaseError) -> None:
    global _reported
    if _reported != "unreachable":
        _reported = "unreachable"
        reason = (str(error).strip().splitlines() or [type(error).__name__])[0][:300]
        logger.warning("replica unreachable, analysis reads go to the primary: %s", reason)


def _report_lag(lag: float) -> None:
    global _reported
    limit = max_lag_seconds()
    if math.isinf(lag) and _reported != "cut off":
        _reported = "cut off"
        logger.warning(
            "replica not receiving from its primary (no WAL receiver), analysis reads go to "
            "the primary"
        )
    elif lag > limit and not math.isinf(lag) and _reported != "behind":
        _reported = "behind"
        logger.warning(
            "replica %.1f s behind (limit %g s), analysis reads go to the primary", lag, limit
        )
    elif lag <= limit and _reported != "usable":
        _reported = "usable"
        logger.info("replica usable again (%.1f s behind), analysis reads go to it", lag)


class AnalysisRouter:
    """DATABASE_ROUTERS: analysis reads to `analysis_database()`, everything else as before."""

    def db_for_read(self, model: type[Any], **hints: Any) -> str | None:
        if _reads.get() is None or model._meta.app_label == CACHE_APP_LABEL:
            return None
        return analysis_database()

    def db_for_write(self, model: type[Any], **hints: Any) -> str:
        return DEFAULT

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the same rows on both

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT  # the replica follows the primary's schema by streaming
