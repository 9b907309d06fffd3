from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks


class KvKConfig(AppConfig):
    name = "weerbaar.contrib.kvk"
    label = "contrib_kvk"

    def ready(self) -> None:
        checks.register(check_kvk_settings)


def check_kvk_settings(**kwargs: Any) -> list[checks.CheckMessage]:
    """A wrong KVK_CLIENT should stop the deploy, not surface as a 500 on the lookup page."""
    from weerbaar.contrib.kvk.client import CLIENT_KINDS

    if settings.KVK_CLIENT not in CLIENT_KINDS:
        return [
            checks.Error(
                f"KVK_CLIENT must be one of {', '.join(CLIENT_KINDS)}.",
                id="weerbaar_kvk.E001",
            )
        ]
    if settings.KVK_CLIENT == "http" and not settings.KVK_API_KEY:
        return [
            checks.Error(
                "KVK_CLIENT is 'http' but KVK_API_KEY is empty.",
                hint="Set KVK_API_KEY, or KVK_CLIENT=fake for the offline demo data.",
                id="weerbaar_kvk.E002",
            )
        ]
    return []
