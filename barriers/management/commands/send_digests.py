"""`python manage.py send_digests [--since DATE]`: one e-mail per reporter for the period."""

from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from barriers.notifications import digests_send

DEFAULT_DAYS = 7


class Command(BaseCommand):
    help = (
        "Send each reporter one digest of what happened to the barriers their deviations feed "
        f"(default: the last {DEFAULT_DAYS} days). Nothing already told is told again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--since", type=date.fromisoformat, help="Start of the period (YYYY-MM-DD)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        day = options["since"] or timezone.localdate(now) - timedelta(days=DEFAULT_DAYS)
        since = timezone.make_aware(datetime.combine(day, time.min))
        if since > now:
            raise CommandError("--since cannot be in the future.")
        digests = digests_send(since=since, until=now)
        self.stdout.write(f"Digests: {len(digests)} e-mails sent since {day.isoformat()}.")
