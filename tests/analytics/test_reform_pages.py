"""Across the SoL reform of 2025-07-01, on a database: one knot with a continuous series, one
row per law in the statistics, labels that name each version, and tags nobody has checked yet
marked in the figures (docs/knots.md §7, docs/domain.md §5)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from analytics.extract import AnalysisFilter
from analytics.presentation import knot_key
from analytics.results import dashboard_figures, knot_result
from analytics.types import KnotParams
from catalogue.models import Municipality
from deviations.models import Deviation
from deviations.services import DeviationInput, TagInput, deviations_file_many
from tests.factories import UnitFactory

TODAY = date(2026, 1, 31)
REFORM = date(2025, 7, 1)
CODES = ("0160", "0162", "0136", "0180", "0184", "0186")
OLD = ("agency:KOMMUN", "prov:2001:453#K4P1")
NEW = ("agency:KOMMUN", "prov:2025:400#K12P1")
UNCHECKED = "prov:2010:110#K28P6"  # not in the catalogue: created on first use, unconfirmed


@pytest.fixture
def corpus(db: None) -> list[Deviation]:
    """60 deviations citing the bistånd rule, old version before the reform and new after,
    over six municipalities; 60 of background; 6 citing a section nobody has checked."""
    municipalities = {m.code: m for m in Municipality.objects.filter(code__in=CODES)}
    unit = UnitFactory(name="Länsteam", municipalities=list(municipalities.values()))
    items = []
    for i in range(126):
        day = date(2025, 2, 1) + timedelta(days=(i * 7) % 360)
        if i < 60:
            tags = OLD if day < REFORM else NEW
        elif i < 120:
            tags = (("agency:CSN",), ("agency:REGION",), ("agency:FK", "agency:AF"))[i % 3]
        else:
            tags = ("agency:FK", UNCHECKED)
        items.append(
            DeviationInput(
                occurred_on=day,
                unit=unit,
                municipality=municipalities[CODES[i % len(CODES)]],
                description=f"Fall {i}: kommunen och Af bedömer olika.",
                severity=1 + i % 4,
                gender=["kvinna", "man"][i % 2],
                external_id=f"r-{i}",
                tags=tuple(TagInput(tag_id=t) for t in tags),
            )
        )
    return deviations_file_many(by=None, items=items, tag_origin="import", tag_state="confirmed")


def test_the_sol_knot_is_one_knot_across_the_reform(corpus: list[Deviation]) -> None:
    knots = knot_result(params=KnotParams(min_support=10), today=TODAY, use_cache=False).knots
    sol = [k for k in knots if "agency:KOMMUN" in k.tags and len(k.tags) == 2]
    assert len(sol) == 1, [k.tags for k in knots]
    knot = sol[0]
    assert knot.tags == ("agency:KOMMUN", "prov:2025:400#K12P1")  # the concept: newest version
    assert knot.versions == (("agency:KOMMUN",), ("prov:2001:453#K4P1", "prov:2025:400#K12P1"))
    assert knot.support == 60
    months = dict(knot.monthly)
    assert months["2025-06"]
    assert months["2025-07"]


def test_the_knots_command_lists_versions_and_concepts(corpus: list[Deviation], capsys) -> None:
    call_command("knots", "--json", "--min-support", "10", "--today", TODAY.isoformat())
    knots = json.loads(capsys.readouterr().out)
    sol = next(k for k in knots if k.get("concepts") == ["agency:KOMMUN", "prov:2025:400#K12P1"])
    assert sol["tags"] == ["agency:KOMMUN", "prov:2001:453#K4P1", "prov:2025:400#K12P1"]
    assert sol["support"] == 60


def test_the_knot_page_names_both_versions(corpus: list[Deviation], analyst_client: Client) -> None:
    knot_result(params=KnotParams(min_support=10), use_cache=True)
    page = analyst_client.get(reverse("analytics:knots"), {"min_support": 10}).content.decode()
    assert "4 kap. 1 § SoL (2001:453) / 12 kap. 1 § SoL (2025:400)" in page
    key = knot_key(("agency:KOMMUN", "prov:2025:400#K12P1"))
    detail = analyst_client.get(
        reverse("analytics:knot", args=[key]), {"min_support": 10}
    ).content.decode()
    assert "Kommunen + 4 kap. 1 § SoL (2001:453) / 12 kap. 1 § SoL (2025:400)" in detail


def test_statistics_count_a_law_across_its_versions_once(corpus: list[Deviation]) -> None:
    figures = {f.name: dict(f.rows) for f in dashboard_figures(AnalysisFilter())}
    assert figures["laws"]["SoL (2001:453) / SoL (2025:400)"] == 60
    assert not any(label in ("SoL (2001:453)", "SoL (2025:400)") for label in figures["laws"])
    provisions = figures["provisions"]
    assert provisions["4 kap. 1 § SoL (2001:453) / 12 kap. 1 § SoL (2025:400)"] == 60
    assert provisions.get("28 kap. 6 § SFB (ej verifierad)") == 6, provisions


def test_the_analysts_start_page_lists_knots_new_since_the_last_visit(
    corpus: list[Deviation], analyst_client: Client, analyst
) -> None:
    from core.models import PageVisit

    knot_result()  # the kept default view; the start page never computes one itself
    PageVisit.objects.create(user=analyst, page="start", seen_at=datetime(2024, 1, 1, tzinfo=UTC))
    page = analyst_client.get(reverse("home")).content.decode()
    assert "Nya och växande knutar" in page
    assert "Kommunen + 4 kap. 1 § SoL (2001:453) / 12 kap. 1 § SoL (2025:400)" in page
    key = knot_key(("agency:KOMMUN", "prov:2025:400#K12P1"))
    assert reverse("analytics:knot", args=[key]) in page


def test_a_barrier_from_the_reform_knot_keeps_both_versions_and_its_dossier_explains_the_picture(
    corpus: list[Deviation], analyst_client: Client, analyst
) -> None:
    from barriers.services import barrier_create_from_knot

    knot = next(
        k
        for k in knot_result(params=KnotParams()).knots
        if k.tags == ("agency:KOMMUN", "prov:2025:400#K12P1")
    )
    barrier = barrier_create_from_knot(knot=knot, by=analyst)
    assert barrier.tags == ["agency:KOMMUN", "prov:2001:453#K4P1", "prov:2025:400#K12P1"]
    assert barrier.title == "Kommunen + 4 kap. 1 § SoL (2001:453) / 12 kap. 1 § SoL (2025:400)"
    page = analyst_client.get(reverse("barriers:dossier", args=[barrier.pk])).content.decode()
    assert "Storlek: hur många avvikelser som har taggen" in page  # the picture's legend
