from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks


class PdokConfig(AppConfig):
    name = "weerbaar.contrib.pdok"
    label = "contrib_pdok"

    def ready(self) -> None:
        checks.register(check_pdok_settings)


def check_pdok_settings(**kwargs: Any) -> list[checks.CheckMessage]:
    """A wrong PDOK_CLIENT should stop the deploy, not silently empty the address search."""
    from weerbaar.contrib.pdok.client import CLIENT_KINDS

    if settings.PDOK_CLIENT not in CLIENT_KINDS:
        return [
            checks.Error(
                f"PDOK_CLIENT must be one of {', '.join(CLIENT_KINDS)}.",
                id="weerbaar_pdok.E001",
            )
        ]
    return []
