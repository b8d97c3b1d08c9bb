"""`python manage.py knots --json`: the current knots, best first (docs/contracts.md §4)."""

import json
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from analytics.extract import AnalysisFilter, AnalysisFilterError, knot_params_from_params
from analytics.knots import knots_as_json
from analytics.results import knot_result
from analytics.types import KnotParams
from deviations.selectors import county_organisations


class Command(BaseCommand):
    help = "Print the recurring knots of confirmed tags, best first."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="print the JSON array")
        parser.add_argument(
            "--min-support",
            help=f"minimum number of deviations (default {KnotParams().min_support})",
        )
        parser.add_argument("--since", help="only deviations on or after YYYY-MM-DD")
        parser.add_argument("--until", help="only deviations on or before YYYY-MM-DD")
        parser.add_argument(
            "--municipality",
            action="append",
            default=[],
            help="SCB code; repeat for several (local knots are then included)",
        )
        parser.add_argument("--forbund", help="samordningsförbund slug")
        parser.add_argument("--unit", action="append", default=[], help="unit id; repeatable")
        parser.add_argument(
            "--organisation",
            action="append",
            default=[],
            help="whose deviations: organisation (förbund) slug; repeatable",
        )
        parser.add_argument(
            "--county",
            help="whose deviations: every organisation of this county (SCB code, e.g. 01)",
        )
        parser.add_argument("--today", help="as-of date for the trend (default: today)")

    def handle(self, *args: Any, **options: Any) -> None:
        # The same parameters, read and refused by the same parser, as the pages and the API.
        raw = {
            "since": options["since"],
            "until": options["until"],
            "forbund": options["forbund"],
            "municipality": options["municipality"],
            "unit": options["unit"],
            "organisation": options["organisation"],
            "min_support": options["min_support"],
        }
        if options["county"]:
            county = county_organisations(options["county"]).values_list("slug", flat=True)
            if not county:
                raise CommandError(f"--county: no organisation in county {options['county']!r}")
            raw["organisation"] = [*raw["organisation"], *county]
        params = {key: value for key, value in raw.items() if value not in (None, [])}
        try:
            analysis_filter = AnalysisFilter.from_params(params)
            knot_params = knot_params_from_params(params)
        except AnalysisFilterError as error:
            raise CommandError(f"--{error.field.replace('_', '-')}: {error.message}") from None
        try:
            today = date.fromisoformat(options["today"]) if options["today"] else None
        except ValueError:
            raise CommandError(f"--today must be YYYY-MM-DD, not {options['today']!r}") from None
        result = knot_result(analysis_filter, params=knot_params, today=today)
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
