"""The shared cache, robust to values it can no longer read.

The default cache is a database table shared by every process, and it outlives a release: a
value pickled by the code before an upgrade (a class since changed, moved or removed) fails to
unpickle in the code after it. Django's database cache raises then, and every page that reads
the value fails. Here such a value is a miss, and is removed, so it is computed again.
"""

from __future__ import annotations

import logging
import pickle
from typing import Any

from django.core.cache.backends.db import DatabaseCache

logger = logging.getLogger(__name__)

# What unpickling a value written by other code raises.
UNREADABLE = (
    pickle.UnpicklingError,
    AttributeError,
    ImportError,
    TypeError,
    ValueError,
    EOFError,
    IndexError,
)


class SharedCache(DatabaseCache):
    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        keys = list(keys)
        try:
            return super().get_many(keys, version=version)
        except UNREADABLE:
            if len(keys) > 1:  # find the unreadable ones: read the others one by one
                found: dict[Any, Any] = {}
                for key in keys:
                    found.update(self.get_many([key], version=version))
                return found
            logger.warning("cache value unreadable (written by other code): removed")
            self.delete(keys[0], version=version)
            return {}
