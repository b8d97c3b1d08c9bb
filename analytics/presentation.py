"""Knots and figures as people read them: sentences, labels, pictures.

Figures for readers outside the analyst role are protected by the one rule in
`analytics.disclosure`."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence

import networkx as nx
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from analytics.charts import PlacedNode, network, network_legend, sparkline
from analytics.disclosure import SUPPRESSED, present_count, protect_count
from analytics.types import CooccurrenceGraph, EqualityFinding, Knot
from catalogue.concordance import versions_by_concept
from catalogue.selectors import concepts as catalogue_concepts
from catalogue.selectors import labels_for, tag_choices

ENGINE_VERSION = "1"


def knot_key(tags: Iterable[str]) -> str:
    """A knot's stable identity: its sorted tags and the engine version, hashed for URLs."""
    raw = ENGINE_VERSION + "|" + "|".join(sorted(tags))
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def unverified_marked(tags: Sequence[str], labels: Sequence[str]) -> list[str]:
    """Labels with "(not verified)" after each tag an administrator has not yet checked (a row
    created when someone first tagged it), so a figure built on it is read with care."""
    choices = tag_choices()
    marked = []
    for tag, label in zip(tags, labels, strict=True):
        choice = choices.get(tag)
        if choice is None or not choice.confirmed:
            label = f"{label} ({_('not verified')})"
        marked.append(label)
    return marked


def _group_label(versions: Sequence[str], *, mark: bool = True) -> str:
    """The versions of one concept as one label: `4 kap. 1 § SoL (2001:453) / 12 kap. 1 § SoL
    (2025:400)`, each marked when not verified (unless `mark` is off: a title that is kept)."""
    labels = labels_for(versions)
    return " / ".join(unverified_marked(versions, labels) if mark else labels)


def concept_labels(
    tags: Sequence[str], *, concepts: Mapping[str, str], present: Iterable[str] | None = None
) -> list[str]:
    """Labels for tags of a table on concepts (DeviationTable.on_concepts): a concept reads as
    its versions, only those in `present` when given (the versions the data names)."""
    groups = versions_by_concept(concepts)
    seen = set(present) if present is not None else None
    labels = []
    for tag in tags:
        versions = groups.get(tag, (tag,))
        if seen is not None:
            versions = tuple(v for v in versions if v in seen) or (tag,)
        labels.append(_group_label(versions))
    return labels


def graph_labels(tags: Iterable[str]) -> list[str]:
    """Labels for the nodes of a co-occurrence graph, which is drawn on concepts."""
    return concept_labels(list(tags), concepts=catalogue_concepts())


def knot_tag_labels(
    knot: Knot, tags: Sequence[str] | None = None, *, mark: bool = True
) -> list[str]:
    """Each of the knot's tags (or of `tags`, a part of them) as people read it: a concept
    mined across a reform shows the versions its deviations name."""
    groups = dict(zip(knot.tags, knot.versions, strict=True)) if knot.versions else {}
    return [
        _group_label(groups.get(tag, (tag,)), mark=mark)
        for tag in (knot.tags if tags is None else tags)
    ]


def _joined(knot: Knot, tags: Sequence[str] | None = None) -> str:
    # Titles and sentences become a barrier's title and description: no marks that go stale.
    return " + ".join(knot_tag_labels(knot, tags, mark=False))


def knot_title(knot: Knot) -> str:
    return _joined(knot)


def trend_text(knot: Knot, *, horizon_days: int = 90) -> str:
    percent = number_format(round(knot.trend * 100), force_grouping=True)
    sign = "+" if knot.trend > 0 else ""
    text = _(
        "%(sign)s%(percent)s %% in the last %(days)d days against the %(days)d days before"
    ) % {
        "sign": sign,
        "percent": percent,
        "days": horizon_days,
    }
    if knot.trend_p >= 0.05:
        text += " " + _("(not significant)")
    return text


def knot_sentence(knot: Knot, *, exact: bool = True, horizon_days: int = 90) -> str:
    """Why this is a knot, from the same numbers that ranked it (docs/knots.md §6 step 9);
    `exact=False` protects every count in it, the surplus worked out from the shown support."""
    support = protect_count(knot.support, exact=exact)
    deviations = ngettext("%(count)s deviation", "%(count)s deviations", support or 2) % {
        "count": present_count(knot.support, exact=exact)
    }
    places = ngettext(
        "%(count)s municipality",
        "%(count)s municipalities",
        protect_count(knot.municipalities, exact=exact) or 2,
    ) % {"count": present_count(knot.municipalities, exact=exact)}
    units = ngettext(
        "%(count)s unit", "%(count)s units", protect_count(knot.units, exact=exact) or 2
    ) % {"count": present_count(knot.units, exact=exact)}
    surplus = present_count(round(knot.surplus), exact=exact)
    if not exact:  # from the shown support, so that it cannot give the exact support back
        shown = (support or 0) * (1 - 1 / knot.lift) if knot.lift else 0
        surplus = SUPPRESSED if support is None else present_count(round(shown), exact=False)
    left, right = knot.split
    sentence = _(
        "%(tags)s: %(deviations)s in %(places)s (%(units)s), %(lift)s times more than if "
        "%(left)s and %(right)s were independent (%(surplus)s more than chance), %(trend)s."
    ) % {
        "tags": knot_title(knot),
        "deviations": deviations,
        "places": places,
        "units": units,
        "lift": number_format(knot.lift, decimal_pos=1),
        "left": _joined(knot, left),
        "right": _joined(knot, right),
        "surplus": surplus,
        "trend": trend_text(knot, horizon_days=horizon_days),
    }
    if clause := equality_clause(knot.equality):
        sentence = sentence[:-1] + "; " + clause + "."
    return sentence


def equality_group(finding: EqualityFinding) -> str:
    """The group as the sentence names it: "women", "people aged 16–19"."""
    if finding.dimension == "gender":
        names = {
            "kvinna": _("women"),
            "man": _("men"),
            "annat": _("people of another gender"),
        }
        return names.get(finding.group, finding.group)
    return _("people aged %(band)s") % {"band": finding.group.replace("-", "–")}


def equality_clause(finding: EqualityFinding | None) -> str:
    """ "hits women 1.8 times as often as other deviations", for a significant finding only;
    "" otherwise."""
    if finding is None or not finding.significant:
        return ""
    return _("hits %(group)s %(ratio)s times as often as other deviations") % {
        "group": equality_group(finding),
        "ratio": number_format(finding.ratio, decimal_pos=1),
    }


def equality_explanation(finding: EqualityFinding, *, exact: bool = True) -> str:
    """The comparison behind a finding in plain words, counts protected outside the analyst
    role (every count here is at least the disclosure limit: analytics.equality)."""
    share = f"{100 * finding.inside / finding.inside_total:.0f} %"
    others_share = f"{100 * finding.others / finding.others_total:.0f} %"
    text = _(
        "%(group)s: %(inside)s of %(inside_total)s of these deviations (%(share)s), against "
        "%(others)s of %(others_total)s other deviations in the same months and municipalities "
        "(%(others_share)s), %(ratio)s times as often."
    ) % {
        "group": equality_group(finding).capitalize(),
        "inside": present_count(finding.inside, exact=exact),
        "inside_total": present_count(finding.inside_total, exact=exact),
        "share": share,
        "others": present_count(finding.others, exact=exact),
        "others_total": present_count(finding.others_total, exact=exact),
        "others_share": others_share,
        "ratio": number_format(finding.ratio, decimal_pos=1),
    }
    if finding.significant and finding.p_value < 0.001:
        return text + " " + _("That is more than chance would give (p < 0.001).")
    if finding.significant:
        p = number_format(finding.p_value, decimal_pos=3)
        return text + " " + _("That is more than chance would give (p = %(p)s).") % {"p": p}
    return text + " " + _("The difference may be chance, or too small to count as a finding.")


def knot_sparkline(knot: Knot) -> str:
    return sparkline(
        [count for _, count in knot.monthly[-24:]],
        title=_("Deviations per month for %(knot)s") % {"knot": knot_title(knot)},
    )


def _layout(graph: nx.Graph, seed: int) -> dict[str, tuple[float, float]]:
    if graph.number_of_nodes() == 0:
        return {}
    if graph.number_of_nodes() == 1:
        return {next(iter(graph.nodes)): (0.5, 0.5)}
    raw = nx.spring_layout(
        graph, seed=seed, weight="weight", k=1.2 / graph.number_of_nodes() ** 0.5
    )
    xs = [p[0] for p in raw.values()]
    ys = [p[1] for p in raw.values()]
    span_x = (max(xs) - min(xs)) or 1.0
    span_y = (max(ys) - min(ys)) or 1.0
    return {
        node: ((p[0] - min(xs)) / span_x, (p[1] - min(ys)) / span_y)
        for node, p in sorted(raw.items())
    }


def knot_picture(
    knot: Knot, graph: CooccurrenceGraph, *, neighbours: int = 6, exact: bool = False
) -> str:
    """The knot's tags in the co-occurrence graph with their strongest neighbours, all named
    as far as the names fit. The tooltips' counts are protected unless `exact` (the dossier
    shows this picture to steering groups)."""
    members = set(knot.tags)
    strength: dict[str, int] = {}
    for edge in graph.edges:
        if edge.a in members and edge.b not in members:
            strength[edge.b] = strength.get(edge.b, 0) + edge.count
        elif edge.b in members and edge.a not in members:
            strength[edge.a] = strength.get(edge.a, 0) + edge.count
    near = [tag for tag, _ in sorted(strength.items(), key=lambda p: (-p[1], p[0]))[:neighbours]]
    return _picture(
        graph, members | set(near), emphasis=members, title=knot_title(knot), exact=exact
    )


OVERVIEW_NODES = 25  # as many circles as a person can read at once; the page can show more


def overview_picture(
    graph: CooccurrenceGraph, *, limit: int = OVERVIEW_NODES, exact: bool = False
) -> str:
    """The co-occurrence graph's `limit` most frequent tags: communities coloured, hubs named
    first, the others as far as their names fit."""
    top = sorted(graph.nodes, key=lambda n: (-n.count, n.tag))[:limit]
    keep = {node.tag for node in top}
    return _picture(
        graph,
        keep,
        emphasis={node.tag for node in top if node.hub},
        title=_("Co-occurrence of agencies, laws and provisions"),
        exact=exact,
    )


def picture_legend(*, knot: bool) -> str:
    """What the marks of a network picture mean, in words."""
    return network_legend(
        community=_("Colour: tags that often occur together form a group"),
        size=_("Size: how many deviations carry the tag"),
        line=_("Thicker line: the two tags occur together more often"),
        emphasis=_("Dark ring: the knot's own tags")
        if knot
        else _("Dark ring: a hub, a tag tied to many others"),
    )


def _picture(
    graph: CooccurrenceGraph, keep: set[str], *, emphasis: set[str], title: str, exact: bool
) -> str:
    nodes = {node.tag: node for node in graph.nodes if node.tag in keep}
    g = nx.Graph()
    g.add_nodes_from(sorted(nodes))
    edges = [e for e in graph.edges if e.a in nodes and e.b in nodes]
    top_count = max((e.count for e in edges), default=1)
    for edge in edges:
        g.add_edge(edge.a, edge.b, weight=edge.count / top_count)
    positions = _layout(g, graph.seed)
    labels = dict(zip(sorted(nodes), graph_labels(sorted(nodes)), strict=True))
    top_node = max((n.count for n in nodes.values()), default=1)
    placed = [
        PlacedNode(
            key=tag,
            label=labels[tag],
            x=positions[tag][0],
            y=positions[tag][1],
            size=nodes[tag].count / top_node,
            group=nodes[tag].community,
            emphasis=tag in emphasis,
            note=ngettext(
                "%(count)s deviation",
                "%(count)s deviations",
                protect_count(nodes[tag].count, exact=exact) or 2,
            )
            % {"count": present_count(nodes[tag].count, exact=exact)},
        )
        for tag in sorted(nodes)
    ]
    return network(placed, [(e.a, e.b, e.count / top_count) for e in edges], title=title)
