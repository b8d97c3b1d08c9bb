"""The mandate ladder from the catalogue, deviations with confirmed tags, and knots over them."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import date
from typing import Any

import pytest
from django.utils import translation

from analytics.types import Knot
from barriers.catalogue import steering_groups_load
from barriers.models import SteeringGroup
from catalogue.models import Municipality
from deviations.models import Deviation, Unit, User
from deviations.services import DeviationInput, TagInput, deviation_file

# SFB 27 kap. 48 § (an act) with the two state agencies: the day-180 knot of docs/domain.md.
KNOT_TAGS = ("agency:AF", "agency:FK", "prov:2010:110#K27P48")

FileDeviations = Callable[..., list[Deviation]]


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    """Personas get a password; hashing it the production way costs ~0.5 s per user."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _mailers(settings: Any) -> None:
    """Django 6.1 mail goes through MAILERS; tests collect it in `mail.outbox`."""
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


@pytest.fixture(autouse=True)
def _english(settings: Any) -> Iterator[None]:
    """Assertions read the English source strings, whatever the Swedish catalogue says; mails
    are written in LANGUAGE_CODE, so that is English here too."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def ladder(db: None) -> dict[str, SteeringGroup]:
    """Every shipped ladder (the national level and each county's), loaded the way `make
    catalogue` does."""
    steering_groups_load()
    return {group.slug: group for group in SteeringGroup.objects.all()}


@pytest.fixture
def file_deviations(staff: User, taby_unit: Unit) -> FileDeviations:
    """File deviations as the staff persona (Täby) with these confirmed tags."""

    def file(
        count: int = 3,
        *,
        tags: Sequence[str] = KNOT_TAGS,
        occurred_on: date = date(2026, 3, 2),
        municipality: str = "0160",
        by: User = staff,
        unit: Unit = taby_unit,
    ) -> list[Deviation]:
        return [
            deviation_file(
                by=by,
                data=DeviationInput(
                    occurred_on=occurred_on,
                    unit=unit,
                    municipality=Municipality.objects.get(code=municipality),
                    description="FK drog in sjukpenningen och Af bedömer att hen inte kan arbeta.",
                    tags=tuple(TagInput(tag) for tag in tags),
                ),
            )
            for _ in range(count)
        ]

    return file


def make_knot(deviations: Sequence[Deviation], tags: Sequence[str] = KNOT_TAGS) -> Knot:
    """A knot as the engine reports it, over these deviations (the numbers do not matter here)."""
    days = [d.occurred_on for d in deviations]
    return Knot(
        tags=tuple(sorted(tags)),
        support=len(deviations),
        municipalities=len({d.municipality_id for d in deviations}),
        units=len({d.unit_id for d in deviations}),
        lift=3.0,
        expected=1.0,
        surplus=len(deviations) - 1.0,
        p_value=0.001,
        split=((sorted(tags)[0],), tuple(sorted(tags)[1:])),
        trend=0.1,
        trend_p=0.5,
        severity_weight=4.0,
        m_eff=1.0,
        score=1.0,
        first_seen=min(days),
        last_seen=max(days),
        deviations=tuple(sorted(d.reference for d in deviations)),
        monthly=(),
        local=True,
    )
