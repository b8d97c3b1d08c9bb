"""`python manage.py escalation_reminders`: one mail per group about its overdue escalations."""

from datetime import date
from typing import Any

from django.core.management.base import CommandParser

from barriers.models import Reminder
from barriers.notifications import REMIND_EVERY_DAYS
from jobs.commands import JobCommand


class Command(JobCommand):
    help = (
        "Remind each steering group's members of its overdue open escalations. An escalation is "
        f"reminded at most once every {REMIND_EVERY_DAYS} days, so running it daily is safe."
    )
    kind = "reminders"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--today", type=date.fromisoformat, help="Count overdue as of this date (YYYY-MM-DD)."
        )
        super().add_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        today = options["today"]
        job = self.run_job(options, params={"today": today.isoformat() if today else None})
        if job is None:
            return
        self.fail_unless_done(job)
        count = Reminder.escalations.through.objects.filter(
            reminder__in=job.result.get("reminder_ids", [])
        ).count()
        self.stdout.write(
            f"Reminders: {job.result['reminders']} groups, {count} overdue escalations."
        )
