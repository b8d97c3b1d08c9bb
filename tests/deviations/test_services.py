"""Filing and tag decisions: references, implied laws, place checks and the audit history."""

from datetime import date

import pytest

from catalogue.models import Municipality
from core.errors import DomainError
from deviations.models import Deviation, Tagging, Unit, User
from deviations.services import (
    DeviationInput,
    TagInput,
    deviation_file,
    deviations_file_many,
    reference_allocate,
)
from tests.factories import tag_decide


def _input(unit: Unit, **overrides: object) -> DeviationInput:
    values: dict[str, object] = {
        "occurred_on": date(2026, 3, 2),
        "unit": unit,
        "municipality": Municipality.objects.get(code="0160"),
        "description": "Af kräver inskrivning men FK har bedömt arbetsförmågan annorlunda.",
        "category": "work_capacity",
        "severity": 3,
        "tags": (TagInput("prov:2010:110#K27P48", rule="test"), TagInput("agency:FK")),
    }
    values.update(overrides)
    return DeviationInput(**values)  # type: ignore[arg-type]


@pytest.mark.django_db
def test_references_are_consecutive_per_year() -> None:
    assert reference_allocate(year=2031) == ["AV-2031-00001"]
    assert reference_allocate(year=2031, count=2) == ["AV-2031-00002", "AV-2031-00003"]
    assert reference_allocate(year=2032) == ["AV-2032-00001"]


def test_filing_adds_the_law_a_provision_implies(staff: User, taby_unit: Unit) -> None:
    deviation = deviation_file(by=staff, data=_input(taby_unit))
    assert set(deviation.taggings.values_list("tag_id", flat=True)) == {
        "prov:2010:110#K27P48",
        "law:2010:110",
        "agency:FK",
    }
    assert deviation.reference.startswith("AV-")
    assert deviation.status == Deviation.Status.SUBMITTED


def test_filing_outside_the_units_municipalities_is_refused(staff: User, taby_unit: Unit) -> None:
    data = _input(taby_unit, municipality=Municipality.objects.get(code="0180"))
    with pytest.raises(DomainError) as excinfo:
        deviation_file(by=staff, data=data)
    assert excinfo.value.code == "municipality_outside_unit"
    assert not Deviation.objects.exists()


def test_malformed_tag_is_refused_and_nothing_is_stored(staff: User, taby_unit: Unit) -> None:
    with pytest.raises(DomainError) as excinfo:
        deviation_file(by=staff, data=_input(taby_unit, tags=(TagInput("law:SFB"),)))
    assert excinfo.value.code == "invalid_tag"
    assert not Deviation.objects.exists()


def test_severity_outside_1_to_4_is_refused(staff: User, taby_unit: Unit) -> None:
    with pytest.raises(Exception, match="severity|Severity|Allvarlighetsgrad|allvarlighetsgrad"):
        deviation_file(by=staff, data=_input(taby_unit, severity=7))


def test_batch_filing_is_all_or_nothing(staff: User, taby_unit: Unit) -> None:
    good = _input(taby_unit, external_id="x-1")
    bad = _input(taby_unit, external_id="x-2", tags=(TagInput("nonsense"),))
    with pytest.raises(DomainError):
        deviations_file_many(
            by=staff, items=[good, bad], tag_origin="import", tag_state="confirmed"
        )
    assert not Deviation.objects.exists()


def test_batch_filing_numbers_by_reporting_year(staff: User, taby_unit: Unit) -> None:
    created = deviations_file_many(
        by=None,
        items=[_input(taby_unit, external_id=f"x-{i}") for i in range(3)],
        tag_origin="import",
        tag_state="confirmed",
    )
    numbers = [d.reference for d in created]
    assert numbers == sorted(numbers)
    assert len(set(numbers)) == 3
    assert all(d.taggings.filter(state="confirmed").count() == 3 for d in created)


def test_audit_history_records_who_changed_what(
    staff: User, analyst: User, taby_unit: Unit
) -> None:
    deviation = deviation_file(
        by=staff,
        data=_input(taby_unit),
        tag_origin=Tagging.Origin.TAGGER,
        tag_state=Tagging.State.SUGGESTED,
    )
    tagging = deviation.taggings.get(tag_id="agency:FK")
    tag_decide(tagging=tagging, state=Tagging.State.REJECTED, by=analyst)
    deviation.status = Deviation.Status.TRIAGED
    deviation._change_reason = "triaged"  # type: ignore[attr-defined]
    deviation.save()

    tag_history = list(tagging.history.order_by("history_date"))
    assert [h.state for h in tag_history] == ["suggested", "rejected"]
    assert tag_history[-1].decided_by_id == analyst.pk
    delta = deviation.history.first().diff_against(deviation.history.last())
    assert [(c.field, c.old, c.new) for c in delta.changes] == [("status", "submitted", "triaged")]


def test_packed_confirmed_tags_follow_every_decision(
    staff: User, analyst: User, taby_unit: Unit
) -> None:
    from deviations.services import tag_version

    deviation = deviation_file(by=staff, data=_input(taby_unit))
    assert deviation.confirmed_tags == "agency:FK;law:2010:110;prov:2010:110#K27P48"
    before = tag_version()
    tag_decide(tagging=deviation.taggings.get(tag_id="agency:FK"), state="rejected", by=analyst)
    deviation.refresh_from_db()
    assert deviation.confirmed_tags == "law:2010:110;prov:2010:110#K27P48"
    assert tag_version() == before + 1
