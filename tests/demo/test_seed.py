"""`seed_demo` and `create_demo_users`: deterministic, idempotent, and free of personal data."""

import re
from datetime import date

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory

from demo.setup import DEMO_USERS, demo_deviations_seed
from deviations.models import Deviation, Tagging, User

END = date(2026, 10, 31)


def _snapshot() -> list[tuple[object, ...]]:
    rows = Deviation.objects.order_by("reference").values_list(
        "reference",
        "external_id",
        "occurred_on",
        "municipality__code",
        "unit__name",
        "description",
        "category",
        "consequence",
        "severity",
        "gender",
        "age_band",
    )
    tags = sorted(Tagging.objects.values_list("deviation__reference", "tag_id", "state"))
    return [*rows, *tags]


@pytest.mark.django_db
def test_seed_is_deterministic_and_idempotent() -> None:
    assert demo_deviations_seed(n=120, seed=7, end=END) == 120
    first = _snapshot()
    assert demo_deviations_seed(n=120, seed=7, end=END) == 0
    assert _snapshot() == first
    Tagging.objects.all().delete()
    Deviation.objects.all().delete()
    from deviations.models import ReferenceCounter

    ReferenceCounter.objects.all().delete()
    demo_deviations_seed(n=120, seed=7, end=END)
    assert _snapshot() == first


@pytest.mark.django_db
def test_seeded_deviations_look_real_and_hold_no_personal_data() -> None:
    demo_deviations_seed(n=300, seed=1, end=END)
    deviations = list(Deviation.objects.select_related("unit", "municipality"))
    assert len(deviations) == 300
    assert len({d.municipality_id for d in deviations}) >= 15
    assert min(d.occurred_on for d in deviations) >= date(2023, 10, 1)
    assert max(d.occurred_on for d in deviations) <= END
    assert all(d.unit.municipalities.filter(pk=d.municipality_id).exists() for d in deviations)
    personnummer = re.compile(r"\b\d{6,8}[-+]?\d{4}\b")
    assert not [d.reference for d in deviations if personnummer.search(d.description)]
    assert Tagging.objects.confirmed().count() >= 3 * 300
    assert not Tagging.objects.exclude(state="confirmed").exists()


@pytest.mark.django_db
def test_seed_command_reports_what_it_did(capsys) -> None:
    call_command("seed_demo", deviations=20, seed=3, end=END)
    assert "20 deviations created" in capsys.readouterr().out


@pytest.mark.django_db
def test_demo_users_cover_every_role_and_can_log_in(capsys) -> None:
    call_command("create_demo_users")
    out = capsys.readouterr().out
    for spec in DEMO_USERS:
        assert spec.password in out
        user = authenticate(
            RequestFactory().post("/konto/logga-in/"),  # django-axes needs the request
            username=spec.username,
            password=spec.password,
        )
        assert isinstance(user, User)
        assert list(user.groups.values_list("name", flat=True)) == [spec.role]
    roles = {"staff", "analyst", "county_analyst", "steering", "admin"}
    assert {spec.role for spec in DEMO_USERS} == roles
    call_command("create_demo_users")
    assert User.objects.filter(username__in=[s.username for s in DEMO_USERS]).count() == len(
        DEMO_USERS
    )


@pytest.mark.django_db
def test_the_demo_shows_two_organisations_apart_and_the_county_together() -> None:
    """A newcomer signing in as `analytiker` sees Roslagen's deviations only, `analytiker2`
    Östra Södertörn's only, `lansanalytiker` the whole county's (README, docs/organisations.md)."""
    from deviations.selectors import deviation_list

    demo_deviations_seed(n=300, seed=5, end=END)
    call_command("create_demo_users")
    people = {u.username: u for u in User.objects.all()}
    seen = {
        name: set(deviation_list(user=people[name]).values_list("unit__forbund__slug", flat=True))
        for name in ("analytiker", "analytiker2", "lansanalytiker", "admin")
    }
    assert seen["analytiker"] == {"roslagen"}
    assert seen["analytiker2"] == {"ostra-sodertorn"}
    assert {"roslagen", "ostra-sodertorn"} < seen["lansanalytiker"]
    assert deviation_list(user=people["lansanalytiker"]).count() < Deviation.objects.count()
    assert deviation_list(user=people["admin"]).count() == Deviation.objects.count()
    local = people["lokaladmin"]
    assert not local.is_superuser
    assert local.organisation is not None
    assert local.organisation.slug == "roslagen"
