"""`python manage.py escalation_reminders`: one mail per group about its overdue escalations."""

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from barriers.notifications import REMIND_EVERY_DAYS, reminders_send


class Command(BaseCommand):
    help = (
        "Remind each steering group's members of its overdue open escalations. An escalation is "
        f"reminded at most once every {REMIND_EVERY_DAYS} days, so running it daily is safe."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--today", type=date.fromisoformat, help="Count overdue as of this date (YYYY-MM-DD)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        reminders = reminders_send(today=options["today"])
        count = sum(r.escalations.count() for r in reminders)
        self.stdout.write(f"Reminders: {len(reminders)} groups, {count} overdue escalations.")
