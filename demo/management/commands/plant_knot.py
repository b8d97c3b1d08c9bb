"""`manage.py plant_knot --tags "A;B" --count N [--seed S] [--key K]`: N more synthetic
deviations that carry these confirmed tags, spread over the demo units' municipalities and the
last year — a knot planted on purpose, e.g. one local to a single instance of a federation, or
one thin at every instance and frequent only in their union (deploy/federation_local.py)."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from catalogue.selectors import labels_for
from catalogue.tagids import is_tag_id
from demo.setup import DEMO_PREFIX, demo_units_ensure
from deviations.models import Category, Deviation, Tagging
from deviations.services import DeviationInput, TagInput, deviations_file_many


class Command(BaseCommand):
    help = "File synthetic deviations that carry a given combination of confirmed tags."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tags", required=True, help="tag ids separated by ;")
        parser.add_argument("--count", type=int, required=True)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--key", default="planted", help="names the planted deviations")

    def handle(self, *args: Any, **options: Any) -> None:
        tags = sorted({t.strip() for t in options["tags"].split(";") if t.strip()})
        if len(tags) < 2 or options["count"] < 1:
            raise CommandError("--tags needs two tags or more, --count one or more.")
        if wrong := [tag for tag in tags if not is_tag_id(tag)]:
            raise CommandError(f"not tag ids: {', '.join(wrong)}")
        rng = random.Random(options["seed"])
        units = [u for u in demo_units_ensure() if u.municipalities.exists()]
        today = timezone.localdate()
        prefix = f"{DEMO_PREFIX}{options['key']}-"
        start = Deviation.objects.filter(external_id__startswith=prefix).count()
        sentence = "Syntetisk avvikelse där reglerna krockar: " + ", ".join(labels_for(tags)) + "."
        items = []
        for number in range(start, start + options["count"]):
            unit = rng.choice(units)
            items.append(
                DeviationInput(
                    occurred_on=today - timedelta(days=rng.randrange(1, 365)),
                    unit=unit,
                    municipality=rng.choice(list(unit.municipalities.all())),
                    description=sentence,
                    category=Category.RULE_CONFLICT,
                    severity=rng.choice([2, 3, 4]),
                    external_id=f"{prefix}{number:05d}",
                    tags=tuple(TagInput(tag_id=t, confidence=1.0, rule="demo data") for t in tags),
                )
            )
        deviations_file_many(
            by=None,
            items=items,
            tag_origin=Tagging.Origin.IMPORT,
            tag_state=Tagging.State.CONFIRMED,
        )
        self.stdout.write(f"Planted {len(items)} deviations with {'; '.join(tags)}.")
