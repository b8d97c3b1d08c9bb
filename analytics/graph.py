"""The co-occurrence graph for the overview picture (docs/knots.md §6 step 10), pure and seeded.

Nodes are tags, edges pairs of tags that share at least `min_count` deviations (counted over the
same mining baskets as the knots, so a law never links to its own provisions). Each edge carries
its count, its lift n(ab)·N / (n(a)·n(b)) and the Poisson upper-tail p-value of its count given
independence. The *backbone* is the edges with lift > 1 that Benjamini–Hochberg at `q` keeps;
seeded Louvain on the backbone (weight = lift) colours the graph. Hubs are named by weighted
degree (Σ counts over all of a tag's edges): a tag is a hub when its weighted degree is at least
`hub_ratio` of the largest one. Communities are numbered largest first, ties by their first tag,
and nodes and edges are sorted, so the same input and seed give the same graph.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

import networkx as nx
import numpy as np

from analytics.knots import benjamini_hochberg, count_itemsets
from analytics.types import (
    CooccurrenceGraph,
    DeviationTable,
    GraphEdge,
    GraphNode,
    Knot,
    KnotParams,
)


@cache
def _special() -> Any:
    """scipy.special, imported at the first use: importing scipy costs every process that
    never runs the engine (a command, a web worker at start) 0.2 s."""
    from scipy import special

    return special


__all__ = ["cooccurrence_graph", "knot_subgraph"]


def cooccurrence_graph(
    table: DeviationTable,
    *,
    min_count: int = 5,
    seed: int = 42,
    q: float = 0.01,
    hub_ratio: float = 0.25,
    concepts: Mapping[str, str] | None = None,
) -> CooccurrenceGraph:
    """Tags, their co-occurrence edges, seeded Louvain communities and hub flags. On a table
    of concepts, pass the concepts, so the baskets are the knots' own (`count_itemsets`)."""
    if min_count < 1:
        raise ValueError("min_count must be at least 1")
    n = len(table)
    vocabulary = table.vocabulary
    counts = count_itemsets(
        table, params=KnotParams(min_support=min_count, max_size=2), concepts=concepts
    )
    tag_counts = counts.tag_counts
    pairs = counts.itemsets.get(2, np.zeros((0, 2), dtype=np.int32))
    pair_counts = counts.counts.get(2, np.zeros(0, dtype=np.int64))

    expected = tag_counts[pairs[:, 0]].astype(np.float64) * tag_counts[pairs[:, 1]] / max(n, 1)
    lift = pair_counts / np.where(expected > 0, expected, 1.0)
    p_value = _special().pdtrc(pair_counts - 1, expected) if len(pairs) else np.zeros(0)
    backbone = benjamini_hochberg(p_value, q) & (lift > 1.0)

    weighted_degree = np.bincount(
        pairs.ravel(), weights=np.repeat(pair_counts, 2), minlength=len(vocabulary)
    ).astype(np.int64)
    present = np.flatnonzero((tag_counts >= min_count) | (weighted_degree > 0))
    top = int(weighted_degree.max(initial=0))

    graph = nx.Graph()
    graph.add_nodes_from(vocabulary[t] for t in present.tolist())
    for (a, b), weight in zip(pairs[backbone].tolist(), lift[backbone].tolist(), strict=True):
        graph.add_edge(vocabulary[a], vocabulary[b], weight=weight)
    found = nx.community.louvain_communities(graph, weight="weight", seed=seed)
    communities = tuple(sorted((tuple(sorted(c)) for c in found), key=lambda c: (-len(c), c[0])))
    community_of = {tag: i for i, members in enumerate(communities) for tag in members}

    nodes = tuple(
        GraphNode(
            tag=vocabulary[t],
            count=int(tag_counts[t]),
            weighted_degree=int(weighted_degree[t]),
            centrality=float(weighted_degree[t] / top) if top else 0.0,
            community=community_of[vocabulary[t]],
            hub=bool(top and weighted_degree[t] >= hub_ratio * top),
        )
        for t in present.tolist()
    )
    edges = tuple(
        GraphEdge(
            a=vocabulary[a],
            b=vocabulary[b],
            count=int(c),
            lift=float(lf),
            p_value=float(p),
            backbone=bool(bb),
        )
        for (a, b), c, lf, p, bb in zip(
            pairs.tolist(),
            pair_counts.tolist(),
            lift.tolist(),
            p_value.tolist(),
            backbone.tolist(),
            strict=True,
        )
    )  # pairs come in key order, which is (a, b) order as the vocabulary is sorted
    return CooccurrenceGraph(
        nodes=nodes, edges=edges, communities=communities, n_deviations=n, seed=seed
    )


def knot_subgraph(
    graph: CooccurrenceGraph, knot: Knot | Sequence[str], *, neighbours: int = 5
) -> CooccurrenceGraph:
    """The knot's tags, the edges between them, and their `neighbours` strongest neighbours.

    A neighbour's strength is the sum of its backbone edges' counts to the knot's tags (ties by
    tag); all edges among the chosen tags are kept.
    """
    tags = set(knot.tags if isinstance(knot, Knot) else knot)
    known = {node.tag for node in graph.nodes}
    core = tags & known
    strength: dict[str, int] = {}
    for edge in graph.edges:
        if not edge.backbone or (edge.a in core) == (edge.b in core):
            continue
        other = edge.b if edge.a in core else edge.a
        strength[other] = strength.get(other, 0) + edge.count
    chosen = sorted(strength, key=lambda tag: (-strength[tag], tag))[:neighbours]
    keep = core | set(chosen)
    # Community numbers stay those of the whole graph (a community may be left empty here).
    communities = tuple(tuple(t for t in c if t in keep) for c in graph.communities)
    return CooccurrenceGraph(
        nodes=tuple(node for node in graph.nodes if node.tag in keep),
        edges=tuple(edge for edge in graph.edges if edge.a in keep and edge.b in keep),
        communities=communities,
        n_deviations=graph.n_deviations,
        seed=graph.seed,
    )
