"""The "push" delivery channel with the fake sender: what each push service answer means."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.db import transaction

from tests.factories import DeliveryFactory, OutboundMessageFactory, UserFactory
from tests.webpush.factories import PushSubscriptionFactory
from weerbaar.alerts.unsubscribe import UNSUBSCRIBE_SLOT
from weerbaar.contrib.webpush import sender
from weerbaar.contrib.webpush.channel import PushChannel, push_payload
from weerbaar.contrib.webpush.models import PushSubscription
from weerbaar.core import outbox
from weerbaar.core.channels import (
    ChannelUnavailableError,
    PermanentDeliveryError,
    Recipient,
    TemporaryDeliveryError,
    get_channel,
)
from weerbaar.core.models import DeliveryStatus

pytestmark = pytest.mark.django_db

Capture = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


def push_delivery(user: Any, **message_fields: Any) -> Any:
    message = OutboundMessageFactory(
        kind="alert",
        subject=message_fields.pop("subject", "Waarschuwing: inbraken Binnenstad"),
        **message_fields,
    )
    return DeliveryFactory(message=message, channel="push", recipient=user, address=str(user.pk))


def send(delivery: Any) -> None:
    with PushChannel() as channel:
        channel.send(delivery)


def test_the_channel_is_registered_under_push() -> None:
    channel = get_channel("push")
    assert isinstance(channel, PushChannel)
    assert str(channel.label) == "Pushmelding"


def test_only_users_with_a_subscription_have_a_push_address() -> None:
    subscribed = PushSubscriptionFactory().user
    unsubscribed = UserFactory()
    channel = PushChannel()

    assert channel.address_for(Recipient("a@example.nl", subscribed)) == str(subscribed.pk)
    assert channel.address_for(Recipient("b@example.nl", unsubscribed)) is None
    assert channel.address_for(Recipient("c@example.nl")) is None
    assert channel.addresses_for(
        [Recipient("b@example.nl", unsubscribed), Recipient("a@example.nl", subscribed)]
    ) == [None, str(subscribed.pk)]


def test_many_recipients_are_looked_up_in_one_query(django_assert_num_queries: Any) -> None:
    users = [PushSubscriptionFactory().user for _ in range(5)] + [UserFactory() for _ in range(5)]
    with django_assert_num_queries(1):
        addresses = PushChannel().addresses_for([Recipient("", user) for user in users])
    assert addresses == [str(u.pk) for u in users[:5]] + [None] * 5


def test_the_message_goes_to_every_device_of_the_user() -> None:
    phone = PushSubscriptionFactory(failure_count=2)
    laptop = PushSubscriptionFactory(user=phone.user)
    delivery = push_delivery(
        phone.user,
        short_text="Let op: drie inbraken deze week.",
        url="https://weerbaar.example/mijn/meldingen/1/",
    )

    send(delivery)

    assert [push.endpoint for push in sender.fake_pushes] == [phone.endpoint, laptop.endpoint]
    push = sender.fake_pushes[0]
    assert json.loads(push.payload) == {
        "title": "Waarschuwing: inbraken Binnenstad",
        "body": "Let op: drie inbraken deze week.",
        "url": "https://weerbaar.example/mijn/meldingen/1/",
        "tag": f"weerbaar-message-{delivery.message_id}",
        "lang": "nl",
    }
    assert (push.urgency, push.ttl, push.topic) == ("high", 86400, f"m{delivery.message_id}")
    phone.refresh_from_db()
    assert phone.last_success_at is not None
    assert phone.failure_count == 0


def test_without_short_text_the_body_starts_the_text_and_the_link_is_the_site(
    settings: Any,
) -> None:
    settings.SITE_URL = "https://weerbaar.example"
    message = OutboundMessageFactory(body_text="Beste ondernemer,\n\n" + "woord " * 100)

    payload = json.loads(push_payload(message, "en"))

    assert payload["body"].startswith("Beste ondernemer, woord woord")
    assert len(payload["body"]) == 200
    assert payload["body"].endswith("…")
    assert payload["url"] == "https://weerbaar.example/"
    assert payload["lang"] == "en"


def test_a_shared_push_text_leaves_personal_links_out() -> None:
    message = OutboundMessageFactory(
        body_text=f"Let op.\nStop deze waarschuwingen: {UNSUBSCRIBE_SLOT}"
    )
    payload = json.loads(push_payload(message, "nl"))
    assert payload["body"] == "Let op. Stop deze waarschuwingen:"


def test_a_payload_full_of_escaped_characters_still_fits_a_push_message() -> None:
    message = OutboundMessageFactory(subject="\x01" * 255, short_text="\x02" * 320)
    payload = push_payload(message, "nl")
    assert len(payload) <= 3800
    assert json.loads(payload)["url"]


def test_a_gone_device_is_removed_and_the_others_still_get_it() -> None:
    gone = PushSubscriptionFactory()
    working = PushSubscriptionFactory(user=gone.user)
    sender.fake_answers[gone.endpoint] = 410

    send(push_delivery(gone.user))

    assert list(PushSubscription.objects.all()) == [working]
    assert [push.endpoint for push in sender.fake_pushes] == [working.endpoint]


def test_when_every_device_is_gone_the_delivery_fails_for_good() -> None:
    first = PushSubscriptionFactory()
    second = PushSubscriptionFactory(user=first.user)
    sender.fake_answers[first.endpoint] = 410
    sender.fake_answers[second.endpoint] = 404

    with pytest.raises(PermanentDeliveryError, match="no push subscription left"):
        send(push_delivery(first.user))
    assert not PushSubscription.objects.exists()


def test_a_user_without_subscriptions_fails_for_good() -> None:
    with pytest.raises(PermanentDeliveryError, match="no push subscription left"):
        send(push_delivery(UserFactory()))


@pytest.mark.parametrize(
    "answer", [503, 500, 429, sender.PushTransportError("fcm.googleapis.com: ReadTimeout")]
)
def test_a_busy_or_silent_push_service_is_tried_again(answer: Any) -> None:
    subscription = PushSubscriptionFactory()
    sender.fake_answers[subscription.endpoint] = answer

    with pytest.raises(TemporaryDeliveryError):
        send(push_delivery(subscription.user))

    subscription.refresh_from_db()
    assert subscription.failure_count == 1  # kept: the device may come back


def test_one_accepting_device_is_enough() -> None:
    busy = PushSubscriptionFactory()
    accepting = PushSubscriptionFactory(user=busy.user)
    sender.fake_answers[busy.endpoint] = 503

    send(push_delivery(busy.user))  # no error: resending would repeat it on `accepting`

    busy.refresh_from_db()
    accepting.refresh_from_db()
    assert (busy.failure_count, accepting.failure_count) == (1, 0)


def test_a_refused_message_is_not_tried_again() -> None:
    subscription = PushSubscriptionFactory()
    sender.fake_answers[subscription.endpoint] = 403  # e.g. another VAPID key

    with pytest.raises(PermanentDeliveryError, match="refused"):
        send(push_delivery(subscription.user))
    assert PushSubscription.objects.get().failure_count == 1


def test_an_unconfigured_real_sender_makes_the_channel_unavailable(settings: Any) -> None:
    settings.WEBPUSH_SENDER = "vapid"
    settings.WEBPUSH_VAPID_PUBLIC_KEY = ""
    settings.WEBPUSH_VAPID_PRIVATE_KEY = ""
    subscription = PushSubscriptionFactory()

    with pytest.raises(ChannelUnavailableError, match="WEBPUSH_VAPID_PUBLIC_KEY"):
        send(push_delivery(subscription.user))


def test_an_alert_through_the_outbox_reaches_the_phone(
    django_capture_on_commit_callbacks: Capture, mailoutbox: list[Any]
) -> None:
    subscribed = PushSubscriptionFactory()
    without_push = UserFactory()

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        message = outbox.queue_message(
            kind="alert",
            subject="Waarschuwing: phishing",
            body_text="Er gaan nepmails rond namens de gemeente.",
            short_text="Nepmails namens de gemeente: klik niet op de link.",
            url="https://weerbaar.example/alerts/7/",
            recipients=[
                Recipient(subscribed.user.email, subscribed.user),
                Recipient(without_push.email, without_push),
            ],
            channels=("push",),
        )
        assert not sender.fake_pushes  # nothing before the commit

    delivery = message.deliveries.get()
    assert (delivery.channel, delivery.address, delivery.recipient) == (
        "push",
        str(subscribed.user.pk),
        subscribed.user,
    )
    assert delivery.status == DeliveryStatus.SENT
    assert len(sender.fake_pushes) == 1
    assert json.loads(sender.fake_pushes[0].payload)["body"] == (
        "Nepmails namens de gemeente: klik niet op de link."
    )
    assert mailoutbox == []


def test_a_gone_device_through_the_outbox_fails_the_delivery_for_good(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    subscription = PushSubscriptionFactory()
    sender.fake_answers[subscription.endpoint] = 410

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        message = outbox.queue_message(
            kind="alert",
            subject="Waarschuwing",
            body_text="Tekst",
            recipients=[Recipient("", subscription.user)],
            channels=("push",),
        )

    delivery = message.deliveries.get()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.next_attempt_at is None
    assert delivery.last_error == "no push subscription left"
