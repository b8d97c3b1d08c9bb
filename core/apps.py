from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def site_url_check(**kwargs: object) -> list:
    """`check --deploy`: without SITE_URL, links in e-mails (invitations, password resets,
    notifications) take the address of whoever's request sent them, which a forged Host header
    could choose where ALLOWED_HOSTS is loose."""
    from django.conf import settings
    from django.core import checks

    if getattr(settings, "SITE_URL", ""):
        return []
    return [
        checks.Warning(
            "SITE_URL is not set: links in e-mails use the address of the request that sent them.",
            hint="Set SITE_URL to the public address, e.g. https://knutpunkt.example.se.",
            id="core.W020",
        )
    ]


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Knutpunkt")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_migrate

        from core import saved_views  # noqa: F401 - registers the start-page panel
        from core.attachments import attachment_file_forget
        from core.models import Attachment
        from core.roles import ADMIN, roles_grant
        from core.search import search_functions_register, search_indexes_after_migrate

        search_functions_register()
        from core.counts import table_stamps_after_migrate

        # after every migrate, so a table rebuilt by a migration gets its stamp triggers back;
        # once (the signal comes for every app, after all of them are migrated)
        post_migrate.connect(
            table_stamps_after_migrate, sender=self, dispatch_uid="core.table_stamps"
        )
        # after every migrate, so a table rebuilt by a migration gets its search index back
        post_migrate.connect(search_indexes_after_migrate, dispatch_uid="core.search_indexes")

        # an attachment's file leaves the disk with its row, however the row goes
        post_delete.connect(attachment_file_forget, sender=Attachment, dispatch_uid="core.files")

        roles_grant(ADMIN, ["auth.view_group", "auth.change_group"])

        from axes.signals import user_locked_out

        from core.metrics import locked_out, lockouts_collect, scrape_collector

        user_locked_out.connect(locked_out, dispatch_uid="core.metrics.lockouts")
        scrape_collector(lockouts_collect)

        from django.core import checks

        from core.two_factor import policy_check

        checks.register(policy_check)
        checks.register(site_url_check, checks.Tags.security, deploy=True)
