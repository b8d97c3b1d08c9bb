"""Knot results for pages, the API and the command, cached until a confirmed tag changes.

The cache key holds the tag version (deviations.services.tag_version), the filter, the parameters
and the as-of date, so a page view never recomputes unless something it depends on changed, in
any process sharing the cache.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from datetime import date, datetime

from django.core.cache import cache
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from analytics import dashboard
from analytics.extract import AnalysisFilter, deviation_table, filtered_deviations
from analytics.graph import cooccurrence_graph
from analytics.knots import find_knots
from analytics.presentation import labels_for
from analytics.types import CooccurrenceGraph, DeviationTable, Knot, KnotParams
from deviations.models import Category, Consequence, Forbund, Gender, Municipality
from deviations.services import tag_version

CACHE_SECONDS = 24 * 3600


@dataclass(frozen=True, slots=True)
class KnotResult:
    knots: tuple[Knot, ...]
    deviations: int
    computed_at: datetime
    tag_version: int


def _key(analysis_filter: AnalysisFilter, params: KnotParams, today: date, version: int) -> str:
    raw = f"{version}|{analysis_filter.key()}|{sorted(asdict(params).items())}|{today}"
    return "knots:" + hashlib.sha256(raw.encode()).hexdigest()


def knot_result(
    analysis_filter: AnalysisFilter = AnalysisFilter(),
    *,
    params: KnotParams = KnotParams(),
    today: date | None = None,
    use_cache: bool = True,
) -> KnotResult:
    """The ranked knots for a filter; local knots are kept only in place-filtered views."""
    today = today or timezone.localdate()
    version = tag_version()
    key = _key(analysis_filter, params, today, version)
    if use_cache:
        cached = cache.get(key)
        if cached is not None:
            return cached
    table = deviation_table(analysis_filter)
    knots = find_knots(table, params=params, today=today, include_local=analysis_filter.is_local)
    result = KnotResult(
        knots=tuple(knots),
        deviations=len(table),
        computed_at=timezone.now(),
        tag_version=version,
    )
    cache.set(key, result, CACHE_SECONDS)
    return result


def graph_result(
    analysis_filter: AnalysisFilter = AnalysisFilter(), *, min_count: int = 5
) -> CooccurrenceGraph:
    """The co-occurrence graph for a filter, cached like the knots."""
    version = tag_version()
    raw = f"graph|{version}|{analysis_filter.key()}|{min_count}"
    key = "graph:" + hashlib.sha256(raw.encode()).hexdigest()
    cached = cache.get(key)
    if cached is not None:
        return cached
    graph = cooccurrence_graph(deviation_table(analysis_filter), min_count=min_count, seed=42)
    cache.set(key, graph, CACHE_SECONDS)
    return graph


def table_result(analysis_filter: AnalysisFilter = AnalysisFilter()) -> DeviationTable:
    """The deviation table for a filter, cached for the dashboard's many figures."""
    version = tag_version()
    key = "table:" + hashlib.sha256(f"{version}|{analysis_filter.key()}".encode()).hexdigest()
    cached = cache.get(key)
    if cached is not None:
        return cached
    table = deviation_table(analysis_filter)
    cache.set(key, table, CACHE_SECONDS)
    return table


@dataclass(frozen=True, slots=True)
class Figure:
    name: str
    title: str
    rows: list[tuple[str, int]]
    columns: bool = False  # over time: vertical columns instead of bars


def dashboard_figures(analysis_filter: AnalysisFilter) -> list[Figure]:
    """Every dashboard figure as rows of (label, count), all from one filter; cached per
    data version, filter and language (the labels are translated)."""
    raw = f"figures|{tag_version()}|{analysis_filter.key()}|{get_language()}"
    key = "figures:" + hashlib.sha256(raw.encode()).hexdigest()
    cached = cache.get(key)
    if cached is not None:
        return cached
    figures = _dashboard_figures(analysis_filter)
    cache.set(key, figures, CACHE_SECONDS)
    return figures


def _dashboard_figures(analysis_filter: AnalysisFilter) -> list[Figure]:
    table = table_result(analysis_filter)
    deviations = filtered_deviations(analysis_filter)

    def labelled(rows: list[tuple[str, int]]) -> list[tuple[str, int]]:
        labels = labels_for(tag for tag, _ in rows)
        return [(label, count) for label, (_tag, count) in zip(labels, rows, strict=True)]

    def counted(field: str, labels: dict[str, str]) -> list[tuple[str, int]]:
        rows = deviations.values_list(field).annotate(n=Count("id")).order_by("-n", field)
        return [(str(labels.get(value) or _("Not stated")), count) for value, count in rows]

    forbund_of = {
        code: forbund.short_name or forbund.name
        for forbund in Forbund.objects.prefetch_related("municipalities")
        for code in (m.code for m in forbund.municipalities.all())
    }
    by_municipality = dashboard.value_counts(table.municipality)
    names = dict(Municipality.objects.values_list("code", "name"))
    by_forbund: dict[str, int] = {}
    for code, count in by_municipality:
        name = forbund_of.get(code, _("Outside every förbund"))
        by_forbund[name] = by_forbund.get(name, 0) + count
    pairs = dashboard.pair_counts(table, kind="agency")[:20]
    pair_labels = labels_for(tag for a, b, _ in pairs for tag in (a, b))
    gender_labels = {**dict(Gender.choices), "": _("Not stated")}
    return [
        Figure("monthly", _("Deviations per month"), dashboard.monthly_counts(table), True),
        Figure("agencies", _("By agency"), labelled(dashboard.tag_counts(table, kind="agency"))),
        Figure(
            "agency_pairs",
            _("By pair of agencies"),
            [
                (f"{pair_labels[2 * i]} + {pair_labels[2 * i + 1]}", count)
                for i, (_a, _b, count) in enumerate(pairs)
            ],
        ),
        Figure("laws", _("By law"), labelled(dashboard.tag_counts(table, kind="law")[:20])),
        Figure(
            "provisions",
            _("By provision"),
            labelled(dashboard.tag_counts(table, kind="provision")[:20]),
        ),
        Figure(
            "municipalities",
            _("By municipality"),
            [(names.get(code, code), count) for code, count in by_municipality],
        ),
        Figure(
            "forbund",
            _("By samordningsförbund"),
            sorted(by_forbund.items(), key=lambda row: (-row[1], row[0])),
        ),
        Figure("categories", _("By category"), counted("category", dict(Category.choices))),
        Figure(
            "consequences", _("By consequence"), counted("consequence", dict(Consequence.choices))
        ),
        Figure(
            "gender",
            _("By gender"),
            [(str(gender_labels.get(v, v)), n) for v, n in dashboard.value_counts(table.gender)],
        ),
    ]
