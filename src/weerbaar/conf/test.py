"""Test settings: like production in behaviour, fast in hashing, never reaching out."""

import os

os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")

from weerbaar.conf.base import *

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "private": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
KVK_CLIENT = "fake"
# Every test starts from its own database state: no in-memory intake configuration reuse.
REPORT_CONFIGURATION_CHECK_SECONDS = 0.0
PDOK_CLIENT = "fake"
SMS_GATEWAY = "console"
