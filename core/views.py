"""Pages every installation has whatever its apps: the health check, the favicon, the
accessibility statement, a person's notifications, profile and saved views."""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import DatabaseError, connection, transaction
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.errors import DomainError
from core.middleware import language_cookie_set
from core.models import Notification, UserSettings
from core.notifications import (
    Frequency,
    notification_kinds,
    notifications_read,
    preferences,
    preferences_save,
)
from core.saved_views import (
    saved_page,
    saved_view_delete,
    saved_view_save,
    saved_views,
    view_url,
)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers, 503 otherwise (docs/contracts.md §5)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico; the icon's (hashed) name is only known once the static
    files are collected, so it is looked up per request rather than when the URLs load."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))


@require_GET
def easy_read(request: HttpRequest) -> HttpResponse:
    """What happens with what a participant tells the staff, in easy Swedish (lättläst); open
    to everyone, linked from every page, printable: staff hand it over on paper."""
    return render(request, "core/easy_read.html")


@require_GET
def accessibility(request: HttpRequest) -> HttpResponse:
    """The accessibility statement the law on accessible digital public services (2018:1937)
    requires of every public body's service; open to everyone, signed in or not."""
    return render(
        request,
        "core/accessibility.html",
        {
            "contact": settings.ACCESSIBILITY_CONTACT,
            "reviewed_on": settings.ACCESSIBILITY_REVIEWED_ON,
        },
    )


# --- Notifications and the profile ---------------------------------------------------------------


class ProfileForm(forms.Form):
    """A person's e-mail, language and how each kind of notification reaches them."""

    email = forms.EmailField(
        label=_("E-mail address"),
        required=False,
        help_text=_("Your work address; notifications and digests are sent here."),
    )
    language = forms.ChoiceField(label=_("Language of the pages"), choices=settings.LANGUAGES)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind in notification_kinds():
            # Not required: a kind added after the page was opened keeps its current choice.
            self.fields[f"kind_{kind.key}"] = forms.ChoiceField(
                label=kind.label, choices=Frequency.choices, required=False
            )

    def kinds(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith("kind_")]


@login_required
def profile_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    current = UserSettings.objects.filter(user=user).first()
    initial: dict[str, Any] = {
        "email": user.email,
        "language": (current.language if current else "") or translation.get_language(),
    }
    initial |= {f"kind_{key}": value for key, value in preferences(user).items()}
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                user.email = form.cleaned_data["email"]
                user.save(update_fields=["email"])
                UserSettings.objects.update_or_create(
                    user=user, defaults={"language": form.cleaned_data["language"]}
                )
                preferences_save(
                    user=user,
                    chosen={
                        name.removeprefix("kind_"): value
                        for name, value in form.cleaned_data.items()
                        if name.startswith("kind_") and value
                    },
                )
        except DomainError as error:
            form.add_error(None, str(error.message))
        else:
            language = form.cleaned_data["language"]
            translation.activate(language)
            messages.success(request, _("Your settings were saved."))
            response = redirect("profile")
            language_cookie_set(response, language)
            return response
    return render(request, "core/profile.html", {"form": form})


@login_required
def notifications_view(request: HttpRequest) -> HttpResponse:
    """The person's notifications, newest first; "mark all as read" by POST."""
    if request.method == "POST":
        notifications_read(user=request.user)
        return redirect("notifications")
    page = Paginator(Notification.objects.filter(user=request.user), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "core/notifications.html", {"page_obj": page})


@login_required
def notification_open_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Open one notification: it is read now, and the page it is about follows."""
    notification = get_object_or_404(Notification, pk=pk, user=request.user)
    notifications_read(user=request.user, ids=[notification.pk])
    if notification.url.startswith("/") and not notification.url.startswith("//"):
        return redirect(notification.url)
    return redirect("notifications")


@login_required
def saved_views_view(request: HttpRequest) -> HttpResponse:
    """ "Mina vyer": the person's saved views, each a link to its list; remove by POST."""
    if request.method == "POST":
        try:
            pk = int(request.POST.get("delete", ""))
        except ValueError:
            pk = 0
        if saved_view_delete(user=request.user, pk=pk):
            messages.success(request, _("The view was removed."))
        return redirect("saved_views")
    views = [
        {"view": view, "url": view_url(view), "list": saved_page(view.page)}
        for view in saved_views(request.user)
    ]
    return render(request, "core/saved_views.html", {"views": views})


@login_required
def saved_view_save_view(request: HttpRequest) -> HttpResponse:
    """Save the filters of a list under a name; a refusal shows the form again, name kept."""
    if request.method != "POST":
        return redirect("saved_views")
    page = request.POST.get("page", "")
    name = request.POST.get("name", "")
    query = request.POST.get("query", "")
    try:
        view = saved_view_save(user=request.user, page=page, name=name, query=query)
    except DomainError as error:
        listed = saved_page(page)
        return render(
            request,
            "core/saved_view_form.html",
            {
                "error": error.message,
                "page": page if listed else "",
                "list": listed,
                "name": name,
                "query": query,
            },
            status=400,
        )
    messages.success(request, _("The view “%(name)s” was saved.") % {"name": view.name})
    return redirect(view_url(view))
