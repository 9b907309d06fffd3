"""The "sms" outbox channel: who gets an SMS, what it says, and how gateway errors become
the outbox's retry decisions; end to end through queue_message with the console and the CM
gateway."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest
import responses
from django.db import transaction
from django.test import override_settings

from weerbaar.accounts.models import User
from weerbaar.contrib.sms import channel as sms_channel
from weerbaar.contrib.sms import console
from weerbaar.contrib.sms.channel import MAX_FAILURES_IN_A_ROW, SmsChannel
from weerbaar.contrib.sms.gateway import (
    SmsGatewayError,
    SmsGatewayUnavailableError,
    SmsRejectedError,
)
from weerbaar.core import outbox
from weerbaar.core.channels import (
    ChannelUnavailableError,
    PermanentDeliveryError,
    Recipient,
    TemporaryDeliveryError,
    channel_choices,
    get_channel,
)
from weerbaar.core.models import Delivery, DeliveryStatus, OutboundMessage

Capture = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]
URL = "https://weerbaar.example.nl/meldingen/a/7"
CM_URL = "https://gw.messaging.cm.com/v1.0/message"
RESPONSES = Path(__file__).parent / "responses"


@pytest.fixture(autouse=True)
def _empty_console() -> Iterator[None]:
    console.clear()
    yield
    console.clear()


class ScriptedGateway:
    """Answers with the queued errors first, then accepts; remembers what it was given."""

    def __init__(self, errors: list[Exception]) -> None:
        self.errors = errors
        self.sent: list[tuple[str, str, str]] = []
        self.closed = False

    def send(self, to: str, text: str, reference: str) -> str:
        if self.errors:
            raise self.errors.pop(0)
        self.sent.append((to, text, reference))
        return f"id-{reference}"

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def scripted(monkeypatch: pytest.MonkeyPatch) -> ScriptedGateway:
    gateway = ScriptedGateway([])
    monkeypatch.setattr(sms_channel, "get_gateway", lambda: gateway)
    return gateway


def delivery(
    address: str = "+31612345678",
    *,
    pk: int = 42,
    subject: str = "Winkeldief actief",
    short_text: str = "Let op: winkeldief in de Binnenstad.",
    url: str = URL,
) -> Delivery:
    message = OutboundMessage(kind="alert", subject=subject, short_text=short_text, url=url)
    return Delivery(pk=pk, message=message, channel="sms", address=address)


# --- registration --------------------------------------------------------------------------


def test_the_channel_is_registered_by_the_app() -> None:
    assert isinstance(get_channel("sms"), SmsChannel)
    assert ("sms", "Sms") in [(key, str(label)) for key, label in channel_choices()]


# --- who gets an SMS -----------------------------------------------------------------------


def test_address_is_the_recipients_number_in_e164() -> None:
    channel = SmsChannel()
    assert channel.address_for(Recipient("", phone="06-12345678")) == "+31612345678"
    assert channel.address_for(Recipient("", phone="+32 470 12 34 56")) == "+32470123456"


def test_without_a_phone_of_their_own_the_accounts_phone_is_used() -> None:
    channel = SmsChannel()
    user = User(email="bakker@example.nl", phone="06 1234 5678")
    assert channel.address_for(Recipient("bakker@example.nl", user)) == "+31612345678"
    # A number given for this message wins over the account's.
    assert (
        channel.address_for(Recipient("bakker@example.nl", user, phone="0687654321"))
        == "+31687654321"
    )


@pytest.mark.parametrize(
    "recipient",
    [
        Recipient("bakker@example.nl"),
        Recipient("bakker@example.nl", User(email="bakker@example.nl")),
        Recipient("", phone="12345"),
        Recipient("", phone="06-1234567a"),
        Recipient("", phone="076-5123456"),  # a landline reads no SMS
        Recipient("", User(email="x@example.nl", phone="0800-1234")),
    ],
)
def test_no_address_without_a_valid_mobile_number(recipient: Recipient) -> None:
    assert SmsChannel().address_for(recipient) is None


# --- what it says --------------------------------------------------------------------------


@override_settings(SMS_GATEWAY="console")
def test_console_gateway_logs_masked_and_keeps_the_message(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with (
        caplog.at_level(logging.INFO, logger="weerbaar.contrib.sms.console"),
        SmsChannel() as channel,
    ):
        channel.send(delivery())

    [sent] = console.sent_messages
    assert (sent.to, sent.reference) == ("+31612345678", "weerbaar42")
    assert sent.text == f"Let op: winkeldief in de Binnenstad. {URL}"
    assert sent.provider_id.startswith("console-")
    assert "+********678" in caplog.text
    assert "612345678" not in caplog.text


def test_console_gateway_keeps_only_the_newest_messages() -> None:
    gateway = console.ConsoleSmsGateway()
    for number in range(console.KEEP + 5):
        gateway.send("+31612345678", f"Bericht {number}", f"ref{number}")
    assert len(console.sent_messages) == console.KEEP
    assert console.sent_messages[0].text == "Bericht 5"
    assert console.sent_messages[-1].text == f"Bericht {console.KEEP + 4}"


def test_subject_is_the_text_when_there_is_no_short_text(scripted: ScriptedGateway) -> None:
    SmsChannel().send(delivery(short_text="", url=""))
    assert scripted.sent == [("+31612345678", "Winkeldief actief", "weerbaar42")]


def test_a_stored_address_that_is_no_mobile_number_fails_for_good_without_sending(
    scripted: ScriptedGateway,
) -> None:
    for address in ("", "06-12345678x", "+31765123456"):
        with pytest.raises(PermanentDeliveryError, match="not a mobile phone number"):
            SmsChannel().send(delivery(address))
    assert scripted.sent == []


def test_a_message_without_text_fails_for_good(scripted: ScriptedGateway) -> None:
    with pytest.raises(PermanentDeliveryError, match="no text"):
        SmsChannel().send(delivery(subject=" ", short_text="", url=""))


# --- gateway errors → outbox decisions -----------------------------------------------------


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (SmsRejectedError("CM error 303 (phone number invalid)"), PermanentDeliveryError),
        (SmsGatewayError("CM gateway answered HTTP 503"), TemporaryDeliveryError),
        (SmsGatewayUnavailableError("CM error 101"), ChannelUnavailableError),
    ],
)
def test_gateway_errors_map_onto_delivery_errors(
    scripted: ScriptedGateway, error: Exception, expected: type[Exception]
) -> None:
    scripted.errors.append(error)
    with pytest.raises(expected) as caught:
        SmsChannel().send(delivery())
    assert type(caught.value) is expected
    assert str(caught.value) == f"SMS gateway: {error}"


def test_an_unavailable_gateway_is_closed_and_opened_again_for_the_next_send(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    gateways = [ScriptedGateway([SmsGatewayUnavailableError("down")]), ScriptedGateway([])]
    opened = iter(gateways)
    monkeypatch.setattr(sms_channel, "get_gateway", lambda: next(opened))
    channel = SmsChannel()
    with pytest.raises(ChannelUnavailableError):
        channel.send(delivery())
    assert gateways[0].closed
    channel.send(delivery())
    assert gateways[1].sent


def test_temporary_failures_in_a_row_stop_the_batch(scripted: ScriptedGateway) -> None:
    scripted.errors.extend(SmsGatewayError("timeout") for _ in range(MAX_FAILURES_IN_A_ROW + 1))
    channel = SmsChannel()
    for _ in range(MAX_FAILURES_IN_A_ROW - 1):
        with pytest.raises(TemporaryDeliveryError) as caught:
            channel.send(delivery())
        assert type(caught.value) is TemporaryDeliveryError
    with pytest.raises(ChannelUnavailableError, match="3 failures in a row"):
        channel.send(delivery())


def test_an_answer_in_between_resets_the_count(scripted: ScriptedGateway) -> None:
    scripted.errors.extend(
        [
            SmsGatewayError("t"),
            SmsGatewayError("t"),
            SmsRejectedError("no"),
            SmsGatewayError("t"),
            SmsGatewayError("t"),
        ]
    )
    channel = SmsChannel()
    for expected in [TemporaryDeliveryError] * 2 + [PermanentDeliveryError]:
        with pytest.raises(expected):
            channel.send(delivery())
    for _ in range(2):
        with pytest.raises(TemporaryDeliveryError) as caught:
            channel.send(delivery())
        assert type(caught.value) is TemporaryDeliveryError


@override_settings(SMS_GATEWAY="cm", SMS_CM_PRODUCT_TOKEN="")
def test_wrong_settings_make_the_channel_unavailable_not_crash() -> None:
    with pytest.raises(ChannelUnavailableError, match=r"SMS settings: .*SMS_CM_PRODUCT_TOKEN"):
        SmsChannel().send(delivery())


def test_the_batch_closes_the_gateway(scripted: ScriptedGateway) -> None:
    with SmsChannel() as channel:
        channel.send(delivery())
    assert scripted.closed


# --- through the outbox --------------------------------------------------------------------


def queue_alert(capture: Capture, recipients: list[Recipient]) -> OutboundMessage:
    with capture(execute=True), transaction.atomic():
        return outbox.queue_message(
            kind="alert",
            subject="Winkeldief actief",
            body_text="Een winkeldief is actief in de Binnenstad.",
            short_text="Let op: winkeldief in de Binnenstad.",
            url=URL,
            recipients=recipients,
            channels=("sms",),
        )


@pytest.mark.django_db
def test_queued_sms_is_sent_through_the_console_gateway(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    user = User.objects.create_user("slager@example.nl", phone="+31 (0)6 8765 4321")
    message = queue_alert(
        django_capture_on_commit_callbacks,
        [
            Recipient("", phone="06-12345678"),
            Recipient("bakker@example.nl", phone="0031 6 1234 5678"),  # the same phone
            Recipient("slager@example.nl", user),
            Recipient("kapper@example.nl", phone="076-5123456"),  # landline: no SMS
            Recipient("bloemist@example.nl"),  # no phone
        ],
    )

    deliveries = list(message.deliveries.order_by("pk"))
    assert [(d.channel, d.address, d.recipient) for d in deliveries] == [
        ("sms", "+31612345678", None),
        ("sms", "+31687654321", user),
    ]
    assert all(d.status == DeliveryStatus.SENT for d in deliveries)
    assert [(sms.to, sms.text) for sms in console.sent_messages] == [
        ("+31612345678", f"Let op: winkeldief in de Binnenstad. {URL}"),
        ("+31687654321", f"Let op: winkeldief in de Binnenstad. {URL}"),
    ]
    assert [sms.reference for sms in console.sent_messages] == [
        f"weerbaar{d.pk}" for d in deliveries
    ]


@pytest.mark.django_db
@override_settings(SMS_GATEWAY="cm", SMS_CM_PRODUCT_TOKEN="00000000-0000-0000-0000-000000000000")
def test_cm_answers_become_sent_failed_for_good_or_retried(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    with responses.RequestsMock() as mocked:
        mocked.post(CM_URL, body=(RESPONSES / "accepted.json").read_bytes())
        mocked.post(
            CM_URL, status=400, body=(RESPONSES / "rejected_invalid_number.json").read_bytes()
        )
        mocked.post(CM_URL, status=200, body=(RESPONSES / "maintenance.html").read_bytes())
        message = queue_alert(
            django_capture_on_commit_callbacks,
            [
                Recipient("", phone="06-12345678"),
                Recipient("", phone="06-12345679"),
                Recipient("", phone="06-12345670"),
            ],
        )

    first, second, third = message.deliveries.order_by("pk")
    assert first.status == DeliveryStatus.SENT
    assert second.status == DeliveryStatus.FAILED
    assert not second.will_retry
    assert "CM error 303 (phone number invalid)" in second.last_error
    assert third.status == DeliveryStatus.FAILED
    assert third.will_retry
    assert "not the expected JSON" in third.last_error
