"""Outgoing email, as Django 6.1 mailers (the EMAIL_* settings are deprecated)."""

from typing import Any

from weerbaar.conf.environ import config

_backend = config(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend",
    help="Email backend class; e.g. django.core.mail.backends.smtp.EmailBackend or "
    "anymail.backends.<provider>.EmailBackend.",
)
_options: dict[str, Any] = {}
if _backend.endswith("smtp.EmailBackend"):
    _options = {
        "host": config("EMAIL_HOST", "localhost", help="SMTP host."),
        "port": config("EMAIL_PORT", 25, help="SMTP port."),
        "username": config("EMAIL_HOST_USER", "", help="SMTP user."),
        "password": config("EMAIL_HOST_PASSWORD", "", help="SMTP password."),
        "use_tls": config("EMAIL_USE_TLS", False, help="Use STARTTLS for SMTP."),
        "timeout": config("EMAIL_TIMEOUT", 10, help="SMTP timeout in seconds."),
    }

MAILERS = {"default": {"BACKEND": _backend, "OPTIONS": _options}}
DEFAULT_FROM_EMAIL = config(
    "DEFAULT_FROM_EMAIL", "Weerbaar <noreply@weerbaar.localhost>", help="Sender of emails."
)
