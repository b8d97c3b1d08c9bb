"""Who may write through the API. Reads are scoped by selectors; these guard the writes."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions
from rest_framework.request import Request


class CanFileDeviations(permissions.BasePermission):
    """Filing (POST) needs the staff role's `add_deviation`; reading only a login.

    Other methods fall through to the view, which answers 405 for what it does not offer.
    """

    message = _("Only staff in a reporting unit can file deviations.")

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method != "POST":
            return True
        return bool(request.user and request.user.has_perm("deviations.add_deviation"))


class IsAnalyst(permissions.BasePermission):
    """Analysis, triage and import are for analysts (and administrators)."""

    message = _("Only analysts can use this endpoint.")

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm("deviations.triage_deviation"))
