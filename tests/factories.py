"""factory_boy factories for single rows; state beyond one row is built through services."""

from __future__ import annotations

from datetime import date

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from catalogue.models import Municipality
from deviations.models import Deviation, Tagging, Unit, User
from deviations.services import reference_allocate
from deviations.triage import TriageDecision, deviation_triage


class UnitFactory(DjangoModelFactory[Unit]):
    class Meta:
        model = Unit
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Testteam {n}")

    @factory.post_generation
    def municipalities(
        self, create: bool, extracted: list[Municipality] | None, **kwargs: object
    ) -> None:
        if create:
            self.municipalities.set(extracted or [Municipality.objects.get(code="0160")])


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.django.Password("correct-horse-battery")

    @factory.post_generation
    def units(self, create: bool, extracted: list[Unit] | None, **kwargs: object) -> None:
        if create and extracted:
            self.units.set(extracted)

    @factory.post_generation
    def roles(self, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        from django.contrib.auth.models import Group

        if create and extracted:
            self.groups.set(Group.objects.filter(name__in=extracted))


class DeviationFactory(DjangoModelFactory[Deviation]):
    class Meta:
        model = Deviation

    reference = factory.LazyFunction(lambda: reference_allocate(year=2026)[0])
    occurred_on = date(2026, 3, 2)
    reported_at = factory.LazyFunction(timezone.now)
    unit = factory.SubFactory(UnitFactory)
    municipality = factory.LazyAttribute(lambda o: o.unit.municipalities.first())
    description = "FK drog in sjukpenningen vid dag 180 och Af bedömer att hen inte kan arbeta."
    category = "work_capacity"
    consequence = "no_income"
    severity = 3
    status = Deviation.Status.SUBMITTED


class TaggingFactory(DjangoModelFactory[Tagging]):
    class Meta:
        model = Tagging

    deviation = factory.SubFactory(DeviationFactory)
    tag_id = "agency:FK"
    kind = factory.LazyAttribute(lambda o: o.tag_id.split(":")[0].replace("prov", "provision"))
    origin = Tagging.Origin.PERSON
    state = Tagging.State.CONFIRMED
    confidence = 1.0
    rule = "test"


def tag_decide(*, tagging: Tagging, state: str, by: User) -> None:
    """Confirm or reject one tag the way an analyst does: through triage."""
    field = {Tagging.State.CONFIRMED: "confirm", Tagging.State.REJECTED: "reject"}[state]
    deviation_triage(
        deviation=tagging.deviation, decision=TriageDecision(**{field: [tagging.tag_id]}), by=by
    )
