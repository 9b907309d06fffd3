"""Reads shared by the alert pages: a person's inbox, the alerts staff may see."""

from __future__ import annotations

from django.db.models import QuerySet

from weerbaar.accounts.models import User
from weerbaar.accounts.policy import Action, Actor, scope_queryset
from weerbaar.alerts.models import Alert
from weerbaar.core.models import Delivery, DeliveryStatus


def inbox_of(user: User) -> QuerySet[Delivery]:
    """The messages in `user`'s inbox on this site, newest first."""
    return (
        Delivery.objects.filter(recipient=user, channel="inbox", status=DeliveryStatus.SENT)
        .select_related("message")
        .order_by("-created_at", "-pk")
    )


def alerts_for_staff(actor: Actor) -> QuerySet[Alert]:
    return (
        scope_queryset(actor, Action.VIEW_ALERTS, Alert.objects.all())
        .distinct()  # the scope joins the target areas
        .select_related("municipality", "created_by")
        .order_by("-created_at", "-pk")
    )


def alerts_received_by(user: User) -> QuerySet[Alert]:
    """Alerts whose message reached `user` on any channel (who may read the alert page)."""
    source_ids = Delivery.objects.filter(
        recipient=user, message__kind="alert", message__source_type="alerts.alert"
    ).values_list("message__source_id", flat=True)
    return Alert.objects.filter(pk__in=[int(pk) for pk in source_ids if pk.isdigit()])
