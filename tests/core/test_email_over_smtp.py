"""Email through a real SMTP server on this machine (aiosmtpd): what arrives is the same
whether the channel serialised the message once for many recipients or Django built it for
one, and each recipient gets only their own address, Message-ID and unsubscribe link."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope, Session
from django.core.mail import EmailMessage

from tests.factories import UserFactory
from weerbaar.core import outbox
from weerbaar.core.channels import Recipient, register_email_headers

pytestmark = pytest.mark.django_db


class Inbox:
    def __init__(self) -> None:
        self.received: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.received.append((list(envelope.rcpt_tos), parsed))  # type: ignore[arg-type]
        return "250 OK"


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[Inbox]:
    inbox = Inbox()
    with socket.socket() as probe:  # a free port on this machine
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }
    try:
        yield inbox
    finally:
        controller.stop()


def personal_link(delivery: Any) -> dict[str, str]:
    if delivery.message.kind != "smtp-test":
        return {}
    return {"List-Unsubscribe": f"<https://weerbaar.example.nl/afmelden/{delivery.pk}/>"}


register_email_headers(personal_link)


def test_every_recipient_gets_the_same_text_and_their_own_headers(
    smtp_server: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    builds = []
    real_message = EmailMessage.message

    def counted(self: EmailMessage, *args: Any, **kwargs: Any) -> Any:
        builds.append(self.to)
        return real_message(self, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "message", counted)
    people = [UserFactory(email=f"ondernemer{n}@example.nl") for n in range(3)]
    message = outbox.queue_message(
        kind="smtp-test",
        subject="Waarschuwing: valse biljetten in één winkelstraat",
        body_text="Controleer biljetten van € 50.\nBel bij spoed 112.\n",
        recipients=[Recipient(address=p.email, user=p) for p in people],
        headers={"X-Weerbaar-Kind": "alert"},
    )
    ids = list(message.deliveries.order_by("pk").values_list("pk", flat=True))

    summary = outbox.send_delivery_batch(ids)

    assert summary.sent == 3
    assert len(builds) == 1  # built once for the three, not once each
    assert len(smtp_server.received) == 3
    seen_ids = set()
    for (envelope_to, parsed), delivery_id, person in zip(
        smtp_server.received, ids, people, strict=True
    ):
        assert envelope_to == [person.email]
        assert parsed.get_all("To") == [person.email]
        assert parsed["Subject"] == "Waarschuwing: valse biljetten in één winkelstraat"
        assert parsed.get_content().replace("\r\n", "\n") == (
            "Controleer biljetten van € 50.\nBel bij spoed 112.\n"
        )
        assert parsed["Auto-Submitted"] == "auto-generated"
        assert parsed["X-Weerbaar-Kind"] == "alert"
        assert parsed["List-Unsubscribe"] == (
            f"<https://weerbaar.example.nl/afmelden/{delivery_id}/>"
        )
        assert len(parsed.get_all("Message-ID")) == 1
        assert f"weerbaar.delivery.{delivery_id}@" in parsed["Message-ID"]
        assert "weerbaar.invalid" not in parsed.as_string()
        seen_ids.add(parsed["Message-ID"])
    assert len(seen_ids) == 3


def test_an_international_address_goes_the_normal_way_and_arrives(smtp_server: Inbox) -> None:
    message = outbox.queue_message(
        kind="smtp-test",
        subject="Waarschuwing",
        body_text="Tekst\n",
        recipients=[
            Recipient(address="bakker@bäckerei.example"),
            Recipient(address="a@example.nl"),
        ],
    )
    ids = list(message.deliveries.order_by("pk").values_list("pk", flat=True))
    summary = outbox.send_delivery_batch(ids)
    assert summary.sent == 2
    envelopes = sorted(to[0] for to, _parsed in smtp_server.received)
    assert envelopes == ["a@example.nl", "bakker@xn--bckerei-5wa.example"]
