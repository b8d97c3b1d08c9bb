"""From an identity provider's word to a signed-in account, the same for OIDC and SAML.

`sso_sign_in` applies the mapping rules (deviations.sso.rules) to the attributes: the account
is created on the first sign-in (without a password: the identity provider is the way in),
and organisation, roles and units named by the rules are set again at every sign-in, because
the identity provider is the source of truth. Every change is saved through the model, so it
lands in the person's audit history with the reason "single sign-on". A refusal is a
`SignInRefusedError` with a message for the person (Swedish in the UI), never a server error.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils.translation import gettext as _

from catalogue.models import Forbund
from core.errors import DomainError
from core.roles import ROLE_LABELS
from deviations.accounts import username_from_email
from deviations.models import Unit, User
from deviations.sso.rules import (
    NoRuleMatchesError,
    OrganisationsDisagreeError,
    Rule,
    RulesInvalidError,
    grant_for,
    rules_read,
)

log = logging.getLogger(__name__)

PROTOCOL_NAMES = {"oidc": "OpenID Connect", "saml": "SAML"}


class SignInRefusedError(DomainError):
    code = "sso_refused"
    http_status = 403


class ProviderUnavailableError(SignInRefusedError):
    """The identity provider did not answer: nobody's fault here, try again later."""

    code = "sso_unavailable"
    http_status = 503

    def __init__(self) -> None:
        super().__init__(
            _("The identity provider could not be reached. Please try again in a while.")
        )


@dataclass(frozen=True)
class Identity:
    """Who the identity provider says signed in, and everything it said about them."""

    protocol: str  # "oidc" or "saml"
    username: str
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    attributes: dict[str, list[str]] = field(default_factory=dict)


@lru_cache(maxsize=4)
def _rules_cached(path: str, modified: float) -> tuple[Rule, ...]:
    return rules_read(path, known_roles=ROLE_LABELS)


def sso_rules() -> tuple[Rule, ...]:
    """The rules from SSO_RULES_FILE, read again when the file changes."""
    path = settings.SSO_RULES_FILE
    if not path:
        raise ImproperlyConfigured("Single sign-on is on but SSO_RULES_FILE is not set.")
    try:
        modified = Path(path).stat().st_mtime
    except OSError as error:
        raise ImproperlyConfigured(f"SSO_RULES_FILE: cannot read {path}") from error
    try:
        return _rules_cached(str(path), modified)
    except RulesInvalidError as error:
        raise ImproperlyConfigured(f"SSO_RULES_FILE: {error}") from error


def _account(identity: Identity) -> User | None:
    """The account by user name, else by e-mail (an invited person's account), else none."""
    found = User.objects.filter(username__iexact=identity.username).first()
    if found is None and identity.email:
        by_email = list(User.objects.filter(email__iexact=identity.email)[:2])
        found = by_email[0] if len(by_email) == 1 else None
    return found


def _refuse(identity: Identity, reason: str, message: str) -> SignInRefusedError:
    log.warning(
        "single sign-on refused (%s) for %r: %s", identity.protocol, identity.username, reason
    )
    return SignInRefusedError(message, code=reason)


@transaction.atomic
def sso_sign_in(identity: Identity) -> User:
    """The account for this identity, created or brought up to date; raises SignInRefusedError."""
    if not identity.username:
        raise _refuse(
            identity,
            "no_username",
            _("The identity provider did not say who you are. Ask your IT support."),
        )
    try:
        grant = grant_for(sso_rules(), identity.attributes)
    except NoRuleMatchesError:
        raise _refuse(
            identity,
            "no_rule",
            _(
                "Your account at the identity provider gives no access to Knutpunkt. Ask your "
                "administrator to give you a Knutpunkt role there."
            ),
        ) from None
    except OrganisationsDisagreeError as error:
        raise _refuse(
            identity,
            f"organisations_disagree: {error}",
            _(
                "Your groups at the identity provider point to more than one organisation. Ask "
                "your administrator."
            ),
        ) from None
    organisation = None
    if grant.organisation is not None:
        organisation = Forbund.objects.filter(slug=grant.organisation).first()
        if organisation is None:
            raise _refuse(
                identity,
                f"unknown_organisation: {grant.organisation}",
                _(
                    "The organisation the sign-in rules give you does not exist in Knutpunkt. "
                    "Ask your administrator."
                ),
            )
    units = None
    if grant.units is not None:
        units = list(Unit.objects.filter(name__in=grant.units))
        missing = set(grant.units) - {unit.name for unit in units}
        if missing:
            raise _refuse(
                identity,
                f"unknown_units: {', '.join(sorted(missing))}",
                _(
                    "A unit the sign-in rules give you does not exist in Knutpunkt. Ask your "
                    "administrator."
                ),
            )

    user = _account(identity)
    if user is not None and not user.is_active:
        raise _refuse(
            identity,
            "inactive",
            _("Your Knutpunkt account is deactivated. Ask your administrator."),
        )
    reason = f"single sign-on ({PROTOCOL_NAMES[identity.protocol]})"
    if user is None:
        user = User(
            username=_username_free(identity),
            email=identity.email,
            first_name=identity.first_name[:150],
            last_name=identity.last_name[:150],
            organisation=organisation,
        )
        user.set_unusable_password()  # the identity provider is the way in
        user._change_reason = reason  # type: ignore[attr-defined]
        user.save()
        log.info("single sign-on (%s) created %r", identity.protocol, user.username)
    else:
        _details_update(user, identity, organisation, reason)

    groups = list(Group.objects.filter(name__in=grant.roles))
    if {group.pk for group in groups} != set(user.groups.values_list("pk", flat=True)):
        user._change_reason = reason  # type: ignore[attr-defined]
        user.groups.set(groups)
    if units is not None and {u.pk for u in units} != set(user.units.values_list("pk", flat=True)):
        user._change_reason = reason  # type: ignore[attr-defined]
        user.units.set(units)
    return user


def _username_free(identity: Identity) -> str:
    if not User.objects.filter(username__iexact=identity.username).exists():
        return identity.username[:150]
    return username_from_email(identity.email or identity.username)


def _details_update(
    user: User, identity: Identity, organisation: Forbund | None, reason: str
) -> None:
    """Organisation, e-mail and name as the identity provider says now; saved only if changed."""
    wanted = {
        "organisation_id": organisation.pk if organisation else None,
        "email": identity.email or user.email,
        "first_name": identity.first_name[:150] or user.first_name,
        "last_name": identity.last_name[:150] or user.last_name,
    }
    changed = [name for name, value in wanted.items() if getattr(user, name) != value]
    if changed:
        for name in changed:
            setattr(user, name, wanted[name])
        user._change_reason = reason  # type: ignore[attr-defined]
        user.save(update_fields=[name.removesuffix("_id") for name in changed])
