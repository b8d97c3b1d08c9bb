"""The federation's pages: the national instance's rounds, and a site's answer to a request.

Thin views over federation.national and federation.site; the documents are files people move
between instances (or the commands do, docs/federation.md).
"""

from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from analytics.aggregates import AggregateError, aggregate_bytes, aggregate_load
from analytics.presentation import knot_key as make_knot_key
from analytics.types import KnotParams
from barriers.models import Barrier, Decision
from catalogue.models import Forbund
from catalogue.selectors import labels_for
from core.errors import DomainError
from core.requests import request_user
from deviations.models import User
from deviations.selectors import organisation_scope
from federation.errors import aggregate_reason
from federation.identity import DirectoryError, directory_load, identity_load
from federation.models import NationalBarrier, NationalNotice, Peer, Round
from federation.national import (
    SubmissionRefusedError,
    round_advance,
    round_request,
    round_start,
    round_waiting_for,
    submission_add,
)
from federation.notices import national_barrier_create
from federation.runners import notices_enqueue, pull_enqueue
from federation.site import site_answer_kept

VIEW_ROUNDS = "federation.view_round"
RUN_ROUNDS = "federation.change_round"
ANSWER = "deviations.view_all_deviations"
WRITE_UP = "federation.add_nationalbarrier"
VIEW_NATIONAL_BARRIERS = "federation.view_nationalbarrier"
PUBLISH = "federation.change_nationalbarrier"
VIEW_NOTICES = "federation.view_nationalnotice"
MAX_FILES = 50


class RoundStartForm(forms.Form):
    key = forms.SlugField(label=gettext_lazy("Name of the round"), max_length=64)
    min_support = forms.IntegerField(
        label=gettext_lazy("Minimum number of deviations"),
        min_value=5,
        max_value=10_000,
        initial=KnotParams().min_support,
    )


class DocumentForm(forms.Form):
    document = forms.FileField(label=gettext_lazy("Request from the national instance"))


def _download(document: dict, name: str) -> HttpResponse:
    response = HttpResponse(aggregate_bytes(document), content_type="application/json")
    safe = re.sub(r"[^A-Za-z0-9._-]", "-", name)
    response["Content-Disposition"] = f'attachment; filename="{safe}"'
    return response


@login_required
@permission_required(VIEW_ROUNDS, raise_exception=True)
@require_http_methods(["GET", "POST"])
def round_list_view(request: HttpRequest) -> HttpResponse:
    """The national rounds, newest first, and starting one with every active site."""
    user = request_user(request)
    form = RoundStartForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not user.has_perm(RUN_ROUNDS):
            raise PermissionDenied
        if form.is_valid():
            try:
                national = round_start(
                    key=form.cleaned_data["key"],
                    peers=Peer.objects.filter(active=True),
                    params=KnotParams(min_support=form.cleaned_data["min_support"]),
                    today=timezone.localdate(),
                )
            except DomainError as error:
                form.add_error(None, error.message)
            except IntegrityError:
                form.add_error("key", _("There is already a round with this name."))
            else:
                messages.success(request, _("The round was started."))
                return redirect("federation:round", key=national.key)
        status = 400
    return render(
        request,
        "federation/rounds.html",
        {
            "form": form,
            "rounds": Round.objects.prefetch_related("peers")[:50],
            "peers": Peer.objects.all(),
            "may_run": user.has_perm(RUN_ROUNDS),
        },
        status=status,
    )


def _knot_rows(national: Round) -> list[dict]:
    labels = {p.name: str(p) for p in national.peers.all()}
    written = {
        nb.barrier.knot_key: nb.barrier
        for nb in NationalBarrier.objects.filter(round=national).select_related("barrier")
    }
    return [
        {
            "index": index,
            "barrier": written.get(make_knot_key(knot["tags"])),
            "title": " + ".join(labels_for(knot["tags"])),
            "support": knot["support"],
            "municipalities": knot["municipalities"],
            "lift": knot["lift"],
            "local": knot.get("local", False),
            "contributors": [labels.get(name, name) for name in knot.get("contributors", [])],
        }
        for index, knot in enumerate(national.knots)
    ]


@login_required
@permission_required(VIEW_ROUNDS, raise_exception=True)
def round_detail_view(request: HttpRequest, key: str) -> HttpResponse:
    national = get_object_or_404(Round, key=key)
    if request.GET.get("download") == "request":
        if not request_user(request).has_perm(RUN_ROUNDS):
            raise PermissionDenied
        try:
            identity = identity_load(settings.FEDERATION_IDENTITY_FILE)
            document = round_request(national, identity=identity)
        except DirectoryError:
            messages.error(
                request,
                _("This instance has no federation identity; see docs/federation.md."),
            )
            return redirect("federation:round", key=key)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("federation:round", key=key)
        return _download(document, f"knutpunkt-{key}-{national.stage}-request.json")
    answered = national.submissions.filter(kind=national.stage).select_related("peer")
    return render(
        request,
        "federation/round.html",
        {
            "round": national,
            "waiting": round_waiting_for(national) if national.stage != Round.Stage.DONE else [],
            "answered": [s.peer for s in answered],
            "knots": _knot_rows(national),
            "may_run": request_user(request).has_perm(RUN_ROUNDS),
            "may_write_up": request_user(request).has_perms([WRITE_UP, "barriers.add_barrier"]),
            "pullable": national.peers.exclude(url="").exists(),
        },
    )


@login_required
@permission_required(RUN_ROUNDS, raise_exception=True)
@require_POST
def round_pull_view(request: HttpRequest, key: str) -> HttpResponse:
    """Fetch the answers from the sites' addresses, stage after stage, as a job."""
    national = get_object_or_404(Round, key=key)
    job = pull_enqueue(national.key, by=request_user(request))
    return redirect("jobs:detail", key=job.key)


@login_required
@permission_required(WRITE_UP, raise_exception=True)
@permission_required("barriers.add_barrier", raise_exception=True)
@require_POST
def national_barrier_create_view(request: HttpRequest, key: str, index: int) -> HttpResponse:
    """A national knot written up as a barrier of this (national) instance."""
    national = get_object_or_404(Round, key=key)
    try:
        written = national_barrier_create(national=national, index=index, by=request_user(request))
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("federation:round", key=key)
    messages.success(
        request,
        _("The barrier is written up; the contributing sites hear of it and of every decision."),
    )
    return redirect("barriers:detail", pk=written.barrier_id)


@login_required
@permission_required(VIEW_NATIONAL_BARRIERS, raise_exception=True)
def national_barriers_view(request: HttpRequest) -> HttpResponse:
    """The national instance's barriers from national knots, and whether the sites heard."""
    rows = NationalBarrier.objects.select_related("barrier", "round").order_by("-pk")
    labels = {p.name: str(p) for p in Peer.objects.all()}
    return render(
        request,
        "federation/national_barriers.html",
        {
            "rows": [
                {
                    "national": nb,
                    "delivery": [
                        {"site": labels.get(name, name), "problem": why}
                        for name, why in sorted(nb.delivery.items())
                    ],
                }
                for nb in rows
            ],
            "may_publish": request_user(request).has_perm(PUBLISH),
        },
    )


@login_required
@permission_required(PUBLISH, raise_exception=True)
@require_POST
def national_barrier_publish_view(request: HttpRequest, pk: int) -> HttpResponse:
    national = get_object_or_404(NationalBarrier, pk=pk)
    job = notices_enqueue(national.pk, by=request_user(request))
    return redirect("jobs:detail", key=job.key)


@login_required
@permission_required(VIEW_NOTICES, raise_exception=True)
def notices_view(request: HttpRequest) -> HttpResponse:
    """Site side: the national barriers this site contributes to, as last told."""
    kinds = dict(Decision.Kind.choices)
    statuses = dict(Barrier.Status.choices)
    notices = [
        {
            "notice": notice,
            "status": statuses.get(notice.status, "–"),
            "tags": labels_for(notice.tags),
            "decisions": [
                {**d, "kind_label": kinds.get(d.get("kind"), "–")} for d in notice.decisions
            ],
        }
        for notice in NationalNotice.objects.all()
    ]
    return render(request, "federation/notices.html", {"notices": notices})


@login_required
@permission_required(RUN_ROUNDS, raise_exception=True)
@require_POST
def round_submit_view(request: HttpRequest, key: str) -> HttpResponse:
    """The sites' answers, several files at once; each refusal is said with its file's name."""
    national = get_object_or_404(Round, key=key)
    files = request.FILES.getlist("documents")
    if not files:
        messages.error(request, _("Choose the sites' answer files."))
        return redirect("federation:round", key=key)
    for upload in files[:MAX_FILES]:
        try:
            submission = submission_add(national, upload.read())
        except SubmissionRefusedError as error:
            messages.error(request, f"{upload.name}: {error.message}")
        else:
            messages.success(
                request,
                _("%(file)s: the answer of %(site)s was taken in.")
                % {"file": upload.name, "site": submission.peer},
            )
    try:
        if round_advance(national):
            national.refresh_from_db()
            messages.success(
                request,
                _("Every site has answered; the round moved on to: %(stage)s.")
                % {"stage": national.get_stage_display()},
            )
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("federation:round", key=key)


def _site_scope(user: User) -> Forbund | None | bool:
    """What this instance answers for (FEDERATION_ORGANISATION: one förbund, else all of it),
    if the person may see all of that; False when they may not."""
    slug = getattr(settings, "FEDERATION_ORGANISATION", "")
    organisation = Forbund.objects.filter(slug=slug).first() if slug else None
    scope = organisation_scope(user)
    if scope is None:
        return organisation
    if organisation is not None and organisation.pk in scope:
        return organisation
    return False


@login_required
@permission_required(ANSWER, raise_exception=True)
@require_http_methods(["GET", "POST"])
def answer_view(request: HttpRequest) -> HttpResponse:
    """A site's answer to a national request, on demand: upload the request, get the signed
    answer file to send back."""
    user = request_user(request)
    scope = _site_scope(user)
    if scope is False:
        raise PermissionDenied
    form = DocumentForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                identity = identity_load(settings.FEDERATION_IDENTITY_FILE)
                directory = directory_load(settings.FEDERATION_DIRECTORY_FILE)
            except DirectoryError:
                form.add_error(
                    None, _("This instance has no federation identity; see docs/federation.md.")
                )
            else:
                try:
                    document = aggregate_load(form.cleaned_data["document"].read())
                    answer = site_answer_kept(
                        document, identity=identity, directory=directory, organisation=scope
                    )
                except AggregateError as error:
                    form.add_error("document", aggregate_reason(error))
                else:
                    return _download(
                        answer, f"knutpunkt-{answer['round']}-{answer['kind']}-answer.json"
                    )
        status = 400
    return render(
        request,
        "federation/answer.html",
        {
            "form": form,
            "organisation": scope,
            "configured": bool(settings.FEDERATION_IDENTITY_FILE),
        },
        status=status,
    )
