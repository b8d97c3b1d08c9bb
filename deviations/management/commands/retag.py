"""`python manage.py retag`: run the tagger over the backlog after a catalogue change."""

from datetime import date
from typing import Any

from django.core.management.base import CommandError, CommandParser

from jobs.commands import JobCommand


class Command(JobCommand):
    help = (
        "Refresh the tagger's open suggestions on existing deviations. Tags confirmed, rejected "
        "or added by people are kept as they are."
    )
    kind = "retag"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", help="only deviations that occurred on or after YYYY-MM-DD")
        parser.add_argument("--batch-size", type=int, default=500)
        super().add_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        params: dict[str, Any] = {"batch_size": options["batch_size"]}
        if options["since"]:
            try:
                params["since"] = date.fromisoformat(options["since"]).isoformat()
            except ValueError:
                raise CommandError(
                    f"--since must be YYYY-MM-DD, not {options['since']!r}"
                ) from None
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1")
        job = self.run_job(options, params=params)
        if job is None:
            return
        self.fail_unless_done(job)
        r = job.result
        self.stdout.write(
            f"Retagged {r['deviations']} deviations: {r['added']} suggestions added, "
            f"{r['updated']} updated, {r['removed']} removed, {r['kept']} decisions kept."
        )
