"""Three organisations as the sites of a federation, with their identities and directory."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta

import pytest

from analytics.types import KnotParams
from catalogue.models import Forbund
from federation.identity import identity_new
from federation.models import Peer
from tests.factories import DeviationFactory, UnitFactory

TODAY = date(2026, 11, 30)
PARAMS = KnotParams(min_support=12)
ONLY_ROSLAGEN = "agency:FK;prov:2010:110#K27P48"
EVERYWHERE = "agency:AF;prov:2010:110#K28P1"
THIN = "agency:KOMMUN;prov:1993:387#K1P9"  # 6 per site: 18 in all, under 12 at every site
NOISE = ("agency:REGION", "agency:FK", "agency:AF", "agency:KOMMUN", "law:2010:110")
SITES = {"roslagen": 60, "ostra-sodertorn": 60, "hbs": 60}


@pytest.fixture
def organisations() -> dict[str, Forbund]:
    rng = random.Random(5)
    found = {}
    for slug, noise in SITES.items():
        forbund = Forbund.objects.get(slug=slug)
        places = list(forbund.municipalities.order_by("code"))
        unit = UnitFactory(name=f"MIA {slug}", forbund=forbund, municipalities=places)
        plan = [(EVERYWHERE, 20), (THIN, 6), *((rng.choice(NOISE), 1) for _ in range(noise))]
        if slug == "roslagen":
            plan.append((ONLY_ROSLAGEN, 25))
        for tags, n in plan:
            for _ in range(n):
                DeviationFactory(
                    unit=unit,
                    municipality=rng.choice(places),
                    occurred_on=TODAY - timedelta(days=rng.randrange(400)),
                    severity=rng.choice([None, 1, 2, 3, 4]),
                    confirmed_tags=tags,
                )
        found[slug] = forbund
    return found


@pytest.fixture
def federation(organisations: dict[str, Forbund]) -> dict[str, object]:
    national = identity_new("Nationell Knutpunkt")
    sites = {slug: identity_new(f"Knutpunkt {slug}") for slug in organisations}
    directory = {i.name: i.entry for i in sites.values()}
    directory[national.name] = replace(national.entry, national=True)
    peers = [
        Peer.objects.create(
            name=i.name,
            label=organisations[slug].name,
            signing_key=i.entry.as_json()["signing_key"],
            agreement_key=i.entry.as_json()["agreement_key"],
        )
        for slug, i in sites.items()
    ]
    return {"national": national, "sites": sites, "directory": directory, "peers": peers}
