from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Knutpunkt")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from core import saved_views  # noqa: F401 - registers the start-page panel
        from core.roles import ADMIN, roles_grant
        from core.search import search_functions_register, search_indexes_after_migrate

        search_functions_register()
        # after every migrate, so a table rebuilt by a migration gets its search index back
        post_migrate.connect(search_indexes_after_migrate, dispatch_uid="core.search_indexes")

        roles_grant(ADMIN, ["auth.view_group", "auth.change_group"])
