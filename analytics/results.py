"""Knot results for pages, the API and the command, kept until a confirmed tag changes.

The last result for each filter and parameter set is kept in the shared cache (the database,
so every process on every machine sees it) together with the data version it was computed
from. Pages take it as it is and, when the data has moved on, queue a background job to
recompute it (`knot_result_served`); the command and the API compute a fresh one when needed
(`knot_result`). A change of confirmed tags queues the recomputation of the default view at
once (`knots_recompute_default`, subscribed to deviations.signals.tags_changed).
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache, caches
from django.db import transaction
from django.db.models import Count
from django.utils import timezone, translation
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from analytics import dashboard, live
from analytics.extract import (
    AnalysisFilter,
    deviation_table,
    filtered_deviations,
    filtered_practices,
    knot_params_as_params,
    knot_params_from_params,
)
from analytics.graph import cooccurrence_graph
from analytics.knots import find_knots
from analytics.presentation import concept_labels
from analytics.types import CooccurrenceGraph, DeviationTable, Knot, KnotParams
from catalogue.models import Forbund, Municipality
from catalogue.selectors import concepts as catalogue_concepts
from core.metrics import knots_computed
from core.replica import analysis_call
from deviations.models import Category, Consequence, Gender, GoodPractice, User
from deviations.services import tag_version
from jobs.models import Job
from jobs.registry import job_kind
from jobs.services import Progress, job_enqueue

CACHE_SECONDS = 30 * 24 * 3600
KNOTS_BACKOFF = timedelta(minutes=5)  # after a failed recomputation, before trying again
KNOTS_JOB = "knots"
KNOTS_DEFAULT_JOB = "knots:default"  # dedupe key of the default view's recomputation
SCOPED_DEFAULTS = "knots:scoped-defaults"  # the organisations' default views (lists of slugs)
SCOPED_DEFAULTS_MAX = 500


def knots_recompute_default(**_signal: object) -> None:
    """After tags changed (deviations.signals.tags_changed): once the change is committed,
    queue the default view's recomputation, one job at a time however many changes arrive."""
    transaction.on_commit(_knots_enqueue_default, robust=True)


def _knots_enqueue_default() -> None:
    job_enqueue(
        kind=KNOTS_JOB,
        params={},
        dedupe_key=KNOTS_DEFAULT_JOB,
        backoff=KNOTS_BACKOFF,  # a failing recomputation is not retried per filing
    )
    # ...and the default view of every organisation and county someone has opened, so their
    # analysts, too, find it current (docs/organisations.md §3).
    today = timezone.localdate()
    for organisations in cache.get(SCOPED_DEFAULTS) or []:
        scoped = AnalysisFilter(organisations=tuple(organisations))
        job_enqueue(
            kind=KNOTS_JOB,
            params=knot_job_params(scoped, KnotParams(), today),
            dedupe_key=_key(scoped, KnotParams()),
            backoff=KNOTS_BACKOFF,
        )


def _scoped_default_remember(analysis_filter: AnalysisFilter, params: KnotParams) -> None:
    """Note an organisation's or a county's default view, which a tag change then recomputes."""
    if not analysis_filter.organisations or params != KnotParams():
        return
    if analysis_filter != AnalysisFilter(organisations=analysis_filter.organisations):
        return
    scopes = cache.get(SCOPED_DEFAULTS) or []
    wanted = list(analysis_filter.organisations)
    if wanted not in scopes:
        cache.set(SCOPED_DEFAULTS, [*scopes, wanted][-SCOPED_DEFAULTS_MAX:], CACHE_SECONDS)


def _knot_labels() -> dict[str, str]:
    return {"knots": _("Knots"), "deviations": _("Deviations"), "tag_version": _("Data version")}


@dataclass(frozen=True, slots=True)
class KnotResult:
    knots: tuple[Knot, ...]
    deviations: int
    computed_at: datetime
    tag_version: int
    today: date  # trends and recency are relative to it: a new day makes a result stale

    def current(self, today: date, version: int) -> bool:
        return self.tag_version == version and self.today == today


@dataclass(frozen=True, slots=True)
class ServedKnots:
    """What a page shows: the last good result (None before the first), whether the data has
    changed since, and the job recomputing it."""

    result: KnotResult | None
    stale: bool
    job: Job | None


def concepts_digest(concepts: dict[str, str]) -> str:
    """Which concordance a result was computed with: an edit to it is a different view."""
    return hashlib.sha256(repr(sorted(concepts.items())).encode()).hexdigest()[:16]


# The form of a kept result: raised when `Knot` gains a field (2: `equality`), so that a result
# kept before an upgrade is computed again rather than served without it.
RESULT_FORMAT = 2


def _key(analysis_filter: AnalysisFilter, params: KnotParams) -> str:
    """One kept result per view, whatever its day and data version, so that a page always
    has the last good one to show."""
    concepts = concepts_digest(catalogue_concepts())
    raw = f"{RESULT_FORMAT}|{analysis_filter.key()}|{sorted(asdict(params).items())}|{concepts}"
    return "knots:" + hashlib.sha256(raw.encode()).hexdigest()


def default_result_kept() -> KnotResult | None:
    """The default view's kept result, as every page would be served it (for monitoring)."""
    return cache.get(_key(AnalysisFilter(), KnotParams()))


def _is_default(analysis_filter: AnalysisFilter, params: KnotParams) -> bool:
    return analysis_filter == AnalysisFilter() and params == KnotParams()


def knot_result(
    analysis_filter: AnalysisFilter = AnalysisFilter(),
    *,
    params: KnotParams = KnotParams(),
    today: date | None = None,
    use_cache: bool = True,
    progress: Progress | None = None,
) -> KnotResult:
    """The ranked knots for a filter on today's data; local knots only in place-filtered views."""
    today = today or timezone.localdate()
    version = tag_version()
    key = _key(analysis_filter, params)
    if use_cache:
        cached = cache.get(key)
        if cached is not None and cached.current(today, version):
            return cached
    if progress:
        progress.step(_("Reading the confirmed tags"))
    started = time.perf_counter()
    concepts = catalogue_concepts()
    counts = None
    if analysis_filter == AnalysisFilter() and params == KnotParams():
        # Kept current change by change (analytics.live): no reading of every deviation and
        # no counting from scratch after a filing or a confirmation.
        table, counts = live.current(params=params, concepts=concepts)
    else:
        # An analysis read (core.replica), with the data version read from the same database
        # before the table: a result computed on a replica that is behind is labelled with the
        # replica's version, so pages have it computed again instead of keeping it as current.
        # (The default view's table comes from the primary, as the version read above.)
        version, table = analysis_call(_versioned_table, analysis_filter)
    if progress:
        progress.step(_("Finding knots in %(n)d deviations") % {"n": len(table)})
    knots = find_knots(
        table,
        params=params,
        today=today,
        include_local=analysis_filter.is_local,
        concepts=concepts,
        counts=counts,
    )
    knots_computed(
        "default" if _is_default(analysis_filter, params) else "filtered",
        time.perf_counter() - started,
    )
    result = KnotResult(
        knots=tuple(knots),
        deviations=len(table),
        computed_at=timezone.now(),
        tag_version=version,
        today=today,
    )
    cache.set(key, result, CACHE_SECONDS)
    return result


def _versioned_table(analysis_filter: AnalysisFilter) -> tuple[int, DeviationTable]:
    return tag_version(), deviation_table(analysis_filter)


def knot_result_served(
    analysis_filter: AnalysisFilter = AnalysisFilter(),
    *,
    params: KnotParams = KnotParams(),
    by: User | None = None,
) -> ServedKnots:
    """For pages: never wait for the engine. The kept result is served even when the data
    changed since, with a background job queued (or already running) to bring it up to date."""
    today = timezone.localdate()
    key = _key(analysis_filter, params)
    _scoped_default_remember(analysis_filter, params)
    cached = cache.get(key)
    if cached is not None and cached.current(today, tag_version()):
        return ServedKnots(cached, stale=False, job=None)
    job = job_enqueue(
        kind=KNOTS_JOB,
        by=by,
        params=knot_job_params(analysis_filter, params, today),
        dedupe_key=KNOTS_DEFAULT_JOB if _is_default(analysis_filter, params) else key,
        backoff=KNOTS_BACKOFF,
    )
    fresh = cache.get(key)  # with the immediate backend the job has already run
    if fresh is not None and fresh.current(today, tag_version()):
        return ServedKnots(fresh, stale=False, job=None)
    return ServedKnots(fresh or cached, stale=True, job=job)


def knot_result_kept(
    analysis_filter: AnalysisFilter = AnalysisFilter(), *, params: KnotParams = KnotParams()
) -> KnotResult | None:
    """The last computed result for a view, however old, without computing or queueing
    anything: for glances such as the start page."""
    return cache.get(_key(analysis_filter, params))


def knot_job_params(
    analysis_filter: AnalysisFilter, params: KnotParams, today: date
) -> dict[str, object]:
    """The job's JSON: the view written as the pages and the API would ask for it."""
    return {
        "filter": analysis_filter.as_params(),
        "params": knot_params_as_params(params),
        "today": today.isoformat(),
    }


@job_kind(
    KNOTS_JOB,
    gettext_lazy("Knot recomputation"),
    keep_days=1,
    result_labels=_knot_labels,
    result_template="analytics/includes/knots_job_result.html",
)
def knots_run(job: Job, progress: Progress) -> dict[str, object]:
    """Recompute one view's knots (the default view when queued by a tag change)."""
    # Read back by the same parser as a request: a place removed since the job was queued
    # fails the job with the same message a page would show (AnalysisFilterError).
    analysis_filter = AnalysisFilter.from_params(job.params.get("filter") or {})
    params = knot_params_from_params(job.params.get("params") or {})
    # Today's knots, also when the job was queued yesterday: it brings the kept result up to date.
    result = knot_result(analysis_filter, params=params, progress=progress)
    if analysis_filter == AnalysisFilter():
        # The overview's graph and the dashboard's figures for the same data, so those pages
        # are current for everyone too, in every language of the interface.
        progress.step(_("Drawing the co-occurrence graph"))
        graph_refresh(analysis_filter)
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                dashboard_refresh(analysis_filter)
    return {
        "knots": len(result.knots),
        "deviations": result.deviations,
        "tag_version": result.tag_version,
    }


REFRESH_JOB = "figures"


# What this process last read of each served value, by key: (version, value). A warm page
# then reads one small version entry instead of unpickling a graph of 130,000 edges (0.5 s at
# 1M), and a value is read from the shared cache once per process per version.
_held: OrderedDict[str, tuple[int, Any]] = OrderedDict()
_HELD_MOST = 24
_held_lock = threading.Lock()


def _hold(key: str, kept: tuple[int, Any]) -> None:
    with _held_lock:
        _held[key] = kept
        _held.move_to_end(key)
        while len(_held) > _HELD_MOST:
            _held.popitem(last=False)


def served_forget() -> None:
    """Forget what this process holds (tests: rolled-back rows reuse version numbers)."""
    _held.clear()


def _shared(key: str) -> tuple[int, Any] | None:
    """The shared cache's latest value for `key`, read only when it is newer than the one
    this process holds (its version is stored beside it, small)."""
    held = _held.get(key)
    stored = cache.get(f"{key}:v")
    if held is not None and stored == held[0]:
        return held
    kept = cache.get(key)
    if kept is not None:
        _hold(key, kept)
    return kept


def _served[T](kind: str, view: str, compute: Callable[[], T], *, job: dict[str, object]) -> T:
    """The last value computed for a view: current, or, when the data has moved on since, the
    last one while a background job brings it up to date, so no visitor waits for the
    computation after a change; computed here only for a view never computed before.

    `kind` and `view` name the value (the view includes its language where the value has
    words); `job` is what the refresh job needs to compute it again.
    """
    key = f"latest:{kind}:" + hashlib.sha256(view.encode()).hexdigest()
    version = tag_version()
    held = _held.get(key)
    if held is not None and held[0] == version:
        return held[1]
    kept = _shared(key)
    if kept is not None and kept[0] == version:
        return kept[1]
    if kept is not None:
        job_enqueue(
            kind=REFRESH_JOB,
            params={"what": kind, **job},
            dedupe_key=key[:64],
            backoff=KNOTS_BACKOFF,
        )
        fresh = _shared(key)  # with the immediate backend the job has already run
        return (fresh or kept)[1]
    return _computed(key, compute)


def _computed[T](key: str, compute: Callable[[], T]) -> T:
    """Compute the value as an analysis read (core.replica) and keep it with the data version
    read before it from the same database: a value computed on a replica that is behind is
    labelled so, and computed again once the replica has caught up."""
    version, value = analysis_call(lambda: (tag_version(), compute()))
    cache.set_many({key: (version, value), f"{key}:v": version}, CACHE_SECONDS)
    _hold(key, (version, value))
    return value


@job_kind(REFRESH_JOB, gettext_lazy("Figures brought up to date"), keep_days=1)
def figures_run(job: Job, progress: Progress) -> dict[str, object]:
    """Compute a page's figures or picture again after the data changed (`_served`)."""
    analysis_filter = AnalysisFilter.from_params(job.params.get("filter") or {})
    language = str(job.params.get("language") or settings.LANGUAGE_CODE)
    progress.step(_("Counting"))
    if job.params.get("what") == "graph":
        graph_refresh(analysis_filter, min_count=int(job.params.get("min_count") or 5))
    else:
        with translation.override(language):
            dashboard_refresh(analysis_filter)
    return {}


def _graph_view(analysis_filter: AnalysisFilter, min_count: int) -> str:
    concepts = concepts_digest(catalogue_concepts())
    return f"{analysis_filter.key()}|{min_count}|{concepts}"


def graph_result(
    analysis_filter: AnalysisFilter = AnalysisFilter(), *, min_count: int = 5
) -> CooccurrenceGraph:
    """The co-occurrence graph for a filter: the last one while a newer is computed."""
    return _served(
        "graph",
        _graph_view(analysis_filter, min_count),
        lambda: _graph(analysis_filter, min_count),
        job={"filter": analysis_filter.as_params(), "min_count": min_count},
    )


def graph_refresh(analysis_filter: AnalysisFilter, *, min_count: int = 5) -> None:
    key = (
        "latest:graph:"
        + hashlib.sha256(_graph_view(analysis_filter, min_count).encode()).hexdigest()
    )
    _computed(key, lambda: _graph(analysis_filter, min_count))


def _graph(analysis_filter: AnalysisFilter, min_count: int) -> CooccurrenceGraph:
    concepts = catalogue_concepts()
    table = table_result(analysis_filter).on_concepts(concepts)
    return cooccurrence_graph(table, min_count=min_count, seed=42, concepts=concepts)


def table_result(analysis_filter: AnalysisFilter = AnalysisFilter()) -> DeviationTable:
    """The deviation table for a filter, cached for the dashboard's many figures; the default
    view's from the state kept current (analytics.live) where this process keeps one, else
    from the snapshot (analytics.extract). An analysis read (core.replica), kept under the
    data version read before it from the same database."""
    if analysis_filter == AnalysisFilter() and live.keeps():
        return live.current(params=KnotParams(), concepts=catalogue_concepts())[0]
    return analysis_call(_table_read, analysis_filter)


def _table_read(analysis_filter: AnalysisFilter) -> DeviationTable:
    version = tag_version()
    key = "table:" + hashlib.sha256(f"{version}|{analysis_filter.key()}".encode()).hexdigest()
    local = caches["local"]  # large, and cheap to rebuild: each process keeps its own
    cached = local.get(key)
    if cached is not None:
        return cached
    table = deviation_table(analysis_filter)
    local.set(key, table, CACHE_SECONDS)
    return table


@dataclass(frozen=True, slots=True)
class Figure:
    name: str
    title: str
    rows: list[tuple[str, int]]
    columns: bool = False  # over time: vertical columns instead of bars


def _figures_view(analysis_filter: AnalysisFilter) -> str:
    concepts = concepts_digest(catalogue_concepts())
    return f"{analysis_filter.key()}|{get_language()}|{concepts}"


def dashboard_figures(analysis_filter: AnalysisFilter) -> list[Figure]:
    """Every dashboard figure as rows of (label, count), all from one filter, per language
    (the labels are translated): the last ones while newer are computed (`_served`), and the
    guldkorn counted now (one small query; their changes move no data version)."""
    served = _served(
        "figures",
        _figures_view(analysis_filter),
        lambda: _dashboard_figures(analysis_filter),
        job={"filter": analysis_filter.as_params(), "language": get_language()},
    )
    practices = Figure(
        "practices", _("Guldkorn by status"), analysis_call(practices_by_status, analysis_filter)
    )
    return [*served, practices]


def dashboard_refresh(analysis_filter: AnalysisFilter) -> None:
    """Compute the figures again in the active language and keep them."""
    key = "latest:figures:" + hashlib.sha256(_figures_view(analysis_filter).encode()).hexdigest()
    _computed(key, lambda: _dashboard_figures(analysis_filter))


def _dashboard_figures(analysis_filter: AnalysisFilter) -> list[Figure]:
    versions = table_result(analysis_filter)
    concepts = catalogue_concepts()
    table = versions.on_concepts(concepts)  # a law and the law that replaced it: one row
    deviations = filtered_deviations(analysis_filter)

    def labelled(rows: list[tuple[str, int]]) -> list[tuple[str, int]]:
        labels = concept_labels(
            [tag for tag, _ in rows], concepts=concepts, present=versions.vocabulary
        )
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
    pair_labels = concept_labels([tag for a, b, _ in pairs for tag in (a, b)], concepts=concepts)
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


def practices_by_status(analysis_filter: AnalysisFilter) -> list[tuple[str, int]]:
    """Guldkorn beside the deviations: what works, counted as systematically as what fails."""
    labels = dict(GoodPractice.Status.choices)
    rows = (
        filtered_practices(analysis_filter)
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by("-n", "status")
    )
    return [(str(labels.get(status, status)), count) for status, count in rows]
