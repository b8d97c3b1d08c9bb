"""`python manage.py load_catalogue`: load the reference catalogue; safe to run again."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from catalogue.loader import catalogue_load
from catalogue.schema import DATA_DIR, CatalogueError
from core.roles import roles_ensure


class Command(BaseCommand):
    help = "Load laws, provisions, agencies, municipalities, förbund and terms (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--data-dir",
            type=Path,
            default=DATA_DIR,
            help="Folder with the catalogue's JSON files.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            counts = catalogue_load(data_dir=options["data_dir"])
        except CatalogueError as exc:
            raise CommandError(f"The catalogue files are not consistent:\n{exc}") from exc
        groups = roles_ensure()  # the roles' permissions follow the code on every upgrade
        self.stdout.write(
            "Catalogue: {laws} laws, {provisions} provisions, {agencies} agencies, "
            "{municipalities} municipalities, {forbund} förbund, {terms} terms "
            "({created} created, {updated} updated).".format(**counts)
        )
        self.stdout.write(f"Roles: {', '.join(sorted(groups))}, with their permissions.")
