"""`manage.py federation_answer --request FILE --out FILE [--organisation SLUG]`: a site's answer.

Reads a national round's request (a signed document), answers it from this instance's
deviations — or one organisation's — and writes the signed answer to send back. For runs by
hand or on a schedule; the identity and directory come from FEDERATION_IDENTITY_FILE and
FEDERATION_DIRECTORY_FILE.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from analytics.aggregates import AggregateError, aggregate_bytes, aggregate_load
from catalogue.models import Forbund
from federation.identity import DirectoryError, directory_load, identity_load
from federation.site import site_answer_kept


class Command(BaseCommand):
    help = "Answer a national round's request with this site's signed, masked numbers."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--request", required=True, help="the request document")
        parser.add_argument("--out", required=True, help="where to write the answer")
        parser.add_argument("--organisation", help="answer for this förbund (slug) only")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.FEDERATION_IDENTITY_FILE or not settings.FEDERATION_DIRECTORY_FILE:
            raise CommandError(
                "Set FEDERATION_IDENTITY_FILE and FEDERATION_DIRECTORY_FILE (docs/federation.md)."
            )
        organisation = None
        if options["organisation"]:
            organisation = Forbund.objects.filter(slug=options["organisation"]).first()
            if organisation is None:
                raise CommandError(f"--organisation: no förbund {options['organisation']!r}")
        try:
            identity = identity_load(settings.FEDERATION_IDENTITY_FILE)
            directory = directory_load(settings.FEDERATION_DIRECTORY_FILE)
            request = aggregate_load(Path(options["request"]).read_bytes())
            answer = site_answer_kept(
                request, identity=identity, directory=directory, organisation=organisation
            )
        except (OSError, DirectoryError, AggregateError) as error:
            raise CommandError(str(error)) from None
        Path(options["out"]).write_bytes(aggregate_bytes(answer))
        self.stdout.write(
            f"{answer['kind']} for round {answer['round']} written to {options['out']}"
        )
