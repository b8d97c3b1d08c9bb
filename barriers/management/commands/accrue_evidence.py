"""`python manage.py accrue_evidence`: link new matching deviations to every open barrier."""

from typing import Any

from django.core.management.base import BaseCommand

from barriers.services import barrier_evidence_accrue


class Command(BaseCommand):
    help = (
        "Link deviations whose confirmed tags contain all of a barrier's tags; flag resolved "
        "barriers that recur and tell their owners. Safe to run again."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        report = barrier_evidence_accrue()
        self.stdout.write(
            f"Evidence: {report.linked} deviations linked to {len(report.barriers)} barriers; "
            f"{len(report.recurring)} resolved barriers recur."
        )
