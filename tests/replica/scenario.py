"""Run by tests/replica/test_replica.py in processes of their own, against the PostgreSQL
clusters it started (DATABASE_URL, and DATABASE_REPLICA_URL for `visit`):

`python -m tests.replica.scenario setup` migrates the primary and fills it: the catalogue,
synthetic deviations (demo.setup) and two analysts, one for the county, one for the whole
installation.

`python -m tests.replica.scenario visit` signs in as those analysts with Django's test client,
asks for the knots page, the statistics page and a CSV export, and prints as JSON, for each
request, its status, how many knots the page lists and which database ran which statements.
"""

from __future__ import annotations

import io
import json
import os
import sys
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

COUNTY_ANALYST_NAME = "replica-county-analyst"
NATIONAL_ANALYST_NAME = "replica-national-analyst"
DEVIATIONS = 300

# What the statements are, told apart by their text.
EXTRACTION = "string_agg("  # the deviation table, one row of column strings (analytics.extract)
# The exported rows, in export order (deviations.imports.export_queryset).
EXPORT_ROWS = (
    'ORDER BY "deviations_deviation"."occurred_on" ASC, "deviations_deviation"."reference"'
)
LAG_PROBE = "pg_last_wal_replay_lsn"  # core.replica's check of the replica


def setup() -> None:
    from django.core.management import call_command

    from catalogue.models import Forbund
    from core.roles import ANALYST, COUNTY_ANALYST, roles_ensure
    from deviations.models import User

    quiet = io.StringIO()
    call_command("migrate", verbosity=0, stdout=quiet)
    call_command("load_catalogue", verbosity=0, stdout=quiet)
    call_command("seed_demo", deviations=DEVIATIONS, seed=2017, stdout=quiet)
    groups = roles_ensure()
    people = [
        (COUNTY_ANALYST_NAME, COUNTY_ANALYST, Forbund.objects.get(slug="roslagen")),
        (NATIONAL_ANALYST_NAME, ANALYST, None),
    ]
    for username, role, organisation in people:
        user = User(username=username, organisation=organisation)
        user.set_unusable_password()  # the client signs in with force_login
        user.save()
        user.groups.set([groups[role]])
    print(json.dumps({"deviations": DEVIATIONS}))


def visit() -> None:
    from django.db import connections
    from django.test import Client
    from django.urls import reverse

    from deviations.models import User

    ran: dict[str, list[str]] = {alias: [] for alias in connections}

    def recorder(alias: str) -> Callable[..., Any]:
        def wrapper(execute: Callable[..., Any], sql: str, *args: Any) -> Any:
            ran[alias].append(sql)
            return execute(sql, *args)

        return wrapper

    def request(user: User, url: str) -> dict[str, Any]:
        for statements in ran.values():
            statements.clear()
        client = Client()
        client.force_login(user)
        for statements in ran.values():
            statements.clear()  # the sign-in's own statements are not the page's
        response = client.get(url)
        body = response.content.decode("utf-8", "replace")
        return {
            "status": response.status_code,
            "type": response.get("Content-Type", ""),
            "knots": body.count('<li class="knot">'),
            "lines": body.count("\n"),
            "extraction": sorted(a for a, sql in ran.items() if any(EXTRACTION in s for s in sql)),
            "export_rows": sorted(
                a for a, sql in ran.items() if any(EXPORT_ROWS in s for s in sql)
            ),
            "statements": {
                alias: sum(1 for s in sql if LAG_PROBE not in s) for alias, sql in ran.items()
            },
        }

    county = User.objects.get(username=COUNTY_ANALYST_NAME)
    national = User.objects.get(username=NATIONAL_ANALYST_NAME)
    found: dict[str, Any] = {"aliases": sorted(connections)}
    with ExitStack() as stack:
        for alias in connections:
            stack.enter_context(connections[alias].execute_wrapper(recorder(alias)))
        found["knots"] = request(county, reverse("analytics:knots"))
        found["statistics"] = request(county, reverse("analytics:dashboard"))
        found["export"] = request(county, reverse("deviations:list") + "?export=csv")
        # The installation's default view is kept by analytics.live, on the primary.
        found["default_knots"] = request(national, reverse("analytics:knots"))
    if "replica" in connections:
        try:
            with connections["replica"].cursor() as cursor:
                cursor.execute("SELECT pg_is_in_recovery()")
                found["replica_in_recovery"] = cursor.fetchone()[0]
        except Exception as error:  # noqa: BLE001 - a stopped replica is one of the cases
            found["replica_in_recovery"] = type(error).__name__
    print(json.dumps(found))


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "knutpunkt.settings")
    import django

    django.setup()
    {"setup": setup, "visit": visit}[sys.argv[1]]()


if __name__ == "__main__":
    main()
