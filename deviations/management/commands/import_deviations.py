"""`python manage.py import_deviations FILE`: CSV or Excel, all rows or none
(docs/contracts.md §3)."""

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from jobs.commands import JobCommand


class Command(JobCommand):
    help = "Import deviations from a .csv or .xlsx file; nothing is imported if any row is bad."
    kind = "import"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="path to a .csv (UTF-8, comma) or .xlsx file")
        super().add_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        job = self.run_job(options, input=path.read_bytes(), input_name=path.name)
        if job is None:
            return
        errors = job.result.get("errors", [])
        for row, column, message in errors:
            self.stderr.write(f"row {row}, {column}: {message}")
        problems = job.result.get("problems", len(errors))
        if problems > len(errors):
            self.stderr.write(
                f"... the first {len(errors)} of {problems}; the full report is the job's file "
                f"at {job.get_absolute_url()}"
            )
        if problems:
            raise CommandError(
                f"{problems} problem(s) in {job.result.get('rows', 0)} rows; nothing was imported."
            )
        self.fail_unless_done(job)
        result = job.result
        self.stdout.write(
            f"Imported {result['created']} of {result['rows']} rows ({result['unchanged']} "
            f"already present, {result['suggested']} tagged by the tagger for an analyst to "
            "confirm)."
        )
