"""Factories for single barrier rows; escalations and decisions come from the services (R15)."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from barriers.models import Barrier, MandateLevel, SteeringGroup
from catalogue.models import Agency, Municipality
from deviations.models import User


class SteeringGroupFactory(DjangoModelFactory[SteeringGroup]):
    class Meta:
        model = SteeringGroup
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"testgrupp-{n}")
    name = factory.Sequence(lambda n: f"Testgrupp {n}")
    level = SteeringGroup.Level.FORBUND_BOARD
    mandate = MandateLevel.LOCAL_ROUTINE
    verified = True

    @factory.post_generation
    def municipalities(self, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        if create and extracted:
            self.municipalities.set(Municipality.objects.filter(code__in=extracted))

    @factory.post_generation
    def agencies(self, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        if create and extracted:
            self.agencies.set(Agency.objects.filter(code__in=extracted))

    @factory.post_generation
    def members(self, create: bool, extracted: list[User] | None, **kwargs: object) -> None:
        if create and extracted:
            self.members.set(extracted)


class BarrierFactory(DjangoModelFactory[Barrier]):
    class Meta:
        model = Barrier

    title = factory.Sequence(lambda n: f"Systemhinder {n}")
    description = "Sjukpenningen upphör vid dag 180 medan Af bedömer att personen inte kan arbeta."
    mandate_level = MandateLevel.LOCAL_ROUTINE
    tags = factory.LazyFunction(lambda: ["agency:AF", "agency:FK"])
    status = Barrier.Status.IDENTIFIED
