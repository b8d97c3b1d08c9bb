"""`python manage.py knots --json`: the current knots, best first (CONTRACTS.md §4)."""

import json
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from analytics.extract import AnalysisFilter
from analytics.knots import knots_as_json
from analytics.results import knot_result
from analytics.types import KnotParams
from catalogue.models import Municipality


def _date(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{option} must be YYYY-MM-DD, not {value!r}") from None


class Command(BaseCommand):
    help = "Print the recurring knots of confirmed tags, best first."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="print the JSON array")
        parser.add_argument("--min-support", type=int, default=KnotParams().min_support)
        parser.add_argument("--since", help="only deviations on or after YYYY-MM-DD")
        parser.add_argument("--until", help="only deviations on or before YYYY-MM-DD")
        parser.add_argument(
            "--municipality",
            action="append",
            default=[],
            help="SCB code; repeat for several (local knots are then included)",
        )
        parser.add_argument("--today", help="as-of date for the trend (default: today)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["min_support"] < 2:
            raise CommandError("--min-support must be at least 2")
        codes = tuple(options["municipality"])
        known = set(Municipality.objects.filter(code__in=codes).values_list("code", flat=True))
        unknown = sorted(set(codes) - known)
        if unknown:
            raise CommandError(f"unknown municipality code(s): {', '.join(unknown)}")
        analysis_filter = AnalysisFilter(
            since=_date(options["since"], "--since") if options["since"] else None,
            until=_date(options["until"], "--until") if options["until"] else None,
            municipalities=codes,
        )
        today = _date(options["today"], "--today") if options["today"] else None
        result = knot_result(
            analysis_filter, params=KnotParams(min_support=options["min_support"]), today=today
        )
        payload = knots_as_json(result.knots)
        if options["json"]:
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
            return
        self.stdout.write(f"{len(payload)} knots in {result.deviations} deviations")
        for knot in payload:
            self.stdout.write(
                f"{knot['support']:5d}  lift {knot['lift']:5.2f}  {knot['municipalities']:3d} "
                f"municipalities  trend {knot['trend']:+.0%}  {' + '.join(knot['tags'])}"
            )
