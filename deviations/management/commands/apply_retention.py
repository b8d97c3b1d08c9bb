"""`python manage.py apply_retention [--days N]`: remove old free text, keep the statistics."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from deviations.retention import retention_apply


class Command(BaseCommand):
    help = (
        "Replace the descriptions of deviations older than RETENTION_DAYS (or --days), also in "
        "the audit history, and delete drafts untouched for 90 days. Facts and tags are kept."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, help="override settings.RETENTION_DAYS")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["days"] is not None and options["days"] < 30:
            raise CommandError("--days must be at least 30")
        report = retention_apply(days=options["days"])
        self.stdout.write(
            f"Before {report.cutoff}: {report.deviations} descriptions and "
            f"{report.history_rows} history rows removed; {report.drafts} old drafts deleted."
        )
