"""`python manage.py import_deviations FILE`: CSV or Excel, all rows or none (CONTRACTS.md §3)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from deviations.imports import ImportFileError, deviations_import, read_rows


class Command(BaseCommand):
    help = "Import deviations from a .csv or .xlsx file; nothing is imported if any row is bad."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="path to a .csv (UTF-8, comma) or .xlsx file")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            with path.open("rb") as stream:
                rows = read_rows(stream, filename=path.name)
        except ImportFileError as error:
            raise CommandError(str(error)) from None
        report = deviations_import(rows=rows, by=None)
        if not report.ok:
            for error in report.errors:
                self.stderr.write(f"row {error.row}, {error.column}: {error.message}")
            raise CommandError(
                f"{len(report.errors)} problem(s) in {report.rows} rows; nothing was imported."
            )
        self.stdout.write(
            f"Imported {report.created} of {report.rows} rows ({report.unchanged} already "
            f"present, {report.suggested} tagged by the tagger for an analyst to confirm)."
        )
