"""The co-occurrence graph: seeded communities, hubs, and a knot's neighbourhood."""

from __future__ import annotations

from datetime import date
from functools import cache

import pytest

from analytics.graph import cooccurrence_graph, knot_subgraph
from analytics.types import CooccurrenceGraph, DeviationTable
from demo.synthetic import PlantedKnot, generate_table


@cache
def data() -> tuple[DeviationTable, tuple[PlantedKnot, ...]]:
    table, planted = generate_table(30_000, seed=5)
    return table, tuple(planted)


@cache
def graph() -> CooccurrenceGraph:
    return cooccurrence_graph(data()[0], min_count=5, seed=42)


def test_seeded_communities_are_stable_across_runs() -> None:
    again = cooccurrence_graph(data()[0], min_count=5, seed=42)
    assert again == graph()
    assert again.communities == graph().communities
    assert [n.community for n in again.nodes] == [n.community for n in graph().nodes]


def test_communities_are_numbered_largest_first_and_cover_every_node() -> None:
    g = graph()
    sizes = [len(c) for c in g.communities]
    assert sizes == sorted(sizes, reverse=True)
    assert sorted(t for c in g.communities for t in c) == [n.tag for n in g.nodes]
    for node in g.nodes:
        assert node.tag in g.communities[node.community]


def test_a_planted_knot_lives_in_one_community() -> None:
    _, planted = data()
    g = graph()
    community = {n.tag: n.community for n in g.nodes}
    provisions_only = [k for k in planted if all(t.startswith("prov:") for t in k.tags)]
    assert provisions_only
    for knot in provisions_only:
        assert len({community[t] for t in knot.tags}) == 1, knot.key


def test_hubs_are_the_high_degree_tags() -> None:
    g = graph()
    hubs = {n.tag for n in g.nodes if n.hub}
    assert {"agency:FK", "agency:AF", "agency:KOMMUN"} <= hubs
    lowest_hub = min(n.weighted_degree for n in g.nodes if n.hub)
    highest_other = max(n.weighted_degree for n in g.nodes if not n.hub)
    assert lowest_hub > highest_other
    top = max(g.nodes, key=lambda n: n.weighted_degree)
    assert top.tag == "agency:FK"
    assert top.centrality == 1.0
    assert g.hubs == tuple(sorted(hubs))


def test_edges_are_sorted_with_counts_and_lift() -> None:
    table, _ = data()
    g = graph()
    pairs = [(e.a, e.b) for e in g.edges]
    assert pairs == sorted(pairs)
    assert all(e.a < e.b and e.count >= 5 for e in g.edges)
    assert not any(e.a == "law:2010:110" and e.b.startswith("prov:2010:110#") for e in g.edges)
    edge = next(e for e in g.edges if (e.a, e.b) == ("agency:AF", "agency:FK"))
    af, fk = g.node("agency:AF"), g.node("agency:FK")
    assert af is not None
    assert fk is not None
    assert edge.lift == pytest.approx(edge.count * len(table) / (af.count * fk.count))
    assert all(e.lift > 1 for e in g.edges if e.backbone)


def test_knot_subgraph_holds_the_knot_and_its_strongest_neighbours() -> None:
    _, planted = data()
    knot = planted[2].tags
    sub = knot_subgraph(graph(), knot, neighbours=3)
    tags = {n.tag for n in sub.nodes}
    assert set(knot) <= tags
    assert len(tags) <= len(knot) + 3
    assert all(e.a in tags and e.b in tags for e in sub.edges)
    inner = [e for e in sub.edges if e.a in knot and e.b in knot]
    assert len(inner) == len(knot) * (len(knot) - 1) // 2


def test_empty_and_tiny_tables() -> None:
    empty = cooccurrence_graph(DeviationTable.empty())
    assert (empty.nodes, empty.edges, empty.communities) == ((), (), ())
    rows = [(f"AV-{i}", date(2026, 1, 1), "0160", 1, None, "", ("agency:AF",)) for i in range(6)]
    single = cooccurrence_graph(DeviationTable.from_records(rows))
    assert [n.tag for n in single.nodes] == ["agency:AF"]
    assert single.nodes[0].hub is False
