"""`manage.py federation_round …`: the national instance's rounds, by hand or from a script.

start KEY [--min-support N] [--today YYYY-MM-DD]  a round with every active site
request KEY --out FILE                            the signed request of the current stage
submit KEY FILE…                                  the sites' answers (then moves on if complete)
pull KEY                                          fetch the answers from the sites' addresses
run KEY [--min-support N]                         start (unless started) and pull to the end:
                                                  the line for a monthly cron job
status KEY                                        stage, waiting sites, national knots
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from analytics.aggregates import aggregate_bytes
from analytics.types import KnotParams
from core.errors import DomainError
from federation.identity import DirectoryError, identity_load
from federation.models import Peer, Round
from federation.national import (
    round_advance,
    round_pull,
    round_request,
    round_start,
    round_waiting_for,
    submission_add,
)


class Command(BaseCommand):
    help = "Run a national round of federated knot analysis."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "action", choices=["start", "request", "submit", "pull", "run", "status"]
        )
        parser.add_argument("key", help="the round's name, e.g. 2026-12")
        parser.add_argument("files", nargs="*", help="answers to submit")
        parser.add_argument("--out", help="where to write the request")
        parser.add_argument("--min-support", type=int, default=KnotParams().min_support)
        parser.add_argument("--today", help="as-of date (default: today)")

    def handle(self, *args: Any, **options: Any) -> None:
        action, key = options["action"], options["key"]
        try:
            if action == "start" or (
                action == "run" and not Round.objects.filter(key=key).exists()
            ):
                today = date.fromisoformat(options["today"]) if options["today"] else None
                national = round_start(
                    key=key,
                    peers=Peer.objects.filter(active=True),
                    params=KnotParams(min_support=options["min_support"]),
                    today=today or timezone.localdate(),
                )
                self.stdout.write(
                    f"round {national.key} started with {national.peers.count()} sites"
                )
                if action == "start":
                    return
            national = Round.objects.filter(key=key).first()
            if national is None:
                raise CommandError(f"no round {key!r}")
            if action == "request":
                if not options["out"]:
                    raise CommandError("request needs --out FILE")
                identity = identity_load(settings.FEDERATION_IDENTITY_FILE)
                Path(options["out"]).write_bytes(
                    aggregate_bytes(round_request(national, identity=identity))
                )
                self.stdout.write(f"{national.stage} request written to {options['out']}")
            elif action in ("pull", "run"):
                identity = identity_load(settings.FEDERATION_IDENTITY_FILE)
                problems = round_pull(national, identity=identity)
                for name, reason in sorted(problems.items()):
                    self.stderr.write(f"{name}: {reason}")
                national.refresh_from_db()
                if problems and national.stage != Round.Stage.DONE:
                    raise CommandError(
                        f"round {key} waits at {national.stage}: {len(problems)} site(s) missing"
                    )
            elif action == "submit":
                for name in options["files"]:
                    submission = submission_add(national, Path(name).read_bytes())
                    self.stdout.write(f"{name}: {submission.kind} from {submission.peer.name}")
                if round_advance(national):
                    national.refresh_from_db()
                    self.stdout.write(f"round {key} moved on to {national.stage}")
            national.refresh_from_db()
            if national.stage == Round.Stage.DONE:
                self.stdout.write(f"round {key} done: {len(national.knots)} national knots")
                self.stdout.write(json.dumps(national.knots, ensure_ascii=False))
            else:
                waiting = ", ".join(p.name for p in round_waiting_for(national)) or "-"
                self.stdout.write(f"stage {national.stage}; waiting for: {waiting}")
        except (OSError, ValueError, DirectoryError) as error:
            raise CommandError(str(error)) from None
        except DomainError as error:
            raise CommandError(error.message) from None
