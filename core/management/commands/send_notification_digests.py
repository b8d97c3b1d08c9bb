"""Send the daily or weekly digest of notifications to those who chose it (cron: daily at 07,
weekly on Mondays)."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from core.notifications import Frequency, digests_send


class Command(BaseCommand):
    help = "E-mail each person the notifications they chose to get as a daily or weekly digest."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--period", choices=["daily", "weekly"], default="daily", help="which digest to send"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        frequency = Frequency.DAILY if options["period"] == "daily" else Frequency.WEEKLY
        sent = digests_send(frequency=frequency)
        self.stdout.write(f"{sent} digest(s) sent.")
