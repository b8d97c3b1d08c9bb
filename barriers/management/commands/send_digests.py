"""`python manage.py send_digests [--since DATE]`: one e-mail per reporter for the period."""

from datetime import date
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from barriers.runners import DIGEST_DAYS
from jobs.commands import JobCommand


class Command(JobCommand):
    help = (
        "Send each reporter one digest of what happened to the barriers their deviations feed "
        f"(default: the last {DIGEST_DAYS} days). Nothing already told is told again."
    )
    kind = "digests"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--since", type=date.fromisoformat, help="Start of the period (YYYY-MM-DD)."
        )
        super().add_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        since = options["since"]
        if since and since > timezone.localdate():
            raise CommandError("--since cannot be in the future.")
        job = self.run_job(options, params={"since": since.isoformat() if since else None})
        if job is None:
            return
        self.fail_unless_done(job)
        self.stdout.write(
            f"Digests: {job.result['digests']} e-mails sent since {job.result['since']}."
        )
