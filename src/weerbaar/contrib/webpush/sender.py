"""Handing one encrypted push message to a browser's push service.

`PushSender` is the interface the push channel uses; `get_sender()` returns the one chosen
by settings.WEBPUSH_SENDER:

- `VapidPushSender` encrypts the payload for the subscription (RFC 8291, aes128gcm, through
  pywebpush) and POSTs it to the endpoint with a VAPID signature (RFC 8292), with
  settings.WEBPUSH_TIMEOUT_SECONDS and without following redirects;
- `FakePushSender` sends nothing: it records each push in `fake_pushes` (tests, the demo)
  and answers 201, or what a test put in `fake_answers` for that endpoint.

A sender answers with the push service's HTTP status and leaves its meaning to the channel.
`PushTransportError` means no answer came (timeout, connection refused);
`PushSenderUnavailable` means the sender cannot work at all (VAPID keys not configured).
The endpoint is never logged or put in an error: with our key it is enough to send to the
device.
"""

from __future__ import annotations

import logging
import time
from abc import ABC, abstractmethod
from collections import deque
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from django.conf import settings
from py_vapid import Vapid02, VapidException
from pywebpush import WebPusher, WebPushException

from weerbaar.contrib.webpush.keys import vapid_public_key_for
from weerbaar.contrib.webpush.models import PushSubscription

logger = logging.getLogger(__name__)

SENDER_KINDS = ("fake", "vapid")
CONTENT_ENCODING = "aes128gcm"
URGENCIES = ("very-low", "low", "normal", "high")
# A VAPID token may live 24 hours (RFC 8292 §2); a fresh one per 12 hours per push service.
VAPID_TOKEN_LIFETIME = 12 * 60 * 60
VAPID_TOKEN_RENEW_BEFORE = 60 * 60


class PushSenderUnavailable(Exception):
    """The sender cannot send anything (not configured); the message says what to set."""


class PushTransportError(Exception):
    """No answer from the push service: timeout, connection error, a redirect loop."""


class PushSender(ABC):
    @abstractmethod
    def send(
        self,
        subscription: PushSubscription,
        payload: bytes,
        ttl: int,
        urgency: str,
        topic: str = "",
    ) -> int:
        """Hand `payload` to the push service of `subscription`; return its HTTP status.

        `ttl`: seconds the push service keeps the message for a device that is offline.
        `urgency`: one of URGENCIES (RFC 8030 §5.3). `topic`: a message with the same topic
        still waiting at the push service is replaced by this one (RFC 8030 §5.4).
        """

    def close(self) -> None:  # noqa: B027 - optional hook; the fake holds nothing open
        """Release connections. Must not raise."""


class VapidPushSender(PushSender):
    def __init__(
        self,
        *,
        private_key: str,
        subject: str,
        timeout: float,
        session: requests.Session | None = None,
    ) -> None:
        try:
            vapid_public_key_for(private_key)  # a clear error for a key that is no key
            self._vapid = Vapid02.from_raw(private_key.encode("ascii"))
        except (ValueError, UnicodeEncodeError) as error:
            raise PushSenderUnavailable(
                f"WEBPUSH_VAPID_PRIVATE_KEY is not a VAPID private key: {error}"
            ) from error
        if not subject.startswith(("mailto:", "https:")):
            raise PushSenderUnavailable("WEBPUSH_VAPID_SUBJECT must start with mailto: or https:")
        self._subject = subject
        self._timeout = timeout
        self._session = session or requests.Session()
        self._tokens: dict[str, tuple[float, dict[str, str]]] = {}

    @classmethod
    def from_settings(cls) -> VapidPushSender:
        if not settings.WEBPUSH_VAPID_PRIVATE_KEY or not settings.WEBPUSH_VAPID_PUBLIC_KEY:
            raise PushSenderUnavailable(
                "web push needs WEBPUSH_VAPID_PUBLIC_KEY and WEBPUSH_VAPID_PRIVATE_KEY "
                "(manage.py generate_vapid_keys)"
            )
        return cls(
            private_key=settings.WEBPUSH_VAPID_PRIVATE_KEY,
            subject=settings.WEBPUSH_VAPID_SUBJECT,
            timeout=settings.WEBPUSH_TIMEOUT_SECONDS,
        )

    def send(
        self,
        subscription: PushSubscription,
        payload: bytes,
        ttl: int,
        urgency: str,
        topic: str = "",
    ) -> int:
        endpoint = subscription.endpoint
        try:
            pusher = WebPusher(
                {
                    "endpoint": endpoint,
                    "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
                }
            )
            body = pusher.encode(payload, CONTENT_ENCODING)["body"]
        except (WebPushException, ValueError) as error:
            # Keys are checked when stored; this is a row someone changed by hand.
            raise ValueError(f"the subscription's keys cannot encrypt: {error}") from error
        headers = {
            "TTL": str(ttl),
            "Urgency": urgency,
            "Content-Encoding": CONTENT_ENCODING,
            "Content-Type": "application/octet-stream",
            **self._authorization(endpoint),
        }
        if topic:
            headers["Topic"] = topic
        try:
            response = self._session.post(
                endpoint,
                data=body,
                headers=headers,
                timeout=self._timeout,
                # A push service does not redirect; following one could aim the POST anywhere.
                allow_redirects=False,
            )
        except requests.RequestException as error:
            raise PushTransportError(
                f"{subscription.push_service}: {type(error).__name__}"
            ) from error
        return response.status_code

    def close(self) -> None:
        try:
            self._session.close()
        except Exception:
            logger.warning("closing the push session failed", exc_info=True)

    def _authorization(self, endpoint: str) -> dict[str, str]:
        """The VAPID Authorization header for the endpoint's push service (the audience),
        signed once per service per VAPID_TOKEN_LIFETIME rather than once per message."""
        parts = urlsplit(endpoint)
        audience = f"{parts.scheme}://{parts.netloc}"
        now = time.time()
        cached = self._tokens.get(audience)
        if cached is not None and cached[0] - VAPID_TOKEN_RENEW_BEFORE > now:
            return cached[1]
        expires = int(now) + VAPID_TOKEN_LIFETIME
        try:
            headers = self._vapid.sign({"aud": audience, "exp": expires, "sub": self._subject})
        except VapidException as error:
            raise PushSenderUnavailable(f"VAPID signing failed: {error}") from error
        self._tokens[audience] = (expires, headers)
        return headers


@dataclass(frozen=True)
class FakePush:
    endpoint: str
    payload: bytes
    ttl: int
    urgency: str
    topic: str


# What the fake sender "sent", newest last; bounded so a long-running demo does not grow.
fake_pushes: deque[FakePush] = deque(maxlen=1000)
# Endpoint → the status to answer (default 201), or an exception to raise, for tests.
fake_answers: dict[str, int | Exception] = {}


class FakePushSender(PushSender):
    def send(
        self,
        subscription: PushSubscription,
        payload: bytes,
        ttl: int,
        urgency: str,
        topic: str = "",
    ) -> int:
        answer = fake_answers.get(subscription.endpoint, 201)
        if isinstance(answer, Exception):
            raise answer
        if answer in (200, 201, 202):
            fake_pushes.append(FakePush(subscription.endpoint, payload, ttl, urgency, topic))
            logger.info(
                "push to %s recorded, not sent (WEBPUSH_SENDER=fake)", subscription.push_service
            )
        return answer


def get_sender() -> PushSender:
    """The sender chosen by settings.WEBPUSH_SENDER; PushSenderUnavailable when it cannot
    work (unknown kind, VAPID keys missing or invalid)."""
    kind = settings.WEBPUSH_SENDER
    if kind == "fake":
        return FakePushSender()
    if kind == "vapid":
        return VapidPushSender.from_settings()
    raise PushSenderUnavailable(f"WEBPUSH_SENDER must be one of {', '.join(SENDER_KINDS)}")
