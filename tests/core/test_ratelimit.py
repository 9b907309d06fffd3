"""The fixed-window rate limiter, on the local-memory cache and on a real Redis."""

from __future__ import annotations

import os
from typing import Any

import pytest
from django.core.cache import caches

from weerbaar.core import ratelimit


def test_the_limit_holds_per_key() -> None:
    results = [ratelimit.hit("t", "client-a", limit=3, window_seconds=60) for _ in range(5)]
    assert results == [True, True, True, False, False]
    assert ratelimit.hit("t", "client-b", limit=3, window_seconds=60)


def test_the_client_key_is_not_in_the_cache_key() -> None:
    ratelimit.hit("t", "203.0.113.9", limit=3, window_seconds=60)
    cache = caches["default"]
    keys = list(getattr(cache, "_cache", {}).keys())
    assert keys
    assert not any("203.0.113.9" in str(key) for key in keys)


@pytest.mark.celery_worker
def test_on_redis_one_window_with_expiry(settings: Any) -> None:
    url = os.environ.get("CELERY_TEST_BROKER_URL")
    if not url:
        pytest.skip("CELERY_TEST_BROKER_URL (a Redis URL) is not set")
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    }
    cache = caches["default"]
    cache.clear()
    try:
        results = [ratelimit.hit("t", "client-r", limit=2, window_seconds=30) for _ in range(3)]
        assert results == [True, True, False]
        client = cache._cache.get_client(write=True)  # type: ignore[attr-defined]
        (key,) = client.keys("*ratelimit:t:*")
        assert 0 < client.ttl(key) <= 30
    finally:
        cache.clear()
