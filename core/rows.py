"""Insert many rows of a model at once, for the paths that write thousands (import, seed).

`bulk_create` builds a model instance per row and compiles every value through its field's
preparation, about 3 µs a value: with thirty columns and seven tags a deviation, half of an
import's time. Here each column's preparation is chosen once: text, numbers, booleans and ids
go to the driver as they are (the driver does what the field would), and the rest (dates,
times, JSON, decimals) through the field's own `get_db_prep_save`, remembered for a value
repeated from the row before (every row of a batch carries the same "now"). The rows are sent
as statements of many rows each (SQLite), or as a COPY stream (PostgreSQL).

No signals are sent, as with `bulk_create`: callers ask the personal-data gate and write the
audit history themselves (core.history), as deviations.services does.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models.fields import AutoFieldMixin
from django.utils import timezone

# Field types whose Python value is what the database driver should receive.
_AS_IS = frozenset(
    {
        "AutoField", "BigAutoField", "SmallAutoField", "BigIntegerField", "IntegerField",
        "PositiveBigIntegerField", "PositiveIntegerField", "PositiveSmallIntegerField",
        "SmallIntegerField", "FloatField", "BooleanField", "CharField", "TextField",
        "SlugField", "EmailField", "URLField",
    }
)  # fmt: skip
BATCH = 2000
STATEMENT_ROWS = 500


def _prepare(field: models.Field[Any, Any], database: Any) -> Callable[[Any], Any] | None:
    """How a value of `field` becomes a parameter for `database`: None when as it is."""
    target = field.target_field if field.is_relation else field  # a foreign key sends the id
    if target.get_internal_type() in _AS_IS:
        return None
    if isinstance(field, models.JSONField):  # what get_db_prep_save ends in, without its layers
        adapt, encoder = database.ops.adapt_json_value, field.encoder
        return lambda value: None if value is None else adapt(value, encoder)
    prep = field.get_db_prep_save
    last: list[Any] = [object(), None]  # the previous value and what it became

    def prepared(value: Any) -> Any:
        if value is not last[0]:
            last[0], last[1] = value, prep(value, database)
        return last[1]

    return prepared


def rows_insert(model: type[models.Model], rows: Iterable[Mapping[str, Any]]) -> int:
    """Insert `rows` (attribute name → value, as `Model(**row)` takes them) into `model`'s
    table; missing columns get the field's default (a callable one called per row),
    `auto_now(_add)` columns the time now (whatever the row says, as with `bulk_create`).
    Returns how many rows were written. Nothing is validated here: callers check first."""
    fields = [
        f
        for f in model._meta.concrete_fields
        if not (f.primary_key and isinstance(f, AutoFieldMixin))  # the database numbers them
    ]
    now = timezone.now()
    defaults: dict[str, Any] = {}
    stamped: set[str] = set()  # auto_now(_add): the time now, as bulk_create's pre_save sets
    fresh: list[str] = []  # a callable default (uuid4, dict): a new value for every row
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            defaults[field.attname] = now if isinstance(field, models.DateTimeField) else now.date()
            stamped.add(field.attname)
        elif field.has_default() and callable(field.default):
            defaults[field.attname] = _FRESH
            fresh.append(field.attname)
        elif field.has_default() or field.null or field.blank:
            defaults[field.attname] = field.get_default()  # "" for blank text, as the ORM
    # The connection itself, not the thread-local proxy that every use of `connection` asks.
    database = connections[DEFAULT_DB_ALIAS]
    names = [f.attname for f in fields]
    starting = [defaults.get(name, _REQUIRED) for name in names]
    converted = [(i, p) for i, f in enumerate(fields) if (p := _prepare(f, database)) is not None]
    stamps = [(i, defaults[name]) for i, name in enumerate(names) if name in stamped]
    callables = [(i, fields[i].get_default) for i, name in enumerate(names) if name in fresh]
    required = [i for i, value in enumerate(starting) if value is _REQUIRED]
    quote = database.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(f.column) for f in fields)

    def prepared_rows() -> Iterator[list[Any]]:
        pairs = list(zip(names, starting, strict=True))
        for row in rows:
            values = [row.get(name, value) for name, value in pairs]
            for i in required:
                if values[i] is _REQUIRED:
                    raise KeyError(f"{model.__name__}.{names[i]} has no value and no default")
            for i, stamp in stamps:
                values[i] = stamp
            for i, make in callables:
                if values[i] is _FRESH:
                    values[i] = make()
            for i, prepare in converted:
                values[i] = prepare(values[i])
            yield values

    copy = database.vendor == "postgresql"  # one stream, not a statement per row to parse
    one = f"({', '.join(['%s'] * len(fields))})"
    # SQLite: many rows per statement. A statement per row (executemany) made the full-text
    # index flush its pending terms for every row (each statement is a savepoint for a virtual
    # table): 90 µs a deviation, against 25 µs in statements of many rows.
    per_statement = max(
        1, min(STATEMENT_ROWS, (database.features.max_query_params or 999) // len(fields))
    )
    written = 0
    with database.cursor() as cursor:
        # A batch is prepared whole before it is sent: a row refused here leaves the
        # transaction usable.
        for batch in itertools.batched(prepared_rows(), BATCH):
            if copy:
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as stream:
                    for values in batch:
                        stream.write_row(values)
            else:
                for chunk in itertools.batched(batch, per_statement):
                    cursor.execute(
                        f"INSERT INTO {table} ({columns}) VALUES {', '.join([one] * len(chunk))}",  # noqa: S608 - names from the model
                        [value for values in chunk for value in values],
                    )
            written += len(batch)
    return written


_REQUIRED = object()
_FRESH = object()
