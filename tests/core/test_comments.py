"""Comments: an analyst's question reaches the reporter and the answer comes back inside the
tool; a barrier's discussion is the analysts' and the deciding groups' (issue 16)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from core.models import Comment, Notification
from deviations.models import Deviation, Unit, User
from tests.factories import DeviationFactory, UserFactory


@pytest.fixture
def filed(staff: User, taby_unit: Unit) -> Deviation:
    return DeviationFactory(unit=taby_unit, reporter=staff)


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_question_reaches_the_reporter_and_the_answer_comes_back(
    filed: Deviation, analyst: User, staff: User
) -> None:
    url = reverse("deviations:comment", args=[filed.reference])
    asked = _client(analyst).post(url, {"text": "Vilket datum kom beslutet från FK?"})
    assert asked.status_code == 302
    (question,) = Notification.objects.filter(user=staff, kind="comment_deviation")
    assert "Vilket datum kom beslutet från FK?" in question.text
    assert question.url == reverse("deviations:detail", args=[filed.reference])
    reporter = _client(staff)
    page = reporter.get(question.url).content.decode()
    assert "Vilket datum kom beslutet från FK?" in page
    reporter.post(url, {"text": "Beslutet kom den 3 mars."})
    (answer,) = Notification.objects.filter(user=analyst, kind="comment_deviation")
    assert "Beslutet kom den 3 mars." in answer.text
    assert Comment.history.count() == 2  # in the audit history


def test_personal_data_is_refused_and_what_was_typed_stays(filed: Deviation, analyst: User) -> None:
    url = reverse("deviations:comment", args=[filed.reference])
    response = _client(analyst).post(url, {"text": "Ring 070-123 45 67 och fråga."})
    assert response.status_code == 400
    page = response.content.decode()
    assert "personuppgifter" in page
    assert "Ring 070-123 45 67 och fråga." in page
    assert not Comment.objects.exists()
    assert _client(analyst).post(url, {"text": "   "}).status_code == 400


def test_mentions_tell_only_those_who_may_see(
    filed: Deviation, analyst: User, other_unit_staff: User, staff: User
) -> None:
    colleague = UserFactory(username="kollega", roles=["analyst"])
    url = reverse("deviations:comment", args=[filed.reference])
    _client(staff).post(url, {"text": "Se detta @kollega och @other, tack."})
    assert Notification.objects.filter(user=colleague).count() == 1
    assert not Notification.objects.filter(user=other_unit_staff).exists()  # may not see it
    assert _client(other_unit_staff).post(url, {"text": "Hej"}).status_code == 404


def test_a_barrier_discussion_is_for_analysts_and_its_groups(
    analyst: User, staff: User, taby_unit: Unit
) -> None:
    from barriers.catalogue import steering_groups_load
    from barriers.models import Barrier, SteeringGroup
    from barriers.services import barrier_create, barrier_escalate, barrier_transition

    steering_groups_load()
    deviation = DeviationFactory(unit=taby_unit, reporter=staff)
    barrier = barrier_create(
        by=analyst, title="Dag 180", tags=["agency:FK"], deviations=[deviation]
    )
    barrier.analyst = analyst
    barrier.save()
    barrier_transition(barrier=barrier, status=Barrier.Status.ANALYSED, by=analyst)
    group = SteeringGroup.objects.get(slug="styrelse-roslagen")
    member = UserFactory(username="ledamot", roles=["steering"])
    group.members.add(member)
    barrier_escalate(barrier=barrier, group=group, due_on=None, by=analyst, override_reason="Test.")
    dossier = reverse("barriers:dossier", args=[barrier.pk])
    url = reverse("barriers:comment", args=[barrier.pk])
    assert "Skriv en kommentar" in _client(member).get(dossier).content.decode()
    assert (
        _client(member).post(url, {"text": "Kan analytikern ta fram fler exempel?"}).status_code
        == 302
    )
    assert Notification.objects.filter(user=analyst, kind="comment_barrier").count() == 1
    # The reporter reads the dossier but not the group's discussion.
    reporter_page = _client(staff).get(dossier).content.decode()
    assert "Kan analytikern ta fram fler exempel?" not in reporter_page
    assert _client(staff).post(url, {"text": "Hej"}).status_code == 403
