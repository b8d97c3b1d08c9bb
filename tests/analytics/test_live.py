"""The default view's knot counts kept current from the one door's change log (analytics.live)."""

from __future__ import annotations

from datetime import date
from unittest import mock

import pytest

from analytics import live
from analytics.extract import deviation_table
from analytics.knots import count_itemsets, find_knots
from analytics.results import knot_result
from analytics.types import KnotParams
from catalogue.models import Municipality
from deviations.models import Deviation, Tagging, Unit, User
from deviations.services import (
    DeviationInput,
    TagInput,
    deviation_file,
    deviation_withdraw,
    taggings_changed,
)

PARAMS = KnotParams(min_support=3, min_municipalities=1)
KNOT = ("agency:AF", "agency:FK", "prov:2010:110#K27P48")
PLACES = ("0160", "0162")


@pytest.fixture
def file(staff: User, taby_unit: Unit):
    def filing(count: int, tags=KNOT, first: int = 0) -> list[Deviation]:
        return [
            deviation_file(
                by=staff,
                data=DeviationInput(
                    occurred_on=date(2026, 3, 2),
                    unit=taby_unit,
                    municipality=Municipality.objects.get(code=PLACES[(first + i) % 2]),
                    description="FK drog in sjukpenningen och Af bedömer att hen inte kan arbeta.",
                    tags=tuple(TagInput(tag) for tag in tags),
                ),
            )
            for i in range(count)
        ]

    return filing


def kept_equals_rebuilt() -> bool:
    table, counts = live.current(params=PARAMS, concepts={})
    fresh = deviation_table()
    assert table.references.tolist() == fresh.references.tolist()
    return counts.as_dict() == count_itemsets(fresh, params=PARAMS).as_dict()


def test_filing_withdrawal_and_tag_changes_are_applied_without_a_rebuild(file, staff: User) -> None:
    file(4)
    file(3, tags=("agency:FK", "agency:KOMMUN", "prov:2001:453#K4P1"))
    assert kept_equals_rebuilt()
    with mock.patch.object(live, "_build", wraps=live._build) as build:
        file(3, first=1)  # the knot gets more support, a new deviation per filing
        assert kept_equals_rebuilt()
        withdrawn = Deviation.objects.filter(municipality__code="0160").first()
        deviation_withdraw(deviation=withdrawn, by=staff, reason="Fel ärende")
        assert kept_equals_rebuilt()
        # A confirmed tag rejected afterwards, as the admin's tag editor does.
        changed = Deviation.objects.exclude(pk=withdrawn.pk).first()
        Tagging.objects.filter(deviation=changed, tag_id="agency:AF").update(
            state=Tagging.State.REJECTED
        )
        taggings_changed(deviation_ids=[changed.pk])
        assert kept_equals_rebuilt()
    build.assert_not_called()
    table, counts = live.current(params=PARAMS, concepts={})
    assert counts.as_dict()[KNOT] == 5  # 4 + 3 filed; one withdrawn, one lost agency:AF


def test_a_change_around_the_door_is_caught_by_the_count_and_rebuilt(file) -> None:
    file(5)
    assert kept_equals_rebuilt()
    sneaked = Deviation.objects.first()
    Deviation.objects.filter(pk=sneaked.pk).update(status=Deviation.Status.WITHDRAWN)
    with mock.patch.object(live, "_build", wraps=live._build) as build:
        file(1)  # the door is passed again: the kept count (6) disagrees with 5 in the database
        assert kept_equals_rebuilt()
    build.assert_called_once()


def test_removed_deviations_start_over(file) -> None:
    file(5)
    assert kept_equals_rebuilt()
    Deviation.objects.filter(pk=Deviation.objects.first().pk).delete()
    taggings_changed(deviation_ids=[])  # what the admin's delete does
    with mock.patch.object(live, "_build", wraps=live._build) as build:
        assert kept_equals_rebuilt()
    build.assert_called_once()


def test_the_default_view_knots_come_from_the_kept_counts(file) -> None:
    file(6)
    file(4, first=2)
    today = date(2026, 4, 1)
    with mock.patch("analytics.results.find_knots", wraps=find_knots) as engine:
        result = knot_result(today=today, use_cache=False)
        assert engine.call_args.kwargs["counts"] is not None
        # Other parameters are counted afresh: one kept state, for the default view's.
        knot_result(params=PARAMS, today=today, use_cache=False)
        assert engine.call_args.kwargs["counts"] is None
    fresh = find_knots(deviation_table(), today=today, concepts={})
    assert [k.tags for k in result.knots] == [k.tags for k in fresh]
    assert [k.deviations for k in result.knots] == [k.deviations for k in fresh]
    assert result.deviations == 10


def test_after_a_change_pages_get_the_last_figures_while_a_job_counts_again(file) -> None:
    from analytics import results
    from analytics.extract import AnalysisFilter
    from jobs.models import Job

    file(5)
    before = results.dashboard_figures(AnalysisFilter())
    graph_before = results.graph_result()
    queued: list[dict] = []
    with mock.patch.object(
        results, "job_enqueue", side_effect=lambda **job: queued.append(job)
    ) as enqueue:
        file(3, tags=("agency:FK", "agency:KOMMUN", "prov:2001:453#K4P1"))
        # The production worker has not run yet: the last figures, and a job to count again.
        assert results.dashboard_figures(AnalysisFilter()) == before
        assert results.graph_result().n_deviations == graph_before.n_deviations == 5
    assert enqueue.call_count == 2
    assert {job["params"]["what"] for job in queued} == {"figures", "graph"}
    for job in queued:
        results.figures_run(Job(kind=job["kind"], params=job["params"]), mock.Mock())
    after = {f.name: f for f in results.dashboard_figures(AnalysisFilter())}
    assert dict(after["agencies"].rows) != dict({f.name: f for f in before}["agencies"].rows)
    assert sum(count for _, count in after["monthly"].rows) == 8
    assert results.graph_result().n_deviations == 8


def test_the_snapshot_and_the_changes_since_read_as_every_row_does(file, staff: User) -> None:
    from analytics import extract
    from analytics.extract import deviation_table_keyed
    from analytics.models import TableSnapshot

    file(6)
    live.current(params=PARAMS, concepts={})  # the worker keeps the table: a snapshot
    assert TableSnapshot.objects.count() == 1
    file(2, tags=("agency:FK", "agency:KOMMUN", "prov:2001:453#K4P1"))
    deviation_withdraw(deviation=Deviation.objects.first(), by=staff, reason="Fel ärende")
    with mock.patch.object(extract, "_patched", wraps=extract._patched) as patched:
        table, keys = deviation_table_keyed()
    patched.assert_called_once()
    full, full_keys = deviation_table_keyed(full=True)
    assert keys.tolist() == full_keys.tolist()
    assert list(table.records()) == list(full.records())
    # A change around the door: the count disagrees, so every row is read again.
    Deviation.objects.filter(pk=keys[0]).update(status=Deviation.Status.WITHDRAWN)
    assert extract._from_snapshot() is None
    assert len(deviation_table_keyed()[0]) == len(full) - 1


def test_a_snapshot_older_than_a_day_is_not_read(file) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from analytics import extract
    from analytics.models import TableSnapshot

    file(3)
    live.current(params=PARAMS, concepts={})
    assert extract._from_snapshot() is not None
    # Older than the change log is sure to reach back: the changes since may be gone.
    TableSnapshot.objects.update(created_at=timezone.now() - timedelta(hours=25))
    assert extract._from_snapshot() is None


def test_an_emptied_snapshot_is_read_around(file) -> None:
    from analytics import extract
    from analytics.extract import deviation_table_keyed
    from analytics.models import TableSnapshot

    file(3)
    live.current(params=PARAMS, concepts={})
    TableSnapshot.objects.update(data=None)  # what scan_personal_data --redact does to a blob
    assert extract._from_snapshot() is None
    TableSnapshot.objects.update(data=b"not a snapshot")
    assert extract._from_snapshot() is None
    assert len(deviation_table_keyed()[0]) == 3


def test_a_snapshot_packs_and_unpacks_every_column() -> None:
    from analytics.snapshot import pack, unpack
    from analytics.types import DeviationTable

    table = DeviationTable.from_records(
        [
            ("AV-2026-00001", date(2026, 1, 5), "0160", 3, 2, "kvinna", ("agency:FK", "law:1")),
            ("AV-2026-00002", date(2026, 2, 1), "0162", 4, None, "", ()),
            ("Ärende-ö", date(2025, 12, 31), "0160", 3, 4, "man", ("agency:AF",)),
        ]
    )
    back, keys = unpack(pack(table, [3, 8, 21]))
    assert keys.tolist() == [3, 8, 21]
    assert list(back.records()) == list(table.records())
    assert back.vocabulary == table.vocabulary
    empty, no_keys = unpack(pack(DeviationTable.empty(), []))
    assert len(empty) == 0
    assert len(no_keys) == 0
