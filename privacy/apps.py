from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = _("Personal data")

    def ready(self) -> None:
        from django.db.models.signals import pre_save

        from privacy.gate import on_pre_save

        # The gate under every path: no row of the project's apps is saved with personal data.
        pre_save.connect(on_pre_save, dispatch_uid="privacy.gate")
