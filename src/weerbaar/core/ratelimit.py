"""A small fixed-window rate limiter on the Django cache (shared across app servers).

The client key (often an IP address) is keyed with the secret before it becomes part of a
cache key: a plainly hashed IPv4 address is easy to reverse. On Redis a hit is one round
trip (INCR and EXPIRE NX in a pipeline); other caches use add() and incr().
"""

from __future__ import annotations

import hashlib
import hmac
import weakref
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache


def hit(scope: str, key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one attempt for (scope, key); return False when the limit is exceeded."""
    digest = hmac.new(settings.SECRET_KEY.encode(), key.encode(), hashlib.sha256).hexdigest()[:32]
    cache_key = f"ratelimit:{scope}:{digest}"
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        return _hit_redis(backend, cache_key, limit=limit, window_seconds=window_seconds)
    try:
        count = backend.incr(cache_key)
    except ValueError:
        # When add() fails, another request created the window in between: count on it.
        created = backend.add(cache_key, 1, timeout=window_seconds)
        count = 1 if created else backend.incr(cache_key)
    return count <= limit


# One redis-py client per cache client: Django's cache builds a new client object (with its
# table of ~200 response callbacks) on every call, a measurable part of each request. Writes
# always go to the first server, so the first write client serves every key.
_write_clients: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()


def _hit_redis(backend: RedisCache, cache_key: str, *, limit: int, window_seconds: int) -> bool:
    redis_key = backend.make_and_validate_key(cache_key)
    cache_client = backend._cache
    client = _write_clients.get(cache_client)
    if client is None:
        client = cache_client.get_client(redis_key, write=True)
        _write_clients[cache_client] = client
    pipeline = client.pipeline()
    pipeline.incr(redis_key)
    pipeline.expire(redis_key, window_seconds, nx=True)  # only the first hit sets the window
    count, _ = pipeline.execute()
    return int(count) <= limit
