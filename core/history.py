"""Audit history for rows written in bulk, in the database itself.

simple_history writes one historical row per save; its bulk helpers build a model instance and
a compiled INSERT value per row, which costs seconds for the thousands of rows a large knot
links at once. `history_copy` writes the same historical rows (every column the history keeps,
the time, the person, the reason, the kind of change) as one INSERT … SELECT per batch, so the
audit trail stays whole whatever path wrote the rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import connection, models

BATCH = 5000
CREATED, CHANGED = "+", "~"  # simple_history's history_type values


def history_copy(
    model: type[models.Model],
    pks: Sequence[int],
    *,
    user_id: int | None,
    reason: str,
    when: datetime,
    kind: str = CHANGED,
    column: str | None = None,
) -> None:
    """One historical row per row of `model` with these ids, as it stands now; with `column`,
    per row whose `column` holds one of the ids (every tagging of new deviations)."""
    history = model.history.model  # type: ignore[attr-defined]
    kept = {f.column for f in model._meta.concrete_fields}
    columns = [
        f.column
        for f in history._meta.concrete_fields
        if f.column in kept and not f.column.startswith("history_")
    ]
    quote = connection.ops.quote_name
    listed = ", ".join(quote(c) for c in columns)
    stamp = connection.ops.adapt_datetimefield_value(when)
    with connection.cursor() as cursor:
        for start in range(0, len(pks), BATCH):
            batch = list(pks[start : start + BATCH])
            marks = ", ".join(["%s"] * len(batch))
            cursor.execute(
                f"INSERT INTO {quote(history._meta.db_table)} ({listed}, history_date, "  # noqa: S608 - names from the models, values as parameters
                f"history_change_reason, history_type, history_user_id) "
                f"SELECT {listed}, %s, %s, %s, %s FROM {quote(model._meta.db_table)} "
                f"WHERE {quote(column or model._meta.pk.column)} IN ({marks})",
                [stamp, reason[:100] or None, kind, user_id, *batch],
            )
