"""`python manage.py seed_demo --deviations N --seed S`: deterministic synthetic deviations."""

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from catalogue.models import Municipality
from demo.setup import demo_deviations_seed


class Command(BaseCommand):
    help = (
        "Create realistic synthetic deviations over about three years, with planted knots "
        "and confirmed tags. Running it again adds nothing that is already there."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--deviations", type=int, default=3000)
        parser.add_argument("--seed", type=int, default=2017)
        parser.add_argument(
            "--end",
            type=date.fromisoformat,
            default=None,
            help="Last event date (YYYY-MM-DD); default today.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["deviations"] < 0:
            raise CommandError("--deviations must be zero or more.")
        if not Municipality.objects.exists():
            raise CommandError("The catalogue is empty: run `manage.py load_catalogue` first.")
        end = options["end"] or timezone.localdate()
        created = demo_deviations_seed(n=options["deviations"], seed=options["seed"], end=end)
        self.stdout.write(
            f"Demo data: {created} deviations created (seed {options['seed']}, "
            f"up to {end.isoformat()})."
        )
