"""Weerbaar: the platform for public-private networks for a safe business climate."""

from weerbaar.celery import app as celery_app

__all__ = ["celery_app"]
