"""`python manage.py restore_data FILE`: load a `backup_data` file into an empty database.

The audit history is restored from the file as it was, so recording new history is switched
off while loading (otherwise every restored many-to-many link would be recorded again). The
attached files written beside it (FILE.media.tar) are unpacked into MEDIA_ROOT; an attachment
whose file is still missing afterwards is named.
"""

import tarfile
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.test.utils import override_settings

from core.management.commands.backup_data import EXCLUDE, media_archive
from core.models import Attachment


class Command(BaseCommand):
    help = "Restore a backup made by backup_data into an empty, migrated database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument(
            "--force", action="store_true", help="load even if the database holds data"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if _holds_data() and not options["force"]:
            raise CommandError(
                "The database already holds data; restore into an empty database "
                "(manage.py flush) or pass --force."
            )
        with override_settings(SIMPLE_HISTORY_ENABLED=False):
            call_command("loaddata", options["file"], verbosity=0)
        self.stdout.write(f"Restored {options['file']}.")
        archive = media_archive(options["file"])
        if archive.exists():
            media = Path(settings.MEDIA_ROOT)
            media.mkdir(parents=True, exist_ok=True)
            with tarfile.open(archive) as tar:
                # "data": no absolute paths, no way out of MEDIA_ROOT, no devices or links out
                tar.extractall(media, filter="data")
            self.stdout.write(f"Attached files restored from {archive}.")
        missing = [a.pk for a in Attachment.objects.all() if not a.file.storage.exists(a.file.name)]
        if missing:
            self.stderr.write(
                f"{len(missing)} attachments have no file in {settings.MEDIA_ROOT} "
                f"(ids {', '.join(map(str, missing[:20]))}): restore the files from the backup."
            )


def _holds_data() -> bool:
    """Whether any table of Knutpunkt's own apps that a backup holds has a row (migrations fill
    none of them; the tables' stamps, which they fill, are no backup's business)."""
    own = [app for app in apps.get_app_configs() if Path(app.path).parent == settings.BASE_DIR]
    return any(
        model.objects.exists()
        for app in own
        for model in app.get_models()
        if model._meta.label_lower not in EXCLUDE
    )
