from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks
from django.utils.translation import gettext_lazy as _


class WebPushConfig(AppConfig):
    name = "weerbaar.contrib.webpush"
    label = "contrib_webpush"
    verbose_name = _("Web push")

    def ready(self) -> None:
        # Registers the "push" delivery channel in web processes and workers alike.
        from weerbaar.contrib.webpush import channel  # noqa: F401

        checks.register(check_webpush_settings)


def check_webpush_settings(**kwargs: Any) -> list[checks.CheckMessage]:
    """Wrong web push settings should stop the deploy, not fail every alert later."""
    from weerbaar.contrib.webpush.keys import vapid_public_key_for
    from weerbaar.contrib.webpush.sender import SENDER_KINDS

    sender = settings.WEBPUSH_SENDER
    public_key = settings.WEBPUSH_VAPID_PUBLIC_KEY
    private_key = settings.WEBPUSH_VAPID_PRIVATE_KEY
    if sender not in SENDER_KINDS:
        return [
            checks.Error(
                f"WEBPUSH_SENDER must be one of {', '.join(SENDER_KINDS)}.",
                id="weerbaar_webpush.E001",
            )
        ]
    errors: list[checks.CheckMessage] = []
    if sender == "vapid":
        if not public_key or not private_key:
            errors.append(
                checks.Error(
                    "WEBPUSH_SENDER is 'vapid' but a VAPID key is empty.",
                    hint="Set WEBPUSH_VAPID_PUBLIC_KEY and WEBPUSH_VAPID_PRIVATE_KEY "
                    "(manage.py generate_vapid_keys prints a pair).",
                    id="weerbaar_webpush.E002",
                )
            )
        if not settings.WEBPUSH_VAPID_SUBJECT.startswith(("mailto:", "https:")):
            errors.append(
                checks.Error(
                    "WEBPUSH_VAPID_SUBJECT must be a mailto: address or an https: URL.",
                    id="weerbaar_webpush.E003",
                )
            )
    if private_key:
        try:
            derived = vapid_public_key_for(private_key)
        except ValueError as error:
            errors.append(
                checks.Error(
                    f"WEBPUSH_VAPID_PRIVATE_KEY is not a VAPID private key: {error}.",
                    id="weerbaar_webpush.E004",
                )
            )
        else:
            if public_key and derived != public_key.rstrip("="):
                errors.append(
                    checks.Error(
                        "WEBPUSH_VAPID_PUBLIC_KEY is not the pair of WEBPUSH_VAPID_PRIVATE_KEY.",
                        hint="Browsers would subscribe with a key the server cannot sign for.",
                        id="weerbaar_webpush.E005",
                    )
                )
    if sender == "fake" and public_key and not settings.DEBUG:
        errors.append(
            checks.Warning(
                "WEBPUSH_SENDER is 'fake' while WEBPUSH_VAPID_PUBLIC_KEY is set: browsers "
                "subscribe, but push messages are only recorded in memory, never sent.",
                id="weerbaar_webpush.W001",
            )
        )
    return errors
