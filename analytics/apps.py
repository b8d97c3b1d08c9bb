from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "analytics"
    verbose_name = _("Analysis")

    def ready(self) -> None:
        from analytics import start  # noqa: F401 - registers the start-page panels
        from analytics.metrics import knots_collect
        from analytics.results import knots_recompute_default  # also registers the knot job
        from core.metrics import scrape_collector
        from deviations.signals import tags_changed

        tags_changed.connect(knots_recompute_default, dispatch_uid="analytics.knots")
        scrape_collector(knots_collect)  # how current the knots are, at each /metrics scrape
