"""Celery tasks of the accounts app: one-line calls into accounts.services."""

from __future__ import annotations

from celery import shared_task

from weerbaar.accounts import services


@shared_task(name="weerbaar.accounts.tasks.purge_expired_magic_links")
def purge_expired_magic_links() -> int:
    """Daily (CELERY_BEAT_SCHEDULE): remove login links that can no longer be used."""
    return services.purge_expired_magic_links()
