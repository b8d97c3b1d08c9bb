from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogueConfig(AppConfig):
    name = "catalogue"
    verbose_name = _("Reference catalogue")

    def ready(self) -> None:
        from core.roles import ADMIN, ANALYST, model_permissions, roles_grant

        models = ["agency", "municipality", "forbund", "law", "provision", "term", "concordance"]
        roles_grant(ANALYST, model_permissions("catalogue", models, ["view"]))
        roles_grant(
            ADMIN, model_permissions("catalogue", models, ["view", "add", "change", "delete"])
        )
        # Conflicts are written by the loader; administrators read and clear them.
        conflicts = model_permissions("catalogue", ["catalogueconflict"], ["view", "delete"])
        roles_grant(ADMIN, conflicts)
