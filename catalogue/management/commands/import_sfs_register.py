"""`python manage.py import_sfs_register FILE`: every statute in a register file into the catalogue.

Formats and rules: catalogue/register.py and docs/tagging.md ("Statute register").
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from catalogue.register import FORMATS, RegisterFileError, import_register


class Command(BaseCommand):
    help = (
        "Import a statute register (Riksdag open data JSON, JSON Lines or CSV); creates or fills "
        "in unconfirmed laws, never changes shipped or confirmed ones."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--format", choices=FORMATS, help="default: csv for .csv files, else json"
        )
        parser.add_argument("--dry-run", action="store_true", help="check and count, write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = import_register(
                options["file"], fmt=options["format"], dry_run=options["dry_run"]
            )
        except RegisterFileError as exc:
            raise CommandError(str(exc)) from None
        for problem in report.problems:
            self.stderr.write(f"skipped {problem}")
        prefix = "Dry run, nothing written: " if report.dry_run else ""
        self.stdout.write(
            f"{prefix}{report.read} statutes read, {report.created} created, "
            f"{report.updated} updated, {report.unchanged} unchanged, {report.kept} kept as "
            f"shipped or confirmed, {len(report.problems)} rows skipped."
        )
