"""One door for changed tags: every path that writes tags announces `tags_changed`, and the
barriers take new evidence at once, also from imports and admin edits (no daily wait)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from barriers.models import Barrier
from barriers.services import barrier_create
from deviations.imports import deviations_import, read_rows
from deviations.models import Deviation, Tagging, User
from deviations.services import deviations_retag
from deviations.signals import tags_changed
from deviations.triage import TriageDecision, deviation_triage
from tests.barriers.conftest import KNOT_TAGS, FileDeviations
from tests.factories import tag_decide

CSV = (
    "external_id,occurred_on,municipality,unit,description,category,severity,gender,age_band,tags\n"
    "door-1,2026-03-01,Täby,MIA Täby,Af och FK är oeniga om arbetsförmågan vid dag 180.,"
    "work_capacity,3,kvinna,30-39,agency:AF;agency:FK;prov:2010:110#K27P48\n"
)


@pytest.fixture
def announced() -> Iterator[list[list[int]]]:
    calls: list[list[int]] = []

    def receiver(*, deviation_ids: list[int], **_: Any) -> None:
        calls.append(list(deviation_ids))

    tags_changed.connect(receiver, dispatch_uid="test.announced")
    yield calls
    tags_changed.disconnect(dispatch_uid="test.announced")


def test_filing_announces_and_packs(
    file_deviations: FileDeviations, announced: list[list[int]]
) -> None:
    (deviation,) = file_deviations(1)
    assert announced == [[deviation.pk]]
    deviation.refresh_from_db()
    # The law a provision belongs to is implied (docs/contracts.md §1).
    assert deviation.confirmed_tags == ";".join(sorted({*KNOT_TAGS, "law:2010:110"}))


def test_triage_and_a_decision_announce(
    file_deviations: FileDeviations, analyst: User, announced: list[list[int]]
) -> None:
    (deviation,) = file_deviations(1, tags=[])
    Tagging.objects.create(
        deviation=deviation,
        tag_id="agency:FK",
        kind=Tagging.Kind.AGENCY,
        origin=Tagging.Origin.TAGGER,
    )
    announced.clear()
    deviation_triage(
        deviation=deviation, decision=TriageDecision(confirm=["agency:FK"]), by=analyst
    )
    assert announced == [[deviation.pk]]
    deviation.refresh_from_db()
    assert deviation.confirmed_tags == "agency:FK"
    tagging = deviation.taggings.get(tag_id="agency:FK")
    tag_decide(tagging=tagging, state=Tagging.State.REJECTED, by=analyst)
    assert announced[-1] == [deviation.pk]
    deviation.refresh_from_db()
    assert deviation.confirmed_tags == ""


def test_retag_announces_each_batch(
    file_deviations: FileDeviations, announced: list[list[int]]
) -> None:
    deviations = file_deviations(3)
    announced.clear()
    deviations_retag(deviations=Deviation.objects.order_by("pk"), batch_size=2)
    assert announced == [[d.pk for d in deviations[:2]], [deviations[2].pk]]


def test_an_import_becomes_evidence_at_once(
    analyst: User, file_deviations: FileDeviations, announced: list[list[int]]
) -> None:
    barrier = barrier_create(by=analyst, title="Dag 180", tags=list(KNOT_TAGS))
    announced.clear()
    report = deviations_import(
        rows=read_rows(io.BytesIO(CSV.encode()), filename="a.csv"), by=analyst
    )
    assert report.ok, report.errors
    imported = Deviation.objects.get(external_id="door-1")
    assert announced == [[imported.pk]]
    assert barrier.evidence_rows.filter(deviation=imported).exists()


def test_an_admin_edit_becomes_evidence_at_once(
    admin_user: User, analyst: User, file_deviations: FileDeviations, announced: list[list[int]]
) -> None:
    (deviation,) = file_deviations(1, tags=["agency:AF", "agency:FK"])
    barrier = barrier_create(by=analyst, title="Dag 180", tags=list(KNOT_TAGS))
    assert not barrier.evidence_rows.exists()
    client = Client()
    client.force_login(admin_user)
    url = reverse("admin:deviations_deviation_change", args=[deviation.pk])
    page = client.get(url)
    form = page.context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    when = timezone.localtime(deviation.reported_at)  # the admin splits it into two inputs
    data.pop("reported_at")
    data |= {"reported_at_0": when.date().isoformat(), "reported_at_1": when.strftime("%H:%M:%S")}
    inline = page.context["inline_admin_formsets"][0].formset
    existing = list(deviation.taggings.order_by("pk"))
    prefix = inline.prefix
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": str(len(existing) + 1),
            f"{prefix}-INITIAL_FORMS": str(len(existing)),
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        }
    )
    for index, tagging in enumerate(existing):
        for name in ("tag_id", "kind", "state", "origin", "rule"):
            data[f"{prefix}-{index}-{name}"] = getattr(tagging, name)
        data[f"{prefix}-{index}-confidence"] = tagging.confidence or ""
        data[f"{prefix}-{index}-id"] = tagging.pk
        data[f"{prefix}-{index}-deviation"] = deviation.pk
    new = len(existing)
    data.update(
        {
            f"{prefix}-{new}-tag_id": "prov:2010:110#K27P48",
            f"{prefix}-{new}-kind": Tagging.Kind.PROVISION,
            f"{prefix}-{new}-state": Tagging.State.CONFIRMED,
            f"{prefix}-{new}-origin": Tagging.Origin.PERSON,
            f"{prefix}-{new}-deviation": deviation.pk,
        }
    )
    announced.clear()
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    assert announced == [[deviation.pk]]
    assert barrier.evidence_rows.filter(deviation=deviation).exists()
    assert Barrier.objects.get(pk=barrier.pk).evidence_rows.count() == 1
