"""The in-app inbox: reading marks a message read (only the recipient's own)."""

from __future__ import annotations

from django.utils import timezone

from weerbaar.accounts.models import User
from weerbaar.core.models import Delivery


def mark_read(user: User, delivery: Delivery) -> None:
    """Mark `delivery` read by `user`; nothing happens for someone else's or a read one."""
    if delivery.recipient_id != user.pk or delivery.read_at is not None:
        return
    now = timezone.now()
    Delivery.objects.filter(pk=delivery.pk, read_at__isnull=True).update(read_at=now)
    delivery.read_at = now


def mark_all_read(user: User) -> int:
    return Delivery.objects.filter(recipient=user, channel="inbox", read_at__isnull=True).update(
        read_at=timezone.now()
    )
