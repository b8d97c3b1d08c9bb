from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FederationConfig(AppConfig):
    """Federated knots: this instance as a site of a federation, and the national mode."""

    name = "federation"
    verbose_name = _("Federated knots")

    def ready(self) -> None:
        from core.roles import ADMIN, ANALYST, model_permissions, roles_grant

        # Analysts follow the national rounds and their knots; administrators run them.
        roles_grant(ANALYST, model_permissions("federation", ["round", "peer"], ["view"]))
        roles_grant(
            ADMIN,
            model_permissions(
                "federation", ["round", "peer", "submission"], ["view", "add", "change"]
            ),
        )
