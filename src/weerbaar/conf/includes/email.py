"""Outgoing email, as Django 6.1 mailers (the EMAIL_* settings are deprecated)."""

import json
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from weerbaar.conf.environ import config

CONSOLE_BACKEND = "django.core.mail.backends.console.EmailBackend"
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
PROVIDER_BACKENDS = "anymail.backends."


def sends_through_provider(mailers: dict[str, dict[str, Any]]) -> bool:
    """Whether the default mailer is a django-anymail provider: then the provider's tracking
    webhooks (bounces, core.bounces) are mounted under /anymail/."""
    return str(mailers["default"]["BACKEND"]).startswith(PROVIDER_BACKENDS)


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
    elif backend.startswith(PROVIDER_BACKENDS):
        options = provider_options(
            config(
                "EMAIL_PROVIDER_OPTIONS",
                "",
                help="Options of the anymail provider backend as JSON, with the keyword names "
                'of the provider\'s settings, for example {"api_key": "…"} (Brevo, Mailgun, '
                'SendGrid, Resend) or {"server_token": "…"} (Postmark). Keep it secret.',
            )
        )
    return {"default": {"BACKEND": backend, "OPTIONS": options}}


def provider_options(raw: str) -> dict[str, Any]:
    """EMAIL_PROVIDER_OPTIONS: a JSON object of keyword arguments for the provider backend
    (anymail accepts each of its ESP settings, lower case, as one). Anything else stops the
    start with a message naming the variable, not a traceback from deep inside anymail."""
    if not raw.strip():
        return {}
    try:
        parsed = json.loads(raw)
    except json.JSONDecodeError as error:
        raise ImproperlyConfigured(f"EMAIL_PROVIDER_OPTIONS is not valid JSON: {error}") from None
    if not isinstance(parsed, dict) or not all(isinstance(key, str) for key in parsed):
        raise ImproperlyConfigured(
            'EMAIL_PROVIDER_OPTIONS must be a JSON object, such as {"api_key": "…"}.'
        )
    return parsed


MAILERS = mailers(CONSOLE_BACKEND)
DEFAULT_FROM_EMAIL = config(
    "DEFAULT_FROM_EMAIL", "Weerbaar <noreply@weerbaar.localhost>", help="Sender of emails."
)
# django-anymail reads its options from this dict; the webhooks are its only use here.
ANYMAIL: dict[str, Any] = {
    "WEBHOOK_SECRET": config(
        "ANYMAIL_WEBHOOK_SECRET",
        [],
        help="user:password the email provider must send (HTTP basic auth) to its tracking "
        "webhook /anymail/<provider>/tracking/, which reports bounces; several, "
        "comma-separated, while changing it. Required in production with an anymail "
        "EMAIL_BACKEND.",
    ),
}
