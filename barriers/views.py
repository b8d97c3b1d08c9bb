"""Barrier pages for analysts, the steering-group inbox and dossier, and decisions.

Thin views: forms parse, barriers.services acts, barriers.selectors decides who sees what.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from analytics.forms import AnalysisFilterForm
from analytics.presentation import knot_key, labels_for
from analytics.results import knot_result_served
from barriers.attachments import attachment_context
from barriers.audit import audit_trail
from barriers.comments import COMMENT_KIND as BARRIER_COMMENT_KIND
from barriers.comments import barrier_audience, may_discuss
from barriers.dossier import dossier_context, dossier_effect, example_refusal
from barriers.effect import barrier_effect
from barriers.explain import route_details
from barriers.filters import BarrierFilterSet
from barriers.forms import (
    AgendaForm,
    BarrierForm,
    DecisionForm,
    EscalateForm,
    EvidenceAddForm,
    EvidenceRemoveForm,
    ExamplesForm,
    MergeForm,
    SplitForm,
    TransitionForm,
    WithdrawForm,
)
from barriers.models import Barrier, Escalation, SteeringGroup
from barriers.selectors import (
    barrier_evidence_list,
    barrier_get,
    barrier_list,
    barrier_route_taken,
    decision_list,
    group_agenda,
    group_inbox,
    inbox_group_list,
)
from barriers.services import (
    barrier_create,
    barrier_create_from_knot,
    barrier_escalate,
    barrier_evidence_add,
    barrier_evidence_remove,
    barrier_examples_set,
    barrier_merge,
    barrier_route,
    barrier_split,
    barrier_transition,
    barrier_update,
    decision_record,
    escalation_withdraw,
    forward_possible,
    send_back_targets,
)
from core.comments import comment_add, comments_for
from core.downloads import download_response
from core.errors import DomainError
from core.requests import request_user
from core.search import search_page
from deviations.models import Deviation, User
from deviations.practices import practices_matching
from deviations.selectors import deviation_get
from jobs.services import job_enqueue

ANALYST = "deviations.view_all_deviations"


EVIDENCE_PER_PAGE = 25  # rows of the evidence on one page


def _analyst(request: HttpRequest) -> User:
    user = request_user(request)
    if not user.has_perm(ANALYST):
        raise PermissionDenied
    return user


@login_required
def barrier_list_view(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    visible = barrier_list(user=user).select_related("analyst")
    params = request.GET.copy()
    params.pop("page", None)
    filterset = BarrierFilterSet(params or None, queryset=visible)
    valid = not filterset.is_bound or filterset.is_valid()
    status, searched = params.get("status", ""), params.get("q", "").strip()  # as typed
    shown = search_page(
        filterset.qs if valid else visible.none(),
        "-updated_at",
        "-pk",
        number=request.GET.get("page"),
        per_page=25,
    )
    query = urlencode([(k, v) for k, v in (("status", status), ("q", searched)) if v])
    return render(
        request,
        "barriers/barrier_list.html",
        {
            "page_obj": shown.page,
            "search": shown,
            "query": query,
            "searched": searched,
            "status": status,
            "statuses": Barrier.Status.choices,
            "filter": filterset,
            "can_create": user.has_perm(ANALYST),
        },
    )


@login_required
def barrier_create_view(request: HttpRequest) -> HttpResponse:
    user = _analyst(request)
    form = BarrierForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            barrier = barrier_create(by=user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The barrier was created."))
            return redirect("barriers:detail", pk=barrier.pk)
    return render(request, "barriers/barrier_form.html", {"form": form}, status=_status(form))


def _status(form: object) -> int:
    return 400 if getattr(form, "is_bound", False) and getattr(form, "errors", None) else 200


@login_required
@require_POST
def barrier_from_knot_view(request: HttpRequest, key: str) -> HttpResponse:
    """“Skapa systemhinder av knuten”: the knot under the same filters becomes a barrier."""
    user = _analyst(request)
    form = AnalysisFilterForm(request.GET or None, user=request_user(request))
    # The knot as the analyst saw it on the page: the served (possibly older) result.
    result = knot_result_served(form.to_filter(), params=form.params(), by=user).result
    knot = next((k for k in (result.knots if result else ()) if knot_key(k.tags) == key), None)
    if knot is None:
        raise Http404(_("No such knot with these filters; it may have changed since."))
    try:
        barrier = barrier_create_from_knot(knot=knot, by=user)
    except DomainError as error:
        messages.error(request, error.message)
        existing = error.extra.get("barrier")
        if existing:
            return redirect("barriers:detail", pk=existing)
        return redirect("analytics:knots")
    messages.success(
        request,
        _("The barrier was created from the knot with %(n)d deviations as evidence.")
        % {"n": knot.support},
    )
    return redirect("barriers:detail", pk=barrier.pk)


@login_required
@require_safe
def barrier_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The analyst's working page; steering members and reporters see the dossier instead.
    Each form on it posts to its own action URL below."""
    user = request_user(request)
    barrier = barrier_get(user=user, pk=pk)
    if not user.has_perm(ANALYST):
        return redirect("barriers:dossier", pk=barrier.pk)
    return _barrier_page(request, user=user, barrier=barrier)


def _barrier_page(
    request: HttpRequest,
    *,
    user: User,
    barrier: Barrier,
    refused: bool = False,
    withdrawing: Escalation | None = None,
    **forms: Any,
) -> HttpResponse:
    """The barrier page; an action that was refused passes its bound form (input and errors
    kept) and `refused`, and the page answers 400. `withdrawing`: the escalation a refused
    withdrawal was about, so its form stays on the page with the reason typed."""
    forms = {
        "form": BarrierForm(instance=barrier),
        "escalate_form": EscalateForm(),
        "transition_form": TransitionForm(),
        "merge_form": MergeForm(),
        "split_form": SplitForm(),
        "evidence_add_form": EvidenceAddForm(),
        "withdraw_form": WithdrawForm(),
        **forms,
    }
    route_taken = barrier_route_taken(barrier=barrier)
    open_escalation = next((e for e in route_taken if e.status == Escalation.Status.OPEN), None)
    chosen = forms.pop("examples_form", None)
    chosen = forms["split_form"] if chosen is None else chosen
    proposal = barrier_route(barrier=barrier)
    evidence = barrier_evidence_list(user=user, barrier=barrier).select_related(
        "deviation__municipality", "deviation__unit"
    )
    page = Paginator(evidence, EVIDENCE_PER_PAGE).get_page(request.GET.get("page"))
    refused = refused or any(form.errors for form in forms.values())
    return render(
        request,
        "barriers/barrier_detail.html",
        {
            "barrier": barrier,
            **forms,
            "chosen_examples": chosen.data.getlist("examples") if chosen.is_bound else None,
            "proposal": proposal,
            "practices": practices_matching(barrier.tags),
            "proposal_lines": route_details(proposal.route.as_dict()),
            "route_taken": route_taken,
            "withdrawing": withdrawing or open_escalation,
            # A page of rows (the examples first), each with why it may not be quoted in the
            # dossier, for the analyst to see; the barrier itself rests on all of them.
            "evidence": [(row, example_refusal(row.deviation.description)) for row in page],
            "page_obj": page,
            "evidence_count": page.paginator.count,
            "tag_labels": list(zip(barrier.tags, labels_for(barrier.tags), strict=True)),
            "effect": dossier_effect(barrier_effect(barrier=barrier), exact=True),
            **attachment_context(user=user, barrier=barrier, form=forms.get("attachment_form")),
            "merge_targets": barrier_list(user=user)
            .exclude(pk=barrier.pk)
            .filter(merged_into__isnull=True)
            .exclude(status=Barrier.Status.CLOSED)
            .order_by("title")[:200],
        },
        status=400 if refused else 200,
    )


def _analyst_barrier(request: HttpRequest, pk: int) -> tuple[User, Barrier]:
    """The barrier if the user may see it (else 404, as the page), for analysts only (else 403)."""
    user = request_user(request)
    barrier = barrier_get(user=user, pk=pk)
    if not user.has_perm(ANALYST):
        raise PermissionDenied
    return user, barrier


def _refused(
    request: HttpRequest, error: DomainError, *, user: User, barrier: Barrier, **forms: Any
) -> HttpResponse:
    messages.error(request, error.message)
    return _barrier_page(request, user=user, barrier=barrier, refused=True, **forms)


@login_required
@require_POST
def barrier_update_view(request: HttpRequest, pk: int) -> HttpResponse:
    user, barrier = _analyst_barrier(request, pk)
    form = BarrierForm(request.POST, instance=Barrier.objects.get(pk=barrier.pk))
    if not form.is_valid():
        return _barrier_page(request, user=user, barrier=barrier, form=form)
    try:
        barrier_update(barrier=barrier, by=user, **form.cleaned_data)
    except DomainError as error:
        return _refused(request, error, user=user, barrier=barrier, form=form)
    messages.success(request, _("Saved."))
    return redirect("barriers:detail", pk=barrier.pk)


@login_required
@require_POST
def barrier_transition_view(request: HttpRequest, pk: int) -> HttpResponse:
    user, barrier = _analyst_barrier(request, pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        return _barrier_page(request, user=user, barrier=barrier, transition_form=form)
    try:
        barrier_transition(barrier=barrier, by=user, **form.cleaned_data)
    except DomainError as error:
        return _refused(request, error, user=user, barrier=barrier, transition_form=form)
    messages.success(request, _("Status changed."))
    return redirect("barriers:detail", pk=barrier.pk)


@login_required
@require_POST
def barrier_escalate_view(request: HttpRequest, pk: int) -> HttpResponse:
    user, barrier = _analyst_barrier(request, pk)
    form = EscalateForm(request.POST)
    if not form.is_valid():
        return _barrier_page(request, user=user, barrier=barrier, escalate_form=form)
    try:
        escalation = barrier_escalate(barrier=barrier, by=user, **form.cleaned_data)
    except DomainError as error:
        return _refused(request, error, user=user, barrier=barrier, escalate_form=form)
    messages.success(request, _("Escalated to %(group)s.") % {"group": escalation.group.name})
    return redirect("barriers:detail", pk=barrier.pk)


@login_required
@require_POST
def barrier_merge_view(request: HttpRequest, pk: int) -> HttpResponse:
    user, barrier = _analyst_barrier(request, pk)
    form = MergeForm(request.POST, targets=barrier_list(user=user))
    if not form.is_valid():
        return _barrier_page(request, user=user, barrier=barrier, merge_form=form)
    target = form.cleaned_data["target"]
    try:
        barrier_merge(source=barrier, target=target, by=user, reason=form.cleaned_data["reason"])
    except DomainError as error:
        return _refused(request, error, user=user, barrier=barrier, merge_form=form)
    messages.success(request, _("Merged into “%(title)s”.") % {"title": target.title})
    return redirect("barriers:detail", pk=target.pk)


def _ticked(user: User, barrier: Barrier, references: list[str]) -> list[Deviation]:
    evidence = barrier_evidence_list(user=user, barrier=barrier)
    return [row.deviation for row in evidence if row.deviation.reference in references]


@login_required
@require_POST
def barrier_split_view(request: HttpRequest, pk: int) -> HttpResponse:
    user, barrier = _analyst_barrier(request, pk)
    form = SplitForm(request.POST)
    if not form.is_valid():
        return _barrier_page(request, user=user, barrier=barrier, split_form=form)
    title = form.cleaned_data["split_title"] or _("Part of “%(title)s”") % {"title": barrier.title}
    try:
        part = barrier_split(
            barrier=barrier,
            deviations=_ticked(user, barrier, form.cleaned_data["examples"]),
            by=user,
            title=title[: SplitForm.base_fields["split_title"].max_length],
        )
    except DomainError as error:
        return _refused(request, error, user=user, barrier=barrier, split_form=form)
    messages.success(request, _("The ticked deviations now form a barrier of their own."))
    return redirect("barriers:detail", pk=part.pk)


def _evidence_deviation(user: User, form: EvidenceAddForm) -> Deviation | None:
    """The deviation the analyst named, if they may see it; otherwise an error on the form."""
    if not form.is_valid():
        return None
    try:
        return deviation_get(user=user, reference=form.cleaned_data["reference"])
    except Http404:
        form.add_error("reference", _("No deviation has this reference."))
        return None


@login_required
@require_POST
def barrier_evidence_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    user, barrier = _analyst_barrier(request, pk)
    form = EvidenceAddForm(request.POST)
    deviation = _evidence_deviation(user, form)
    if deviation is None:
        return _barrier_page(request, user=user, barrier=barrier, evidence_add_form=form)
    try:
        added = barrier_evidence_add(barrier=barrier, deviations=[deviation], by=user)
    except DomainError as error:
        return _refused(request, error, user=user, barrier=barrier, evidence_add_form=form)
    if not added:
        form.add_error("reference", _("This deviation is already evidence of the barrier."))
        return _barrier_page(request, user=user, barrier=barrier, evidence_add_form=form)
    messages.success(
        request, _("%(reference)s was added to the evidence.") % {"reference": deviation.reference}
    )
    return redirect("barriers:detail", pk=barrier.pk)


@login_required
@require_POST
def barrier_evidence_remove_view(request: HttpRequest, pk: int) -> HttpResponse:
    user, barrier = _analyst_barrier(request, pk)
    form = EvidenceRemoveForm(request.POST)
    if not form.is_valid():
        return _barrier_page(request, user=user, barrier=barrier, split_form=form)
    ticked = _ticked(user, barrier, form.cleaned_data["examples"])
    try:
        removed = barrier_evidence_remove(barrier=barrier, deviations=ticked, by=user)
    except DomainError as error:
        return _refused(request, error, user=user, barrier=barrier, split_form=form)
    messages.success(
        request,
        ngettext(
            "One deviation was taken out of the evidence.",
            "%(n)d deviations were taken out of the evidence.",
            removed,
        )
        % {"n": removed},
    )
    return redirect("barriers:detail", pk=barrier.pk)


@login_required
@require_POST
def escalation_withdraw_view(request: HttpRequest, pk: int, escalation_pk: int) -> HttpResponse:
    user, barrier = _analyst_barrier(request, pk)
    escalation = get_object_or_404(barrier_route_taken(barrier=barrier), pk=escalation_pk)
    form = WithdrawForm(request.POST)
    page = {"user": user, "barrier": barrier, "withdrawing": escalation, "withdraw_form": form}
    if not form.is_valid():
        return _barrier_page(request, **page)
    try:
        escalation_withdraw(escalation=escalation, by=user, reason=form.cleaned_data["reason"])
    except DomainError as error:
        return _refused(request, error, **page)
    messages.success(
        request,
        _("The escalation to %(group)s was withdrawn.") % {"group": escalation.group.name},
    )
    return redirect("barriers:detail", pk=barrier.pk)


@login_required
@require_POST
def barrier_examples_view(request: HttpRequest, pk: int) -> HttpResponse:
    user, barrier = _analyst_barrier(request, pk)
    form = ExamplesForm(request.POST)
    form.is_valid()  # a list of references; nothing to refuse here
    ticked = _ticked(user, barrier, form.cleaned_data["examples"])
    # The list comes a page at a time: examples on the pages not shown stay examples.
    shown = set(request.POST.getlist("shown"))
    if shown:
        ticked += [
            row.deviation
            for row in barrier_evidence_list(user=user, barrier=barrier).filter(is_example=True)
            if row.deviation.reference not in shown
        ]
    try:
        barrier_examples_set(barrier=barrier, deviations=ticked, by=user)
    except DomainError as error:
        return _refused(request, error, user=user, barrier=barrier, examples_form=form)
    messages.success(request, _("The examples for the dossier were saved."))
    return redirect("barriers:detail", pk=barrier.pk)


@login_required
def barrier_dossier_view(
    request: HttpRequest,
    pk: int,
    *,
    comment_context: dict[str, str] | None = None,
    attachment_form: Any = None,
) -> HttpResponse:
    """The printable dossier a steering group decides on; "PDF" makes one in the background.
    Analysts and the groups it went to discuss it below (not printed). A refused attachment
    passes its bound form (the description kept)."""
    user = request_user(request)
    barrier = barrier_get(user=user, pk=pk)
    context = dossier_context(user=user, barrier=barrier)
    context |= attachment_context(user=user, barrier=barrier, form=attachment_form)
    if may_discuss(user, barrier):
        context |= {
            "comments": comments_for(barrier),
            "comments_empty": _("No comments yet. Ask the analysts or the group here."),
            "comment_action": reverse("barriers:comment", args=[barrier.pk]),
            "discuss": True,
            **(comment_context or {}),
        }
    refused = comment_context or attachment_form is not None
    return render(request, "barriers/dossier.html", context, status=400 if refused else 200)


@login_required
@require_POST
def barrier_comment_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A comment in a barrier's discussion; the analyst, the groups deciding it, earlier writers
    and anyone @mentioned who may take part are told."""
    user = request_user(request)
    barrier = barrier_get(user=user, pk=pk)
    if not may_discuss(user, barrier):
        raise PermissionDenied
    text = request.POST.get("text", "")
    url = reverse("barriers:dossier", args=[barrier.pk])
    try:
        comment_add(
            obj=barrier,
            author=user,
            text=text,
            may_see=lambda person: may_discuss(person, barrier),
            tell=barrier_audience(barrier),
            kind=BARRIER_COMMENT_KIND,
            summary=barrier.title,
            url=url,
        )
    except DomainError as error:
        return barrier_dossier_view(
            request, pk, comment_context={"comment_error": str(error.message), "comment_text": text}
        )
    messages.success(request, _("Your comment was added."))
    return redirect(url + "#comments-heading")


@login_required
@require_POST
def barrier_dossier_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    barrier = barrier_get(user=user, pk=pk)
    job = job_enqueue(
        kind="dossier",
        by=user,
        params={"barrier": barrier.pk, "language": get_language()},
        dedupe_key=f"dossier:{barrier.pk}:{user.pk}",
    )
    return redirect(job)


@login_required
def inbox_list_view(request: HttpRequest) -> HttpResponse:
    """The groups whose inbox this person may open."""
    user = request_user(request)
    groups = inbox_group_list(user=user).order_by("mandate", "name")
    if groups.count() == 1:
        return redirect("barriers:inbox", slug=groups.first().slug)
    return render(request, "barriers/inbox_list.html", {"groups": groups})


def _group(request: HttpRequest, slug: str) -> SteeringGroup:
    return get_object_or_404(inbox_group_list(user=request_user(request)), slug=slug)


@login_required
def inbox_view(request: HttpRequest, slug: str) -> HttpResponse:
    user = request_user(request)
    group = _group(request, slug)
    today = timezone.localdate()
    open_items = group_inbox(user=user, group=group, today=today)
    decided = group_inbox(user=user, group=group, today=today, open_only=False).exclude(
        status=Escalation.Status.OPEN
    )[:50]
    return render(
        request,
        "barriers/inbox.html",
        {"group": group, "open_items": open_items, "decided": decided, "today": today},
    )


@login_required
def decide_view(request: HttpRequest, slug: str, escalation_id: int) -> HttpResponse:
    user = request_user(request)
    group = _group(request, slug)
    escalation = get_object_or_404(
        group_inbox(user=user, group=group, open_only=False), pk=escalation_id
    )
    is_open = escalation.status == Escalation.Status.OPEN
    can_forward = is_open and forward_possible(escalation)
    below = [e.group for e in send_back_targets(escalation)] if is_open else []
    practices = practices_matching(escalation.barrier.tags)  # once: the form and the page
    form = DecisionForm(
        request.POST or None,
        group=group,
        can_forward=can_forward,
        send_back_to=below,
        practices=practices if is_open else [],
    )
    if request.method == "POST" and form.is_valid():
        try:
            decision = decision_record(escalation=escalation, by=user, **form.cleaned_data)
        except DomainError as error:
            field = error.extra.get("field") or getattr(error, "field", None)
            form.add_error(field if field in form.fields else None, error.message)
            for field in error.extra.get("missing", []):
                if field in form.fields:
                    form.add_error(field, _("Required for this decision."))
        else:
            messages.success(
                request,
                _("Decision recorded: %(kind)s.") % {"kind": decision.get_kind_display()},
            )
            return redirect("barriers:inbox", slug=group.slug)
    return render(
        request,
        "barriers/decide.html",
        {
            "group": group,
            "escalation": escalation,
            "barrier": escalation.barrier,
            "form": form,
            "mandate_covers": group.mandate_covers(escalation.barrier.mandate_level),
            "practices": practices,
            "can_forward": can_forward,
            "route_lines": route_details(escalation.route),
        },
        status=_status(form),
    )


@login_required
def agenda_view(request: HttpRequest, slug: str) -> HttpResponse:
    """The agenda of a group's next meeting: open escalations due by then; CSV/Excel too."""
    user = request_user(request)
    group = _group(request, slug)
    form = AgendaForm(request.GET or None)
    meeting_on = timezone.localdate() + timedelta(days=14)
    if form.is_bound and form.is_valid() and form.cleaned_data.get("meeting_on"):
        meeting_on = form.cleaned_data["meeting_on"]
    items = list(group_agenda(user=user, group=group, meeting_on=meeting_on))
    export = request.GET.get("export")
    if export in ("csv", "xlsx"):
        rows = [[_("Item"), _("Barrier"), _("Mandate level needed"), _("Due"), _("Dossier")]]
        for number, escalation in enumerate(items, start=1):
            rows.append(
                [
                    str(number),
                    escalation.barrier.title,
                    escalation.barrier.get_mandate_level_display(),
                    escalation.due_on.isoformat() if escalation.due_on else "",
                    request.build_absolute_uri(
                        redirect("barriers:dossier", pk=escalation.barrier_id).url
                    ),
                ]
            )
        return download_response(rows, export, f"dagordning-{group.slug}")
    return render(
        request,
        "barriers/agenda.html",
        {"group": group, "items": items, "meeting_on": meeting_on, "form": form},
    )


@login_required
def decisions_export_view(request: HttpRequest) -> HttpResponse:
    """Every decision of the groups this person may see (or of one, `?group=`), as CSV or
    Excel: what was decided, by which group, when, the action, owner and dates."""
    user = request_user(request)
    if not inbox_group_list(user=user).exists():
        raise PermissionDenied
    export = request.GET.get("export")
    if export not in ("csv", "xlsx"):
        return HttpResponseBadRequest(_("Choose CSV or Excel."))
    group = None
    if slug := request.GET.get("group"):
        group = get_object_or_404(inbox_group_list(user=user), slug=slug)
    rows = [
        [
            _("Decided"),
            _("Steering group"),
            _("Barrier"),
            _("Decision"),
            _("Decision text"),
            _("Action"),
            _("Who does it"),
            _("Action due on"),
            _("Effect check on"),
            _("Reason"),
            _("Effect evaluation"),
        ]
    ]
    decisions = decision_list(user=user).order_by("-decided_at", "-pk")
    if group is not None:
        decisions = decisions.filter(escalation__group=group)
    for decision in decisions.iterator(chunk_size=500):
        rows.append(
            [
                timezone.localtime(decision.decided_at).strftime("%Y-%m-%d %H:%M"),
                decision.escalation.group.name,
                decision.escalation.barrier.title,
                decision.get_kind_display(),
                decision.text,
                decision.action,
                decision.owner,
                decision.due_on.isoformat() if decision.due_on else "",
                decision.effect_check_on.isoformat() if decision.effect_check_on else "",
                decision.reason,
                decision.effect_evaluation,
            ]
        )
    return download_response(rows, export, f"beslut-{group.slug}" if group else "beslut")


@login_required
def audit_view(request: HttpRequest) -> HttpResponse:
    """The audit trail for analysts and administrators."""
    user = _analyst(request)
    return render(request, "barriers/audit.html", {"entries": audit_trail(user=user, limit=200)})
