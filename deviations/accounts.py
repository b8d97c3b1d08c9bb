"""Accounts managed by local administrators: invite, roles and units, deactivate, history.

Whose accounts a person may manage is decided in one place, `manageable_users`: a local
administrator (an administrator with an organisation) manages their organisation's people and
units and may not hand out the county analyst's role, which reaches other organisations; the
installation's administrators (no organisation) manage everyone. Every change goes through these
functions with `by` recorded as the history user (django-simple-history on User, with groups
and units as m2m history), so the audit history says who changed what.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.models import Session
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from knox.models import AuthToken

from catalogue.models import Forbund
from core.errors import DomainError
from core.roles import ADMIN, COUNTY_ANALYST, ROLE_LABELS
from deviations.models import Unit, User
from deviations.services import user_remove

MANAGE_PERMISSION = "deviations.change_user"
ONE_CHANGE = timedelta(seconds=5)  # versions by one person this close are one change


# Roles only the installation's administrators give: their reach goes beyond one organisation.
INSTALLATION_ROLES = frozenset({COUNTY_ANALYST})


def _is_local_admin(by: User) -> bool:
    return by.organisation_id is not None and not by.is_superuser


def manageable_users(by: User) -> QuerySet[User]:
    """The accounts `by` may manage: an administrator's organisation's people (by their
    organisation or a unit of it), everyone for the installation's administrators."""
    if not by.has_perm(MANAGE_PERMISSION):
        return User.objects.none()
    if not _is_local_admin(by):
        return User.objects.all()
    ours = User.objects.filter(
        Q(organisation_id=by.organisation_id) | Q(units__forbund_id=by.organisation_id)
    )
    return User.objects.filter(pk__in=ours.values("pk"))


def manageable_units(by: User) -> QuerySet[Unit]:
    """The units `by` may give people: their organisation's, or every active one."""
    if not by.has_perm(MANAGE_PERMISSION):
        return Unit.objects.none()
    units = Unit.objects.filter(is_active=True)
    return units.filter(forbund_id=by.organisation_id) if _is_local_admin(by) else units


def manageable_organisations(by: User) -> QuerySet[Forbund]:
    """The organisations `by` may place people in: their own, or any."""
    if not by.has_perm(MANAGE_PERMISSION):
        return Forbund.objects.none()
    if _is_local_admin(by):
        return Forbund.objects.filter(pk=by.organisation_id)
    return Forbund.objects.order_by("name")


def role_choices(by: User | None = None) -> list[tuple[str, str]]:
    """The roles `by` may give, as (name, Swedish label), in the order core.roles declares."""
    withheld = INSTALLATION_ROLES if by is not None and _is_local_admin(by) else frozenset()
    return [(name, str(label)) for name, label in ROLE_LABELS.items() if name not in withheld]


def user_roles(user: User) -> list[str]:
    """The person's roles by label, never by internal name."""
    names = {group.name for group in user.groups.all()}
    return [str(label) for name, label in ROLE_LABELS.items() if name in names]


def _groups(roles: Iterable[str], *, by: User) -> list[Group]:
    allowed = {name for name, _label in role_choices(by)}
    wanted = [role for role in roles if role in allowed]
    return list(Group.objects.filter(name__in=wanted))


def _organisation_given(by: User, organisation: Forbund | None) -> Forbund | None:
    if _is_local_admin(by):
        return by.organisation
    return organisation


def username_from_email(email: str) -> str:
    """The part before @, in the characters usernames allow, made unique with a number."""
    base = re.sub(r"[^\w.+-]", "", email.split("@")[0].lower())[:140] or "user"
    candidate, n = base, 1
    while User.objects.filter(username__iexact=candidate).exists():
        n += 1
        candidate = f"{base}{n}"
    return candidate


def email_taken(email: str, *, exclude: User | None = None) -> bool:
    found = User.objects.filter(email__iexact=email.strip())
    if exclude is not None:
        found = found.exclude(pk=exclude.pk)
    return found.exists()


@transaction.atomic
def user_invite(
    *,
    by: User,
    email: str,
    first_name: str = "",
    last_name: str = "",
    roles: Iterable[str] = (),
    units: Iterable[Unit] = (),
    organisation: Forbund | None = None,
    site: str = "",
) -> User:
    """An active account without a password, and an e-mail with a link to choose one
    (`site`: the address the admin used, for the link when SITE_URL is not set). A local
    administrator's invitations are always to their own organisation."""
    email = email.strip()
    if email_taken(email):
        raise DomainError(_("There is already an account with this e-mail address."), code="taken")
    user = User(
        username=username_from_email(email),
        email=email,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        is_active=True,
        organisation=_organisation_given(by, organisation),
    )
    user.set_unusable_password()
    user._history_user = by  # type: ignore[attr-defined]
    user.save()
    user.groups.set(_groups(roles, by=by))
    allowed = set(manageable_units(by).values_list("pk", flat=True))
    user.units.set([unit for unit in units if unit.pk in allowed])
    invitation_send(user=user, site=site)
    return user


def invitation_valid_hours() -> int:
    return max(1, settings.PASSWORD_RESET_TIMEOUT // 3600)


def invitation_send(*, user: User, site: str = "") -> None:
    """The invitation in Swedish with a fresh link to the password-reset confirm page, on
    SITE_URL or else the address the administrator used (`site`), as the reset mail does."""
    link = (settings.SITE_URL or site).rstrip("/") + reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    context = {"user": user, "link": link, "hours": invitation_valid_hours()}
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("deviations/accounts/invitation_subject.txt", context)
        body = render_to_string("deviations/accounts/invitation_email.txt", context)
    EmailMessage(" ".join(subject.split()), body, to=[user.email]).send()


def invitation_resend(*, user: User, by: User, site: str = "") -> None:
    """Only while the person has not chosen a password: afterwards it would be a reset."""
    if user.has_usable_password():
        raise DomainError(
            _("%(name)s has already chosen a password; there is no invitation to send again.")
            % {"name": user.get_full_name() or user.username},
            code="has_password",
        )
    if not user.is_active:
        raise DomainError(_("The account is deactivated."), code="inactive")
    invitation_send(user=user, site=site)


@transaction.atomic
def user_update(
    *,
    user: User,
    by: User,
    roles: Iterable[str],
    units: Iterable[Unit],
    organisation: Forbund | None | bool = False,
) -> User:
    """Give the person these roles and units (and, for the installation's administrators, an
    organisation; False leaves it); an administrator keeps their own admin role, and roles
    `by` may not give stay as they were."""
    roles = list(roles)
    if user.pk == by.pk and ADMIN not in roles and user.groups.filter(name=ADMIN).exists():
        raise DomainError(
            _("You cannot remove your own administrator role. Ask another administrator."),
            code="own_admin",
        )
    user._history_user = by  # type: ignore[attr-defined]
    if organisation is not False and not _is_local_admin(by) and user.organisation != organisation:
        user.organisation = organisation  # type: ignore[assignment]
        user.save(update_fields=["organisation"])
    givable = {name for name, _label in role_choices(by)}
    kept = list(user.groups.exclude(name__in=givable))  # not ours to take away
    groups = _groups(roles, by=by) + kept
    if {g.pk for g in groups} != set(user.groups.values_list("pk", flat=True)):
        user.groups.set(groups)
    allowed = set(manageable_units(by).values_list("pk", flat=True))
    kept_elsewhere = [u for u in user.units.all() if u.pk not in allowed]  # not ours to remove
    wanted = [unit for unit in units if unit.pk in allowed] + kept_elsewhere
    if {u.pk for u in wanted} != set(user.units.values_list("pk", flat=True)):
        user.units.set(wanted)
    return user


def _sessions_end(user: User) -> int:
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()
            ended += 1
    return ended


@transaction.atomic
def user_set_active(*, user: User, by: User, active: bool) -> User:
    """Deactivating also signs the person out everywhere and revokes their API keys."""
    if not active and user.pk == by.pk:
        raise DomainError(_("You cannot deactivate your own account."), code="self")
    if user.is_active != active:
        user.is_active = active
        user._history_user = by  # type: ignore[attr-defined]
        user.save(update_fields=["is_active"])
    if not active:
        _sessions_end(user)
        AuthToken.objects.filter(user=user).delete()
    return user


@transaction.atomic
def user_delete(*, user: User, by: User) -> int:
    """Remove an account for good (a person who has left, say): signed out everywhere, API keys
    revoked, the account deleted and its deviations kept under a pseudonym
    (deviations.services.user_remove); the removal itself is in the history, by `by`.
    Returns how many deviations were kept."""
    if user.pk == by.pk:
        raise DomainError(_("You cannot remove your own account."), code="self")
    _sessions_end(user)
    AuthToken.objects.filter(user=user).delete()
    user._history_user = by  # type: ignore[attr-defined]
    return user_remove(user=user)


# --- History ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AccountChange:
    at: datetime
    by: str
    changes: tuple[str, ...]


def _who(record: Any) -> str:
    user = record.history_user
    if user is None:
        return _("the system")
    return user.get_full_name() or user.username


def _state(
    record: Any,
    role_rows: list[Any],
    unit_rows: list[Any],
    groups: dict,
    units: dict,
    organisations: dict,
) -> dict[str, Any]:
    role_names = {groups.get(row.group_id, "") for row in role_rows}
    return {
        "name": f"{record.first_name} {record.last_name}".strip(),
        "email": record.email,
        "active": record.is_active,
        "roles": [str(label) for name, label in ROLE_LABELS.items() if name in role_names],
        "units": sorted(units.get(row.unit_id, f"#{row.unit_id}") for row in unit_rows),
        "organisation": organisations.get(record.organisation_id, ""),
    }


def _described(before: dict[str, Any] | None, after: dict[str, Any]) -> list[str]:
    none = _("none")
    if before is None:
        created = [
            _("Account created"),
            _("Roles: %(roles)s") % {"roles": ", ".join(after["roles"]) or none},
            _("Units: %(units)s") % {"units": ", ".join(after["units"]) or none},
        ]
        if after["organisation"]:
            created.append(_("Organisation: %(name)s") % {"name": after["organisation"]})
        return created
    texts = []
    if before["name"] != after["name"]:
        texts.append(_("Name changed to %(name)s") % {"name": after["name"] or none})
    if before["email"] != after["email"]:
        texts.append(_("E-mail changed to %(email)s") % {"email": after["email"] or none})
    if before["active"] != after["active"]:
        texts.append(_("Activated") if after["active"] else _("Deactivated"))
    if before["roles"] != after["roles"]:
        texts.append(_("Roles: %(roles)s") % {"roles": ", ".join(after["roles"]) or none})
    if before["units"] != after["units"]:
        texts.append(_("Units: %(units)s") % {"units": ", ".join(after["units"]) or none})
    if before["organisation"] != after["organisation"]:
        texts.append(_("Organisation: %(name)s") % {"name": after["organisation"] or none})
    return texts


def user_history(user: User) -> list[AccountChange]:
    """What changed in the account, by whom and when, newest first; no-change rows left out."""
    groups = dict(Group.objects.values_list("pk", "name"))
    units = dict(Unit.objects.values_list("pk", "name"))
    organisations = dict(Forbund.objects.values_list("pk", "name"))
    records = list(
        user.history.order_by("history_date", "history_id").select_related("history_user")
    )
    # The m2m history rows of every version in two queries, not two per version.
    roles_then: dict[int, list[Any]] = {r.history_id: [] for r in records}
    units_then: dict[int, list[Any]] = {r.history_id: [] for r in records}
    if records:
        for rows, found in ((roles_then, records[0].groups), (units_then, records[0].units)):
            for row in found.model.objects.filter(history_id__in=rows):
                rows[row.history_id].append(row)
    # One change through the pages writes a version per m2m step (a role removed, then one
    # added; an account created, then its roles and units): the same person's versions within
    # a few seconds are read as one change, so no passing "no roles" state is shown.
    entries: list[AccountChange] = []
    before: dict[str, Any] | None = None
    group: list[Any] = []
    for record in [*records, None]:
        if group and (
            record is None
            or record.history_type == "+"
            or record.history_user_id != group[0].history_user_id
            or record.history_date - group[0].history_date > ONE_CHANGE
        ):
            last = group[-1]
            after = _state(
                last,
                roles_then[last.history_id],
                units_then[last.history_id],
                groups,
                units,
                organisations,
            )
            if texts := _described(before, after):
                entries.append(AccountChange(group[0].history_date, _who(group[0]), tuple(texts)))
            before, group = after, []
        if record is not None:
            group.append(record)
    return entries[::-1]
