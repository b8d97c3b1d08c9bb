"""Why a federation document is refused, as people read it (the methods say it in English)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from analytics.aggregates import AggregateError


def aggregate_reason(error: AggregateError) -> str:
    reasons = {
        "too_large": _("the file is too large"),
        "not_json": _("the file is not an aggregate (not JSON, or cut off)"),
        "format": _("the file is not a Knutpunkt aggregate"),
        "version": _("the file's version is not supported"),
        "sender": _("the sender is not one this instance trusts"),
        "key": _("the sender's key is not the one registered for the site"),
        "signature": _("the signature does not match: the file was changed or cut off"),
        "shape": _("the file holds something other than the method's numbers"),
        "not_participant": _("this site does not take part in the round"),
        "unknown_sites": _("the round names sites that are not in this site's directory"),
        "stale": _("the request does not fit this site's data; ask for a new round"),
    }
    return reasons.get(error.code, reasons["shape"])
