"""Outgoing email."""

from weerbaar.conf.environ import config

EMAIL_BACKEND = config(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend",
    help="Django email backend; e.g. django.core.mail.backends.smtp.EmailBackend or "
    "anymail.backends.<provider>.EmailBackend.",
)
EMAIL_HOST = config("EMAIL_HOST", "localhost", help="SMTP host.")
EMAIL_PORT = config("EMAIL_PORT", 25, help="SMTP port.")
EMAIL_HOST_USER = config("EMAIL_HOST_USER", "", help="SMTP user.")
EMAIL_HOST_PASSWORD = config("EMAIL_HOST_PASSWORD", "", help="SMTP password.")
EMAIL_USE_TLS = config("EMAIL_USE_TLS", False, help="Use STARTTLS for SMTP.")
EMAIL_TIMEOUT = config("EMAIL_TIMEOUT", 10, help="SMTP timeout in seconds.")
DEFAULT_FROM_EMAIL = config(
    "DEFAULT_FROM_EMAIL", "Weerbaar <noreply@weerbaar.localhost>", help="Sender of emails."
)
