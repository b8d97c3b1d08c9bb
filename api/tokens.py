"""API tokens (django-rest-knox): a user's own tokens, revoking them, and their end when the
password changes.

knox keeps only a digest of each token and gives it an expiry (REST_KNOX["TOKEN_TTL"]); these
functions are what the API's revoke endpoints and the "API-nycklar" page call.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from knox.models import AuthToken

from deviations.models import User


def token_list(*, user: User) -> QuerySet[AuthToken]:
    """The user's tokens still in force, newest first."""
    return AuthToken.objects.filter(user=user, expiry__gt=timezone.now()).order_by("-created")


def token_create(*, user: User) -> tuple[AuthToken, str]:
    """A new token (the key is returned once, only its digest is kept); the user's expired
    tokens are removed on the way, so they do not pile up."""
    AuthToken.objects.filter(user=user, expiry__lte=timezone.now()).delete()
    return AuthToken.objects.create(user=user)


def token_revoke(*, user: User, digest: str) -> bool:
    """Revoke one of the user's own tokens; False when there is no such token of theirs."""
    deleted, _ = AuthToken.objects.filter(user=user, digest=digest).delete()
    return bool(deleted)


def tokens_revoke_all(*, user: User) -> int:
    deleted, _ = AuthToken.objects.filter(user=user).delete()
    return deleted


def tokens_end_with_password(
    sender: type[User], instance: User, raw: bool = False, update_fields: Any = None, **_: Any
) -> None:
    """pre_save of the user: a new password hash ends every token of that user.

    Every way a password changes — the password forms, the admin, `changepassword`,
    `set_password()` or `set_unusable_password()` and save — ends in this save, so this is the
    one place that sees them all. A rehash of the same password on sign-in after a Django
    upgrade ends the tokens too; they are short-lived, so that costs a new token at most.
    """
    if raw or instance.pk is None:
        return
    if update_fields is not None and "password" not in update_fields:
        return
    stored = sender._base_manager.filter(pk=instance.pk).values_list("password", flat=True).first()
    if stored is not None and stored != instance.password:
        AuthToken.objects.filter(user_id=instance.pk).delete()
