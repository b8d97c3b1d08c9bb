"""`python manage.py backup_data FILE`: every table Knutpunkt owns, history included, as XML.

A portable backup that restores into any supported database (SQLite or PostgreSQL) with
`restore_data`. XML because Django's JSON rounds times to milliseconds and the audit history
must come back exact. Large installations can use the database's own tools (README, "Backup
and restore").

Attached files lie outside the database (MEDIA_ROOT, core.attachments): they go into a tar
archive beside the dump, FILE.media.tar, which `restore_data FILE` unpacks again.
"""

import tarfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

# Rebuilt by migrations or not worth keeping: content types, permissions, sessions, login logs,
# the tables' stamps (core.counts: the database's triggers write them).
EXCLUDE = (
    "contenttypes",
    "auth.permission",
    "sessions",
    "axes",
    "admin.logentry",
    "core.tablestamp",
)


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
        media = Path(settings.MEDIA_ROOT)
        files = sorted(p for p in media.rglob("*") if p.is_file()) if media.is_dir() else []
        if files:
            archive = media_archive(options["file"])
            with tarfile.open(archive, "w") as tar:
                for path in files:
                    tar.add(path, arcname=path.relative_to(media).as_posix())
            self.stdout.write(f"{len(files)} attached files written to {archive}.")


def media_archive(backup: str) -> Path:
    """Where the attached files of a backup go: beside it, FILE.media.tar."""
    return Path(f"{backup}.media.tar")
