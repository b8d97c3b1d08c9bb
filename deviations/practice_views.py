"""Guldkorn pages: report one, read them, and (analysts) confirm them. Thin views over
deviations.practices."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from catalogue.selectors import tag_choices
from catalogue.tagids import tag_label
from core.downloads import download_response
from core.errors import DomainError
from core.requests import request_user
from deviations.models import GoodPractice
from deviations.practice_forms import PracticeConfirmForm, PracticeForm
from deviations.practices import (
    TRIAGE_PERMISSION,
    practice_confirm,
    practice_file,
    practice_list,
)
from deviations.presentation import practice_tag_explanations

PER_PAGE = 25


def _may_report(request: HttpRequest) -> bool:
    user = request_user(request)
    return user.has_perm(TRIAGE_PERMISSION) or user.units.exists()


@login_required
def practice_list_view(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    practices = practice_list(user=user)
    waiting = request.GET.get("status") == GoodPractice.Status.SUBMITTED
    if waiting:
        practices = practices.filter(status=GoodPractice.Status.SUBMITTED)
    choices = tag_choices()
    export = request.GET.get("export")
    if export in ("csv", "xlsx"):
        return download_response(practice_rows(practices, choices), export, "knutpunkt-guldkorn")
    page = Paginator(practices, PER_PAGE).get_page(request.GET.get("page"))
    rows = [
        (practice, [tag_label(tag, choices) for tag in practice.confirmed_tags])
        for practice in page.object_list
    ]
    return render(
        request,
        "deviations/practice_list.html",
        {
            "page_obj": page,
            "rows": rows,
            "waiting": waiting,
            "may_report": _may_report(request),
            "analyst": user.has_perm(TRIAGE_PERMISSION),
        },
    )


def practice_rows(practices: QuerySet[GoodPractice], choices: Mapping[str, Any]) -> list[list[str]]:
    """The guldkorn as a table to download: their texts (gated like everything stored), never
    who reported them."""
    header = [
        _("Reference"), _("In short"), _("What was done"), _("Who did it"), _("What it solved"),
        _("When"), _("Municipality"), _("Unit"), _("Status"), _("Tags"),
    ]  # fmt: skip
    rows = [[str(cell) for cell in header]]
    for practice in practices.order_by("occurred_on", "pk"):
        rows.append(
            [
                practice.reference,
                practice.title,
                practice.what_was_done,
                practice.who,
                practice.what_it_solved,
                practice.occurred_on.isoformat(),
                practice.municipality.name,
                practice.unit.name,
                str(practice.get_status_display()),
                ", ".join(tag_label(tag, choices) for tag in practice.confirmed_tags),
            ]
        )
    return rows


@login_required
def practice_create_view(request: HttpRequest) -> HttpResponse:
    if not _may_report(request):
        raise PermissionDenied
    user = request_user(request)
    form = PracticeForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            practice = practice_file(
                by=user,
                data=form.to_input(),
                names_confirmed=form.cleaned_data["names_confirmed"],
            )
        except DomainError as error:
            field = getattr(error, "field", None)
            form.add_error(field if field in form.fields else None, error.message)
        else:
            messages.success(
                request,
                _("Thank you. Your guldkorn has been recorded as %(reference)s.")
                % {"reference": practice.reference},
            )
            return redirect(practice)
    return render(
        request,
        "deviations/practice_form.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@login_required
def practice_detail_view(request: HttpRequest, reference: str) -> HttpResponse:
    user = request_user(request)
    practice = get_object_or_404(practice_list(user=user), reference=reference)
    analyst = user.has_perm(TRIAGE_PERMISSION)
    choices = tag_choices()
    labels = {
        tag: tag_label(tag, choices)
        for tag in [*(t["tag_id"] for t in practice.suggested_tags), *practice.confirmed_tags]
    }
    form = PracticeConfirmForm(request.POST or None, practice=practice, labels=labels)
    if request.method == "POST":
        if not analyst:
            raise PermissionDenied
        if form.is_valid():
            take_up = request.POST.get("action") != "reject"
            try:
                practice_confirm(
                    practice=practice, by=user, tags=form.cleaned_data["tags"], take_up=take_up
                )
            except DomainError as error:
                field = getattr(error, "field", None)
                form.add_error(field if field in form.fields else None, error.message)
            else:
                messages.success(request, _("The guldkorn was decided on; its reporter is told."))
                return redirect(practice)
    return render(
        request,
        "deviations/practice_detail.html",
        {
            "practice": practice,
            "analyst": analyst,
            "form": form,
            "explained": practice_tag_explanations(practice) if analyst else [],
            "confirmed": [labels.get(tag, tag) for tag in practice.confirmed_tags],
        },
        status=400 if form.errors else 200,
    )
