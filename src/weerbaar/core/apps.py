from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "weerbaar.core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from anymail.signals import tracking

        from weerbaar.core import bounces

        # Always connected: the signal only fires when the provider webhooks are mounted.
        tracking.connect(bounces.on_tracking_event, dispatch_uid="weerbaar.core.bounces")
