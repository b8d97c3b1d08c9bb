"""`python manage.py load_catalogue`: load the reference catalogue; safe to run again.

Administrators' edits to shipped rows and to the role groups survive it (catalogue.loader,
core.roles); the fields where a shipped change met a local edit are listed for them to review.
"""

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
        groups = roles_ensure()  # new shipped permissions; admins' changes stay
        self.stdout.write(
            "Catalogue: {laws} laws, {provisions} provisions, {agencies} agencies, "
            "{municipalities} municipalities, {forbund} förbund, {terms} terms "
            "({created} created, {updated} updated, {kept_local} with local edits kept, "
            "{kept_deleted} deleted locally and not re-created).".format(**counts)
        )
        conflicts = counts["conflicts"]
        for c in conflicts:
            self.stdout.write(
                f"  Conflict: {c.table} {c.row!r}, field {c.field}: "
                f"shipped {c.shipped!r}, local {c.local!r} (local value kept)"
            )
        if conflicts:
            self.stdout.write(
                self.style.WARNING(
                    f"{len(conflicts)} conflict(s): the shipped catalogue changed fields an "
                    "administrator had edited; the local values were kept. "
                    "Review them in the admin: /admin/catalogue/catalogueconflict/."
                )
            )
        self.stdout.write(f"Roles: {', '.join(sorted(groups))}, with their permissions.")
