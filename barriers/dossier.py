"""The dossier a steering group decides on: one context for the page and the PDF."""

from __future__ import annotations

from typing import Any

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from analytics.charts import bar_chart, column_chart
from analytics.disclosure import present_count, suppress_small, viewer_may_see_small
from analytics.presentation import knot_key, knot_picture, labels_for
from analytics.results import graph_result, knot_result_served
from barriers.effect import barrier_effect
from barriers.explain import route_details
from barriers.models import Barrier
from barriers.selectors import barrier_evidence_list, barrier_route_taken
from deviations.models import Gender, User


def dossier_context(*, user: User, barrier: Barrier) -> dict[str, Any]:
    """Everything the dossier shows, as this user may see it (counts below 5 hidden outside
    the analyst role)."""
    may_see_small = viewer_may_see_small(user)
    evidence = list(
        barrier_evidence_list(user=user, barrier=barrier).select_related(
            "deviation__municipality", "deviation__unit"
        )
    )
    examples = [row.deviation for row in evidence if row.is_example][:5]
    knot = None
    picture = ""
    if barrier.knot_key:
        result = knot_result_served(by=user).result
        knots = result.knots if result else ()
        knot = next((k for k in knots if knot_key(k.tags) == barrier.knot_key), None)
        if knot is not None:
            picture = knot_picture(knot, graph_result())
    route_taken = barrier_route_taken(barrier=barrier)
    return {
        "barrier": barrier,
        "knot": knot,
        "picture": picture,
        "evidence_count": present_count(len(evidence), viewer_may_see_small=may_see_small),
        "municipality_count": len({row.deviation.municipality_id for row in evidence}),
        "figures": _figures(barrier, evidence, may_see_small=may_see_small),
        "examples": examples,
        "route_taken": route_taken,
        "route_lines": [
            (escalation, route_details(escalation.route)) for escalation in route_taken
        ],
        "tag_labels": list(zip(barrier.tags, labels_for(barrier.tags), strict=True)),
        "effect": barrier_effect(barrier=barrier),
        "printed_at": timezone.now(),
    }


def dossier_pdf(context: dict[str, Any]) -> tuple[bytes, int]:
    """The dossier as PDF (bytes, pages), from the same template body and the site's
    stylesheet in print media, rendered by WeasyPrint."""
    from weasyprint import CSS, HTML  # imported here: it loads Pango, needed only for PDFs

    html = render_to_string("barriers/dossier_pdf.html", context)
    stylesheet = finders.find("css/knutpunkt.css")
    document = HTML(string=html).render(stylesheets=[CSS(filename=stylesheet)])
    return document.write_pdf(), len(document.pages)


def _figures(barrier: Barrier, rows: list, *, may_see_small: bool) -> list[dict[str, object]]:
    """Charts of the evidence by municipality, month and gender, for the dossier."""
    by_place: dict[str, int] = {}
    by_month: dict[str, int] = {}
    by_gender: dict[str, int] = {}
    for row in rows:
        deviation = row.deviation
        by_place[deviation.municipality.name] = by_place.get(deviation.municipality.name, 0) + 1
        month = deviation.occurred_on.strftime("%Y-%m")
        by_month[month] = by_month.get(month, 0) + 1
        gender = str(dict(Gender.choices).get(deviation.gender) or _("Not stated"))
        by_gender[gender] = by_gender.get(gender, 0) + 1
    figures = []
    for title, counts, columns in (
        (_("By municipality"), by_place, False),
        (_("Per month"), dict(sorted(by_month.items())), True),
        (_("By gender"), by_gender, False),
    ):
        rows_ = (
            list(counts.items())
            if columns
            else sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        )
        shown = suppress_small(rows_, viewer_may_see_small=may_see_small)
        drawn = [(row.label, row.drawn) for row in shown]
        svg = (
            column_chart(drawn, title=title)
            if columns
            else bar_chart(drawn, title=title, value_label=[row.text for row in shown])
        )
        figures.append(
            {
                "title": title,
                "svg": svg,
                "rows": [(row.label, row.text) for row in shown],
            }
        )
    return figures
