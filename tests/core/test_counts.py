"""Kept counts of long lists (core.counts, issue 19): kept while nothing they read changed, and
right after every kind of write, on both databases."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.cache import caches
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from core.counts import CACHE, count_kept, table_stamps_ensure
from core.history import history_copy
from core.rows import rows_insert
from deviations.models import Deviation
from tests.factories import DeviationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    caches[CACHE].clear()


def _counts(queryset: Any) -> tuple[int, int]:
    """(the kept count, how many COUNT statements it took)."""
    with CaptureQueriesContext(connection) as queries:
        kept = count_kept(queryset)
    return kept, sum("COUNT(" in q["sql"].upper() for q in queries.captured_queries)


def test_a_count_is_kept_until_the_table_is_written_by_any_path(taby_unit: Any) -> None:
    DeviationFactory.create_batch(3, unit=taby_unit)
    submitted = Deviation.objects.filter(status=Deviation.Status.SUBMITTED)
    assert _counts(submitted) == (3, 1)
    assert _counts(submitted) == (3, 0)  # kept

    one = Deviation.objects.first()
    one.status = Deviation.Status.TRIAGED
    one.save()  # the ORM
    assert _counts(submitted) == (2, 1)
    assert _counts(submitted) == (2, 0)

    with connection.cursor() as cursor:  # raw SQL, as barriers' bulk status changes write
        table = connection.ops.quote_name(Deviation._meta.db_table)
        cursor.execute(f"UPDATE {table} SET status = %s", ["submitted"])  # noqa: S608
    assert _counts(submitted) == (3, 1)

    template = Deviation.objects.values().first()
    del template["id"]
    rows_insert(Deviation, [{**template, "reference": "AV-COUNT-1", "idempotency_key": None}])
    assert _counts(submitted) == (4, 1)  # a bulk insert

    Deviation.objects.filter(reference="AV-COUNT-1").delete()
    assert _counts(submitted) == (3, 1)
    Deviation.objects.filter(pk=one.pk).update(status=Deviation.Status.CLOSED)
    assert _counts(submitted) == (2, 1)


def test_a_count_made_in_a_rolled_back_transaction_is_never_served(taby_unit: Any) -> None:
    DeviationFactory.create_batch(2, unit=taby_unit)
    every = Deviation.objects.all()
    assert _counts(every) == (2, 1)
    inside = []

    def file_count_and_fail() -> None:
        with transaction.atomic():
            DeviationFactory(unit=taby_unit)
            inside.append(_counts(every))
            raise RuntimeError

    with pytest.raises(RuntimeError):
        file_count_and_fail()
    assert inside == [(3, 1)]
    assert count_kept(every) == 2
    DeviationFactory(unit=taby_unit)
    assert _counts(every) == (3, 1)


def test_a_count_reading_a_table_without_a_stamp_is_counted_every_time(
    taby_unit: Any,
) -> None:
    DeviationFactory.create_batch(2, unit=taby_unit)
    by_unit = Deviation.objects.filter(unit__name=taby_unit.name)  # joins the units
    assert _counts(by_unit) == (2, 1)
    assert _counts(by_unit) == (2, 1)


def test_the_stamp_triggers_come_back_after_a_table_lost_them(taby_unit: Any) -> None:
    """SQLite drops a table's triggers when a migration rebuilds it; every migrate ends by
    putting them back (the post_migrate signal calls this)."""
    table = Deviation._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f'DROP TRIGGER core_table_stamp ON "{table}"')
        else:
            for event in ("insert", "update", "delete"):
                cursor.execute(f"DROP TRIGGER {table}_stamp_{event}")
    table_stamps_ensure()
    every = Deviation.objects.all()
    assert _counts(every) == (0, 1)
    DeviationFactory(unit=taby_unit)
    assert _counts(every) == (1, 1)


def test_history_copies_do_not_touch_the_stamp_of_the_lists(taby_unit: Any) -> None:
    """Only the tables a count reads matter: writing the audit history keeps the count."""
    deviation = DeviationFactory(unit=taby_unit)
    every = Deviation.objects.all()
    assert _counts(every) == (1, 1)
    history_copy(Deviation, [deviation.pk], user_id=None, reason="", when=deviation.reported_at)
    assert _counts(every) == (1, 0)


def test_a_list_that_cannot_hold_anything_counts_none(taby_unit: Any) -> None:
    DeviationFactory(unit=taby_unit)
    assert count_kept(Deviation.objects.filter(pk__in=[])) == 0
    assert count_kept(Deviation.objects.none()) == 0


def test_the_list_as_an_analyst_reads_it_is_kept(analyst: Any, taby_unit: Any) -> None:
    """The deviation list joins units and people for its rows (select_related); its count reads
    the deviations alone, so it is kept."""
    from deviations.selectors import deviation_list

    DeviationFactory.create_batch(2, unit=taby_unit)
    listed = deviation_list(user=analyst)
    assert _counts(listed) == (2, 1)
    assert _counts(listed) == (2, 0)


def test_many_kept_counts_never_push_the_analysis_tables_out_of_memory(taby_unit: Any) -> None:
    """The per-filter deviation tables live in the "local" cache (300 entries); a person who
    clicks through hundreds of filters must not evict them, so counts have a cache of their own."""
    DeviationFactory(unit=taby_unit)
    caches["local"].set("a-big-table", "kept")
    for days in range(400):
        count_kept(Deviation.objects.filter(occurred_on__gte=date(2020, 1, 1) + timedelta(days)))
    assert caches["local"].get("a-big-table") == "kept"
