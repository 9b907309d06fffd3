"""Production column: PostgreSQL, Celery workers on Redis, HTTPS only."""

from django.core.exceptions import ImproperlyConfigured

from weerbaar.conf.base import *
from weerbaar.conf.base import CELERY_BROKER_URL, SECRET_KEY
from weerbaar.conf.base import STORAGES as BASE_STORAGES
from weerbaar.conf.environ import config
from weerbaar.conf.includes.email import ANYMAIL, SMTP_BACKEND, mailers, sends_through_provider

if SECRET_KEY.startswith("dev-only-"):
    raise ImproperlyConfigured("Set SECRET_KEY: production refuses the development key.")

DEBUG = False
MAILERS = mailers(SMTP_BACKEND)
if sends_through_provider(MAILERS) and not ANYMAIL["WEBHOOK_SECRET"]:
    # Anyone could otherwise post made-up bounces to the provider webhook.
    raise ImproperlyConfigured(
        "Set ANYMAIL_WEBHOOK_SECRET: production refuses open email provider webhooks."
    )
CELERY_TASK_ALWAYS_EAGER = config(
    "CELERY_TASK_ALWAYS_EAGER", False, help="Run tasks inline (production: false)."
)

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = config("SECURE_SSL_REDIRECT", True, help="Redirect HTTP to HTTPS.")
SECURE_HSTS_SECONDS = config("SECURE_HSTS_SECONDS", 31_536_000, help="HSTS max-age in seconds.")
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": config("CACHE_URL", CELERY_BROKER_URL, help="Redis URL for the cache."),
    }
}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    "private": BASE_STORAGES["private"],
}
