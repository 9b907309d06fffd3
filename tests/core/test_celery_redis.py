"""Celery through a real Redis broker and a worker, as in production (not eager).

Runs when CELERY_TEST_BROKER_URL is set: `make test-postgres` (and so CI) points it at the
local Redis. Without it the test is skipped, because it needs a broker server. It runs in a
pytest run of its own (marker celery_worker): inside the full parallel suite the worker did
not delete the row within 20 s, although it passes alone; the cause is not found yet (most
likely the worker thread's view of the test database).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.utils import timezone

from tests.factories import UserFactory
from weerbaar.accounts import tasks
from weerbaar.accounts.models import MagicLink
from weerbaar.celery import app

BROKER_URL = os.environ.get("CELERY_TEST_BROKER_URL", "")

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.skipif(not BROKER_URL, reason="CELERY_TEST_BROKER_URL not set (needs Redis)"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def redis_worker() -> Iterator[None]:
    previous = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url=BROKER_URL, task_always_eager=False, result_backend=None)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield
    finally:
        app.conf.update(previous)


def test_a_task_sent_through_redis_is_run_by_a_worker(redis_worker: None) -> None:
    user = UserFactory()
    expired = MagicLink.objects.create(
        user=user, token_hash="a" * 64, expires_at=timezone.now() - timedelta(minutes=1)
    )
    valid = MagicLink.objects.create(
        user=user, token_hash="b" * 64, expires_at=timezone.now() + timedelta(minutes=10)
    )

    # Through our app explicitly: a shared_task proxy would follow whichever app is current.
    app.tasks[tasks.purge_expired_magic_links.name].delay()

    deadline = timezone.now() + timedelta(seconds=20)
    while MagicLink.objects.filter(pk=expired.pk).exists() and timezone.now() < deadline:
        time.sleep(0.1)
    assert not MagicLink.objects.filter(pk=expired.pk).exists()
    assert MagicLink.objects.filter(pk=valid.pk).exists()
