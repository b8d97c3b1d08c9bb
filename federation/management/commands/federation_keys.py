"""`manage.py federation_keys --name NAME --out FILE`: this instance's identity for federated knots.

Writes the private keys to FILE (readable by the owner only; keep it like a password) and prints
the directory entry to give the national instance and the other sites (public keys only).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from federation.identity import identity_as_json, identity_new


class Command(BaseCommand):
    help = "Create this instance's identity for federated knots and print its directory entry."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True, help="the name other sites know us by")
        parser.add_argument("--out", required=True, help="where to write the private identity")
        parser.add_argument("--national", action="store_true", help="mark the entry as national")
        parser.add_argument(
            "--url", default="", help="this instance's address, for the national instance's pulls"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        out = Path(options["out"])
        if out.exists():
            raise CommandError(f"{out} exists; keys are never overwritten (move it away first)")
        identity = identity_new(options["name"].strip())
        out.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(identity_as_json(identity), handle, indent=1)
        entry = identity.entry.as_json() | {"national": bool(options["national"])}
        if options["url"]:
            entry["url"] = options["url"].strip()
        self.stdout.write(json.dumps(entry, ensure_ascii=False, indent=1))
