"""Counts of long lists, kept while the tables they read are unchanged.

A numbered list shows how many rows it has; at a million deviations PostgreSQL needs 60–110 ms
to count them, on every page of the list, before the page is read. The count only changes when
a table it reads is written, so the database itself stamps a registered table on every write (a
trigger: no path can forget it, whether the ORM, raw SQL, a bulk insert, the admin or a
migration writes), and a count is kept under the stamps of every table its SQL names. A count
that reads a table without a stamp is never kept.

A stamp is a random number, not a counter: a transaction that counts after writing and then
rolls back leaves a count under a stamp that no committed state will ever have again.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from django.core.cache import caches
from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connections, models
from django.db.models import QuerySet

_STAMPED: set[str] = set()
# Every table a statement names, quoted or not (a raw subquery's table counts too).
_TABLES = re.compile(r'\b(?:FROM|JOIN)\s+"?([A-Za-z_]\w*)"?')
CACHE = "counts"  # per process: a count is a number, and each process counts once after a change
FUNCTION = "core_table_stamp"


def table_stamp_register(model: type[models.Model]) -> None:
    """Stamp this model's table on every write, so counts of its lists can be kept (from the
    app's `ready()`; the triggers come after the next migrate, `table_stamps_ensure`)."""
    _STAMPED.add(model._meta.db_table)


def table_stamps_ensure(using: str = "default") -> None:
    """Create the stamps' rows and triggers that are missing. Idempotent: runs after every
    migrate, since SQLite drops a table's triggers when a migration rebuilds the table."""
    from core.models import TableStamp

    connection = connections[using]
    existing = set(connection.introspection.table_names())
    if TableStamp._meta.db_table not in existing:
        return  # not migrated yet: the next post_migrate comes back
    stamps = connection.ops.quote_name(TableStamp._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            function = (
                f"CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql "  # noqa: S608 - names from the models
                f"AS $$ BEGIN UPDATE {stamps} SET stamp = (random() * 9007199254740991)::bigint "
                "WHERE name = TG_TABLE_NAME; RETURN NULL; END $$"
            )
            cursor.execute(function)
        for table in sorted(_STAMPED & existing):
            TableStamp.objects.using(using).get_or_create(name=table)
            quoted = connection.ops.quote_name(table)
            if connection.vendor == "postgresql":
                # Once per statement: an import's 20,000 rows are one stamp, not 20,000.
                cursor.execute(f"DROP TRIGGER IF EXISTS {FUNCTION} ON {quoted}")
                cursor.execute(
                    f"CREATE TRIGGER {FUNCTION} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                    f"ON {quoted} FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()"
                )
            elif connection.vendor == "sqlite":
                update = f"UPDATE {stamps} SET stamp = random() WHERE name = '{table}';"  # noqa: S608 - a model's table
                for event in ("INSERT", "UPDATE", "DELETE"):
                    cursor.execute(
                        f"CREATE TRIGGER IF NOT EXISTS {table}_stamp_{event.lower()} "
                        f"AFTER {event} ON {quoted} BEGIN {update} END"
                    )


def table_stamps_after_migrate(sender: object, using: str = "default", **kwargs: object) -> None:
    table_stamps_ensure(using)


def count_kept(queryset: QuerySet[Any]) -> int:
    """`queryset.count()`, kept while every table the count reads is unchanged."""
    connection = connections[queryset.db]
    counted = queryset.order_by()
    try:  # the tables the count reads: its filters' joins, not those select_related adds
        sql, params = counted.values("pk").query.get_compiler(queryset.db).as_sql()
    except (EmptyResultSet, FullResultSet):  # nothing to keep: the count is no query, or one
        return counted.count()
    tables = set(_TABLES.findall(sql))
    if not tables or not tables <= _STAMPED:
        return counted.count()
    from core.models import TableStamp

    stamps = dict(
        TableStamp.objects.using(queryset.db)
        .filter(name__in=sorted(tables))
        .values_list("name", "stamp")
    )
    if stamps.keys() != tables:  # a table emptied by a test's flush, or not yet stamped
        return counted.count()
    key = "count:" + hashlib.sha256(repr((connection.alias, sql, params)).encode()).hexdigest()
    seen = tuple(sorted(stamps.items()))
    cache = caches[CACHE]
    kept = cache.get(key)
    if kept is not None and kept[0] == seen:
        return int(kept[1])
    count = counted.count()
    cache.set(key, (seen, count))
    return count
