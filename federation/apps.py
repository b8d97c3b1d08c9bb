from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FederationConfig(AppConfig):
    """Federated knots: this instance as a site of a federation, and the national mode."""

    name = "federation"
    verbose_name = _("Federated knots")
