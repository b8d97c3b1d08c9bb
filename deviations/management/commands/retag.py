"""`python manage.py retag`: run the tagger over the backlog after a catalogue change."""

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from deviations.models import Deviation
from deviations.services import RetagReport, deviations_retag


class Command(BaseCommand):
    help = (
        "Refresh the tagger's open suggestions on existing deviations. Tags confirmed, rejected "
        "or added by people are kept as they are."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", help="only deviations that occurred on or after YYYY-MM-DD")
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        deviations = Deviation.objects.order_by("pk").prefetch_related("taggings")
        if options["since"]:
            try:
                since = date.fromisoformat(options["since"])
            except ValueError:
                raise CommandError(
                    f"--since must be YYYY-MM-DD, not {options['since']!r}"
                ) from None
            deviations = deviations.filter(occurred_on__gte=since)
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1")
        total = deviations.count()

        def progress(report: RetagReport) -> None:
            self.stderr.write(f"\r{report.deviations}/{total} deviations", ending="")

        report = deviations_retag(
            deviations=deviations.iterator(chunk_size=options["batch_size"]),
            batch_size=options["batch_size"],
            progress=progress,
        )
        self.stderr.write("")
        self.stdout.write(
            f"Retagged {report.deviations} deviations: {report.added} suggestions added, "
            f"{report.updated} updated, {report.removed} removed, {report.kept} decisions kept."
        )
