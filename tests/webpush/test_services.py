"""Turning push on and off for a device: what is stored, and what bad input is refused."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from tests.factories import UserFactory
from tests.webpush.factories import BROWSER, BrowserKeys, PushSubscriptionFactory
from weerbaar.contrib.webpush import services
from weerbaar.contrib.webpush.keys import b64url_encode
from weerbaar.contrib.webpush.models import PushSubscription
from weerbaar.core.models import AuditEntry

pytestmark = pytest.mark.django_db

ENDPOINT = "https://fcm.googleapis.com/fcm/send/abc123:APA91b"


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


def test_subscribe_stores_the_device_once_and_audits_it() -> None:
    user = UserFactory()

    first = services.subscribe(user, ENDPOINT, BROWSER.p256dh, BROWSER.auth)
    again = services.subscribe(user, ENDPOINT, BROWSER.p256dh, BROWSER.auth)

    assert first.pk == again.pk
    assert list(user.push_subscriptions.values_list("endpoint", "p256dh", "auth")) == [
        (ENDPOINT, BROWSER.p256dh, BROWSER.auth)
    ]
    entries = AuditEntry.objects.filter(action="webpush.subscribe")
    assert entries.count() == 1  # the repeat changed nothing
    entry = entries.get()
    assert entry.changes == {"push_service": "fcm.googleapis.com"}
    assert ENDPOINT not in entry.object_repr  # the endpoint is a capability: not in the log


def test_padded_keys_are_stored_unpadded() -> None:
    user = UserFactory()
    subscription = services.subscribe(user, ENDPOINT, BROWSER.p256dh + "=", BROWSER.auth + "==")
    assert (subscription.p256dh, subscription.auth) == (BROWSER.p256dh, BROWSER.auth)


def test_new_keys_for_the_same_device_replace_the_old_ones() -> None:
    user = UserFactory()
    services.subscribe(user, ENDPOINT, BROWSER.p256dh, BROWSER.auth)
    PushSubscription.objects.update(failure_count=3)
    renewed = BrowserKeys.new()

    subscription = services.subscribe(user, ENDPOINT, renewed.p256dh, renewed.auth)

    subscription.refresh_from_db()
    assert (subscription.p256dh, subscription.auth) == (renewed.p256dh, renewed.auth)
    assert subscription.failure_count == 0


def test_a_browser_registered_to_someone_else_moves_to_who_is_logged_in_now() -> None:
    previous = UserFactory()
    now_logged_in = UserFactory()
    services.subscribe(previous, ENDPOINT, BROWSER.p256dh, BROWSER.auth)

    subscription = services.subscribe(now_logged_in, ENDPOINT, BROWSER.p256dh, BROWSER.auth)

    assert subscription.user == now_logged_in
    assert not previous.push_subscriptions.exists()
    assert PushSubscription.objects.count() == 1
    moved = AuditEntry.objects.filter(action="webpush.subscribe", actor=now_logged_in).get()
    assert moved.changes["moved_from_user_id"] == previous.pk


def test_unsubscribe_removes_only_the_users_own_device() -> None:
    owner = UserFactory()
    someone_else = UserFactory()
    services.subscribe(owner, ENDPOINT, BROWSER.p256dh, BROWSER.auth)

    assert services.unsubscribe(someone_else, ENDPOINT) is False
    assert PushSubscription.objects.count() == 1

    assert services.unsubscribe(owner, ENDPOINT) is True
    assert services.unsubscribe(owner, ENDPOINT) is False  # idempotent
    assert not PushSubscription.objects.exists()
    assert AuditEntry.objects.filter(action="webpush.unsubscribe", actor=owner).count() == 1


def test_unsubscribe_works_for_a_push_service_no_longer_allowed(settings: Any) -> None:
    user = UserFactory()
    subscription = PushSubscriptionFactory(user=user, endpoint="https://push.example.org/x")
    settings.WEBPUSH_ALLOWED_ENDPOINT_HOSTS = ["fcm.googleapis.com"]
    assert services.unsubscribe(user, subscription.endpoint) is True


@pytest.mark.parametrize(
    ("endpoint", "message"),
    [
        (None, "The push subscription has no endpoint."),
        ("", "The push subscription has no endpoint."),
        (42, "The push subscription has no endpoint."),
        ("http://fcm.googleapis.com/fcm/send/x", "The push endpoint must be an https address."),
        ("fcm.googleapis.com/fcm/send/x", "The push endpoint must be an https address."),
        ("javascript:alert(1)", "The push endpoint must be an https address."),
        (
            "https://fcm.googleapis.com/" + "x" * 1000,
            "The push endpoint is longer than 1000 characters.",
        ),
        ("https://127.0.0.1/push", "This browser's push service is not supported."),
        ("https://intranet.gemeente.local/push", "This browser's push service is not supported."),
        (
            "https://fcm.googleapis.com.evil.example/x",
            "This browser's push service is not supported.",
        ),
        ("https://fcm.googleapis.com:8443/x", "This browser's push service is not supported."),
        ("https://evilfcm.googleapis.com/x", "This browser's push service is not supported."),
    ],
)
def test_subscribe_refuses_a_bad_endpoint(endpoint: Any, message: str) -> None:
    with pytest.raises(ValidationError) as raised:
        services.subscribe(UserFactory(), endpoint, BROWSER.p256dh, BROWSER.auth)
    assert raised.value.messages == [message]
    assert not PushSubscription.objects.exists()


def test_subdomains_of_an_allowed_push_service_are_allowed() -> None:
    user = UserFactory()
    endpoint = "https://wns2-par02p.notify.windows.com/w/?token=AbC"
    assert services.subscribe(user, endpoint, BROWSER.p256dh, BROWSER.auth).endpoint == endpoint


NOT_ON_CURVE = b64url_encode(b"\x04" + b"\x01" * 64)
COMPRESSED = b64url_encode(b"\x02" + b"\x01" * 32)


@pytest.mark.parametrize(
    ("p256dh", "auth", "message"),
    [
        (None, BROWSER.auth, "The public key (p256dh) of the push subscription is missing."),
        ("", BROWSER.auth, "The public key (p256dh) of the push subscription is missing."),
        (
            "not base64!",
            BROWSER.auth,
            "The public key (p256dh) of the push subscription is not base64url.",
        ),
        (
            BROWSER.p256dh.replace("-", "+").replace("_", "/") + "+/",
            BROWSER.auth,
            "The public key (p256dh) of the push subscription is not base64url.",
        ),
        (
            "A" * 101,
            BROWSER.auth,
            "The public key (p256dh) of the push subscription is too long.",
        ),
        (
            COMPRESSED,
            BROWSER.auth,
            "The public key (p256dh) of the push subscription is not a P-256 public key.",
        ),
        (
            NOT_ON_CURVE,
            BROWSER.auth,
            "The public key (p256dh) of the push subscription is not a P-256 public key.",
        ),
        (
            BROWSER.p256dh,
            None,
            "The authentication secret of the push subscription is missing.",
        ),
        (
            BROWSER.p256dh,
            b64url_encode(b"\x00" * 8),
            "The authentication secret of the push subscription must be 16 bytes.",
        ),
        (
            BROWSER.p256dh,
            "AAAAA",  # a length no base64 encoder produces
            "The authentication secret of the push subscription is not base64url.",
        ),
    ],
)
def test_subscribe_refuses_bad_keys(p256dh: Any, auth: Any, message: str) -> None:
    with pytest.raises(ValidationError) as raised:
        services.subscribe(UserFactory(), ENDPOINT, p256dh, auth)
    assert raised.value.messages == [message]
    assert not PushSubscription.objects.exists()
    assert not AuditEntry.objects.exists()


def test_unsubscribe_refuses_a_missing_endpoint() -> None:
    with pytest.raises(ValidationError):
        services.unsubscribe(UserFactory(), None)  # type: ignore[arg-type]
