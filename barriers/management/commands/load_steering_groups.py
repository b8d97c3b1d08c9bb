"""`python manage.py load_steering_groups`: load the mandate ladder; safe to run again."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from barriers.catalogue import STEERING_GROUPS_FILE, steering_groups_load
from catalogue.schema import CatalogueError


class Command(BaseCommand):
    help = (
        "Load the steering groups of steering_groups.json (idempotent; run after load_catalogue)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--file", type=Path, default=STEERING_GROUPS_FILE, help="The steering groups' JSON."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            counts = steering_groups_load(path=options["file"])
        except CatalogueError as exc:
            raise CommandError(f"The steering groups file is not consistent:\n{exc}") from exc
        self.stdout.write(
            "Steering groups: {groups} ({created} created, {updated} updated).".format(**counts)
        )
