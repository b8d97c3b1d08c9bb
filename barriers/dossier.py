"""The dossier a steering group decides on: one context for the page and the PDF.

Outside the analyst role every count in it is protected (analytics.disclosure); the examples,
the only free text of deviations in it, reach only those who see all the barrier's evidence,
and never when they hold possible personal data (a possible name included).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.contrib.staticfiles import finders
from django.db.models import Count, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from analytics.charts import bar_chart, column_chart
from analytics.disclosure import (
    SMALL_COUNT,
    present_count,
    protect_count,
    protect_figure,
    viewer_sees_exact,
    withheld_note,
)
from analytics.equality import DIMENSIONS, equality_finding
from analytics.extract import AnalysisFilter, filtered_deviations
from analytics.presentation import (
    equality_clause,
    equality_explanation,
    knot_key,
    knot_picture,
    labels_for,
    picture_legend,
)
from analytics.results import graph_result, knot_result_served
from analytics.types import Dimension, EqualityFinding, Knot
from barriers.effect import EffectCheck, RateEffect, barrier_effect, rate_effect
from barriers.explain import route_details
from barriers.models import Barrier, BarrierEvidence
from barriers.selectors import (
    barrier_evidence_complete,
    barrier_evidence_list,
    barrier_route_taken,
)
from core.attachments import attachments_for
from deviations.models import Deviation, Gender, GoodPractice, User
from deviations.practices import practices_matching
from privacy.mask import quote_blocker


def example_refusal(text: str) -> str:
    """Why a deviation's text may not be quoted as an example ("" when it may): the quote is
    verbatim, so a possible name, however often confirmed, waits until the text is edited."""
    blocker = quote_blocker(text)
    if blocker == "name":
        return _("The example contains a possible name; edit the deviation to use it.")
    if blocker is not None:
        return _("The example contains personal data; edit the deviation to use it.")
    return ""


@dataclass(frozen=True, slots=True)
class DossierExample:
    deviation: Deviation
    refusal: str  # "" when it is quoted; otherwise why not, shown to analysts only


def dossier_examples(
    *, user: User, barrier: Barrier, evidence: QuerySet[BarrierEvidence]
) -> list[DossierExample]:
    """The chosen examples as this user may read them: none for those who do not see all the
    evidence; refused ones only to analysts, as a note in place of the text."""
    if not barrier_evidence_complete(user=user, barrier=barrier):
        return []
    examples = [
        DossierExample(row.deviation, example_refusal(row.deviation.description))
        for row in evidence.filter(is_example=True).select_related("deviation")[:5]
    ]
    if viewer_sees_exact(user):
        return examples
    return [example for example in examples if not example.refusal]


QUOTES_SHOWN = 5


def dossier_practices(barrier: Barrier) -> list[GoodPractice]:
    """The guldkorn beside the barrier, as a dossier may carry them: never one whose text the
    finder flags (a possible name included), since the dossier quotes them."""
    return [
        practice
        for practice in practices_matching(barrier.tags)
        if all(
            quote_blocker(text) is None
            for text in (
                practice.title,
                practice.what_was_done,
                practice.who,
                practice.what_it_solved,
            )
        )
    ]


def dossier_quotes(
    *, user: User, barrier: Barrier, evidence: QuerySet[BarrierEvidence], count: int
) -> list[str] | None:
    """The participants' own words, given with consent, as the dossier may carry them: only
    when the evidence holds at least the disclosure limit of deviations (`count`, those the
    viewer sees), only for those who see all of it, never words the finder flags (a possible
    name included), and without date or place. None when the limit withholds them."""
    if count < SMALL_COUNT or not barrier_evidence_complete(user=user, barrier=barrier):
        return None
    words = evidence.filter(
        deviation__participant_consent=True, deviation__participant_quote__gt=""
    ).order_by("-deviation__occurred_on", "-deviation__pk")
    shown = []
    for quote in words.values_list("deviation__participant_quote", flat=True).iterator():
        if quote_blocker(quote) is None:
            shown.append(quote)
            if len(shown) == QUOTES_SHOWN:
                break
    return shown


def dossier_context(*, user: User, barrier: Barrier) -> dict[str, Any]:
    """Everything the dossier shows, as this user may see it (figures protected outside the
    analyst role)."""
    exact = viewer_sees_exact(user)
    evidence_rows = barrier_evidence_list(user=user, barrier=barrier)
    # The figures need four facts per deviation: read as tuples, not as three model instances
    # per row (a knot of 13,000 deviations took a second that way).
    evidence = list(
        evidence_rows.values_list(
            "deviation__municipality_id",
            "deviation__municipality__name",
            "deviation__occurred_on",
            "deviation__gender",
        )
    )
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
        "legend": picture_legend(knot=True) if picture else "",
        "exact": exact,
        "evidence_count": present_count(len(evidence), exact=exact),
        # Places, not people, and each is named in the figure below: shown as it is.
        "municipality_count": len({code for code, _name, _day, _gender in evidence}),
        "figures": _figures(barrier, evidence, exact=exact),
        "equality": dossier_equality(evidence_rows, evidence, knot=knot, exact=exact),
        "examples": dossier_examples(user=user, barrier=barrier, evidence=evidence_rows),
        "practices": dossier_practices(barrier),
        "quotes": dossier_quotes(
            user=user, barrier=barrier, evidence=evidence_rows, count=len(evidence)
        ),
        "examples_withheld": not barrier_evidence_complete(user=user, barrier=barrier),
        "route_taken": route_taken,
        "route_lines": [
            (escalation, route_details(escalation.route)) for escalation in route_taken
        ],
        "tag_labels": list(zip(barrier.tags, labels_for(barrier.tags), strict=True)),
        "effect": dossier_effect(barrier_effect(barrier=barrier), exact=exact),
        "printed_at": timezone.now(),
        # Names, sizes and dates only; the files themselves are not part of the dossier.
        "attachments": list(attachments_for(barrier)),
    }


@dataclass(frozen=True, slots=True)
class DossierEquality:
    sentence: str  # "hits women 1.8 times as often as other deviations", or ""
    explanation: str  # the comparison in words, counts protected outside the analyst role
    from_knot: bool  # the knot's own finding rather than the evidence's


def dossier_equality(
    evidence_rows: QuerySet[BarrierEvidence],
    evidence: list[tuple[int, str, date, str]],
    *,
    knot: Knot | None,
    exact: bool,
) -> DossierEquality | None:
    """Whom the barrier hits hardest: the knot's finding while the knot is current (it is the
    same comparison, already worked out), else the evidence against the other deviations of
    its months and municipalities (analytics.equality), as far as the viewer sees the
    evidence (`evidence_rows`, and the same rows as tuples); None when no group compares."""
    finding: EqualityFinding | None
    finding = knot.equality if knot is not None else _evidence_equality(evidence_rows, evidence)
    if finding is None:
        return None
    return DossierEquality(
        sentence=equality_clause(finding),
        explanation=equality_explanation(finding, exact=exact),
        from_knot=knot is not None,
    )


def _evidence_equality(
    evidence_rows: QuerySet[BarrierEvidence], evidence: list[tuple[int, str, date, str]]
) -> EqualityFinding | None:
    if not evidence:
        return None
    places = {place for place, _name, _day, _gender in evidence}
    first = min(day for _place, _name, day, _gender in evidence).replace(day=1)
    last = max(day for _place, _name, day, _gender in evidence)
    last = (last.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    mine = Deviation.objects.filter(pk__in=evidence_rows.values("deviation_id"))
    around = filtered_deviations(AnalysisFilter()).filter(
        municipality_id__in=places, occurred_on__range=(first, last)
    )
    inside: dict[Dimension, dict[str, int]] = {}
    area: dict[Dimension, dict[str, int]] = {}
    for dimension in DIMENSIONS:
        own = dict(Counter(mine.values_list(dimension, flat=True)))
        others = dict(
            around.exclude(pk__in=mine.values("pk"))
            .order_by()
            .values_list(dimension)
            .annotate(n=Count("pk"))
            .values_list(dimension, "n")
        )
        inside[dimension] = own
        area[dimension] = {g: own.get(g, 0) + others.get(g, 0) for g in {*own, *others}}
    return equality_finding(inside, area)


def dossier_pdf(context: dict[str, Any]) -> tuple[bytes, int]:
    """The dossier as PDF (bytes, pages), from the same template body and the site's
    stylesheet in print media, rendered by WeasyPrint."""
    from weasyprint import CSS, HTML  # imported here: it loads Pango, needed only for PDFs

    html = render_to_string("barriers/dossier_pdf.html", context)
    stylesheet = finders.find("css/knutpunkt.css")
    document = HTML(string=html).render(stylesheets=[CSS(filename=stylesheet)])
    return document.write_pdf(), len(document.pages)


def _percent(value: float) -> str:
    """A signed whole percentage, "−51 %" (a true minus sign) or "+12 %"."""
    rounded = round(100 * value)
    sign = "\u2212" if rounded < 0 else "+" if rounded > 0 else ""
    return f"{sign}{number_format(abs(rounded), force_grouping=True)}\u00a0%"


def _rate(value: float) -> str:
    """One decimal, rounded (number_format alone cuts the digits off)."""
    return number_format(round(value, 1), decimal_pos=1, force_grouping=True)


def _p_value(p: float) -> str:
    if p < 0.001:
        return "p < " + number_format(0.001, decimal_pos=3)
    return "p = " + number_format(round(p, 3), decimal_pos=3)


def effect_sentence(rates: RateEffect, *, area: str) -> str:
    """The effect in one sentence: the two rates, the change with its interval, and whether it
    is more than chance."""
    if rates.rate_before is None or rates.rate_after is None:
        return _(
            "No deviations were filed %(area)s in one of the windows, so there is no rate to "
            "compare."
        ) % {"area": area}
    sentence = _(
        "Deviations that concern the barrier %(area)s: %(before)s per 1,000 filed before the "
        "decision, %(after)s per 1,000 after"
    ) % {
        "area": area,
        "before": _rate(rates.rate_before),
        "after": _rate(rates.rate_after),
    }
    if rates.change is not None and rates.change_low is not None and rates.change_high is not None:
        sentence += " " + _("(%(change)s, 95 %% CI %(low)s to %(high)s)") % {
            "change": _percent(rates.change),
            "low": _percent(rates.change_low),
            "high": _percent(rates.change_high),
        }
    p_value = _p_value(rates.p_value)
    if rates.significant and rates.fell:
        verdict = _("the fall is larger than chance (%(p)s)") % {"p": p_value}
    elif rates.significant and rates.rose:
        verdict = _("the rise is larger than chance (%(p)s)") % {"p": p_value}
    else:
        verdict = _("the change may be chance (%(p)s)") % {"p": p_value}
    return f"{sentence}; {verdict}."


def effect_area(check: EffectCheck) -> str:
    """Where the effect is measured, to go in the sentence."""
    if check.area:
        return _("in the area of %(group)s (%(places)s)") % {
            "group": check.group,
            "places": ", ".join(check.area),
        }
    if not check.group:
        return _("among all deviations")
    return _("among all deviations (%(group)s has no area of its own)") % {"group": check.group}


def dossier_effect(check: EffectCheck | None, *, exact: bool) -> dict[str, object] | None:
    """The effect check as the reader may see it. Outside the analyst role the counts are
    protected, and the rates, interval and test are worked out from the protected counts, so
    they tell nothing the counts beside them do not; with a count below 5 they are withheld."""
    if check is None:
        return None
    counts = (check.before, check.after, check.total_before, check.total_after)
    shown = [protect_count(count, exact=exact) for count in counts]
    before, after, total_before, total_after = (
        present_count(count, exact=exact) for count in counts
    )
    effect: dict[str, object] = {
        "before": before,
        "after": after,
        "total_before": total_before,
        "total_after": total_after,
        "window_days": check.window_days,
        "sentence": "",
        "note": "",
        "fell": False,
        "significant": False,
    }
    if any(count is None for count in shown):
        effect["note"] = _(
            "One of the counts is below %(limit)s, so the rates and the test are not shown."
        ) % {"limit": SMALL_COUNT}
        return effect
    rates = rate_effect(
        before=shown[0], after=shown[1], total_before=shown[2], total_after=shown[3]
    )
    effect.update(
        sentence=effect_sentence(rates, area=effect_area(check)),
        fell=rates.fell,
        significant=rates.significant,
    )
    if not exact:
        effect["note"] = _("The rates and the test are worked out from the rounded counts.")
    return effect


def _figures(
    barrier: Barrier, rows: list[tuple[str, str, date, str]], *, exact: bool
) -> list[dict[str, object]]:
    """Charts of the evidence by municipality, month and gender, for the dossier (`rows`:
    municipality code and name, day, gender of each evidence deviation)."""
    by_place = Counter(name for _code, name, _day, _gender in rows)
    by_month = Counter(f"{day.year:04d}-{day.month:02d}" for _code, _name, day, _gender in rows)
    genders = {value: str(label) for value, label in Gender.choices}
    not_stated = str(_("Not stated"))
    by_gender = Counter(genders.get(gender) or not_stated for _code, _name, _day, gender in rows)
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
        protected = protect_figure(rows_, exact=exact)
        shown = protected.rows
        drawn = [(row.label, row.drawn) for row in shown]
        if protected.withheld:
            svg = ""
        elif columns:
            svg = column_chart(drawn, title=title, value_label=[row.text for row in shown])
        else:
            svg = bar_chart(drawn, title=title, value_label=[row.text for row in shown])
        figures.append(
            {
                "title": title,
                "svg": svg,
                "rows": [(row.label, row.text) for row in shown],
                "withheld": withheld_note() if protected.withheld else "",
            }
        )
    return figures
