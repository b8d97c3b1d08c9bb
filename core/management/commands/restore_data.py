"""`python manage.py restore_data FILE`: load a `backup_data` file into an empty database.

The audit history is restored from the file as it was, so recording new history is switched
off while loading (otherwise every restored many-to-many link would be recorded again).
"""

from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.test.utils import override_settings


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


def _holds_data() -> bool:
    """Whether any table of Knutpunkt's own apps has a row (migrations fill none of them)."""
    own = [app for app in apps.get_app_configs() if Path(app.path).parent == settings.BASE_DIR]
    return any(model.objects.exists() for app in own for model in app.get_models())
