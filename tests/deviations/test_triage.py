"""Triage: decisions change tags and status, land in the audit history, and undo exactly."""

import pytest

from core.errors import DomainError, StateError
from deviations.models import Deviation, Tagging, Unit, User
from deviations.selectors import similar_deviations, triage_queue
from deviations.triage import (
    TriageDecision,
    deviation_triage,
    deviations_triage_bulk,
    triage_undo,
)
from tests.factories import DeviationFactory, TaggingFactory


@pytest.fixture
def reported(taby_unit: Unit) -> Deviation:
    deviation = DeviationFactory(unit=taby_unit)
    for tag_id in ("agency:FK", "agency:AF", "prov:2010:110#K27P48", "law:2010:110"):
        TaggingFactory(deviation=deviation, tag_id=tag_id, state="suggested", origin="tagger")
    return deviation


def _states(deviation: Deviation) -> dict[str, str]:
    return dict(deviation.taggings.values_list("tag_id", "state"))


def test_a_decision_confirms_rejects_adds_and_moves_on(reported: Deviation, analyst: User) -> None:
    action = deviation_triage(
        deviation=reported,
        decision=TriageDecision(
            confirm=["agency:FK", "prov:2010:110#K27P48"],
            reject=["agency:AF"],
            add=["agency:KOMMUN"],
            done=True,
        ),
        by=analyst,
    )
    reported.refresh_from_db()
    assert _states(reported) == {
        "agency:FK": "confirmed",
        "agency:AF": "rejected",
        "prov:2010:110#K27P48": "confirmed",
        "law:2010:110": "suggested",
        "agency:KOMMUN": "confirmed",
    }
    assert reported.status == Deviation.Status.TRIAGED
    assert reported.confirmed_tags == "agency:FK;agency:KOMMUN;prov:2010:110#K27P48"
    assert "avvisade Arbetsförmedlingen" in action.summary  # their words, in their language
    history = Tagging.history.filter(tag_id="agency:AF", state="rejected").get()
    assert history.history_user == analyst
    assert reported.history.latest().history_user == analyst


def test_undo_restores_the_state_before(reported: Deviation, analyst: User) -> None:
    before = _states(reported)
    action = deviation_triage(
        deviation=reported,
        decision=TriageDecision(confirm=["agency:FK"], add=["agency:CSN"], done=True),
        by=analyst,
    )
    triage_undo(action=action, by=analyst)
    reported.refresh_from_db()
    assert _states(reported) == before
    assert reported.status == Deviation.Status.SUBMITTED
    assert reported.confirmed_tags == ""
    with pytest.raises(StateError):
        triage_undo(action=action, by=analyst)


def test_undo_refuses_when_a_later_action_changed_things(
    reported: Deviation, analyst: User
) -> None:
    first = deviation_triage(
        deviation=reported, decision=TriageDecision(confirm=["agency:FK"]), by=analyst
    )
    deviation_triage(deviation=reported, decision=TriageDecision(reject=["agency:AF"]), by=analyst)
    with pytest.raises(StateError) as excinfo:
        triage_undo(action=first, by=analyst)
    assert excinfo.value.code == "changed_since"


def test_contradictions_and_unknown_tags_are_refused(reported: Deviation, analyst: User) -> None:
    with pytest.raises(DomainError):
        deviation_triage(
            deviation=reported,
            decision=TriageDecision(confirm=["agency:FK"], reject=["agency:FK"]),
            by=analyst,
        )
    with pytest.raises(DomainError):
        deviation_triage(
            deviation=reported, decision=TriageDecision(confirm=["agency:CSN"]), by=analyst
        )
    with pytest.raises(DomainError):
        deviation_triage(
            deviation=reported, decision=TriageDecision(duplicate_of=reported), by=analyst
        )
    assert set(_states(reported).values()) == {"suggested"}


def test_duplicate_marking_and_similar_suggestions(
    reported: Deviation, analyst: User, taby_unit: Unit
) -> None:
    twin = DeviationFactory(unit=taby_unit, description=reported.description)
    for tag_id in ("agency:FK", "prov:2010:110#K27P48"):
        TaggingFactory(deviation=twin, tag_id=tag_id)
    unrelated = DeviationFactory(unit=taby_unit, description="Helt annat ärende om CSN.")
    TaggingFactory(deviation=unrelated, tag_id="agency:CSN")
    similar = similar_deviations(deviation=reported, user=analyst)
    assert [d for d, _ in similar] == [twin]
    deviation_triage(
        deviation=reported, decision=TriageDecision(duplicate_of=twin, done=True), by=analyst
    )
    reported.refresh_from_db()
    assert reported.duplicate_of == twin


def test_bulk_confirms_every_suggestion_and_empties_the_queue(
    reported: Deviation, analyst: User, taby_unit: Unit
) -> None:
    other = DeviationFactory(unit=taby_unit)
    TaggingFactory(deviation=other, tag_id="agency:FK", state="suggested")
    assert list(triage_queue(user=analyst)) == [reported, other]
    actions = deviations_triage_bulk(
        deviations=[reported, other], by=analyst, confirm_suggestions=True, done=True
    )
    assert len(actions) == 2
    assert list(triage_queue(user=analyst)) == []
    assert set(_states(reported).values()) == {"confirmed"}
