from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeviationsConfig(AppConfig):
    name = "deviations"
    verbose_name = _("Deviations")

    def ready(self) -> None:
        from core.counts import table_stamp_register
        from core.metrics import scrape_collector
        from core.roles import (
            ADMIN,
            ANALYST,
            COUNTY_ANALYST,
            STAFF,
            STEERING,
            model_permissions,
            roles_grant,
        )
        from core.saved_views import saved_view_page
        from core.search import search_index_register
        from deviations import (
            comments,
            practices,
            runners,  # noqa: F401 - registers the job kinds
            start,  # noqa: F401 - registers the start-page panels
        )
        from deviations.metrics import filings_collect
        from deviations.models import Deviation, User
        from deviations.selectors import people_in_scope
        from jobs.selectors import job_watch_scope_register
        from privacy.gate import gate_exempt

        gate_exempt(User, reason="the accounts of staff: their own names and work e-mail")
        comments.notification_kinds_register()
        practices.notification_kinds_register()
        job_watch_scope_register(people_in_scope)
        search_index_register(Deviation, ("description",))
        table_stamp_register(Deviation)  # counts of the deviation lists are kept (core.counts)
        scrape_collector(filings_collect)  # filings of the last hour, at each /metrics scrape
        saved_view_page("deviations:list", _("Deviations"))
        saved_view_page("triage:queue", _("Triage"))

        roles_grant(STAFF, ["deviations.add_deviation", "deviations.view_deviation"])
        roles_grant(
            ANALYST,
            [
                "deviations.view_deviation",
                "deviations.change_deviation",
                "deviations.view_all_deviations",
                "deviations.triage_deviation",
                "deviations.view_tagging",
                "deviations.add_tagging",
                "deviations.change_tagging",
                "deviations.view_unit",
            ],
        )
        # ...and every organisation of their county (ROLE_INCLUDES gives them the analyst's).
        roles_grant(COUNTY_ANALYST, ["deviations.view_county_deviations"])
        # Steering members see only the evidence escalated to their groups (barriers.selectors).
        roles_grant(STEERING, ["deviations.view_deviation"])
        roles_grant(
            ADMIN,
            [
                "deviations.view_all_deviations",
                "deviations.triage_deviation",
                *model_permissions(
                    "deviations",
                    ["unit", "deviation", "tagging", "user"],
                    ["view", "add", "change", "delete"],
                ),
            ],
        )
