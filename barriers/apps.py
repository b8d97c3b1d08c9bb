from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BarriersConfig(AppConfig):
    name = "barriers"
    verbose_name = _("Systemic barriers")

    def ready(self) -> None:
        from barriers import (
            comments,
            reminders,
            runners,  # noqa: F401 - registers the job kinds
            start,  # noqa: F401 - registers the start-page panels
        )
        from barriers.extensions import EXTENSION, tags_changed_received
        from barriers.models import Barrier
        from barriers.notifications import notification_kinds_register
        from core.roles import ADMIN, ANALYST, STEERING, model_permissions, roles_grant
        from core.saved_views import saved_view_page
        from core.search import search_index_register
        from deviations.extensions import deviation_extension_register
        from deviations.signals import tags_changed

        notification_kinds_register()
        search_index_register(
            Barrier,
            ("title", "description", "root_cause", "proposed_change"),
            weights=(10.0, 4.0, 2.0, 2.0),
        )
        saved_view_page("barriers:list", _("Barriers"))
        saved_view_page("search", _("Search"))
        comments.notification_kinds_register()
        reminders.notification_kinds_register()
        deviation_extension_register("barriers", EXTENSION)
        tags_changed.connect(tags_changed_received, dispatch_uid="barriers.evidence")
        work = ["barrier", "escalation", "decision"]  # what analysts write
        models = [*work, "steeringgroup"]
        roles_grant(
            ANALYST,
            [
                "barriers.view_all_barriers",
                *model_permissions("barriers", models, ["view"]),
                *model_permissions("barriers", work, ["add", "change"]),
            ],
        )
        roles_grant(
            STEERING, [*model_permissions("barriers", models, ["view"]), "barriers.add_decision"]
        )
        roles_grant(
            ADMIN,
            [
                "barriers.view_all_barriers",
                *model_permissions("barriers", models, ["view", "add", "change", "delete"]),
            ],
        )
