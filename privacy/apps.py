from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = _("Personal data")

    def ready(self) -> None:
        from django.db.models.signals import pre_save

        from core.attachments import attachment_text_gate_register
        from core.models import Attachment
        from privacy.gate import file_text_check, gate_exempt, on_pre_save

        # The gate under every path: no row of the project's apps is saved with personal data.
        pre_save.connect(on_pre_save, dispatch_uid="privacy.gate")
        # Nor any attached file whose text can be read (core cannot name privacy: it asks).
        attachment_text_gate_register(file_text_check)
        gate_exempt(Attachment, field="sha256", reason="a digest of the file's bytes, not text")
