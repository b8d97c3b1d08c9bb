from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FederationConfig(AppConfig):
    """Federated knots: this instance as a site of a federation, and the national mode."""

    name = "federation"
    verbose_name = _("Federated knots")

    def ready(self) -> None:
        from core.roles import ADMIN, ANALYST, model_permissions, roles_grant
        from federation.models import Round, Submission
        from privacy.gate import gate_exempt

        # Their JSON is checked by shape before it is stored (analytics.aggregates): tag ids,
        # months, municipality codes and masked numbers only — random digits that a text scan
        # would take for a telephone number, and no place where a text could go.
        reason = "signed aggregates: tag ids, months, codes and masked numbers, checked by shape"
        gate_exempt(Submission, reason=reason)
        gate_exempt(Round, reason=reason)

        # Analysts follow the national rounds and their knots; administrators run them.
        roles_grant(ANALYST, model_permissions("federation", ["round", "peer"], ["view"]))
        roles_grant(
            ADMIN,
            model_permissions(
                "federation", ["round", "peer", "submission"], ["view", "add", "change"]
            ),
        )
