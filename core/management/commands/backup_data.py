"""`python manage.py backup_data FILE`: every table Knutpunkt owns, history included, as XML.

A portable backup that restores into any supported database (SQLite or PostgreSQL) with
`restore_data`. XML because Django's JSON rounds times to milliseconds and the audit history
must come back exact. Large installations can use the database's own tools (README, "Backup
and restore").
"""

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

# Rebuilt by migrations or not worth keeping: content types, permissions, sessions, login logs.
EXCLUDE = ("contenttypes", "auth.permission", "sessions", "axes", "admin.logentry")


class Command(BaseCommand):
    help = "Write a portable backup of all data (with the audit history) to FILE."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command(
            "dumpdata",
            "--format=xml",
            "--natural-foreign",
            *[f"--exclude={name}" for name in EXCLUDE],
            output=options["file"],
            verbosity=0,
        )
        self.stdout.write(f"Backup written to {options['file']}.")
