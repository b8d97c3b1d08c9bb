#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "knutpunkt.settings")
    if sys.argv[1:] == ["tag_text"]:
        # Without Django's set-up when the compiled catalogue is on disk (docs/contracts.md §2):
        # only the settings module is read, for the database and the time zone.
        from importlib import import_module

        from catalogue.tagger_cache import tag_text_fast

        project = import_module(os.environ["DJANGO_SETTINGS_MODULE"])
        if tag_text_fast(database=project.DATABASES["default"], time_zone=project.TIME_ZONE):
            sys.exit(0)
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
