"""The analyst workspace: ranked knots, one knot in detail, the overview picture, the dashboard.

Thin views: the filter form gives an AnalysisFilter, analytics.results gives cached numbers,
analytics.presentation turns them into sentences and pictures.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from analytics.charts import bar_chart, column_chart
from analytics.disclosure import (
    ANALYST_PERMISSION,
    ROUNDING_BASE,
    SMALL_COUNT,
    present_share,
    protect_figure,
    viewer_sees_exact,
    withheld_note,
)
from analytics.equality import knots_listed
from analytics.forms import AnalysisFilterForm
from analytics.presentation import (
    OVERVIEW_NODES,
    equality_explanation,
    graph_labels,
    knot_key,
    knot_picture,
    knot_sentence,
    knot_sparkline,
    knot_tag_labels,
    knot_title,
    overview_picture,
    picture_legend,
)
from analytics.results import dashboard_figures, graph_result, knot_result_served
from core.downloads import download_response
from core.replica import analysis_call
from core.requests import request_user
from core.roles import STEERING
from deviations.imports import export_names_allowed, export_rows
from deviations.models import (
    Deviation,
    User,
)
from deviations.practices import practices_matching

ANALYST = ANALYST_PERMISSION
PER_PAGE = 25  # rows of a long list on one page


def _query_without(request: HttpRequest, *names: str) -> str:
    """The page's query (its filters) without `names`, for links that set them anew."""
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


def _shown_nodes(request: HttpRequest, available: int) -> int:
    """How many circles the overview draws: ?nodes=, else the readable default; anything
    unreadable as a number falls back to the default rather than failing."""
    try:
        wanted = int(request.GET.get("nodes", OVERVIEW_NODES))
    except ValueError:
        wanted = OVERVIEW_NODES
    return max(1, min(wanted, available)) if available else 0


def _form(request: HttpRequest) -> AnalysisFilterForm:
    return AnalysisFilterForm(request.GET or None, user=request_user(request))


@login_required
@permission_required(ANALYST, raise_exception=True)
def knots_view(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    analysis_filter = form.to_filter()
    params = form.params()
    served = (
        knot_result_served(analysis_filter, params=params, by=request_user(request))
        if not form.errors
        else None
    )
    result = served.result if served else None
    # A page of knots at a time, best first: sentences and sparklines only for those.
    knots = knots_listed(result.knots, form.listing()) if result else []
    page = Paginator(knots, PER_PAGE).get_page(request.GET.get("page"))
    rows = [
        {
            "key": knot_key(knot.tags),
            "title": " + ".join(knot_tag_labels(knot)),  # tags nobody has checked are marked
            "sentence": knot_sentence(knot, horizon_days=params.horizon_days),
            "sparkline": knot_sparkline(knot),
            "knot": knot,
        }
        for knot in page.object_list
    ]
    filters = _query_without(request, "page")
    return render(
        request,
        "analytics/knots.html",
        {
            "form": form,
            "result": result,
            "served": served,
            "rows": rows,
            "page_obj": page,
            "query": filters,  # the knots' links and the pages keep the filters, not the page
        },
    )


def _find_knot(request: HttpRequest, key: str):  # noqa: ANN202 - returns (form, result, knot)
    form = _form(request)
    result = knot_result_served(
        form.to_filter(), params=form.params(), by=request_user(request)
    ).result
    for knot in result.knots if result else ():
        if knot_key(knot.tags) == key:
            return form, result, knot
    raise Http404(_("No such knot with these filters; it may have changed since."))


@login_required
@permission_required(ANALYST, raise_exception=True)
def knot_detail_view(request: HttpRequest, key: str) -> HttpResponse:
    form, result, knot = _find_knot(request, key)
    export = request.GET.get("export")
    if export in ("csv", "xlsx"):
        deviations = (
            Deviation.objects.filter(reference__in=knot.deviations)
            .select_related("municipality", "unit")
            .order_by("occurred_on", "reference")
        )
        names_allowed = export_names_allowed(request_user(request))
        # The rows are read as the file is written: an analysis read (core.replica).
        return analysis_call(
            lambda: download_response(
                export_rows(deviations, names_allowed=names_allowed), export, f"knut-{key}"
            )
        )
    # Every supporting deviation, a page at a time; the barrier made from the knot takes all.
    deviations = Paginator(
        Deviation.objects.filter(reference__in=knot.deviations)
        .select_related("municipality", "unit")
        .order_by("-occurred_on", "-reference"),
        PER_PAGE,
    ).get_page(request.GET.get("page"))
    graph = graph_result(form.to_filter())
    monthly = list(knot.monthly)
    return render(
        request,
        "analytics/knot_detail.html",
        {
            "form": form,
            "knot": knot,
            "key": key,
            "title": knot_title(knot),
            "sentence": knot_sentence(knot),
            "equality": equality_explanation(knot.equality) if knot.equality else "",
            "practices": practices_matching(knot.version_tags),
            "tags": list(zip(knot.tags, knot_tag_labels(knot), strict=True)),
            "split": [knot_tag_labels(knot, part) for part in knot.split],
            "picture": knot_picture(knot, graph, exact=True),
            "legend": picture_legend(knot=True),
            "monthly_chart": column_chart(
                monthly, title=_("Deviations per month for %(knot)s") % {"knot": knot_title(knot)}
            ),
            "page_obj": deviations,
            "query": request.GET.urlencode(),
            "page_query": _query_without(request, "page"),
        },
    )


@login_required
@permission_required(ANALYST, raise_exception=True)
def overview_view(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    graph = graph_result(form.to_filter())
    communities = [graph_labels(sorted(members))[:8] for members in graph.communities[:8]]
    hubs = sorted(
        (node for node in graph.nodes if node.hub), key=lambda node: (-node.centrality, node.tag)
    )
    available = len(graph.nodes)
    shown = _shown_nodes(request, available)
    return render(
        request,
        "analytics/overview.html",
        {
            "form": form,
            "picture": overview_picture(graph, limit=shown, exact=True),
            "legend": picture_legend(knot=False),
            "shown": shown,
            "available": available,
            "more": min(available, shown * 2) if shown < available else None,
            "fewer": OVERVIEW_NODES if shown > OVERVIEW_NODES else None,
            "nodes_query": _query_without(request, "nodes"),
            "communities": communities,
            "hubs": list(zip(hubs, graph_labels(node.tag for node in hubs), strict=True)),
            "graph": graph,
        },
    )


@login_required
def dashboard_view(request: HttpRequest) -> HttpResponse:
    """Counts and shares for the filter, protected outside the analyst role (“<5”, the rest
    rounded to 5: analytics.disclosure)."""
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - login_required
    if not (user.has_perm(ANALYST) or user.groups.filter(name=STEERING).exists()):
        raise PermissionDenied
    form = _form(request)
    exact = viewer_sees_exact(user)
    figures = dashboard_figures(form.to_filter()) if not form.errors else []
    total_label = str(_("Total"))
    shown = {
        figure.name: protect_figure(figure.rows, exact=exact, total_label=total_label)
        for figure in figures
    }
    export = request.GET.get("export")
    if export:
        figure = next((f for f in figures if f.name == request.GET.get("figure")), None)
        if export not in ("csv", "xlsx") or figure is None:
            raise Http404(_("No such figure to download."))
        table = [[figure.title, str(_("Deviations")), str(_("Share"))]]
        protected = shown[figure.name]
        if protected.withheld:
            table.append([str(withheld_note()), "", ""])
        table += [
            [row.label, row.text, "" if row.share is None else f"{row.share:.3f}"]
            for row in [*protected.rows, protected.total]
        ]
        return download_response(table, export, f"knutpunkt-{figure.name}")
    charts = []
    for figure in figures:
        rows = shown[figure.name].rows
        drawn = [(row.label, row.drawn) for row in rows]
        if shown[figure.name].withheld:
            svg = ""
        elif figure.columns:
            svg = column_chart(drawn, title=figure.title, value_label=[r.text for r in rows])
        else:
            svg = bar_chart(drawn[:25], title=figure.title, value_label=[r.text for r in rows[:25]])
        charts.append(
            {
                "name": figure.name,
                "title": figure.title,
                "svg": svg,
                "rows": [(row.label, row.text, present_share(row)) for row in rows],
                "total": shown[figure.name].total,
                "withheld": withheld_note() if shown[figure.name].withheld else "",
            }
        )
    return render(
        request,
        "analytics/dashboard.html",
        {
            "form": form,
            "charts": charts,
            "suppress": not exact,
            "small_count": SMALL_COUNT,
            "rounding_base": ROUNDING_BASE,
            "query": request.GET.urlencode(),
        },
    )
