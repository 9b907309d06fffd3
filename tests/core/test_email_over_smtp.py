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
from tests.helpers import MemoryJournal
from weerbaar.core import outbox
from weerbaar.core.channels import Recipient, register_email_headers
from weerbaar.core.personal_slots import register_personal_slot

pytestmark = pytest.mark.django_db


class Inbox:
    """Takes every message, logging it and the connection it came over; refuses the
    recipients and ends the connections it is told to."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], email.message.EmailMessage]] = []
        self.events: list[tuple[str, str]] = []
        self.peers: set[Any] = set()
        self.refuse_recipients: set[str] = set()
        self.closing_for: set[str] = set()

    async def handle_RCPT(
        self, server: Any, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if address in self.refuse_recipients:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:
        if set(envelope.rcpt_tos) & self.closing_for:
            return "421 4.3.2 shutting down"
        self.peers.add(session.peer)
        self.events.extend(("received", address) for address in envelope.rcpt_tos)
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


class RecordingJournal(MemoryJournal):
    """Logs in the inbox's events when it takes a note, so a test sees whether the note
    came before the server had the message."""

    def __init__(self, events: list[tuple[str, str]]) -> None:
        super().__init__()
        self.events = events

    def record(self, attempts: Any) -> bool:
        attempts = list(attempts)
        for pk, _attempt in attempts:
            address = outbox.Delivery.objects.get(pk=pk).address
            self.events.append(("noted", address))
        return super().record(attempts)


@pytest.fixture
def journaled_smtp(
    smtp_server: Inbox, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> tuple[Inbox, RecordingJournal]:
    journal = RecordingJournal(smtp_server.events)
    monkeypatch.setattr(outbox, "sent_journal", lambda: journal)
    settings.OUTBOX_SMTP_CONNECTIONS = 2
    return smtp_server, journal


def queue_for(addresses: list[str], body: str = "Tekst\n") -> list[int]:
    message = outbox.queue_message(
        kind="smtp-test",
        subject="Waarschuwing",
        body_text=body,
        recipients=[Recipient(address=address) for address in addresses],
    )
    return list(message.deliveries.order_by("pk").values_list("pk", flat=True))


def test_with_the_journal_emails_go_out_over_two_connections_each_noted_first(
    journaled_smtp: tuple[Inbox, RecordingJournal],
) -> None:
    inbox, journal = journaled_smtp
    addresses = [f"ondernemer{n}@example.nl" for n in range(5)]
    body = "Let op:\n.een regel die met een punt begint\n.\n"
    ids = queue_for(addresses, body)

    summary = outbox.send_delivery_batch(ids)

    assert summary.sent == 5
    assert sorted(to[0] for to, _parsed in inbox.received) == addresses  # each once
    for _to, parsed in inbox.received:
        assert parsed.get_content().replace("\r\n", "\n") == body  # dots came through
    assert len(inbox.peers) == 2  # two connections
    for address in addresses:
        assert inbox.events.index(("noted", address)) < inbox.events.index(("received", address))
    statuses = set(outbox.Delivery.objects.values_list("status", flat=True))
    assert statuses == {outbox.DeliveryStatus.SENT}
    assert journal.sent == set()  # marked in the database, so forgotten


def test_a_refused_recipient_fails_alone_and_the_connection_goes_on(
    journaled_smtp: tuple[Inbox, RecordingJournal],
) -> None:
    inbox, _journal = journaled_smtp
    addresses = ["a@example.nl", "geweigerd@example.nl", "c@example.nl", "d@example.nl"]
    inbox.refuse_recipients.add("geweigerd@example.nl")
    ids = queue_for(addresses)

    summary = outbox.send_delivery_batch(ids)

    assert (summary.sent, summary.failed) == (3, 1)
    assert sorted(to[0] for to, _parsed in inbox.received) == [
        "a@example.nl",
        "c@example.nl",
        "d@example.nl",
    ]
    refused = outbox.Delivery.objects.get(address="geweigerd@example.nl")
    assert refused.status == outbox.DeliveryStatus.FAILED
    assert refused.next_attempt_at is None  # 550: for good
    assert "550" in refused.last_error
    assert ("noted", "geweigerd@example.nl") not in inbox.events


def test_a_server_closing_mid_group_fails_what_it_did_not_take_and_sends_nothing_twice(
    journaled_smtp: tuple[Inbox, RecordingJournal],
) -> None:
    inbox, journal = journaled_smtp
    addresses = ["a@example.nl", "b@example.nl", "c@example.nl", "d@example.nl"]
    inbox.closing_for.add("b@example.nl")  # 421 after b's message: its connection ends
    ids = queue_for(addresses)

    summary = outbox.send_delivery_batch(ids)

    received = sorted(to[0] for to, _parsed in inbox.received)
    assert received == ["a@example.nl", "c@example.nl"]
    assert summary.sent == 2
    for address in ("b@example.nl", "d@example.nl"):
        delivery = outbox.Delivery.objects.get(address=address)
        assert delivery.status == outbox.DeliveryStatus.FAILED
        assert delivery.next_attempt_at is not None  # tried again later
    # b was noted before its dot; a later attempt is a new note, so it is sent then.
    b = outbox.Delivery.objects.get(address="b@example.nl")
    assert journal.recorded([(b.pk, b.attempts + 1)]) == set()


def test_a_mail_server_that_is_down_fails_one_group_for_later_and_gives_the_rest_back(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 2},
        }
    }
    journal = RecordingJournal([])
    monkeypatch.setattr(outbox, "sent_journal", lambda: journal)
    settings.OUTBOX_SMTP_CONNECTIONS = 2
    ids = queue_for([f"ondernemer{n}@example.nl" for n in range(5)])

    summary = outbox.send_delivery_batch(ids)

    assert (summary.sent, summary.failed, summary.deferred) == (0, 2, 3)
    failed = outbox.Delivery.objects.filter(status=outbox.DeliveryStatus.FAILED)
    assert all("mail server" in d.last_error and d.next_attempt_at for d in failed)
    assert outbox.Delivery.objects.filter(status=outbox.DeliveryStatus.QUEUED).count() == 3
    assert journal.sent == set()  # nothing noted: nothing could go out


def personal_page(delivery: Any) -> str:
    return f"https://weerbaar.example.nl/persoonlijk/{delivery.pk}/"


PERSONAL_SLOT = register_personal_slot("weerbaar-test-personal-page", personal_page)


def test_a_personal_slot_is_filled_in_for_each_recipient_in_text_and_html(
    smtp_server: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    builds = []
    real_message = EmailMessage.message

    def counted(self: EmailMessage, *args: Any, **kwargs: Any) -> Any:
        builds.append(self.to)
        return real_message(self, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "message", counted)
    message = outbox.queue_message(
        kind="smtp-test",
        subject="Waarschuwing",
        body_text=f"Uw pagina: {PERSONAL_SLOT}\n",
        body_html=f'<p><a href="{PERSONAL_SLOT}">Uw pagina</a> – {PERSONAL_SLOT}</p>',
        recipients=[Recipient(address=f"ondernemer{n}@example.nl") for n in range(3)],
    )
    deliveries = list(message.deliveries.order_by("pk"))

    assert outbox.send_delivery_batch([d.pk for d in deliveries]).sent == 3

    assert len(builds) == 1  # still serialised once for the three
    by_address = {to[0]: parsed for to, parsed in smtp_server.received}
    for delivery in deliveries:
        parsed = by_address[delivery.address]
        page = personal_page(delivery)
        text = parsed.get_body(("plain",)).get_content()
        html = parsed.get_body(("html",)).get_content()
        assert text.replace("\r\n", "\n") == f"Uw pagina: {page}\n"
        assert f'<a href="{page}">Uw pagina</a> – {page}' in html
        assert PERSONAL_SLOT not in parsed.as_string()


def test_a_slot_on_a_line_too_long_to_fill_in_place_goes_the_normal_way(
    smtp_server: Inbox,
) -> None:
    # 980 characters with the slot fit SMTP's 998; with the link filled in they do not.
    line = "x" * (980 - len(PERSONAL_SLOT) - 1) + " " + PERSONAL_SLOT
    ids = queue_for(["a@example.nl"], body=f"{line}\n")

    assert outbox.send_delivery_batch(ids).sent == 1

    ((_to, parsed),) = smtp_server.received
    delivery = outbox.Delivery.objects.get(pk=ids[0])
    content = parsed.get_content().replace("\r\n", "\n")
    assert content == line.replace(PERSONAL_SLOT, personal_page(delivery)) + "\n"


def test_a_slot_that_gives_an_unsafe_value_fails_the_delivery_for_good(
    smtp_server: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    from weerbaar.core import personal_slots

    monkeypatch.setitem(
        personal_slots._SLOTS, PERSONAL_SLOT, lambda delivery: '"><script>alert(1)</script>'
    )
    ids = queue_for(["a@example.nl"], body=f"Uw pagina: {PERSONAL_SLOT}\n")

    summary = outbox.send_delivery_batch(ids)

    assert (summary.sent, summary.failed) == (0, 1)
    failed = outbox.Delivery.objects.get(pk=ids[0])
    assert failed.next_attempt_at is None
    assert "message cannot be built" in failed.last_error
    assert smtp_server.received == []


@pytest.mark.parametrize("slot", ["kort", "Hoofdletters-zijn-niet-goed", "met spatie-erin-x"])
def test_a_slot_must_be_a_word_that_cannot_occur_in_text(slot: str) -> None:
    with pytest.raises(ValueError, match="three or more lower-case words"):
        register_personal_slot(slot, personal_page)


def test_a_slot_cannot_be_taken_over_by_another_function() -> None:
    with pytest.raises(ValueError, match="registered already"):
        register_personal_slot(PERSONAL_SLOT, lambda delivery: "")
