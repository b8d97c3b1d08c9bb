#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "knutpunkt.settings")
    if sys.argv[1:] == ["tag_text"]:
        # Without Django's set-up when the compiled catalogue is on disk (docs/contracts.md §2).
        from catalogue.tagger_cache import tag_text_fast

        if tag_text_fast():
            sys.exit(0)
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
