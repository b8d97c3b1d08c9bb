"""Every long list's first page is read from an index in its order, not sorted from every
deviation (issue 19): the database's own plan must name the index."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from deviations.models import User
from deviations.selectors import deviation_list, triage_queue
from tests.factories import DeviationFactory

pytestmark = pytest.mark.django_db


def _plan(queryset: object) -> str:
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # A test table is tiny, where a scan is cheaper: ask whether the index serves.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL enable_seqscan = off")
                cursor.execute("SET LOCAL enable_sort = off")
                # Or it walks another index and sorts its ties (an incremental sort).
                cursor.execute("SET LOCAL enable_incremental_sort = off")
        return queryset.explain()  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("name", "index"),
    [
        ("triage", "deviation_triage_order"),
        ("list", "deviation_list_order"),
        ("newest", "deviation_newest_reports"),
    ],
)
def test_the_lists_read_their_first_page_from_an_index(
    analyst: User, taby_unit: object, name: str, index: str
) -> None:
    DeviationFactory.create_batch(30, unit=taby_unit)
    queries = {
        "triage": triage_queue(user=analyst)[:50],
        "list": deviation_list(user=analyst)[:50],
        "newest": deviation_list(user=analyst).order_by("-reported_at")[:10],
    }
    assert index in _plan(queries[name])
