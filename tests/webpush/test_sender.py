"""The real sender, offline: the request a push service would get (encrypted body, VAPID
signature, TTL and Urgency), with requests mocked by `responses`; and the VAPID settings."""

from __future__ import annotations

import base64
import json
import time
from io import StringIO
from typing import Any

import http_ece
import pytest
import requests
import responses
from django.core.management import call_command
from py_vapid import Vapid02

from tests.webpush.factories import BROWSER, PushSubscriptionFactory
from weerbaar.contrib.webpush.apps import check_webpush_settings
from weerbaar.contrib.webpush.keys import generate_vapid_key_pair, vapid_public_key_for
from weerbaar.contrib.webpush.sender import (
    FakePushSender,
    PushSenderUnavailable,
    PushTransportError,
    VapidPushSender,
    get_sender,
)

pytestmark = pytest.mark.django_db

KEYS = generate_vapid_key_pair()
ENDPOINT = "https://fcm.googleapis.com/fcm/send/device-1"


def vapid_sender() -> VapidPushSender:
    return VapidPushSender(
        private_key=KEYS.private_key, subject="mailto:beheer@weerbaar.example", timeout=2.5
    )


def jwt_claims(authorization: str) -> dict[str, Any]:
    token = authorization.split(" ", 1)[1].split(",")[0].removeprefix("t=")
    body = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))))


@responses.activate
def test_the_payload_is_encrypted_for_the_browser_and_signed_with_vapid() -> None:
    responses.add(responses.POST, ENDPOINT, status=201)
    subscription = PushSubscriptionFactory(endpoint=ENDPOINT)
    payload = b'{"title":"Waarschuwing","body":"Inbraken in de Binnenstad"}'

    status = vapid_sender().send(subscription, payload, ttl=3600, urgency="high", topic="m12")

    assert status == 201
    request = responses.calls[0].request
    headers = request.headers
    assert headers["TTL"] == "3600"
    assert headers["Urgency"] == "high"
    assert headers["Topic"] == "m12"
    assert headers["Content-Encoding"] == "aes128gcm"
    assert headers["Content-Type"] == "application/octet-stream"
    # RFC 8292: "vapid t=<JWT>, k=<our public key>", the JWT for this push service.
    authorization = headers["Authorization"]
    assert authorization.startswith("vapid t=")
    assert f"k={KEYS.public_key}" in authorization
    assert Vapid02.verify(authorization)
    claims = jwt_claims(authorization)
    assert claims["aud"] == "https://fcm.googleapis.com"
    assert claims["sub"] == "mailto:beheer@weerbaar.example"
    assert time.time() < claims["exp"] <= time.time() + 24 * 60 * 60
    # Only the browser, with its private key and auth secret, can read the body.
    body = request.body
    assert isinstance(body, bytes)
    assert payload not in body
    decrypted = http_ece.decrypt(
        body, private_key=BROWSER.private_key, auth_secret=BROWSER.auth_secret, version="aes128gcm"
    )
    assert decrypted == payload


@responses.activate
def test_the_vapid_token_is_reused_per_push_service() -> None:
    responses.add(responses.POST, ENDPOINT, status=201)
    responses.add(responses.POST, ENDPOINT + "-b", status=201)
    sender = vapid_sender()
    sender.send(PushSubscriptionFactory(endpoint=ENDPOINT), b"{}", ttl=60, urgency="normal")
    sender.send(PushSubscriptionFactory(endpoint=ENDPOINT + "-b"), b"{}", ttl=60, urgency="normal")

    first, second = (call.request.headers for call in responses.calls)
    assert first["Authorization"] == second["Authorization"]
    assert "Topic" not in first


@responses.activate
@pytest.mark.parametrize("status", [404, 410, 429, 503])
def test_the_push_services_answer_is_returned_as_it_is(status: int) -> None:
    responses.add(responses.POST, ENDPOINT, status=status)
    subscription = PushSubscriptionFactory(endpoint=ENDPOINT)
    assert vapid_sender().send(subscription, b"{}", ttl=60, urgency="high") == status


@responses.activate
def test_a_redirect_is_not_followed() -> None:
    responses.add(
        responses.POST, ENDPOINT, status=307, headers={"Location": "http://169.254.169.254/"}
    )
    subscription = PushSubscriptionFactory(endpoint=ENDPOINT)
    assert vapid_sender().send(subscription, b"{}", ttl=60, urgency="high") == 307
    assert len(responses.calls) == 1


@responses.activate
@pytest.mark.parametrize("error", [requests.Timeout("slow"), requests.ConnectionError("down")])
def test_no_answer_is_a_transport_error_without_the_endpoint(error: Exception) -> None:
    responses.add(responses.POST, ENDPOINT, body=error)
    subscription = PushSubscriptionFactory(endpoint=ENDPOINT)

    with pytest.raises(PushTransportError) as raised:
        vapid_sender().send(subscription, b"{}", ttl=60, urgency="high")
    assert str(raised.value).startswith("fcm.googleapis.com: ")
    assert "device-1" not in str(raised.value)


def test_the_request_has_the_configured_timeout() -> None:
    class RecordingSession(requests.Session):
        def post(self, url: Any, data: Any = None, json: Any = None, **kwargs: Any) -> Any:
            self.kwargs = kwargs
            response = requests.Response()
            response.status_code = 201
            return response

    session = RecordingSession()
    sender = VapidPushSender(
        private_key=KEYS.private_key,
        subject="https://weerbaar.example",
        timeout=2.5,
        session=session,
    )
    sender.send(PushSubscriptionFactory(endpoint=ENDPOINT), b"{}", ttl=60, urgency="high")
    assert session.kwargs["timeout"] == 2.5
    assert session.kwargs["allow_redirects"] is False


def test_the_real_sender_needs_its_keys_and_a_contact(settings: Any) -> None:
    settings.WEBPUSH_SENDER = "vapid"
    settings.WEBPUSH_VAPID_PUBLIC_KEY = KEYS.public_key
    settings.WEBPUSH_VAPID_PRIVATE_KEY = ""
    with pytest.raises(PushSenderUnavailable, match="WEBPUSH_VAPID_PRIVATE_KEY"):
        get_sender()

    settings.WEBPUSH_VAPID_PRIVATE_KEY = "not-a-key"
    with pytest.raises(PushSenderUnavailable, match="not a VAPID private key"):
        get_sender()

    settings.WEBPUSH_VAPID_PRIVATE_KEY = KEYS.private_key
    settings.WEBPUSH_VAPID_SUBJECT = "beheer@weerbaar.example"
    with pytest.raises(PushSenderUnavailable, match="mailto: or https:"):
        get_sender()

    settings.WEBPUSH_VAPID_SUBJECT = "mailto:beheer@weerbaar.example"
    assert isinstance(get_sender(), VapidPushSender)


def test_fake_is_the_default_sender() -> None:
    assert isinstance(get_sender(), FakePushSender)


def test_generate_vapid_keys_prints_a_matching_pair() -> None:
    out = StringIO()
    call_command("generate_vapid_keys", stdout=out)

    lines = dict(line.split("=", 1) for line in out.getvalue().splitlines())
    assert set(lines) == {"WEBPUSH_VAPID_PUBLIC_KEY", "WEBPUSH_VAPID_PRIVATE_KEY"}
    assert len(lines["WEBPUSH_VAPID_PUBLIC_KEY"]) == 87
    assert len(lines["WEBPUSH_VAPID_PRIVATE_KEY"]) == 43
    assert (
        vapid_public_key_for(lines["WEBPUSH_VAPID_PRIVATE_KEY"])
        == (lines["WEBPUSH_VAPID_PUBLIC_KEY"])
    )


def check_ids() -> list[str]:
    return [message.id or "" for message in check_webpush_settings()]


def test_default_settings_pass_the_checks() -> None:
    assert check_ids() == []


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"WEBPUSH_SENDER": "pigeon"}, ["weerbaar_webpush.E001"]),
        (
            {"WEBPUSH_SENDER": "vapid"},
            ["weerbaar_webpush.E002", "weerbaar_webpush.E003"],
        ),
        ({"WEBPUSH_VAPID_PRIVATE_KEY": "abc"}, ["weerbaar_webpush.E004"]),
        (
            {
                "WEBPUSH_SENDER": "vapid",
                "WEBPUSH_VAPID_SUBJECT": "mailto:beheer@weerbaar.example",
                "WEBPUSH_VAPID_PUBLIC_KEY": generate_vapid_key_pair().public_key,
                "WEBPUSH_VAPID_PRIVATE_KEY": KEYS.private_key,
            },
            ["weerbaar_webpush.E005"],
        ),
        (
            {
                "WEBPUSH_SENDER": "vapid",
                "WEBPUSH_VAPID_SUBJECT": "mailto:beheer@weerbaar.example",
                "WEBPUSH_VAPID_PUBLIC_KEY": KEYS.public_key,
                "WEBPUSH_VAPID_PRIVATE_KEY": KEYS.private_key,
            },
            [],
        ),
        ({"WEBPUSH_VAPID_PUBLIC_KEY": KEYS.public_key}, ["weerbaar_webpush.W001"]),
    ],
)
def test_wrong_settings_stop_the_deploy(
    settings: Any, overrides: dict[str, str], expected: list[str]
) -> None:
    for name, value in overrides.items():
        setattr(settings, name, value)
    assert check_ids() == expected
