"""Adding, downloading and removing the files kept with a barrier and its decisions.

Thin views: barriers.attachments decides who may do what, core.attachments checks and keeps the
files. A refused file answers with the page it came from (400), the description kept.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from barriers.attachments import (
    ANALYST,
    attachment_get,
    attachment_target,
    attachment_targets,
    may_remove,
)
from barriers.forms import AttachmentForm
from barriers.selectors import barrier_get
from barriers.views import _barrier_page, barrier_dossier_view
from core.attachments import attachment_add, attachment_remove, attachment_response
from core.errors import DomainError, PersonalDataError
from core.models import Attachment
from core.requests import request_user


def _back(user: object, pk: int) -> str:
    """The page the person works on: the barrier page for analysts, the dossier for others."""
    name = "barriers:detail" if user.has_perm(ANALYST) else "barriers:dossier"  # type: ignore[attr-defined]
    return reverse(name, args=[pk]) + "#attachments"


@login_required
@require_POST
def attachment_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    barrier = barrier_get(user=user, pk=pk)
    targets = attachment_targets(user=user, barrier=barrier)
    if not targets:
        raise PermissionDenied
    form = AttachmentForm(request.POST, request.FILES, targets=targets)
    if form.is_valid():
        try:
            attachment_add(
                obj=attachment_target(
                    user=user, barrier=barrier, choice=form.cleaned_data["target"]
                ),
                upload=form.cleaned_data["file"],
                description=form.cleaned_data["description"],
                by=user,
            )
        except DomainError as error:
            form.add_error(_field(error), error.message)
        else:
            messages.success(request, _("The file was attached."))
            return redirect(_back(user, barrier.pk))
    if user.has_perm(ANALYST):
        return _barrier_page(request, user=user, barrier=barrier, attachment_form=form)
    return barrier_dossier_view(request, barrier.pk, attachment_form=form)


def _field(error: DomainError) -> str:
    """The description when the gate refused what was typed there; otherwise the file."""
    label = str(Attachment._meta.get_field("description").verbose_name)
    if isinstance(error, PersonalDataError) and label in error.extra.get("fields", []):
        return "description"
    return "file"


@login_required
@require_safe
def attachment_download_view(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    """The file, to whoever may see the barrier; any other finds nothing (404)."""
    barrier = barrier_get(user=request_user(request), pk=pk)
    return attachment_response(attachment_get(barrier=barrier, pk=attachment_pk))


@login_required
@require_POST
def attachment_remove_view(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    user = request_user(request)
    barrier = barrier_get(user=user, pk=pk)
    attachment = attachment_get(barrier=barrier, pk=attachment_pk)
    if not may_remove(user, attachment):
        raise PermissionDenied
    name = attachment.name
    attachment_remove(attachment=attachment, by=user)
    messages.success(request, _("“%(name)s” was removed.") % {"name": name})
    return redirect(_back(user, barrier.pk))
