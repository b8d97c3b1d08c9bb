"""Pages where administrators manage accounts (not the Django admin); the work is in accounts."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import DomainError
from deviations.accounts import (
    MANAGE_PERMISSION,
    email_taken,
    invitation_resend,
    invitation_valid_hours,
    manageable_organisations,
    manageable_units,
    manageable_users,
    role_choices,
    user_delete,
    user_history,
    user_invite,
    user_roles,
    user_set_active,
    user_update,
)
from deviations.models import User

PAGE_SIZE = 25


class AccountForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label=gettext_lazy("Roles"), required=False, widget=forms.CheckboxSelectMultiple
    )
    units = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Units"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    organisation = forms.ModelChoiceField(
        label=gettext_lazy("Organisation"),
        queryset=None,
        required=False,
        empty_label=gettext_lazy("The whole installation"),
        help_text=gettext_lazy(
            "Analysts see the deviations of their organisation; without one, of every one."
        ),
    )

    def __init__(self, *args: object, by: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["roles"].choices = role_choices(by)  # type: ignore[attr-defined]
        self.fields["units"].queryset = manageable_units(by)  # type: ignore[attr-defined]
        if by.organisation_id is not None and not by.is_superuser:
            del self.fields["organisation"]  # a local administrator's people are their own
        else:
            self.fields["organisation"].queryset = manageable_organisations(by)  # type: ignore[attr-defined]


class InviteForm(AccountForm):
    email = forms.EmailField(label=gettext_lazy("E-mail"), max_length=254)
    first_name = forms.CharField(label=gettext_lazy("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=gettext_lazy("Last name"), max_length=150, required=False)
    field_order = ["email", "first_name", "last_name", "organisation", "roles", "units"]

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        if email_taken(email):
            raise forms.ValidationError(_("There is already an account with this e-mail address."))
        return email


class FilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Name or e-mail"), required=False, max_length=200)
    role = forms.ChoiceField(label=gettext_lazy("Role"), required=False)
    active = forms.ChoiceField(
        label=gettext_lazy("Active"),
        required=False,
        choices=[
            ("", gettext_lazy("All")),
            ("1", gettext_lazy("Active")),
            ("0", gettext_lazy("Deactivated")),
        ],
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["role"].choices = [("", _("All")), *role_choices()]  # type: ignore[attr-defined]


def _manageable(request: HttpRequest, pk: int) -> User:
    return get_object_or_404(manageable_users(request.user), pk=pk)  # type: ignore[arg-type]


@login_required
@permission_required(MANAGE_PERMISSION, raise_exception=True)
def account_list_view(request: HttpRequest) -> HttpResponse:
    """Everyone the administrator manages, with roles and units, filtered and paged."""
    form = FilterForm(request.GET or None)
    people = (
        manageable_users(request.user)
        .select_related("organisation")
        .prefetch_related("groups", "units")
    )  # type: ignore[arg-type]
    if form.is_valid():
        if text := form.cleaned_data["q"].strip():
            people = people.filter(
                Q(first_name__icontains=text)
                | Q(last_name__icontains=text)
                | Q(email__icontains=text)
                | Q(username__icontains=text)
            )
        if role := form.cleaned_data["role"]:
            people = people.filter(groups__name=role)
        if active := form.cleaned_data["active"]:
            people = people.filter(is_active=active == "1")
    people = people.distinct().order_by("last_name", "first_name", "username")
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(person, user_roles(person)) for person in page]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "deviations/accounts/list.html",
        {"form": form, "page": page, "rows": rows, "query": query.urlencode()},
    )


@login_required
@permission_required(MANAGE_PERMISSION, raise_exception=True)
@require_http_methods(["GET", "POST"])
def account_invite_view(request: HttpRequest) -> HttpResponse:
    """Invite by e-mail; a bad or taken address is said in the form, with what was typed kept."""
    data = request.POST if request.method == "POST" else None
    form = InviteForm(data, by=request.user)  # type: ignore[arg-type]
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                person = user_invite(
                    by=request.user,  # type: ignore[arg-type]
                    email=data["email"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    roles=data["roles"],
                    units=data["units"],
                    organisation=data.get("organisation"),
                    site=request.build_absolute_uri("/"),
                )
            except DomainError as error:
                form.add_error("email", str(error))
            else:
                messages.success(
                    request,
                    _("An invitation was sent to %(email)s.") % {"email": person.email},
                )
                return redirect("accounts:detail", pk=person.pk)
        status = 400
    else:
        status = 200
    return render(
        request,
        "deviations/accounts/invite.html",
        {"form": form, "hours": invitation_valid_hours()},
        status=status,
    )


def _detail(
    request: HttpRequest, person: User, form: AccountForm, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "deviations/accounts/detail.html",
        {
            "person": person,
            "roles": user_roles(person),
            "form": form,
            "history": user_history(person),
            "invited": not person.has_usable_password(),
            "hours": invitation_valid_hours(),
        },
        status=status,
    )


@login_required
@permission_required(MANAGE_PERMISSION, raise_exception=True)
@require_http_methods(["GET", "POST"])
def account_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The person's roles and units (changeable), the actions and the history of the account."""
    person = _manageable(request, pk)
    initial = {
        "roles": list(person.groups.values_list("name", flat=True)),
        "units": list(person.units.all()),
        "organisation": person.organisation,
    }
    data = request.POST if request.method == "POST" else None  # no box ticked: still a POST
    form = AccountForm(data, by=request.user, initial=initial)  # type: ignore[arg-type]
    if request.method == "POST":
        if form.is_valid():
            try:
                user_update(
                    user=person,
                    by=request.user,  # type: ignore[arg-type]
                    roles=form.cleaned_data["roles"],
                    units=form.cleaned_data["units"],
                    organisation=form.cleaned_data.get("organisation", False),
                )
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The roles and units were saved."))
                return redirect("accounts:detail", pk=person.pk)
        return _detail(request, person, form, status=400)
    return _detail(request, person, form)


@login_required
@permission_required(MANAGE_PERMISSION, raise_exception=True)
@require_POST
def account_active_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Deactivate (signed out everywhere, API keys revoked) or activate again."""
    person = _manageable(request, pk)
    wanted = request.POST.get("active")
    if wanted not in ("0", "1"):
        messages.error(request, _("Choose whether the account should be active."))
        return _detail(request, person, AccountForm(by=request.user), status=400)  # type: ignore[arg-type]
    try:
        user_set_active(user=person, by=request.user, active=wanted == "1")  # type: ignore[arg-type]
    except DomainError as error:
        messages.error(request, str(error))
        return _detail(request, person, AccountForm(by=request.user), status=400)  # type: ignore[arg-type]
    messages.success(
        request, _("The account is active.") if wanted == "1" else _("The account is deactivated.")
    )
    return redirect("accounts:detail", pk=person.pk)


@login_required
@permission_required(MANAGE_PERMISSION, raise_exception=True)
@require_POST
def account_resend_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A fresh invitation link, while the person has not yet chosen a password."""
    person = _manageable(request, pk)
    try:
        invitation_resend(
            user=person,
            by=request.user,  # type: ignore[arg-type]
            site=request.build_absolute_uri("/"),
        )
    except DomainError as error:
        messages.error(request, str(error))
        return _detail(request, person, AccountForm(by=request.user), status=400)  # type: ignore[arg-type]
    messages.success(
        request, _("A new invitation was sent to %(email)s.") % {"email": person.email}
    )
    return redirect("accounts:detail", pk=person.pk)


@login_required
@permission_required(MANAGE_PERMISSION, raise_exception=True)
@require_POST
def account_remove_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove the account for good, once the administrator has typed its username: its
    deviations stay, under a pseudonym."""
    person = _manageable(request, pk)
    if request.POST.get("confirm", "").strip() != person.username:
        messages.error(
            request,
            _("Write the username %(username)s to remove the account.")
            % {"username": person.username},
        )
        return _detail(request, person, AccountForm(by=request.user), status=400)  # type: ignore[arg-type]
    name = person.get_full_name() or person.username
    try:
        kept = user_delete(user=person, by=request.user)  # type: ignore[arg-type]
    except DomainError as error:
        messages.error(request, str(error))
        return _detail(request, person, AccountForm(by=request.user), status=400)  # type: ignore[arg-type]
    messages.success(
        request,
        ngettext(
            "The account of %(name)s was removed; %(n)d deviation is kept under a pseudonym.",
            "The account of %(name)s was removed; %(n)d deviations are kept under a pseudonym.",
            kept,
        )
        % {"name": name, "n": kept},
    )
    return redirect("accounts:list")
