"""New members get a welcome message, once: by email and in their messages on the site."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from tests.factories import BusinessFactory, BusinessPersonFactory, UserFactory
from weerbaar.accounts.policy import actor_for
from weerbaar.core.models import Delivery
from weerbaar.network.models import ConsentPurpose
from weerbaar.network.services import portal

pytestmark = pytest.mark.django_db


def test_joining_sends_one_welcome_by_email_and_inbox(
    area: Any, django_capture_on_commit_callbacks: Any
) -> None:
    person = UserFactory(email="nieuw@example.nl", full_name="Nina Nieuw")
    BusinessPersonFactory(person=person, business=BusinessFactory(area=area))
    actor = actor_for(person)

    with django_capture_on_commit_callbacks(execute=True):
        portal.give_consent(actor, ConsentPurpose.NETWORK_MEMBERSHIP)

    assert [m.subject for m in mail.outbox] == ["Welkom bij Veilig Ondernemend Breda"]
    assert "Beste Nina Nieuw," in mail.outbox[0].body
    assert "112" in mail.outbox[0].body
    assert Delivery.objects.filter(recipient=person, channel="inbox", message__kind="welcome")

    portal.withdraw_consent(actor, ConsentPurpose.NETWORK_MEMBERSHIP, confirmed=True)
    with django_capture_on_commit_callbacks(execute=True):
        portal.give_consent(actor, ConsentPurpose.NETWORK_MEMBERSHIP)
    assert len(mail.outbox) == 1  # rejoining is not a first welcome
