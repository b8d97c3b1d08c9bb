"""The shared cache's table (settings.CACHES["default"]), so `migrate` is all an upgrade needs."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("deviations", "0006_job")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
