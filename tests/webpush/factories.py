"""A browser's push subscription for tests: real P-256 keys, so payloads can be decrypted."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import factory
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from tests.factories import UserFactory
from weerbaar.contrib.webpush.keys import b64url_encode
from weerbaar.contrib.webpush.models import PushSubscription


@dataclass(frozen=True)
class BrowserKeys:
    """What a browser keeps for a subscription (private) and hands out (p256dh, auth)."""

    private_key: ec.EllipticCurvePrivateKey
    auth_secret: bytes

    @classmethod
    def new(cls) -> BrowserKeys:
        return cls(ec.generate_private_key(ec.SECP256R1()), os.urandom(16))

    @property
    def p256dh(self) -> str:
        return b64url_encode(
            self.private_key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )

    @property
    def auth(self) -> str:
        return b64url_encode(self.auth_secret)


# Fixed, so that test ids built from these keys are the same in every pytest-xdist worker.
BROWSER = BrowserKeys(
    ec.derive_private_key(0x5EED_0F_7E57_B40_B5E4_C4A1, ec.SECP256R1()), bytes(range(16))
)


def subscription_json(endpoint: str, keys: BrowserKeys = BROWSER) -> dict[str, Any]:
    """PushSubscription.toJSON() as a browser sends it."""
    return {
        "endpoint": endpoint,
        "expirationTime": None,
        "keys": {"p256dh": keys.p256dh, "auth": keys.auth},
    }


class PushSubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PushSubscription

    user = factory.SubFactory(UserFactory)
    endpoint = factory.Sequence(lambda n: f"https://fcm.googleapis.com/fcm/send/device-{n}")
    p256dh = BROWSER.p256dh
    auth = BROWSER.auth
