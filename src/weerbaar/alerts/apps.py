from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "weerbaar.alerts"
    verbose_name = _("Alerts and newsletters")

    def ready(self) -> None:
        # Registers the in-app inbox channel and the personal unsubscribe headers.
        from weerbaar.alerts import channels, unsubscribe  # noqa: F401
        from weerbaar.network.services.portal import consents_withdrawn

        consents_withdrawn.connect(_stop_pending, dispatch_uid="alerts-stop-pending")


def _stop_pending(sender: object, *, person: object, purposes: list[str], **kwargs: object) -> None:
    from weerbaar.accounts.models import User
    from weerbaar.alerts.services.preferences import stop_pending_after_withdrawal

    if isinstance(person, User):
        stop_pending_after_withdrawal(person, purposes)
