"""`python manage.py evaluate_tagger FILE [--json]`: score the tagger and PII finder on labelled
texts (format: docs/tagging.md §10.1) and list the mistakes, so a change to the tagger can be
judged."""

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from catalogue.schema import CatalogueError
from catalogue.selectors import tag_catalogue
from catalogue.tagger_catalogue import catalogue_from_files
from catalogue.tagging import TagCatalogue
from catalogue.tagging.evaluation import (
    EvalFormatError,
    evaluate,
    format_report,
    read_labelled,
    tagger_predictor,
)
from privacy.pii import find_pii


class Command(BaseCommand):
    help = "Precision, recall and F1 per tag kind and for personal data on a labelled JSONL file."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path, help="JSON Lines as in docs/tagging.md §10.1")
        parser.add_argument("--json", action="store_true", help="print the report as JSON")
        parser.add_argument(
            "--from-files",
            action="store_true",
            help="use the catalogue's JSON data files instead of the database",
        )
        parser.add_argument(
            "--max-mistakes", type=int, default=40, help="mistakes to list in the text report"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read {path}: {exc}") from exc
        try:
            items = read_labelled(lines)
        except EvalFormatError as exc:
            raise CommandError(f"{path}: {exc}") from exc
        report = evaluate(items, tagger_predictor(self._catalogue(options), find_pii))
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(format_report(report, max_mistakes=options["max_mistakes"]))

    def _catalogue(self, options: dict[str, Any]) -> TagCatalogue:
        if options["from_files"]:
            try:
                return catalogue_from_files()
            except CatalogueError as exc:
                raise CommandError(f"catalogue files: {exc}") from exc
        hint = "run `manage.py migrate` and `manage.py load_catalogue`, or use --from-files"
        try:
            catalogue = tag_catalogue()
        except DatabaseError as exc:
            raise CommandError(
                f"cannot read the catalogue from the database ({exc}); {hint}"
            ) from exc
        if not catalogue.laws or not catalogue.agencies:
            raise CommandError(f"the database holds no catalogue; {hint}")
        return catalogue
