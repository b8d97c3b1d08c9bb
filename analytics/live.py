"""The installation's knots kept current in the process that computes them (issue 19).

The process that recomputes knots (the task worker in production) keeps one
`analytics.incremental.KnotState` for the default view. Each recomputation reads only the
deviations the one door for analysed data (`deviations.services.taggings_changed`) passed
since the last one (`DeviationChange`), brings the counts up to date with them, and hands the
kept table and counts to the engine, which then skips counting. So the knots after a filing
or a confirmation cost the gates and the evidence, not a reading of every deviation and a
count from scratch.

The state is built again from the database when there is none yet, on a new day, for other
parameters or another concordance, when deviations were removed, when a change cannot be
applied in place (a tag never seen), and when its number of deviations disagrees with the
database's (a change that bypassed the one door): the safety net for everything else.

Its reads stay on the primary, also where analysis reads go to a replica (core.replica). The
kept state is a cursor into the change log with the rows up to it, carried from call to call;
rows read from a replica behind the cursor would be older than it claims. A call wholly on a
replica behind the cursor finds the log shorter and rebuilds from every row, and the next one
on the primary moves the cursor forward again: with the replica's lag about its limit, every
call would read every row. On the primary each call reads only the changes since the last.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import date

from django.db.models import Max, Min
from django.utils import timezone

from analytics.extract import AnalysisFilter, deviation_table_keyed, filtered_deviations
from analytics.incremental import Change, KnotState, RebuildNeeded
from analytics.snapshot import snapshot_seen, snapshot_write
from analytics.types import DeviationTable, ItemsetCounts, KnotParams
from core.replica import primary_reads
from deviations.models import DeviationChange

logger = logging.getLogger(__name__)

_BATCH = 5000  # deviations read per query (within every database's parameter limit)
# Changes read on top of the snapshot before a new one is written (about 0.5 s at 1M rows).
SNAPSHOT_EVERY = 5000


@dataclass
class _Kept:
    state: KnotState
    seen: int  # the last DeviationChange applied
    built_on: date
    concepts: dict[str, str]


_lock = threading.Lock()
_kept: _Kept | None = None


def current(
    *, params: KnotParams, concepts: dict[str, str]
) -> tuple[DeviationTable, ItemsetCounts]:
    """The default view's table and itemset counts as the database holds them now."""
    global _kept
    with _lock, primary_reads():
        latest = DeviationChange.objects.aggregate(Max("id"))["id__max"] or 0
        kept = _kept
        if kept is None or not _usable(kept, params, concepts, latest):
            kept = _kept = _build(params, concepts, latest)
        elif latest > kept.seen:
            try:
                _catch_up(kept, latest)
            except RebuildNeeded as reason:
                logger.info("knot counts rebuilt: %s", reason)
                kept = _kept = _build(params, concepts, latest)
        return kept.state.table(), kept.state.counts()


def keeps() -> bool:
    """Whether this process keeps a state (the task worker does after its first knot job; a
    web process reads the snapshot instead of building one of its own)."""
    return _kept is not None


def forget() -> None:
    """Drop the kept state (tests, and after a restore of the database)."""
    global _kept
    with _lock:
        _kept = None


def _usable(kept: _Kept, params: KnotParams, concepts: dict[str, str], latest: int) -> bool:
    if kept.state.params != params or kept.concepts != concepts:
        return False
    if kept.built_on != timezone.localdate() or latest < kept.seen:
        return False  # a new day, or the change log was reset (a restored database)
    oldest = DeviationChange.objects.aggregate(Min("id"))["id__min"]
    return not (latest > kept.seen and oldest is not None and oldest > kept.seen + 1)


def _build(params: KnotParams, concepts: dict[str, str], latest: int) -> _Kept:
    # Every row, not the snapshot: the daily build is what puts right anything that went
    # around the one door, and the snapshot written from it starts afresh.
    table, keys = deviation_table_keyed(AnalysisFilter(), full=True)
    state = KnotState(table, keys, params=params, concepts=concepts)
    kept = _Kept(state=state, seen=latest, built_on=timezone.localdate(), concepts=concepts)
    _snapshot_refresh(kept, force=True)
    return kept


def _snapshot_refresh(kept: _Kept, *, force: bool = False) -> None:
    """Write the kept table for every process to read (analytics.snapshot) after a build and
    when more than SNAPSHOT_EVERY changes have passed since the last one."""
    written = snapshot_seen()
    if force or written is None or written > kept.seen or kept.seen - written > SNAPSHOT_EVERY:
        snapshot_write(kept.state.table(), kept.state.keys(), seen=kept.seen)


def _catch_up(kept: _Kept, latest: int) -> None:
    changed = list(
        DeviationChange.objects.filter(id__gt=kept.seen, id__lte=latest).values_list(
            "deviation_id", flat=True
        )
    )
    if None in changed:
        raise RebuildNeeded("deviations were removed")
    ids = sorted(set(changed))
    changes: list[Change] = []
    for start in range(0, len(ids), _BATCH):
        batch = ids[start : start + _BATCH]
        table, keys = deviation_table_keyed(AnalysisFilter(), ids=batch)
        records = dict(zip(keys.tolist(), table.records(), strict=True))
        # A deviation not read back has left the analysis (withdrawn, a duplicate).
        changes += [Change(pk, records.get(pk)) for pk in batch]
    kept.state.apply(changes)
    kept.seen = latest
    in_database = filtered_deviations(AnalysisFilter()).count()
    if in_database != kept.state.n:
        raise RebuildNeeded(
            f"{kept.state.n} deviations kept, {in_database} in the database: a change "
            "bypassed deviations.services.taggings_changed"
        )
    _snapshot_refresh(kept)
