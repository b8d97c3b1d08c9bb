"""A small fixed-window counter in the shared cache, for requests the login lock-out does not
cover (asking for a password-reset e-mail)."""

from __future__ import annotations

import hashlib

from django.core.cache import cache


def throttle_hit(scope: str, key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one request for `key`; False once more than `limit` came within the window that
    began with the first of them. Keys are hashed: e-mail addresses stay out of the cache."""
    digest = hashlib.sha256(key.strip().lower().encode()).hexdigest()[:32]
    name = f"throttle:{scope}:{digest}"
    cache.add(name, 0, timeout=window_seconds)
    try:
        count = cache.incr(name)
    except ValueError:  # the window ended between add and incr
        cache.set(name, 1, timeout=window_seconds)
        count = 1
    return count <= limit
