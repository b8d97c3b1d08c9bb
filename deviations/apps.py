from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeviationsConfig(AppConfig):
    name = "deviations"
    verbose_name = _("Deviations and catalogue")

    def ready(self) -> None:
        from deviations import runners  # noqa: F401 - registers the job runners
