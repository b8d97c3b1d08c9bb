"""Demo units, users and deviations for `make run`: a realistic Knutpunkt to look at.

The synthetic content comes from demo.generator (pure); this module writes it through the
same services that real filing uses.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from catalogue.models import Forbund, Municipality
from core.roles import ADMIN, ANALYST, COUNTY_ANALYST, STAFF, STEERING, roles_ensure
from demo.generator import DemoDeviation, DemoUnit, generate_deviations
from deviations.models import Deviation, Tagging, Unit, User
from deviations.services import DeviationInput, TagInput, deviations_file_many

DEMO_PREFIX = "demo-"
# The demo is MIA's: the förbund of Stockholms län (SCB county 01). The other counties'
# municipalities and förbund are in the catalogue for their ladders, not for demo units.
DEMO_COUNTY = "01"


@dataclass(frozen=True, slots=True)
class DemoUserSpec:
    username: str
    password: str
    role: str
    first_name: str
    last_name: str
    unit_names: tuple[str, ...] = ()
    organisation: str = ""  # förbund slug; empty: the whole installation


# Synthetic accounts with well-known passwords: for demonstrations on one's own machine only.
# Two organisations side by side (Roslagen and Östra Södertörn), so the separation shows at
# once: each analyst sees their own förbund's deviations, the county analyst both.
DEMO_USERS = (
    DemoUserSpec(
        "personal", "avvikelse-demo-1", STAFF, "Demo", "Personal", ("MIA Roslagen",), "roslagen"
    ),
    DemoUserSpec(
        "personal2",
        "avvikelse-demo-2",
        STAFF,
        "Demo",
        "Personal Två",
        ("MIA Östra Södertörn",),
        "ostra-sodertorn",
    ),
    DemoUserSpec("analytiker", "knutar-demo-1", ANALYST, "Demo", "Analytiker", (), "roslagen"),
    DemoUserSpec(
        "analytiker2", "knutar-demo-2", ANALYST, "Demo", "Analytiker Två", (), "ostra-sodertorn"
    ),
    DemoUserSpec(
        "lansanalytiker", "lanet-demo-1", COUNTY_ANALYST, "Demo", "Länsanalytiker", (), "roslagen"
    ),
    DemoUserSpec("styrgrupp", "mandat-demo-1", STEERING, "Demo", "Styrgrupp"),
    DemoUserSpec(
        "lokaladmin", "lokal-demo-1", ADMIN, "Demo", "Lokal administratör", (), "roslagen"
    ),
    DemoUserSpec("admin", "admin-demo-1", ADMIN, "Demo", "Administratör"),
)


@transaction.atomic
def demo_units_ensure() -> list[Unit]:
    """One MIA team per förbund of the county, covering its members; a county-wide team for the
    rest of the county."""
    units = []
    covered: set[int] = set()
    county = Forbund.objects.filter(municipalities__code__startswith=DEMO_COUNTY).distinct()
    for forbund in county.prefetch_related("municipalities").order_by("name"):
        members = list(forbund.municipalities.all())
        if not members:
            continue
        unit, _created = Unit.objects.get_or_create(
            name=f"MIA {forbund.short_name or forbund.name}", defaults={"forbund": forbund}
        )
        unit.municipalities.set(members)
        covered.update(m.pk for m in members)
        units.append(unit)
    rest = list(Municipality.objects.filter(code__startswith=DEMO_COUNTY).exclude(pk__in=covered))
    if rest:
        unit, _created = Unit.objects.get_or_create(name="MIA Vidare länsgemensamt team")
        unit.municipalities.set(rest)
        units.append(unit)
    return units


@transaction.atomic
def demo_users_ensure(*, reset_passwords: bool = True) -> dict[str, User]:
    groups = roles_ensure()
    demo_units_ensure()
    users = {}
    for spec in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=spec.username,
            defaults={"first_name": spec.first_name, "last_name": spec.last_name},
        )
        if created or reset_passwords:
            user.set_password(spec.password)
        installation_admin = spec.role == ADMIN and not spec.organisation
        user.is_staff = installation_admin
        user.is_superuser = installation_admin
        user.organisation = (
            Forbund.objects.get(slug=spec.organisation) if spec.organisation else None
        )
        user.save()
        user.groups.set([groups[spec.role]])
        if spec.unit_names:
            units = list(Unit.objects.filter(name__in=spec.unit_names))
            if len(units) != len(spec.unit_names):
                raise LookupError(f"Demo units missing: {spec.unit_names}; load the catalogue.")
            user.units.set(units)
        users[spec.username] = user
    return users


def _reported_at(item: DemoDeviation) -> datetime:
    """Reported a few days after the event, in office hours; derived, so it is repeatable."""
    digest = hashlib.sha256(item.external_id.encode()).digest()
    day = item.occurred_on + timedelta(days=digest[0] % 8)
    moment = datetime.combine(day, time(8 + digest[1] % 9, digest[2] % 60))
    return timezone.make_aware(moment, timezone.get_default_timezone())


def demo_deviations_seed(*, n: int, seed: int, end: date, years: int = 3) -> int:
    """Generate and file synthetic deviations; ids already present are skipped, so reruns add
    nothing. Returns how many were created."""
    units = demo_units_ensure()
    by_name = {unit.name: unit for unit in units}
    municipalities = {m.code: m for m in Municipality.objects.all()}
    demo_units = [
        DemoUnit(name=u.name, municipalities=tuple(sorted(m.code for m in u.municipalities.all())))
        for u in units
    ]
    start = date(end.year - years, end.month, min(end.day, 28))
    generated = generate_deviations(n=n, seed=seed, units=demo_units, start=start, end=end)
    existing = set(
        Deviation.objects.filter(external_id__startswith=DEMO_PREFIX).values_list(
            "external_id", flat=True
        )
    )
    items = [
        DeviationInput(
            occurred_on=g.occurred_on,
            unit=by_name[g.unit],
            municipality=municipalities[g.municipality],
            description=g.description,
            category=g.category,
            consequence=g.consequence,
            severity=g.severity,
            gender=g.gender,
            age_band=g.age_band,
            external_id=g.external_id,
            reported_at=min(_reported_at(g), timezone.now()),
            tags=tuple(TagInput(tag_id=tag, confidence=1.0, rule="demo data") for tag in g.tags),
        )
        for g in generated
        if g.external_id not in existing
    ]
    items.sort(key=lambda item: (item.reported_at or timezone.now(), item.external_id or ""))
    deviations_file_many(
        by=None, items=items, tag_origin=Tagging.Origin.IMPORT, tag_state=Tagging.State.CONFIRMED
    )
    return len(items)
