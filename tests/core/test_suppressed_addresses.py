"""An address that bounced for good gets no more email, on any message, until its owner or
an operator lifts the suppression; other channels and other people are not affected."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin

from tests.factories import UserFactory
from tests.helpers import sent_email_delivery
from weerbaar.core import outbox
from weerbaar.core.admin import SuppressedAddressAdmin
from weerbaar.core.channels import Recipient, get_channel
from weerbaar.core.models import AuditEntry, DeliveryStatus, SuppressedAddress

pytestmark = pytest.mark.django_db


def test_a_bounce_suppresses_the_address_for_later_messages() -> None:
    bounced = sent_email_delivery("Weg@Example.nl")
    assert outbox.record_bounce(bounced.pk, reason="5.1.1 user unknown")
    assert SuppressedAddress.objects.get().address == "weg@example.nl"

    person = UserFactory(email="weg@example.nl")
    message = outbox.queue_message(
        kind="alert",
        subject="Let op",
        body_text="Valse biljetten.",
        recipients=[
            Recipient(address="WEG@example.nl", user=person),
            Recipient(address="blijft@example.nl"),
        ],
        channels=("email", "inbox"),
    )
    rows = set(message.deliveries.values_list("channel", "address"))
    # No email to the bounced address; its owner still gets the inbox entry.
    assert ("email", "weg@example.nl") not in rows
    assert ("email", "blijft@example.nl") in rows
    assert any(channel == "inbox" for channel, _address in rows)


def test_a_second_bounce_to_the_same_address_is_harmless() -> None:
    first, second = sent_email_delivery("weg@example.nl"), sent_email_delivery("weg@example.nl")
    assert outbox.record_bounce(first.pk, reason="5.1.1")
    assert outbox.record_bounce(second.pk, reason="5.1.1")
    assert SuppressedAddress.objects.count() == 1


def test_lifting_the_suppression_lets_email_through_again() -> None:
    outbox.record_bounce(sent_email_delivery("weg@example.nl").pk, reason="5.2.2 mailbox full")
    email = get_channel("email")
    assert email.addresses_for([Recipient(address="weg@example.nl")]) == [None]
    owner = UserFactory(email="weg@example.nl")
    assert outbox.lift_suppression(" Weg@Example.nl ", actor=owner)
    assert email.addresses_for([Recipient(address="weg@example.nl")]) == ["weg@example.nl"]
    assert AuditEntry.objects.filter(action="outbox.suppression_lifted", actor=owner).exists()
    assert not outbox.lift_suppression("weg@example.nl", actor=owner)  # nothing left to lift


def test_deleting_a_suppression_in_the_admin_is_audited(rf: Any) -> None:
    outbox.record_bounce(sent_email_delivery("weg@example.nl").pk, reason="5.1.1")
    outbox.record_bounce(sent_email_delivery("ook-weg@example.nl").pk, reason="5.1.1")
    operator = UserFactory(is_staff=True, is_superuser=True)
    request = rf.post("/")
    request.user = operator
    model_admin = SuppressedAddressAdmin(SuppressedAddress, admin.site)

    model_admin.delete_model(request, SuppressedAddress.objects.get(address="weg@example.nl"))
    model_admin.delete_queryset(request, SuppressedAddress.objects.all())

    assert not SuppressedAddress.objects.exists()
    lifted = AuditEntry.objects.filter(action="outbox.suppression_lifted", actor=operator)
    assert lifted.count() == 2


def test_queueing_for_people_in_the_database_follows_the_same_address_rules() -> None:
    from weerbaar.accounts.models import User
    from weerbaar.core.models import OutboundMessage

    shared_a = UserFactory(email="Gedeeld@Example.nl ", preferred_language="en")
    shared_b = UserFactory(email="gedeeld@example.nl")
    bounced = UserFactory(email="weg@example.nl")
    outbox.record_bounce(sent_email_delivery("weg@example.nl").pk, reason="5.1.1")
    message = OutboundMessage.objects.create(kind="alert", subject="Let op", body_text="Tekst")
    people = User.objects.filter(pk__in=[shared_a.pk, shared_b.pk, bounced.pk])

    assert outbox.queue_for_people(message, "email", people) == 1
    delivery = message.deliveries.get()
    # Trimmed and lower case: the two accounts share one mailbox, so one email; the bounced
    # address gets none.
    assert delivery.address == "gedeeld@example.nl"
    assert delivery.status == DeliveryStatus.QUEUED
    assert delivery.recipient_id in {shared_a.pk, shared_b.pk}
    # Again (a repeated task): nothing added, the due delivery is handed over again.
    assert outbox.queue_for_people(message, "email", people) == 1
    assert message.deliveries.count() == 1
    with pytest.raises(ValueError, match="needs Python"):
        outbox.queue_for_people(message, "sms", people)


def test_chunks_of_other_channels_do_not_hand_over_the_email_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A fan-out queues email in SQL first, then SMS per chunk of people; each chunk must hand
    over its SMS deliveries only, not the same people's email deliveries a second time."""
    from weerbaar.accounts.models import User
    from weerbaar.core.models import OutboundMessage

    handed_over: list[int] = []
    monkeypatch.setattr(outbox, "enqueue_on_commit", lambda ids: handed_over.extend(ids))
    person = UserFactory(email="ondernemer@example.nl", phone="06 12345678")
    message = OutboundMessage.objects.create(kind="alert", subject="Let op", body_text="Tekst")
    outbox.queue_for_people(message, "email", User.objects.filter(pk=person.pk))
    outbox.add_deliveries(
        message, [Recipient(address=person.email, user=person, phone=person.phone)], ["sms"]
    )

    email = message.deliveries.get(channel="email")
    sms = message.deliveries.get(channel="sms")
    assert sorted(handed_over) == sorted([email.pk, sms.pk])


def test_queueing_people_in_two_parts_hands_each_delivery_over_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from weerbaar.accounts.models import User
    from weerbaar.core.models import OutboundMessage

    handed_over: list[int] = []
    monkeypatch.setattr(outbox, "enqueue_on_commit", lambda ids: handed_over.extend(ids))
    people = [UserFactory(email=f"lid{n}@example.nl") for n in range(4)]
    message = OutboundMessage.objects.create(kind="newsletter", subject="Nieuws", body_text="Tekst")
    everyone = User.objects.filter(pk__in=[p.pk for p in people])
    boundary = people[1].pk

    outbox.queue_for_people(message, "email", everyone.filter(pk__lte=boundary))
    outbox.queue_for_people(message, "email", everyone.filter(pk__gt=boundary))

    assert sorted(handed_over) == sorted(message.deliveries.values_list("pk", flat=True))
