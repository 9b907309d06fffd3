"""Settings shared by every runtime column. Values come from the environment.

Focused parts live in conf/includes/ and are imported here explicitly (no star chains
beyond this one file).
"""

from pathlib import Path

import django_stubs_ext

from weerbaar.conf.environ import config

django_stubs_ext.monkeypatch()  # generic views subscriptable at runtime, for typing

BASE_DIR = Path(__file__).resolve().parent.parent  # src/weerbaar
PROJECT_DIR = BASE_DIR.parent.parent  # repository root

SECRET_KEY = config(
    "SECRET_KEY",
    "dev-only-insecure-key-change-me-in-production-000000000000000",
    help="Django secret key; production refuses the development default.",
)
DEBUG = config("DEBUG", False, help="Django debug mode. Never true in production.")
ALLOWED_HOSTS = config(
    "ALLOWED_HOSTS", ["127.0.0.1", "localhost"], help="Comma-separated host names served."
)
CSRF_TRUSTED_ORIGINS: list[str] = config(
    "CSRF_TRUSTED_ORIGINS", [], help="Comma-separated origins (https://host) trusted for CSRF."
)
SITE_URL = config(
    "SITE_URL",
    "http://127.0.0.1:8000",
    help="Absolute base URL used in emails (magic links, unsubscribe links).",
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "rest_framework",
    "drf_spectacular",
    "anymail",
    "weerbaar.core",
    "weerbaar.accounts",
    "weerbaar.network",
    "weerbaar.reports",
    "weerbaar.alerts",
    "weerbaar.newsletters",
    "weerbaar.insights",
    "weerbaar.contrib.kvk",
    "weerbaar.contrib.pdok",
    "weerbaar.contrib.sms",
    "weerbaar.contrib.oidc",
    "weerbaar.contrib.webpush",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "weerbaar.urls"
WSGI_APPLICATION = "weerbaar.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "weerbaar.core.context_processors.platform",
            ],
        },
    },
]

# Each include is a small module of related settings, imported by name.
from weerbaar.conf.includes.auth import (
    ALLOW_SECOND_FACTOR_EXEMPTION,
    AUTH_PASSWORD_VALIDATORS,
    AUTH_USER_MODEL,
    AUTHENTICATION_BACKENDS,
    AXES_COOLOFF_TIME,
    AXES_ENABLED,
    AXES_FAILURE_LIMIT,
    AXES_HTTP_RESPONSE_CODE,
    AXES_LOCKOUT_PARAMETERS,
    AXES_LOCKOUT_TEMPLATE,
    AXES_RESET_ON_SUCCESS,
    AXES_USERNAME_FORM_FIELD,
    LOGIN_REDIRECT_URL,
    LOGIN_URL,
    LOGOUT_REDIRECT_URL,
    MAGIC_LINK_REQUESTS_PER_HOUR,
    MAGIC_LINK_TTL_MINUTES,
    OTP_TOTP_ISSUER,
    SESSION_COOKIE_AGE,
    SESSION_COOKIE_HTTPONLY,
    SESSION_COOKIE_SAMESITE,
    SESSION_SAVE_EVERY_REQUEST,
    SHOW_MAGIC_LINK_ON_PAGE,
)
from weerbaar.conf.includes.celery import (
    CELERY_ACCEPT_CONTENT,
    CELERY_BEAT_SCHEDULE,
    CELERY_BROKER_URL,
    CELERY_RESULT_BACKEND,
    CELERY_TASK_ACKS_LATE,
    CELERY_TASK_ALWAYS_EAGER,
    CELERY_TASK_EAGER_PROPAGATES,
    CELERY_TASK_REJECT_ON_WORKER_LOST,
    CELERY_TASK_SERIALIZER,
    CELERY_TIMEZONE,
    CELERY_WORKER_PREFETCH_MULTIPLIER,
    OUTBOX_DISPATCH_WINDOW,
    OUTBOX_LEASE_SECONDS,
    OUTBOX_REQUEUE_AFTER_SECONDS,
    OUTBOX_SENT_JOURNAL_URL,
    OUTBOX_SMTP_CONNECTIONS,
)
from weerbaar.conf.includes.database import (
    DATABASE_URL,
    DATABASES,
)
from weerbaar.conf.includes.email import (
    ANYMAIL,
    CONSOLE_BACKEND,
    DEFAULT_FROM_EMAIL,
    MAILERS,
    SMTP_BACKEND,
)
from weerbaar.conf.includes.frontend import (
    DATA_UPLOAD_MAX_MEMORY_SIZE,
    FILE_UPLOAD_MAX_MEMORY_SIZE,
    MEDIA_ROOT,
    MEDIA_URL,
    NODE_MODULES,
    PRIVATE_MEDIA_ROOT,
    STATIC_ROOT,
    STATIC_URL,
    STATICFILES_DIRS,
    STORAGES,
    THEME_CLASS,
    THEME_STYLESHEET,
)
from weerbaar.conf.includes.i18n import (
    LANGUAGE_CODE,
    LANGUAGE_COOKIE_NAME,
    LANGUAGE_COOKIE_SECURE,
    LANGUAGES,
    LOCALE_PATHS,
    TIME_ZONE,
    USE_I18N,
    USE_TZ,
)
from weerbaar.conf.includes.integrations import (
    KVK_API_BASE_URL,
    KVK_API_KEY,
    KVK_API_TIMEOUT,
    KVK_CLIENT,
    OIDC_PROVIDERS,
    PDOK_CLIENT,
    PDOK_LOCATIESERVER_URL,
    PDOK_TIMEOUT_SECONDS,
)
from weerbaar.conf.includes.reports import (
    RECEIPT_CODE_PEPPER,
    REPORT_INTAKE_RATE,
)
from weerbaar.conf.includes.rest import (
    REST_FRAMEWORK,
    SPECTACULAR_SETTINGS,
)
from weerbaar.conf.includes.sms import (
    SMS_CM_PRODUCT_TOKEN,
    SMS_CM_URL,
    SMS_GATEWAY,
    SMS_SENDER,
    SMS_TIMEOUT_SECONDS,
)
from weerbaar.conf.includes.webpush import (
    WEBPUSH_ALLOWED_ENDPOINT_HOSTS,
    WEBPUSH_SENDER,
    WEBPUSH_TIMEOUT_SECONDS,
    WEBPUSH_VAPID_PRIVATE_KEY,
    WEBPUSH_VAPID_PUBLIC_KEY,
    WEBPUSH_VAPID_SUBJECT,
)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PLATFORM_NAME = config(
    "PLATFORM_NAME",
    "Weerbaar",
    help="Name of the (regional) platform shown in the header and emails.",
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": config("LOG_LEVEL", "INFO", help="Root log level.")},
    # Never below INFO: at DEBUG, Django's template engine logs the whole context of a failed
    # variable lookup, which on a receipt page would include an anonymous reporter's code.
    "loggers": {"django.template": {"level": "INFO"}},
}
