from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FederationConfig(AppConfig):
    """Federated knots: this instance as a site of a federation, and the national mode."""

    name = "federation"
    verbose_name = _("Federated knots")

    def ready(self) -> None:
        from django.db.models.signals import post_save, pre_save

        from barriers.models import Barrier, Decision
        from core.roles import ADMIN, ANALYST, model_permissions, roles_grant
        from deviations.models import Deviation, Draft
        from federation import runners, start  # noqa: F401 - job kinds and start panels
        from federation.models import NationalBarrier, Round, SiteAnswer, Submission
        from privacy.gate import gate_exempt

        # Their JSON is checked by shape before it is stored (analytics.aggregates): tag ids,
        # months, municipality codes and masked numbers only — random digits that a text scan
        # would take for a telephone number, and no place where a text could go.
        reason = "signed aggregates: tag ids, months, codes and masked numbers, checked by shape"
        gate_exempt(Submission, reason=reason)
        gate_exempt(Round, reason=reason)
        gate_exempt(SiteAnswer, reason=reason)
        gate_exempt(
            NationalBarrier,
            field="knot",
            reason="the round's knot: tag ids, figures and site names from the directory",
        )
        gate_exempt(
            NationalBarrier,
            field="delivery",
            reason="site names and this instance's own messages about reaching them",
        )

        # A national barrier's contributors hear of every change to it and every decision.
        post_save.connect(_barrier_saved, sender=Barrier, dispatch_uid="federation-barrier")
        post_save.connect(_decision_saved, sender=Decision, dispatch_uid="federation-decision")
        post_save.connect(_national_saved, sender=NationalBarrier, dispatch_uid="federation-new")
        # A national instance holds no deviations: refused on every path that would write one.
        pre_save.connect(_no_deviations_here, sender=Deviation, dispatch_uid="federation-mode")
        pre_save.connect(_no_deviations_here, sender=Draft, dispatch_uid="federation-mode-draft")

        # Analysts follow the national rounds and their knots; administrators run them.
        roles_grant(
            ANALYST,
            model_permissions(
                "federation", ["round", "peer", "nationalbarrier", "nationalnotice"], ["view"]
            ),
        )
        roles_grant(ANALYST, model_permissions("federation", ["nationalbarrier"], ["add"]))
        roles_grant(
            ADMIN,
            model_permissions(
                "federation",
                ["round", "peer", "submission", "nationalbarrier", "nationalnotice"],
                ["view", "add", "change"],
            ),
        )


def _publish_for(barrier_id: int | None) -> None:
    """Only an instance with a federation identity sends anything, and only for a barrier
    written up from a national knot."""
    from django.conf import settings

    from federation.models import NationalBarrier
    from federation.runners import notices_publish_later

    if not settings.FEDERATION_IDENTITY_FILE or barrier_id is None:
        return
    found = NationalBarrier.objects.filter(barrier_id=barrier_id).values_list("pk", flat=True)
    if found:
        notices_publish_later(found[0])


def _barrier_saved(sender: type, instance: Any, raw: bool = False, **_kw: object) -> None:
    if not raw:
        _publish_for(instance.pk)


def _decision_saved(sender: type, instance: Any, raw: bool = False, **_kw: object) -> None:
    if not raw:
        _publish_for(instance.escalation.barrier_id)


def _national_saved(
    sender: type, instance: Any, created: bool = False, raw: bool = False, **_kw: object
) -> None:
    if created and not raw:
        _publish_for(instance.barrier_id)


def _no_deviations_here(sender: type, instance: Any, raw: bool = False, **_kw: object) -> None:
    from core.national import deviations_held_check

    if not raw:
        deviations_held_check()
