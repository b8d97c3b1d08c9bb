"""core.rows: many rows inserted as the ORM would have written them, on either database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core.rows import rows_insert
from deviations.models import DeviationChange, Draft, Tagging
from tests.factories import DeviationFactory

pytestmark = pytest.mark.django_db


def test_rows_read_back_as_the_orm_writes_them() -> None:
    """JSON, times and foreign keys prepared per column; defaults and `auto_now_add` filled."""
    deviation = DeviationFactory()
    decided = timezone.now() - timedelta(days=2)
    before = timezone.now()
    written = rows_insert(
        Tagging,
        [
            {"deviation_id": deviation.pk, "tag_id": "agency:FK", "kind": "agency",
             "origin": "import", "state": "confirmed", "rule": "imported",
             "spans": [[0, 2], [10, 12]], "decided_at": decided},
            {"deviation_id": deviation.pk, "tag_id": "law:2010:110", "kind": "law",
             "origin": "tagger", "confidence": 0.95, "rule": "SFS number"},
        ],
    )  # fmt: skip
    assert written == 2
    fk, law = deviation.taggings.order_by("tag_id")
    assert (fk.spans, fk.decided_at, fk.confidence, fk.state) == (
        [[0, 2], [10, 12]], decided, None, "confirmed"
    )  # fmt: skip
    assert (law.spans, law.state, law.decided_by_id, law.confidence) == (
        [],
        "suggested",
        None,
        0.95,
    )
    assert before <= law.created_at <= timezone.now()
    assert fk.created_at == law.created_at  # one time for the whole batch


def test_a_row_without_a_required_value_is_refused_before_anything_is_written() -> None:
    with pytest.raises(KeyError, match="Tagging.tag_id"):
        rows_insert(Tagging, [{"deviation_id": DeviationFactory().pk, "kind": "law"}])
    assert not Tagging.objects.exists()


def test_batches_beyond_one_statement_all_arrive(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("core.rows.BATCH", 3)
    assert rows_insert(DeviationChange, ({"deviation_id": n} for n in range(8))) == 8
    assert sorted(DeviationChange.objects.values_list("deviation_id", flat=True)) == list(range(8))


def test_a_callable_default_gives_every_row_its_own_value(staff) -> None:  # type: ignore[no-untyped-def]
    """A draft's key comes from a callable default: two rows, two keys, as the ORM gives."""
    assert rows_insert(Draft, [{"owner_id": staff.pk}, {"owner_id": staff.pk}]) == 2
    keys = list(Draft.objects.values_list("key", flat=True))
    assert len(set(keys)) == 2


def test_creation_time_is_now_whatever_the_row_says() -> None:
    """As bulk_create's pre_save: `auto_now_add` is the time of writing, never the caller's."""
    long_ago = timezone.now() - timedelta(days=400)
    rows_insert(DeviationChange, [{"deviation_id": 1, "at": long_ago}])
    assert DeviationChange.objects.get().at > long_ago + timedelta(days=399)
