"""A small fixed-window rate limiter on the Django cache (shared across app servers).

The client key (often an IP address) is keyed with the secret before it becomes part of a
cache key: a plainly hashed IPv4 address is easy to reverse. On Redis a hit is one round
trip (INCR and EXPIRE NX in a pipeline); other caches use add() and incr().
"""

from __future__ import annotations

import hashlib
import hmac

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


def _hit_redis(backend: RedisCache, cache_key: str, *, limit: int, window_seconds: int) -> bool:
    redis_key = backend.make_and_validate_key(cache_key)
    client = backend._cache.get_client(redis_key, write=True)
    pipeline = client.pipeline()
    pipeline.incr(redis_key)
    pipeline.expire(redis_key, window_seconds, nx=True)  # only the first hit sets the window
    count, _ = pipeline.execute()
    return int(count) <= limit
