from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured


class SmsConfig(AppConfig):
    name = "weerbaar.contrib.sms"
    label = "contrib_sms"

    def ready(self) -> None:
        # Registers the "sms" channel in web processes and Celery workers alike.
        from weerbaar.contrib.sms import channel  # noqa: F401

        checks.register(check_sms_settings)


def check_sms_settings(**kwargs: Any) -> list[checks.CheckMessage]:
    """Wrong SMS settings should stop the deploy, not fail every alert at send time."""
    from weerbaar.contrib.sms.gateway import GATEWAY_KINDS, validate_sender

    errors: list[checks.CheckMessage] = []
    if settings.SMS_GATEWAY not in GATEWAY_KINDS:
        errors.append(
            checks.Error(
                f"SMS_GATEWAY must be one of {', '.join(GATEWAY_KINDS)}.",
                id="weerbaar_sms.E001",
            )
        )
    try:
        validate_sender(settings.SMS_SENDER)
    except ImproperlyConfigured as error:
        errors.append(checks.Error(str(error), id="weerbaar_sms.E002"))
    if settings.SMS_GATEWAY == "cm" and not settings.SMS_CM_PRODUCT_TOKEN.strip():
        errors.append(
            checks.Error(
                "SMS_GATEWAY is 'cm' but SMS_CM_PRODUCT_TOKEN is empty.",
                hint="Set SMS_CM_PRODUCT_TOKEN, or SMS_GATEWAY=console to log messages only.",
                id="weerbaar_sms.E003",
            )
        )
    if settings.SMS_TIMEOUT_SECONDS <= 0:
        errors.append(
            checks.Error("SMS_TIMEOUT_SECONDS must be more than 0.", id="weerbaar_sms.E004")
        )
    return errors
