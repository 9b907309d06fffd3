"""The CM.com gateway client against recorded answers (tests/sms/responses/), replayed with
`responses`: every answer, garbage and timeouts included, becomes a reference or one of the
three gateway errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import responses
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from weerbaar.contrib.sms.apps import check_sms_settings
from weerbaar.contrib.sms.cm import CmSmsGateway, cm_number, interpret_answer
from weerbaar.contrib.sms.console import ConsoleSmsGateway
from weerbaar.contrib.sms.gateway import (
    SmsGateway,
    SmsGatewayError,
    SmsGatewayUnavailableError,
    SmsRejectedError,
    get_gateway,
    validate_sender,
)

URL = "https://gw.messaging.example.com/v1.0/message"
TOKEN = "00000000-0000-0000-0000-000000000000"
TO = "+31612345678"
REFERENCE = "weerbaar42"
RESPONSES = Path(__file__).parent / "responses"


def recorded(name: str) -> bytes:
    return (RESPONSES / name).read_bytes()


@pytest.fixture
def gateway() -> CmSmsGateway:
    return CmSmsGateway(url=URL, product_token=TOKEN, sender="Weerbaar", timeout=2.5)


@pytest.fixture
def mocked() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock() as rsps:
        yield rsps


def answer(mocked: responses.RequestsMock, status: int, body: bytes | Exception) -> None:
    mocked.post(URL, status=status, body=body, content_type="application/json")


def test_sends_one_sms_with_the_token_in_a_header_and_returns_the_reference(
    gateway: CmSmsGateway, mocked: responses.RequestsMock
) -> None:
    mocked.post(
        URL,
        body=recorded("accepted.json"),
        content_type="application/json",
        match=[
            responses.matchers.header_matcher({"X-CM-PRODUCTTOKEN": TOKEN}),
            responses.matchers.json_params_matcher(
                {
                    "messages": {
                        "msg": [
                            {
                                "allowedChannels": ["SMS"],
                                "from": "Weerbaar",
                                "to": [{"number": "0031612345678"}],
                                "body": {"type": "auto", "content": "Let op: winkeldief"},
                                "reference": REFERENCE,
                                "minimumNumberOfMessageParts": 1,
                                "maximumNumberOfMessageParts": 3,
                            }
                        ]
                    }
                }
            ),
        ],
    )

    assert gateway.send(TO, "Let op: winkeldief", REFERENCE) == REFERENCE

    request = mocked.calls[0].request
    assert isinstance(request.body, bytes)
    assert TOKEN.encode() not in request.body
    assert request.req_kwargs["timeout"] == (2.5, 2.5)  # type: ignore[attr-defined]


def test_e164_becomes_cm_number_format() -> None:
    assert cm_number("+31612345678") == "0031612345678"
    assert cm_number("+447911123456") == "00447911123456"
    for bad in ("0612345678", "31612345678", "+31 6 12345678", "+0612345678", ""):
        with pytest.raises(SmsRejectedError):
            cm_number(bad)


def test_a_number_not_in_international_format_is_rejected_without_calling(
    gateway: CmSmsGateway, mocked: responses.RequestsMock
) -> None:
    with pytest.raises(SmsRejectedError):
        gateway.send("06-12345678", "Let op", REFERENCE)
    assert not mocked.calls


def test_a_reference_cm_would_refuse_is_a_programming_error(gateway: CmSmsGateway) -> None:
    for bad in ("", "weerbaar-42", "x" * 33):
        with pytest.raises(ValueError, match="reference"):
            gateway.payload(TO, "Let op", bad)


@pytest.mark.parametrize(
    ("status", "fixture", "error", "text"),
    [
        (400, "rejected_invalid_number.json", SmsRejectedError, "CM error 303"),
        (400, "rejected_blacklisted.json", SmsRejectedError, "CM error 402"),
        (400, "rejected_sender.json", SmsGatewayUnavailableError, "CM error 301"),
        (400, "authentication_failed.json", SmsGatewayUnavailableError, "CM error 101"),
        (400, "insufficient_balance.json", SmsGatewayUnavailableError, "CM error 102"),
        (400, "internal_error.json", SmsGatewayError, "CM error 999"),
        (401, "authentication_failed.json", SmsGatewayUnavailableError, "HTTP 401"),
        (403, "bad_gateway.html", SmsGatewayUnavailableError, "HTTP 403"),
        (404, "bad_gateway.html", SmsGatewayUnavailableError, "SMS_CM_URL"),
        (429, "internal_error.json", SmsGatewayError, "HTTP 429"),
        (500, "internal_error.json", SmsGatewayError, "HTTP 500"),
        (502, "bad_gateway.html", SmsGatewayError, "HTTP 502"),
        (503, "maintenance.html", SmsGatewayError, "HTTP 503"),
        (302, "maintenance.html", SmsGatewayError, "unexpected HTTP 302"),
    ],
)
def test_every_recorded_answer_maps_to_its_error(
    gateway: CmSmsGateway,
    mocked: responses.RequestsMock,
    status: int,
    fixture: str,
    error: type[Exception],
    text: str,
) -> None:
    answer(mocked, status, recorded(fixture))
    with pytest.raises(error) as caught:
        gateway.send(TO, "Let op", REFERENCE)
    assert type(caught.value) is error
    assert text in str(caught.value)
    assert TOKEN not in str(caught.value)


def test_provider_text_reaches_the_error_with_the_number_masked(
    gateway: CmSmsGateway, mocked: responses.RequestsMock
) -> None:
    answer(mocked, 400, recorded("rejected_invalid_number.json"))
    with pytest.raises(SmsRejectedError) as caught:
        gateway.send(TO, "Let op", REFERENCE)
    message = str(caught.value)
    assert message == ("CM error 303 (phone number invalid): Gsm '+********678' is not a number.")
    assert "612345678" not in message


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (200, recorded("maintenance.html")),
        (200, recorded("truncated.txt")),
        (200, recorded("unexpected_shape.json")),
        (200, b""),
        (200, b"null"),
        (200, b"[]"),
        (200, b"\xff\xfe not utf-8"),
        (200, b"[" * 50_000),  # nesting deeper than the JSON parser recurses
        (200, b'{"errorCode": "zero", "messages": []}'),
        (200, b'{"errorCode": 0, "messages": {}}'),
        (200, b'{"errorCode": 0, "messages": []}'),  # success without our message
        (200, b'{"errorCode": 0, "messages": ["Accepted"]}'),
        (200, b'{"errorCode": 0, "messages": [{"status": "Queued", "messageErrorCode": 0}]}'),
        (400, recorded("accepted.json")),  # accepted, says the body; refused, says the status
        (400, recorded("bad_gateway.html")),
    ],
)
def test_garbage_is_a_temporary_error_with_a_clear_text(
    gateway: CmSmsGateway, mocked: responses.RequestsMock, status: int, body: bytes
) -> None:
    answer(mocked, status, body)
    with pytest.raises(SmsGatewayError) as caught:
        gateway.send(TO, "Let op", REFERENCE)
    assert type(caught.value) is SmsGatewayError
    assert f"CM gateway answered HTTP {status} with something that is not the expected JSON" in (
        str(caught.value)
    )


def test_an_answer_too_large_to_be_cms_is_not_read_whole(
    gateway: CmSmsGateway, mocked: responses.RequestsMock
) -> None:
    answer(mocked, 200, b" " * (1024 * 1024))
    with pytest.raises(SmsGatewayError, match="more than 64 KB"):
        gateway.send(TO, "Let op", REFERENCE)


def test_a_garbage_snippet_masks_the_number(
    gateway: CmSmsGateway, mocked: responses.RequestsMock
) -> None:
    answer(mocked, 200, b"OK 0031612345678 queued")
    with pytest.raises(SmsGatewayError) as caught:
        gateway.send(TO, "Let op", REFERENCE)
    assert "'OK +********678 queued'" in str(caught.value)


@pytest.mark.parametrize(
    ("raised", "error", "text"),
    [
        (requests.ConnectTimeout("connect timed out"), SmsGatewayUnavailableError, "2.5s"),
        (requests.ConnectionError("refused"), SmsGatewayUnavailableError, "unreachable"),
        (requests.exceptions.SSLError("bad cert"), SmsGatewayUnavailableError, "unreachable"),
        (requests.ReadTimeout("read timed out"), SmsGatewayError, "may have been accepted"),
        (requests.exceptions.ChunkedEncodingError("cut"), SmsGatewayError, "ChunkedEncoding"),
    ],
)
def test_network_failures_map_to_unavailable_or_temporary(
    gateway: CmSmsGateway,
    mocked: responses.RequestsMock,
    raised: Exception,
    error: type[Exception],
    text: str,
) -> None:
    answer(mocked, 200, raised)
    with pytest.raises(error) as caught:
        gateway.send(TO, "Let op", REFERENCE)
    assert type(caught.value) is error
    assert text in str(caught.value)


def test_an_accepted_answer_for_several_messages_is_matched_by_reference_or_number() -> None:
    body = json.dumps(
        {
            "details": "Created 1 message(s)",
            "errorCode": 201,
            "messages": [
                {"to": "0031687654321", "status": "Rejected", "reference": "other", "parts": 0,
                 "messageDetails": "Gsm '0031687654321' is not a number.",
                 "messageErrorCode": 303},
                {"to": "0031612345678", "status": "Accepted", "reference": REFERENCE,
                 "parts": 1, "messageDetails": None, "messageErrorCode": 0},
            ],
        }
    ).encode()  # fmt: skip
    assert interpret_answer(200, body, to=TO, reference=REFERENCE) == REFERENCE
    with pytest.raises(SmsRejectedError):
        interpret_answer(200, body, to="+31687654321", reference="other")


def test_the_gateway_needs_a_token_and_a_sender_carriers_accept() -> None:
    with pytest.raises(ImproperlyConfigured, match="SMS_CM_PRODUCT_TOKEN"):
        CmSmsGateway(url=URL, product_token=" ", sender="Weerbaar", timeout=5)
    with pytest.raises(ImproperlyConfigured, match="SMS_SENDER"):
        CmSmsGateway(url=URL, product_token=TOKEN, sender="Gemeente Breda", timeout=5)


@pytest.mark.parametrize("sender", ["Weerbaar", "Breda OOV", "VOBreda2026", "3197010203040"])
def test_valid_senders(sender: str) -> None:
    assert validate_sender(sender) == sender


@pytest.mark.parametrize(
    "sender", ["", " ", "Gemeente Breda", "Weerbaar!", "Wéérbaar", " Weerbaar", "12345678901234567"]
)
def test_invalid_senders(sender: str) -> None:
    with pytest.raises(ImproperlyConfigured):
        validate_sender(sender)


def test_get_gateway_follows_settings() -> None:
    with override_settings(SMS_GATEWAY="console"):
        assert isinstance(get_gateway(), ConsoleSmsGateway)
    with override_settings(
        SMS_GATEWAY="cm", SMS_CM_PRODUCT_TOKEN=TOKEN, SMS_SENDER="Breda", SMS_TIMEOUT_SECONDS=3.0
    ):
        gateway = get_gateway()
        assert isinstance(gateway, CmSmsGateway)
        assert isinstance(gateway, SmsGateway)
        assert (gateway.url, gateway.sender, gateway.timeout) == (
            "https://gw.messaging.cm.com/v1.0/message",
            "Breda",
            3.0,
        )
    with override_settings(SMS_GATEWAY="twilio"), pytest.raises(ImproperlyConfigured):
        get_gateway()


def ids(messages: list[Any]) -> list[str]:
    return [message.id for message in messages]


def test_system_check_catches_bad_settings() -> None:
    assert check_sms_settings() == []
    with override_settings(SMS_GATEWAY="twilio", SMS_SENDER="Gemeente Breda"):
        assert ids(check_sms_settings()) == ["weerbaar_sms.E001", "weerbaar_sms.E002"]
    with override_settings(SMS_GATEWAY="cm", SMS_CM_PRODUCT_TOKEN="", SMS_TIMEOUT_SECONDS=0.0):
        assert ids(check_sms_settings()) == ["weerbaar_sms.E003", "weerbaar_sms.E004"]


def test_an_answer_about_other_messages_only_is_temporary() -> None:
    other = {"status": "Accepted", "parts": 1, "messageDetails": None, "messageErrorCode": 0}
    body = json.dumps(
        {
            "details": "Created 2 message(s)",
            "errorCode": 201,
            "messages": [
                {**other, "to": "0031600000001", "reference": "a"},
                {**other, "to": "0031600000002", "reference": "b"},
            ],
        }
    ).encode()
    with pytest.raises(SmsGatewayError, match="CM error 201") as caught:
        interpret_answer(200, body, to=TO, reference=REFERENCE)
    assert type(caught.value) is SmsGatewayError
