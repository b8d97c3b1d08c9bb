"""A knot written up links its evidence in bulk (barriers.services._link, core.history), and
the audit trail is as whole as a row-by-row save would leave it."""

from __future__ import annotations

import pytest

from barriers.models import BarrierEvidence
from barriers.services import barrier_create_from_knot, barrier_evidence_add
from deviations.models import Deviation, User
from tests.barriers.conftest import FileDeviations, make_knot

pytestmark = pytest.mark.django_db


def test_every_linked_row_and_status_change_is_in_the_history(
    analyst: User, file_deviations: FileDeviations
) -> None:
    deviations = file_deviations(12)
    closed = deviations[0]
    Deviation.objects.filter(pk=closed.pk).update(status=Deviation.Status.CLOSED)
    barrier = barrier_create_from_knot(knot=make_knot(deviations), by=analyst)

    rows = BarrierEvidence.objects.filter(barrier=barrier)
    assert rows.count() == 12
    assert set(rows.values_list("how", flat=True)) == {BarrierEvidence.How.KNOT}
    assert set(rows.values_list("added_by", flat=True)) == {analyst.pk}
    created = BarrierEvidence.history.filter(barrier_id=barrier.pk)
    assert created.count() == 12
    assert set(created.values_list("history_type", flat=True)) == {"+"}
    assert set(created.values_list("history_user", flat=True)) == {analyst.pk}

    statuses = dict(
        Deviation.objects.filter(pk__in=[d.pk for d in deviations]).values_list("pk", "status")
    )
    assert statuses.pop(closed.pk) == Deviation.Status.CLOSED  # closed stays closed
    assert set(statuses.values()) == {Deviation.Status.LINKED}
    for pk in statuses:
        last = Deviation.history.filter(id=pk).order_by("-history_date", "-history_id").first()
        assert (last.status, last.history_type) == (Deviation.Status.LINKED, "~")
        assert last.history_user_id == analyst.pk
        assert last.history_change_reason == "linked to a barrier"
        assert last.description  # the whole row as it stood, not only the changed field
    assert not Deviation.history.filter(id=closed.pk, status=Deviation.Status.LINKED).exists()

    # Adding the same deviations again links nothing and writes no history.
    before = BarrierEvidence.history.count()
    assert barrier_evidence_add(barrier=barrier, deviations=deviations, by=analyst) == []
    assert BarrierEvidence.history.count() == before
