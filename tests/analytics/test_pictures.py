"""Pictures people can read: labels that never collide, a legend, the knot's neighbours named,
the overview cut to what a person can read with a control to widen it, the figures explained and
long lists a page at a time."""

from __future__ import annotations

import random
import re
from datetime import date
from itertools import combinations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from analytics.charts import (
    Box,
    LabelWish,
    PlacedNode,
    network,
    place_labels,
    text_width,
)
from analytics.extract import AnalysisFilter
from analytics.presentation import knot_key, knot_picture, overview_picture
from analytics.results import graph_result
from analytics.types import CooccurrenceGraph, GraphEdge, GraphNode, Knot
from deviations.models import Deviation
from tests.analytics.test_workspace import KNOT, corpus  # noqa: F401 - fixture

WIDTH, HEIGHT = 640, 480


def _crowd(n: int = 60, seed: int = 7) -> list[LabelWish]:
    """Many long labels packed into the middle of the picture, as hubs in a dense graph are."""
    rng = random.Random(seed)
    return [
        LabelWish(
            key=f"t{i:02d}",
            text=f"{rng.randint(1, 30)} kap. {rng.randint(1, 60)} § Socialförsäkringsbalken",
            x=rng.uniform(200, 440),
            y=rng.uniform(150, 330),
            r=rng.uniform(4, 18),
            rank=i,
        )
        for i in range(n)
    ]


def test_placed_labels_never_overlap_and_stay_in_the_picture() -> None:
    wishes = _crowd()
    placed = place_labels(wishes, width=WIDTH, height=HEIGHT)
    assert 3 <= len(placed) < len(wishes)  # some are named, the crowd cannot all be
    for a, b in combinations(placed, 2):
        assert not a.box.intersects(b.box), (a.key, b.key)
    assert all(label.box.inside(WIDTH, HEIGHT) for label in placed)
    assert placed[0].key == "t00"  # the most important label is placed first


def test_a_label_avoids_a_neighbour_rather_than_covering_it() -> None:
    # Two circles side by side: the second label goes below or aside, not onto the first.
    wishes = [
        LabelWish("a", "Försäkringskassan", 300, 200, 10, 0),
        LabelWish("b", "Arbetsförmedlingen", 305, 200, 10, 1),
    ]
    first, second = place_labels(wishes, width=WIDTH, height=HEIGHT)
    assert not first.box.intersects(second.box)
    assert second.box.y != first.box.y or second.box.x != first.box.x


def test_a_label_at_the_edge_grows_inwards() -> None:
    (label,) = place_labels(
        [LabelWish("a", "Försäkringskassan", 5, 5, 4, 0)], width=WIDTH, height=HEIGHT
    )
    assert label.box.inside(WIDTH, HEIGHT)
    assert label.box.x >= 5  # to the right or below, never cut off on the left


def test_text_width_grows_with_the_text_and_its_letters() -> None:
    assert text_width("Försäkringskassan") > text_width("Försäkring")
    assert text_width("MMMM") > text_width("iiii")
    assert Box(0, 0, 10, 10).intersects(Box(9, 9, 10, 10))
    assert not Box(0, 0, 10, 10).intersects(Box(10, 0, 10, 10))  # touching is not overlapping


def _boxes(svg: str) -> list[tuple[str, float, float]]:
    return [
        (m.group(3), float(m.group(1)), float(m.group(2)))
        for m in re.finditer(
            r'<text x="([\d.]+)" y="([\d.]+)"[^>]*><title>[^<]*</title>([^<]*)', svg
        )
    ]


def test_the_network_names_what_fits_and_keeps_every_name_in_a_tooltip() -> None:
    rng = random.Random(3)
    nodes = [
        PlacedNode(
            key=f"n{i:02d}",
            label=f"Nod nummer {i} med ett långt namn",
            x=rng.uniform(0.3, 0.7),
            y=rng.uniform(0.3, 0.7),
            size=rng.random(),
            group=i % 4,
            emphasis=i < 2,
            note=f"{i} avvikelser",
        )
        for i in range(40)
    ]
    svg = network(nodes, [("n00", "n01", 1.0)], title="Test")
    named = _boxes(svg)
    assert 2 <= len(named) < 40
    texts = {text for text, _, _ in named}
    assert {"Nod nummer 0 med ett lång…", "Nod nummer 1 med ett lång…"} <= texts  # clipped
    for node in nodes:  # dropped or not, the full name and its count are in the circle's tooltip
        assert f"<title>{node.label} ({node.note})</title>" in svg
    assert svg.count('font-weight="700"') == 2  # the emphasised names stand out


def _graph() -> CooccurrenceGraph:
    tags = [f"agency:T{i:02d}" for i in range(40)]
    nodes = tuple(
        GraphNode(
            tag=tag,
            count=100 - i,
            weighted_degree=10,
            centrality=1 - i / 40,
            community=i % 3,
            hub=i < 3,
        )
        for i, tag in enumerate(tags)
    )
    edges = tuple(
        GraphEdge(
            a=tags[i], b=tags[j], count=3 + (i + j) % 7, lift=2.0, p_value=0.001, backbone=True
        )
        for i in range(40)
        for j in range(i + 1, 40)
        if (i * j) % 5 == 1
    )
    return CooccurrenceGraph(nodes=nodes, edges=edges, communities=(), n_deviations=500, seed=42)


@pytest.mark.django_db
def test_the_overview_draws_the_readable_top_by_default() -> None:
    graph = _graph()
    assert overview_picture(graph).count("<circle") == 25
    assert overview_picture(graph, limit=40).count("<circle") == 40


@pytest.mark.django_db
def test_the_knot_picture_names_its_neighbours_and_protects_counts() -> None:
    graph = _graph()
    knot = Knot(
        tags=("agency:T00", "agency:T01"),
        support=7,
        municipalities=3,
        units=1,
        lift=2.0,
        expected=3.0,
        surplus=4.0,
        p_value=0.01,
        split=(("agency:T00",), ("agency:T01",)),
        trend=0.0,
        trend_p=1.0,
        severity_weight=1.0,
        m_eff=2.5,
        score=1.0,
        first_seen=date(2026, 1, 1),
        last_seen=date(2026, 6, 1),
        deviations=(),
        monthly=(),
        local=False,
    )
    with translation.override("sv"):
        shown = knot_picture(knot, graph)
        exact = knot_picture(knot, graph, exact=True)
    assert shown.count("<circle") == 8  # the two tags and six neighbours
    assert len(_boxes(shown)) > 2  # neighbours are named too, not only the knot's own tags
    assert "(99 avvikelser)" in exact  # agency:T01
    assert "(99 avvikelser)" not in shown  # rounded to 5 for the dossier's readers
    assert shown.count("(100 avvikelser)") == 2


# --- The pages --------------------------------------------------------------------------------


def test_the_overview_has_a_legend_and_a_control_to_show_more(
    corpus: list[Deviation],  # noqa: F811
    analyst_client: Client,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("analytics.views.graph_result", lambda _filter: _graph())
    url = reverse("analytics:overview")
    with translation.override("sv"):
        page = analyst_client.get(url, {"since": "2025-01-01"}, HTTP_ACCEPT_LANGUAGE="sv")
    html = page.content.decode()
    assert page.context["picture"].count("<circle") == 25
    assert 'class="legend"' in html
    assert "Storlek" in html
    # "Visa fler": twice as many, but no more than there are, keeping the filter.
    assert 'href="?since=2025-01-01&amp;nodes=40">Visa fler (40 taggar)</a>' in html
    assert "Visa färre" not in html
    wider = analyst_client.get(url, {"nodes": "50"})
    assert wider.context["picture"].count("<circle") == 40  # all there are
    assert wider.context["more"] is None
    assert wider.context["fewer"] == 25
    for bad in ("många", "-3", "0"):
        fallback = analyst_client.get(url, {"nodes": bad})
        assert fallback.status_code == 200
        assert fallback.context["picture"].count("<circle") in (1, 25)


def test_the_knot_explains_its_figures_and_pages_its_deviations(
    corpus: list[Deviation],  # noqa: F811
    analyst_client: Client,
) -> None:
    url = reverse("analytics:knot", args=[knot_key(KNOT)])
    first = analyst_client.get(url, {"min_support": 10}, HTTP_ACCEPT_LANGUAGE="sv")
    html = first.content.decode()
    assert "Visar 1–25 av 40" in html
    assert html.count('<tr>\n      <td><a href="/avvikelser/') == 25
    assert 'href="?min_support=10&amp;page=2#supporting"' in html
    assert "Vad betyder siffrorna?" in html
    knot = first.context["knot"]
    said = "sannolikt en verklig" if knot.trend_p < 0.05 else "kan vara slumpen"
    assert said in html  # the trend's p-value in words, the right words for this p
    second = analyst_client.get(url, {"min_support": 10, "page": 2}, HTTP_ACCEPT_LANGUAGE="sv")
    assert "Visar 26–40 av 40" in second.content.decode()
    shown = {d.reference for d in first.context["page_obj"]} | {
        d.reference for d in second.context["page_obj"]
    }
    assert len(shown) == 40  # no deviation on two pages, none on neither
    odd = analyst_client.get(url, {"min_support": 10, "page": "sista"})
    assert odd.status_code == 200
    assert odd.context["page_obj"].number == 1
    knots = analyst_client.get(
        reverse("analytics:knots"), {"min_support": 10}, HTTP_ACCEPT_LANGUAGE="sv"
    )
    assert "Vad betyder siffrorna?" in knots.content.decode()


def test_graph_result_feeds_the_pictures(corpus: list[Deviation]) -> None:  # noqa: F811
    graph = graph_result(AnalysisFilter())
    svg = overview_picture(graph, exact=True)
    assert svg.count("<circle") == min(25, len(graph.nodes))
    assert "<text" in svg
