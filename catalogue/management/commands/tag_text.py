"""`python manage.py tag_text`: JSON Lines in, tags and personal data out (docs/contracts.md §2).

manage.py first tries catalogue.tagger_cache.tag_text_fast, which does the same without
Django's set-up when the compiled catalogue for the database's version is on disk; this
command is the path that compiles it (and writes it for the next run)."""

import sys
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from catalogue.jsonlines import tag_line
from catalogue.selectors import tag_catalogue
from catalogue.tagger_cache import tag_lines

__all__ = ["Command", "tag_line"]


class Command(BaseCommand):
    help = "Tag JSON Lines from standard input: {id, text, date?} → {id, tags, pii}."
    stealth_options = ("stdin",)
    # The system checks import every URL and view (SAML, the barriers, scipy): 1.5 s of a
    # command that other systems start per batch. `manage.py check` and every server run them.
    requires_system_checks: list[str] = []

    def handle(self, *args: Any, **options: Any) -> None:
        catalogue = tag_catalogue()
        today = timezone.localdate()
        stdin = options.get("stdin") or sys.stdin
        tag_lines(stdin, self.stdout.write, catalogue=catalogue, today=today)
