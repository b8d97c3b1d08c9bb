from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SSOConfig(AppConfig):
    """Single sign-on as its own small app, so its signal and start-up check are registered
    with the others (deviations.sso)."""

    name = "deviations.sso"
    label = "sso"
    verbose_name = _("Single sign-on")

    def ready(self) -> None:
        from django.core import checks

        from deviations.sso import signin  # noqa: F401 - marks sessions an IdP signed in
        from deviations.sso.checks import sso_check

        checks.register(sso_check)
