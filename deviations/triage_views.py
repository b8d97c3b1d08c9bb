"""Triage pages: the queue with bulk actions, and one deviation at a time with shortcuts."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalogue.selectors import tag_choices
from catalogue.services import unconfirmed_tags
from catalogue.tagids import is_tag_id
from core.errors import DomainError
from core.requests import request_user
from core.search import search_page
from deviations.filters import DeviationFilterSet, searched_text
from deviations.models import Deviation, GoodPractice, Tagging, TriageAction, User
from deviations.presentation import explained_tags, highlighted_tags
from deviations.rules import FieldRuleError, check_tags
from deviations.selectors import (
    deviation_get,
    deviation_list,
    similar_deviations,
    tagging_list,
    triage_queue,
)
from deviations.services import tags_suggest
from deviations.triage import (
    TriageDecision,
    deviation_triage,
    deviations_triage_bulk,
    triage_undo,
)

TRIAGE_PERMISSION = "deviations.triage_deviation"
TRIAGE_ORDER = ("reported_at", "pk")  # oldest first, as `triage_queue` orders it


@login_required
@permission_required(TRIAGE_PERMISSION, raise_exception=True)
def triage_queue_view(request: HttpRequest) -> HttpResponse:
    """The queue, oldest first, narrowed by the deviation list's own filters (one definition):
    words, place, unit, category, dates; a bad value is named beside its field."""
    queue = triage_queue(user=request_user(request)).select_related("municipality", "unit")
    params = request.GET.copy()
    params.pop("page", None)
    filterset = DeviationFilterSet(params or None, queryset=queue, request=request)
    filterset.filters = {n: f for n, f in filterset.filters.items() if n in TRIAGE_FILTERS}
    shown = queue.none() if filterset.is_bound and not filterset.is_valid() else filterset.qs
    found = search_page(
        shown, *TRIAGE_ORDER, number=request.GET.get("page"), per_page=50, rank=False
    )
    page = found.page
    rows = list(page.object_list)
    counts = _suggested_counts(rows)
    for row in rows:
        row.suggested_count = counts.get(row.pk, 0)  # type: ignore[attr-defined]
    return render(
        request,
        "deviations/triage_queue.html",
        {
            "page_obj": page,
            "rows": rows,
            "total": queue.count(),
            "matching": page.paginator.count,
            "search": found,
            "filter": filterset,
            "query": params.urlencode(),
            "searched": searched_text(filterset),
            # Guldkorn are confirmed like deviations: their queue is one link away.
            "practices_waiting": GoodPractice.objects.filter(
                status=GoodPractice.Status.SUBMITTED
            ).count(),
        },
    )


# The list's filters that make sense before tags are confirmed.
TRIAGE_FILTERS = (
    "q",
    "municipality",
    "unit",
    "category",
    "severity",
    "occurred_after",
    "occurred_before",
)


def _suggested_counts(deviations: object) -> dict[int, int]:
    counts: dict[int, int] = {}
    for deviation_id in Tagging.objects.filter(
        deviation__in=deviations, state=Tagging.State.SUGGESTED
    ).values_list("deviation_id", flat=True):
        counts[deviation_id] = counts.get(deviation_id, 0) + 1
    return counts


@login_required
@permission_required(TRIAGE_PERMISSION, raise_exception=True)
@require_POST
def triage_bulk_view(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    references = request.POST.getlist("deviations")
    action = request.POST.get("action")
    if not references or action not in ("confirm_and_done", "done"):
        messages.error(request, _("Choose at least one deviation and an action."))
        return redirect("triage:queue")
    rows = list(deviation_list(user=user).filter(reference__in=references))
    actions = deviations_triage_bulk(
        deviations=rows,
        by=user,
        confirm_suggestions=action == "confirm_and_done",
        done=True,
    )
    messages.success(
        request,
        _("%(n)d deviations were triaged. Each can be undone from its page.") % {"n": len(actions)},
    )
    return redirect("triage:queue")


@login_required
@permission_required(TRIAGE_PERMISSION, raise_exception=True)
def triage_deviation_view(request: HttpRequest, reference: str) -> HttpResponse:
    user = request_user(request)
    deviation = deviation_get(user=user, reference=reference)
    if request.method == "POST":
        decision, problems = _decision_from(request, deviation=deviation, user=user)
        if not problems:
            try:
                action = deviation_triage(deviation=deviation, decision=decision, by=user)
            except DomainError as error:
                problems.append(error.message)
            else:
                request.session["last_triage_action"] = action.pk
                messages.success(request, _("Saved: %(summary)s.") % {"summary": action.summary})
                if decision.done:
                    following = triage_queue(user=user).exclude(pk=deviation.pk).first()
                    if following is not None:
                        return redirect("triage:deviation", reference=following.reference)
                    return redirect("triage:queue")
                return redirect("triage:deviation", reference=deviation.reference)
        for problem in problems:
            messages.error(request, problem)
    last_action = (
        TriageAction.objects.filter(
            pk=request.session.get("last_triage_action"), undone_at__isnull=True
        )
        .select_related("deviation")
        .first()
    )
    choices = tag_choices()
    taggings = list(tagging_list(deviation=deviation))
    return render(
        request,
        "deviations/triage_deviation.html",
        {
            "deviation": deviation,
            "highlighted": highlighted_tags(deviation=deviation, taggings=taggings),
            "taggings": explained_tags(deviation=deviation, taggings=taggings),
            "unconfirmed": unconfirmed_tags(t.tag_id for t in taggings),
            "similar": similar_deviations(deviation=deviation, user=user),
            "catalogue": [{"id": c.id, "label": c.label, "hint": c.hint} for c in choices.values()],
            "last_action": last_action,
            "queue_position": triage_queue(user=user)
            .filter(reported_at__lt=deviation.reported_at)
            .count()
            + 1,
            "queue_total": triage_queue(user=user).count(),
        },
    )


def _cited(value: str, deviation: Deviation) -> list[str]:
    """The provisions (else the laws) a typed citation names, dated by the event like the text:
    an analyst may add a section the catalogue does not list yet by writing it out."""
    found = tags_suggest(text=value, on=deviation.occurred_on)
    provisions = [s.tag_id for s in found if s.kind == "provision"]
    return provisions or [s.tag_id for s in found if s.kind == "law"]


def _decision_from(
    request: HttpRequest, *, deviation: Deviation, user: User
) -> tuple[TriageDecision, list[str]]:
    """Read the triage form: one radio per tag, tags to add, a duplicate, and whether to move on."""
    problems: list[str] = []
    confirm, reject = [], []
    for tagging in deviation.taggings.all():
        choice = request.POST.get(f"tag:{tagging.tag_id}")
        if choice == "confirmed":
            confirm.append(tagging.tag_id)
        elif choice == "rejected":
            reject.append(tagging.tag_id)
    choices = tag_choices()
    by_label = {c.label.casefold(): c.id for c in choices.values()}
    add = []
    for raw in request.POST.get("add", "").replace(",", ";").split(";"):
        value = raw.strip()
        if not value:
            continue
        tag_id = value if value in choices else by_label.get(value.casefold())
        if tag_id is None and not is_tag_id(value) and (cited := _cited(value, deviation)):
            add.extend(cited)  # a citation such as "11 kap. 1 § SoL", read as the tagger reads it
            continue
        if tag_id is None:
            try:  # typed as an id: the same rule as on every other path
                check_tags([value], known=choices)
            except FieldRuleError as error:
                problems.append(error.message)
                continue
            tag_id = value
        add.append(tag_id)
    duplicate_of = None
    clear_duplicate = False
    duplicate_ref = (
        request.POST.get("duplicate_other", "").strip()
        or request.POST.get("duplicate_of", "").strip()
    )
    if duplicate_ref == "none":
        clear_duplicate = True
    elif duplicate_ref:
        duplicate_of = deviation_list(user=user).filter(reference=duplicate_ref).first()
        if duplicate_of is None:
            problems.append(
                _("There is no deviation %(reference)s.") % {"reference": duplicate_ref[:20]}
            )
    decision = TriageDecision(
        confirm=confirm,
        reject=reject,
        add=add,
        duplicate_of=duplicate_of,
        clear_duplicate=clear_duplicate,
        done=request.POST.get("action") == "save_next",
    )
    return decision, problems


@login_required
@permission_required(TRIAGE_PERMISSION, raise_exception=True)
@require_POST
def triage_undo_view(request: HttpRequest, action_id: int) -> HttpResponse:
    user = request_user(request)
    action = get_object_or_404(
        TriageAction.objects.filter(deviation__in=deviation_list(user=user)), pk=action_id
    )
    try:
        deviation = triage_undo(action=action, by=user)
    except DomainError as error:
        messages.error(request, error.message)
        deviation = action.deviation
    else:
        messages.success(request, _("Undone: %(summary)s.") % {"summary": action.summary})
    return redirect("triage:deviation", reference=deviation.reference)
