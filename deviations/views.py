"""Deviation pages: thin views over selectors, services and the shared FilterSet."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalogue.presentation import rule_label
from catalogue.selectors import tag_choices
from catalogue.services import unconfirmed_tags
from catalogue.tagids import tag_label
from core.comments import comment_add, comments_for
from core.downloads import download_response
from core.errors import DomainError, PersonalDataError
from core.national import NationalInstanceError, deviations_held_check
from core.replica import analysis_call
from core.requests import request_user
from core.search import search_page
from core.start import last_visit, start_panels
from core.text import BadInputError, data_clean, json_parse_checked
from deviations.comments import COMMENT_KIND
from deviations.extensions import extra_timeline, list_notes, outcomes
from deviations.filters import DeviationFilterSet, searched_text
from deviations.forms import CorrectionForm, DeviationForm, WithdrawForm
from deviations.history import deviation_timeline
from deviations.imports import (
    COLUMNS,
    EXPORT_INLINE_ROWS,
    IMPORT_MAX_BYTES,
    export_names_allowed,
    export_queryset,
    export_rows,
)
from deviations.models import Deviation, Draft, User
from deviations.presentation import (
    catalogue_entries,
    explained_tags,
    pii_marked_text,
    quoted_words,
)
from deviations.selectors import (
    deviation_count,
    deviation_get,
    deviation_list,
    deviation_recent,
    draft_get,
    draft_list,
    own_deviation_list,
)
from deviations.services import (
    CORRECTABLE,
    DRAFT_FIELDS,
    OPEN_FOR_REPORTER,
    deviation_correct,
    deviation_submit,
    deviation_withdraw,
    draft_discard,
    draft_save,
    tags_suggest,
)
from jobs.services import job_enqueue


@login_required
def deviation_list_view(request: HttpRequest) -> HttpResponse:
    """Visible deviations, filtered; invalid filter values are shown next to their fields."""
    user = request_user(request)
    visible = deviation_list(user=user)
    params = request.GET.copy()
    export = params.pop("export", [None])[-1]
    filterset = DeviationFilterSet(params or None, queryset=visible, request=request)
    rows = visible.none() if filterset.is_bound and not filterset.is_valid() else filterset.qs
    if export in ("csv", "xlsx"):
        ordered = export_queryset(user=user, params=params)
        # The count and the rows are analysis reads (core.replica): a replica's, if usable.
        if analysis_call(ordered.count) > EXPORT_INLINE_ROWS:  # seconds of work: a job
            query = {name: params.getlist(name) for name in params if name != "page"}
            job = job_enqueue(
                kind="export",
                by=user,
                params={"query": query, "format": export},
                # a second click while it runs follows the same job instead of a second file
                dedupe_key=f"export:{user.pk}:{export}:{params.urlencode()}"[:200],
            )
            return redirect(job)
        names_allowed = export_names_allowed(user)
        return analysis_call(
            lambda: download_response(
                export_rows(ordered.iterator(chunk_size=2000), names_allowed=names_allowed),
                export,
                "avvikelser",
            )
        )
    shown = search_page(
        rows, "-occurred_on", "-reference", number=request.GET.get("page"), per_page=50
    )
    query = params.copy()
    query.pop("page", None)
    return render(
        request,
        "deviations/deviation_list.html",
        {
            "filter": filterset,
            "page_obj": shown.page,
            "search": shown,
            "query": query.urlencode(),
            "searched": searched_text(filterset),
        },
    )


@login_required
def deviation_detail_view(
    request: HttpRequest, reference: str, *, comment_context: dict[str, str] | None = None
) -> HttpResponse:
    deviation = deviation_get(user=request_user(request), reference=reference)
    return render(
        request,
        "deviations/deviation_detail.html",
        {
            "deviation": deviation,
            "taggings": explained_tags(deviation=deviation),
            "unconfirmed": unconfirmed_tags(deviation.taggings.values_list("tag_id", flat=True)),
            "timeline": sorted(
                [*deviation_timeline(deviation=deviation), *extra_timeline(deviation)],
                key=lambda entry: entry.at,
            ),
            "outcomes": outcomes(deviation, request_user(request)),
            "reporter_may_change": OPEN_FOR_REPORTER,
            **(comment_context or {}),
            "comments": comments_for(deviation),
            "comments_empty": _("No comments yet. Ask the reporter or the analysts here."),
            "comment_action": reverse("deviations:comment", args=[deviation.reference]),
        },
        status=400 if comment_context else 200,
    )


@login_required
@require_POST
def deviation_comment_view(request: HttpRequest, reference: str) -> HttpResponse:
    """A comment on a deviation: a question from an analyst reaches the reporter, and the
    answer comes back to those who wrote before; anyone who may see the deviation may write."""
    user = request_user(request)
    deviation = deviation_get(user=user, reference=reference)
    text = request.POST.get("text", "")
    url = reverse("deviations:detail", args=[deviation.reference])
    try:
        comment_add(
            obj=deviation,
            author=user,
            text=text,
            may_see=lambda person: deviation_list(user=person).filter(pk=deviation.pk).exists(),
            tell=[deviation.reporter] if deviation.reporter_id != user.pk else [],
            kind=COMMENT_KIND,
            summary=deviation.reference,
            url=url,
        )
    except DomainError as error:
        return deviation_detail_view(
            request,
            reference,
            comment_context={"comment_error": str(error.message), "comment_text": text},
        )
    messages.success(request, _("Your comment was added."))
    return redirect(url + "#comments-heading")


@login_required
def own_deviations_view(request: HttpRequest) -> HttpResponse:
    """ "Mina avvikelser": the reporter's own deviations with their status, and their drafts."""
    user = request_user(request)
    page = Paginator(own_deviation_list(user=user), 50).get_page(request.GET.get("page"))
    notes = list_notes(page.object_list)
    for deviation in page.object_list:
        deviation.outcome_note = notes.get(deviation.pk, "")  # type: ignore[attr-defined]
    return render(
        request,
        "deviations/own_deviations.html",
        {"page_obj": page, "drafts": _drafts_shown(user)},
    )


def _suggestion_rows(form: DeviationForm) -> list[dict[str, object]]:
    """The tagger's suggestions for the preview step (the no-JavaScript path)."""
    text = form.data.get("description", "")
    on = form.cleaned_data.get("occurred_on") if hasattr(form, "cleaned_data") else None
    if not text:
        return []
    choices = tag_choices()
    chosen = set(form.data.getlist("tags")) if form.data.get("tags_edited") else None
    rows = []
    for suggestion in tags_suggest(text=text, on=on or timezone.localdate()):
        words = quoted_words(text, suggestion.spans)
        rows.append(
            {
                "id": suggestion.tag_id,
                "label": tag_label(suggestion.tag_id, choices),
                "explanation": _("Found %(words)s (rule: %(rule)s)")
                % {"words": words, "rule": rule_label(suggestion.rule)},
                "checked": chosen is None or suggestion.tag_id in chosen,
            }
        )
    return rows


def _deviations_held_here(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """On a national instance the pages that would take a deviation say so before anyone
    types (core.national; every save refuses too)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            deviations_held_check()
        except NationalInstanceError as refusal:
            status = 409 if request.method == "POST" else 200
            return render(
                request, "deviations/national.html", {"message": refusal.message}, status=status
            )
        return view(request, *args, **kwargs)

    return wrapped


@login_required
@permission_required("deviations.add_deviation", raise_exception=True)
@_deviations_held_here
def deviation_create_view(request: HttpRequest, key: str | None = None) -> HttpResponse:
    """Write, preview and submit a deviation; every round trip also saves the draft."""
    user = request_user(request)
    draft: Draft | None = draft_get(user=user, key=key) if key else None
    if request.method != "POST":
        initial = data_clean(dict(draft.data)) if draft else {}
        form = DeviationForm(user=user, initial=initial)
        return _render_form(request, form, draft=draft, chips=initial.get("tags"))

    form = DeviationForm(request.POST, user=user)
    draft_data = {name: request.POST.get(name) for name in DRAFT_FIELDS if name != "tags"}
    draft_data["tags"] = request.POST.getlist("tags")
    draft, _masked = draft_save(by=user, draft=draft, data=draft_data)
    marked: SafeString | None = None
    show_names_confirm = False
    if form.is_valid():
        if request.POST.get("action") == "preview":
            return _render_form(request, form, draft=draft, preview=True)
        try:
            deviation = deviation_submit(
                by=user,
                data=form.to_input(),
                chosen_tags=form.chosen_tags(),
                names_confirmed=form.cleaned_data["names_confirmed"],
                draft=draft,
            )
        except PersonalDataError as error:
            if getattr(error, "field", "description") != "description":
                form.add_error(error.field, error.message)  # type: ignore[attr-defined]
            else:
                marked = pii_marked_text(form.cleaned_data["description"])
                form.add_error("description", error.message)
                show_names_confirm = error.code == "possible_name"
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("Thank you. Your deviation has been filed as %(reference)s.")
                % {"reference": deviation.reference},
            )
            return redirect("deviations:receipt", reference=deviation.reference)
    return _render_form(
        request,
        form,
        draft=draft,
        marked=marked,
        show_names_confirm=show_names_confirm,
        status=400 if form.errors else 200,
    )


def _render_form(
    request: HttpRequest,
    form: DeviationForm,
    *,
    draft: Draft | None,
    chips: object = None,
    preview: bool = False,
    marked: SafeString | None = None,
    show_names_confirm: bool = False,
    status: int = 200,
) -> HttpResponse:
    choices = tag_choices()
    if isinstance(chips, list):
        chip_ids = chips
    else:
        chip_ids = form.data.getlist("tags") if form.is_bound else []
    context = {
        "form": form,
        "draft": draft,
        "preview": preview,
        "suggestions": _suggestion_rows(form) if preview else [],
        "marked": marked,
        "show_names_confirm": show_names_confirm,
        # Every chip the person had comes back, listed or not: a chip disappears only when
        # they remove it (a missing one would be recorded as rejected on submit).
        "chips": [
            {"id": tag_id, "label": tag_label(tag_id, choices)}
            for tag_id in dict.fromkeys(chip_ids)
            if isinstance(tag_id, str) and tag_id.strip()
        ],
        "catalogue": catalogue_entries(),
    }
    return render(request, "deviations/deviation_form.html", context, status=status)


def _drafts_shown(user: User) -> list[Draft]:
    """The user's drafts, their text cleaned for showing: one saved before input was checked
    may hold characters that cannot be encoded, and must not break the page that lists it."""
    drafts = list(draft_list(user=user))
    for draft in drafts:
        draft.data = data_clean(draft.data)
    return drafts


def _autosaved_fields(request: HttpRequest) -> dict[str, object]:
    """The form's fields from the autosave body: form data as the page sends it, or a JSON
    object with the same names. Refuses (BadInputError) a JSON body that is not an object."""
    if request.content_type == "application/json":
        payload = json_parse_checked(request.body, require_object=True)
        tags = payload.get("tags")
        return {
            "draft": payload.get("draft"),
            **{name: payload.get(name) for name in DRAFT_FIELDS if name != "tags"},
            "tags": [tag for tag in tags if isinstance(tag, str)] if isinstance(tags, list) else [],
        }
    return {
        "draft": request.POST.get("draft"),
        **{name: request.POST.get(name) for name in DRAFT_FIELDS if name != "tags"},
        "tags": request.POST.getlist("tags"),
    }


def _uuid_or_none(value: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value).strip()) if value else None
    except ValueError:
        return None


@require_POST
def draft_autosave_view(request: HttpRequest) -> JsonResponse:
    """Called by the form while the user types. JSON, and 401 rather than a login redirect,
    so the page can keep the text and tell the user to log in again."""
    if not request.user.is_authenticated:
        return JsonResponse(
            {
                "detail": _(
                    "You have been logged out. Log in again in a new tab; your text stays here."
                )
            },
            status=401,
        )
    user = request_user(request)
    try:
        data = _autosaved_fields(request)
    except BadInputError as refusal:
        return JsonResponse(
            {"detail": refusal.message, "code": refusal.code}, status=refusal.http_status
        )
    key = _uuid_or_none(data.pop("draft"))
    try:
        draft = draft_get(user=user, key=str(key)) if key else None
    except Http404:  # a foreign or deleted draft's key starts a new draft
        draft = None
        submitted = key and own_deviation_list(user=user).filter(idempotency_key=key).first()
        if submitted:  # a late save from a page that was just submitted: nothing to keep
            return JsonResponse(
                {"draft": "", "url": submitted.get_absolute_url(), "message": "", "masked": False}
            )
    try:
        draft, masked = draft_save(by=user, draft=draft, data=data)
    except NationalInstanceError as refusal:
        return JsonResponse({"detail": refusal.message, "code": refusal.code}, status=409)
    saved_at = timezone.localtime(draft.updated_at)
    return JsonResponse(
        {
            "draft": str(draft.key),
            "url": draft.get_absolute_url(),
            "saved_at": saved_at.isoformat(),
            "message": (
                _("Draft saved at %(time)s, without the personal data.")
                if masked
                else _("Draft saved at %(time)s.")
            )
            % {"time": date_format(saved_at, "H:i:s")},
            "masked": masked,
        }
    )


@login_required
@require_POST
def draft_discard_view(request: HttpRequest, key: str) -> HttpResponse:
    user = request_user(request)
    draft_discard(by=user, draft=draft_get(user=user, key=key))
    messages.success(request, _("The draft was deleted."))
    return redirect("home")


@login_required
def deviation_receipt_view(request: HttpRequest, reference: str) -> HttpResponse:
    deviation = deviation_get(user=request_user(request), reference=reference)
    return render(request, "deviations/deviation_receipt.html", {"deviation": deviation})


@login_required
@permission_required("deviations.triage_deviation", raise_exception=True)
@_deviations_held_here
def import_view(request: HttpRequest) -> HttpResponse:
    """Upload a CSV or Excel file. The rows are checked and imported by a background job
    whose page shows the progress and, for a file with problems, every bad row."""
    problem = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            problem = _("Choose a .csv or .xlsx file to import.")
        elif upload.size and upload.size > IMPORT_MAX_BYTES:
            problem = _("The file is larger than %(mb)d MB.") % {"mb": IMPORT_MAX_BYTES // 2**20}
        elif Path(upload.name or "").suffix.lower() not in {".csv", ".xlsx"}:
            problem = _("Only .csv and .xlsx files can be imported.")
        else:
            try:
                job = job_enqueue(
                    kind="import",
                    by=request_user(request),
                    input=upload.read(),
                    input_name=Path(upload.name or "").name,
                )
            except PersonalDataError as refusal:  # the file's name
                problem = refusal.message
            else:
                return redirect(job)
    return render(
        request,
        "deviations/import.html",
        {"problem": problem, "columns": COLUMNS},
        status=400 if problem else 200,
    )


@login_required
def home_view(request: HttpRequest) -> HttpResponse:
    """The start page: what needs this person now (the panels every app registers, core.start),
    then their drafts and own deviations."""
    user = request_user(request)
    since = last_visit(user)
    visible_count = deviation_count(user=user)
    context = {
        "panels": start_panels(user, since=since),
        "since": since,
        "own": own_deviation_list(user=user)[:5],
        "drafts": _drafts_shown(user),
        "recent": deviation_recent(user=user, visible=visible_count),
        "visible_count": visible_count,
    }
    return render(request, "home.html", context)


def _own_open(request: HttpRequest, reference: str) -> tuple[User, Deviation]:
    user = request_user(request)
    deviation = deviation_get(user=user, reference=reference)
    if deviation.reporter_id != user.pk:
        raise PermissionDenied
    return user, deviation


@login_required
def deviation_correct_view(request: HttpRequest, reference: str) -> HttpResponse:
    """The reporter corrects a filed deviation with a reason, or withdraws it (two forms)."""
    user, deviation = _own_open(request, reference)
    initial = {name: getattr(deviation, name) for name in CORRECTABLE}
    form = CorrectionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in CORRECTABLE}
        try:
            deviation_correct(
                deviation=deviation,
                by=user,
                changes=changes,
                reason=form.cleaned_data["reason"],
                names_confirmed=form.cleaned_data.get("names_confirmed", False),
            )
        except DomainError as error:
            field = getattr(error, "field", None)
            if isinstance(error, PersonalDataError) and field is None:
                field = "description"
            form.add_error(field if field in form.fields else None, str(error.message))
        else:
            messages.success(request, _("The deviation was corrected."))
            return redirect("deviations:detail", reference=deviation.reference)
    return render(
        request,
        "deviations/deviation_correct.html",
        {
            "deviation": deviation,
            "form": form,
            "withdraw": WithdrawForm(prefix="withdraw"),
            "open": deviation.status in OPEN_FOR_REPORTER,
        },
    )


@login_required
@require_POST
def deviation_withdraw_view(request: HttpRequest, reference: str) -> HttpResponse:
    user, deviation = _own_open(request, reference)
    withdraw = WithdrawForm(request.POST, prefix="withdraw")
    if withdraw.is_valid():
        try:
            deviation_withdraw(deviation=deviation, by=user, reason=withdraw.cleaned_data["reason"])
        except DomainError as error:
            withdraw.add_error("reason", str(error.message))
        else:
            messages.success(request, _("The deviation was withdrawn."))
            return redirect("deviations:detail", reference=deviation.reference)
    initial = {name: getattr(deviation, name) for name in CORRECTABLE}
    return render(
        request,
        "deviations/deviation_correct.html",
        {
            "deviation": deviation,
            "form": CorrectionForm(initial=initial),
            "withdraw": withdraw,
            "open": deviation.status in OPEN_FOR_REPORTER,
        },
        status=400,
    )
