"""Outgoing email, as Django 6.1 mailers (the EMAIL_* settings are deprecated)."""

from typing import Any

from weerbaar.conf.environ import config

CONSOLE_BACKEND = "django.core.mail.backends.console.EmailBackend"
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


def mailers(default_backend: str) -> dict[str, dict[str, Any]]:
    """MAILERS from the environment; the development column prints mail to the console,
    production sends through SMTP (or a django-anymail provider backend)."""
    backend = config(
        "EMAIL_BACKEND",
        default_backend,
        help="Email backend class. Default: console (development), SMTP (production); or "
        "anymail.backends.<provider>.EmailBackend.",
    )
    options: dict[str, Any] = {}
    if backend == SMTP_BACKEND:
        options = {
            "host": config("EMAIL_HOST", "localhost", help="SMTP host."),
            "port": config("EMAIL_PORT", 25, help="SMTP port."),
            "username": config("EMAIL_HOST_USER", "", help="SMTP user."),
            "password": config("EMAIL_HOST_PASSWORD", "", help="SMTP password."),
            "use_tls": config("EMAIL_USE_TLS", False, help="Use STARTTLS for SMTP."),
            "timeout": config("EMAIL_TIMEOUT", 10, help="SMTP timeout in seconds."),
        }
    return {"default": {"BACKEND": backend, "OPTIONS": options}}


MAILERS = mailers(CONSOLE_BACKEND)
DEFAULT_FROM_EMAIL = config(
    "DEFAULT_FROM_EMAIL", "Weerbaar <noreply@weerbaar.localhost>", help="Sender of emails."
)
