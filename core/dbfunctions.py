"""Database functions that must mean the same on PostgreSQL and the embedded SQLite.

SQLite's own lower() and LIKE fold only ASCII, so "ARBETSFÖRMÅGAN" would not find
"arbetsförmågan" there while PostgreSQL finds it. `Lowered` is LOWER() on PostgreSQL and a
Python str.lower() registered on every SQLite connection (`sqlite_functions_register`).
"""

from __future__ import annotations

from typing import Any

from django.db.backends.signals import connection_created
from django.db.models import CharField, Func

SQLITE_LOWER = "KP_LOWER"


class Lowered(Func):
    """The text in lower case, the Unicode way on every database."""

    function = "LOWER"
    output_field = CharField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return super().as_sql(compiler, connection, function=SQLITE_LOWER, **extra)


def _lower(value: object) -> str | None:
    return None if value is None else str(value).lower()


def _register(sender: object, connection: Any, **kwargs: object) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function(SQLITE_LOWER, 1, _lower, deterministic=True)


def sqlite_functions_register() -> None:
    """Connect once (core's AppConfig.ready): every new SQLite connection gets the functions."""
    connection_created.connect(_register, dispatch_uid="core.sqlite_functions")
