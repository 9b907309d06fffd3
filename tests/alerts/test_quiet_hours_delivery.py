"""Quiet hours in the outbox: SMS and push wait until the quiet period ends, email does not;
the redrive sends what waited once it is due. The inbox is filled at once."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.utils import timezone

from tests.factories import UserFactory
from weerbaar.core import outbox
from weerbaar.core.channels import Recipient
from weerbaar.core.models import Delivery, DeliveryStatus

pytestmark = pytest.mark.django_db


def test_interrupting_channels_wait_for_the_end_of_quiet_hours(
    django_capture_on_commit_callbacks: Any,
) -> None:
    person = UserFactory(email="stil@example.nl", phone="06 12345678")
    morning = timezone.now() + datetime.timedelta(hours=6)
    recipient = Recipient(
        address=person.email, user=person, phone=person.phone, quiet_until=morning
    )
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        message = outbox.queue_message(
            kind="alert",
            subject="Waarschuwing",
            body_text="Tekst",
            recipients=[recipient],
            channels=("email", "sms", "inbox"),
        )
    rows = {d.channel: d for d in message.deliveries.all()}
    assert rows["email"].status == DeliveryStatus.SENT  # email is silent: not held back
    assert rows["inbox"].status == DeliveryStatus.SENT  # stored as the message itself
    assert rows["sms"].status == DeliveryStatus.QUEUED
    assert rows["sms"].next_attempt_at == morning
    assert len(mail.outbox) == 1

    # A batch that contains the waiting row (a redrive, a retry) does not send it early.
    summary = outbox.send_delivery_batch([rows["sms"].pk])
    assert (summary.sent, summary.skipped) == (0, 1)

    later = morning + datetime.timedelta(minutes=6)
    with time_machine.travel(later), django_capture_on_commit_callbacks(execute=True):
        outbox.redrive_stale_deliveries()
    assert Delivery.objects.get(pk=rows["sms"].pk).status == DeliveryStatus.SENT


def test_a_recipient_limited_to_some_channels_gets_only_those() -> None:
    person = UserFactory(email="alleen-inbox@example.nl")
    message = outbox.queue_message(
        kind="alert",
        subject="Waarschuwing",
        body_text="Tekst",
        recipients=[Recipient(address=person.email, user=person, channels=frozenset({"inbox"}))],
        channels=("email", "inbox"),
    )
    assert list(message.deliveries.values_list("channel", flat=True)) == ["inbox"]
