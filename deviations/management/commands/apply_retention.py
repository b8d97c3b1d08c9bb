"""`python manage.py apply_retention [--days N]`: remove old free text, keep the statistics."""

from typing import Any

from django.core.management.base import CommandError, CommandParser

from jobs.commands import JobCommand


class Command(JobCommand):
    help = (
        "Replace the descriptions of deviations older than RETENTION_DAYS (or --days), also in "
        "the audit history, and delete drafts untouched for 90 days. Facts and tags are kept."
    )
    kind = "retention"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, help="override settings.RETENTION_DAYS")
        super().add_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["days"] is not None and options["days"] < 30:
            raise CommandError("--days must be at least 30")
        job = self.run_job(options, params={"days": options["days"]})
        if job is None:
            return
        self.fail_unless_done(job)
        r = job.result
        self.stdout.write(
            f"Before {r['cutoff']}: {r['deviations']} descriptions and "
            f"{r['history_rows']} history rows removed; {r['drafts']} old drafts deleted."
        )
