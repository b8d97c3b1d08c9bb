"""National mode (settings.NATIONAL_MODE, docs/federation.md): an instance that holds no
deviations, only the rounds over its sites. One rule, asked by every path that would write a
deviation or a draft of one: the pages before a person types, and every save."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from core.errors import DomainError


class NationalInstanceError(DomainError):
    code = "national_instance"
    http_status = 409


def national_refusal() -> NationalInstanceError:
    return NationalInstanceError(
        _(
            "This is the national instance: it holds no deviations, only what the sites "
            "send. File the deviation in your own organisation's Knutpunkt."
        )
    )


def deviations_held_check() -> None:
    """Raise when this instance may not hold deviations."""
    if settings.NATIONAL_MODE:
        raise national_refusal()
