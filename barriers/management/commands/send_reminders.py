"""`python manage.py send_reminders [--today DATE]`: the day's reminders, each told once."""

from datetime import date
from typing import Any

from django.core.management.base import CommandParser

from barriers.reminders import REMIND_DAYS_BEFORE, REMIND_OVERDUE_EVERY_DAYS
from jobs.commands import JobCommand


class Command(JobCommand):
    help = (
        "Remind, in the tool and by e-mail as each person chose: actions and effect checks "
        f"{REMIND_DAYS_BEFORE} days before and when due, to the deciding group and the "
        "barrier's analyst; overdue escalations to the group, once every "
        f"{REMIND_OVERDUE_EVERY_DAYS} days. Each reminder is told once, so running it daily "
        "(or twice) is safe."
    )
    kind = "reminders"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--today", type=date.fromisoformat, help="Remind as of this date (YYYY-MM-DD)."
        )
        super().add_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        today = options["today"]
        job = self.run_job(options, params={"today": today.isoformat() if today else None})
        if job is None:
            return
        self.fail_unless_done(job)
        self.stdout.write(
            f"Reminders: {job.result['reminders']} told, "
            f"{job.result['notifications']} notifications."
        )
