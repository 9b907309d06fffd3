"""The Celery app. Tasks are one-line calls into services; arguments are ids."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weerbaar.conf.dev")

app = Celery("weerbaar")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
