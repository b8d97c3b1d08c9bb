from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Knutpunkt")

    def ready(self) -> None:
        from core.dbfunctions import sqlite_functions_register
        from core.roles import ADMIN, roles_grant

        sqlite_functions_register()

        roles_grant(ADMIN, ["auth.view_group", "auth.change_group"])
