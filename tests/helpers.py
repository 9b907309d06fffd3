"""Test helpers shared by the suites."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import redis
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from weerbaar.core.sent_journal import Attempt


def login_verified(client: Client, user: Any) -> None:
    """Log `user` in with the second factor passed, as after the real TOTP step."""
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, name="test", defaults={"confirmed": True}
    )
    # django_otp keeps the verified device in the session; mark it the way otp_login does.
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()


def sent_email_delivery(address: str) -> Any:
    """A report-feedback email to `address` that went out (for bounce tests)."""
    from weerbaar.core import outbox
    from weerbaar.core.channels import Recipient
    from weerbaar.core.models import Delivery, DeliveryStatus

    message = outbox.queue_message(
        kind="report_feedback",
        subject="Terugkoppeling",
        body_text="Dank voor uw melding.",
        recipients=[Recipient(address=address)],
    )
    delivery = message.deliveries.get()
    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.SENT)
    return delivery


class MemoryJournal:
    """The sent journal's interface over a set, so the outbox's use of it is tested without
    Redis (the Redis-backed class has its own test, against a real server)."""

    def __init__(self) -> None:
        self.sent: set[Attempt] = set()
        self.recording = True
        self.answering = True

    def record(self, attempts: Iterable[Attempt]) -> bool:
        if self.recording:
            self.sent.update(attempts)
        return self.recording

    def recorded(self, attempts: Iterable[Attempt]) -> set[int]:
        if not self.answering:
            raise redis.ConnectionError("journal down")
        return {pk for pk, _attempt in self.sent & set(attempts)}

    def forget(self, attempts: Iterable[Attempt]) -> None:
        self.sent -= set(attempts)
