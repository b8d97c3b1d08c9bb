"""DRF's authtoken kept every API token in plain text (table authtoken_token). Tokens are now
django-rest-knox's, stored as digests; a digest cannot be made from the old rows without
keeping their keys, so the old tokens are dropped and their owners get new ones
(POST /api/v1/auth/token/, docs/security.md)."""

from django.db import migrations
from django.db.migrations.recorder import MigrationRecorder


def drop_plain_tokens(apps, schema_editor):
    connection = schema_editor.connection
    if "authtoken_token" in connection.introspection.table_names():
        schema_editor.execute(
            "DROP TABLE %s" % schema_editor.quote_name("authtoken_token")  # noqa: S608
        )
    # So that the app, were it installed again, would create its table afresh.
    MigrationRecorder(connection).migration_qs.filter(app="authtoken").delete()


class Migration(migrations.Migration):
    dependencies = [("knox", "0009_extend_authtoken_field")]

    operations = [migrations.RunPython(drop_plain_tokens, migrations.RunPython.noop)]
