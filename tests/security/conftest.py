"""The world the permission matrix and the organisation tests share: Roslagen's deviation, barrier,
escalation, attachment, triage action, draft and export job, and the people of two förbund."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from barriers.catalogue import steering_groups_load
from barriers.models import Barrier
from barriers.services import barrier_create, barrier_escalate, barrier_transition
from catalogue.models import Forbund
from core.attachments import attachment_add
from deviations.models import Draft, Unit, User
from deviations.triage import TriageDecision, deviation_triage
from jobs.models import Job
from tests.factories import DeviationFactory, TaggingFactory, UserFactory


@pytest.fixture
def roslagen(db: None) -> Forbund:
    return Forbund.objects.get(slug="roslagen")


@pytest.fixture
def ostra_sodertorn(db: None) -> Forbund:
    return Forbund.objects.get(slug="ostra-sodertorn")


@pytest.fixture
def foreign_analyst(ostra_sodertorn: Forbund) -> User:
    return UserFactory(username="foreign", roles=["analyst"], organisation=ostra_sodertorn)


@pytest.fixture
def county_analyst(ostra_sodertorn: Forbund) -> User:
    return UserFactory(username="county", roles=["county_analyst"], organisation=ostra_sodertorn)


@pytest.fixture
def foreign_admin(ostra_sodertorn: Forbund) -> User:
    return UserFactory(username="localadmin", roles=["admin"], organisation=ostra_sodertorn)


@pytest.fixture
def world(
    staff: User,
    taby_unit: Unit,
    haninge_unit: Unit,
    analyst: User,
    steering_member: User,
    roslagen: Forbund,
    ostra_sodertorn: Forbund,
) -> dict[str, Any]:
    steering_groups_load()
    # Täby's team is Roslagen's, Haninge's is Östra Södertörn's; the analyst is Roslagen's.
    Unit.objects.filter(pk=taby_unit.pk).update(forbund=roslagen)
    Unit.objects.filter(pk=haninge_unit.pk).update(forbund=ostra_sodertorn)
    analyst.organisation = roslagen
    analyst.save()
    own = DeviationFactory(unit=taby_unit, reporter=staff)
    TaggingFactory(deviation=own, tag_id="agency:FK", state="suggested")
    DeviationFactory(unit=haninge_unit)
    barrier = barrier_create(
        by=analyst, title="Dag 180", tags=["agency:FK"], deviations=[own], mandate_level=1
    )
    barrier_transition(barrier=barrier, status=Barrier.Status.ANALYSED, by=analyst)
    escalation = barrier_escalate(
        barrier=barrier, group=None, due_on=timezone.localdate() + timedelta(days=3), by=analyst
    )
    escalation.group.members.add(steering_member)
    attachment = attachment_add(
        obj=barrier, upload=SimpleUploadedFile("protokoll.txt", b"Protokoll."), by=analyst
    )
    action = deviation_triage(
        deviation=own, decision=TriageDecision(confirm=["agency:FK"]), by=analyst
    )
    return {
        "own": own,
        "draft": Draft.objects.create(owner=staff, data={"description": "halvt"}),
        "job": Job.objects.create(
            kind="export",
            created_by=staff,
            status=Job.Status.SUCCEEDED,
            output=b"external_id\n",
            output_name="avvikelser.csv",
        ),
        "barrier": barrier,
        "group": escalation.group,
        "escalation": escalation,
        "attachment": attachment,
        "action": action,
        "unit": taby_unit,
        "person": staff,
    }
