"""`python manage.py load_steering_groups`: load the mandate ladders; safe to run again."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from barriers.catalogue import county_slugs, steering_groups_load
from catalogue.schema import CatalogueError


class Command(BaseCommand):
    help = (
        "Load the steering groups of the national ladder and every county's ladder "
        "(catalogue/data/ladders/; idempotent; run after load_catalogue)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        which = parser.add_mutually_exclusive_group()
        which.add_argument(
            "--county",
            choices=county_slugs(),
            help="Load the national ladder and this county's only.",
        )
        which.add_argument("--file", type=Path, help="Load this one ladder file only.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            counts = steering_groups_load(county=options["county"], path=options["file"])
        except CatalogueError as exc:
            raise CommandError(f"The steering groups file is not consistent:\n{exc}") from exc
        self.stdout.write(
            "Steering groups: {groups} ({created} created, {updated} updated).".format(**counts)
        )
