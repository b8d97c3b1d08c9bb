"""`manage.py federation_sites import DIRECTORY_FILE`: the national instance's list of sites.

Adds or updates a site for every entry of a directory file that is not national (name, label,
public keys, and its address when the entry has a `url`: the national instance then fetches
the site's answers itself); sites missing from the file are left as they are.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from federation.identity import DirectoryError, directory_load
from federation.models import Peer


class Command(BaseCommand):
    help = "Add or update the federation's sites from a directory file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["import"])
        parser.add_argument("directory")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            entries = directory_load(options["directory"])
        except DirectoryError as error:
            raise CommandError(str(error)) from None
        for entry in entries.values():
            if entry.national:
                continue
            data = entry.as_json()
            _peer, created = Peer.objects.update_or_create(
                name=entry.name,
                defaults={
                    "label": entry.label,
                    "signing_key": data["signing_key"],
                    "agreement_key": data["agreement_key"],
                    **({"url": entry.url} if entry.url else {}),
                },
            )
            self.stdout.write(f"{'added' if created else 'updated'}: {entry.name}")
