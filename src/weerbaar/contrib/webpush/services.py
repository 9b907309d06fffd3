"""Every write to push subscriptions: a person turns notifications on or off on a device,
and the push channel records what the push services answered.

`subscribe` and `unsubscribe` act for the logged-in person themselves; the calling view
has checked that they may use the portal (Action.USE_PORTAL). Both raise ValidationError
with a message for the person on bad input, before anything is written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import SplitResult, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from weerbaar.contrib.webpush.keys import b64url_decode, b64url_encode, is_p256_public_key
from weerbaar.contrib.webpush.models import PushSubscription
from weerbaar.core.audit import record

if TYPE_CHECKING:
    from weerbaar.accounts.models import User

ENDPOINT_MAX_LENGTH = 1000
AUTH_SECRET_BYTES = 16
# Longest base64url text of a key accepted before decoding: padded p256dh is 88 characters.
KEY_TEXT_MAX_LENGTH = 100

_https_url = URLValidator(schemes=["https"])


def subscribe(user: User, endpoint: str, p256dh: str, auth: str) -> PushSubscription:
    """Register the browser behind `endpoint` to show `user`'s push notifications.

    Idempotent: the same subscription again changes nothing. An endpoint registered to
    another account moves to `user` (a browser belongs to whoever is logged in on it now),
    with fresh keys and counters. Audited when something changed.
    """
    endpoint = clean_endpoint(endpoint, check_host=True)
    p256dh = _clean_public_key(p256dh)
    auth = _clean_auth_secret(auth)
    try:
        with transaction.atomic():
            return _store_subscription(user, endpoint, p256dh, auth)
    except IntegrityError:
        # The same browser subscribed twice at the same moment; the other request won and
        # this run finds its row.
        with transaction.atomic():
            return _store_subscription(user, endpoint, p256dh, auth)


def _store_subscription(user: User, endpoint: str, p256dh: str, auth: str) -> PushSubscription:
    existing = PushSubscription.objects.select_for_update().filter(endpoint=endpoint).first()
    if existing is not None and existing.user_id == user.pk:
        if (existing.p256dh, existing.auth) == (p256dh, auth):
            return existing
        existing.p256dh, existing.auth, existing.failure_count = p256dh, auth, 0
        existing.save(update_fields=["p256dh", "auth", "failure_count"])
        record(user, "webpush.subscribe", existing, {"push_service": existing.push_service})
        return existing
    changes: dict[str, object] = {}
    if existing is not None:
        changes["moved_from_user_id"] = existing.user_id
        existing.delete()
    subscription = PushSubscription.objects.create(
        user=user, endpoint=endpoint, p256dh=p256dh, auth=auth
    )
    record(
        user,
        "webpush.subscribe",
        subscription,
        {"push_service": subscription.push_service, **changes},
    )
    return subscription


def unsubscribe(user: User, endpoint: str) -> bool:
    """Stop push notifications of `user` on the browser behind `endpoint`. Only `user`'s own
    subscription is removed; another account's, or none, answers False. Audited."""
    endpoint = clean_endpoint(endpoint, check_host=False)
    with transaction.atomic():
        subscription = user.push_subscriptions.filter(endpoint=endpoint).first()
        if subscription is None:
            return False
        record(
            user, "webpush.unsubscribe", subscription, {"push_service": subscription.push_service}
        )
        subscription.delete()
    return True


def record_accepted(subscription: PushSubscription) -> None:
    """The push service took a message for this subscription."""
    PushSubscription.objects.filter(pk=subscription.pk).update(
        last_success_at=timezone.now(), failure_count=0
    )


def record_failure(subscription: PushSubscription) -> None:
    """The push service refused a message or did not answer."""
    PushSubscription.objects.filter(pk=subscription.pk).update(failure_count=F("failure_count") + 1)


def remove_expired(subscription: PushSubscription) -> None:
    """The push service says the subscription is gone (404/410): the person uninstalled the
    browser, cleared its data or revoked the permission. Not audited: nobody acted."""
    PushSubscription.objects.filter(pk=subscription.pk).delete()


def clean_endpoint(endpoint: object, *, check_host: bool) -> str:
    """The endpoint as stored, or ValidationError. `check_host`: it must point to one of
    settings.WEBPUSH_ALLOWED_ENDPOINT_HOSTS (the server will POST to it)."""
    if not isinstance(endpoint, str) or not endpoint.strip():
        raise ValidationError(_("The push subscription has no endpoint."), code="required")
    endpoint = endpoint.strip()
    if len(endpoint) > ENDPOINT_MAX_LENGTH:
        raise ValidationError(
            _("The push endpoint is longer than %(limit)d characters.")
            % {"limit": ENDPOINT_MAX_LENGTH},
            code="max_length",
        )
    try:
        _https_url(endpoint)
    except ValidationError:
        raise ValidationError(
            _("The push endpoint must be an https address."), code="invalid"
        ) from None
    if check_host and not _allowed_host(urlsplit(endpoint)):
        raise ValidationError(
            _("This browser's push service is not supported."), code="push_service"
        )
    return endpoint


def _allowed_host(parts: SplitResult) -> bool:
    try:
        port = parts.port
    except ValueError:  # a port that is no number
        return False
    if port not in (None, 443):
        return False
    host = (parts.hostname or "").lower()
    return any(
        host == allowed or host.endswith("." + allowed)
        for allowed in (name.lower().strip(".") for name in settings.WEBPUSH_ALLOWED_ENDPOINT_HOSTS)
    )


def _clean_public_key(p256dh: object) -> str:
    raw = _decoded_key(p256dh, _("The public key (p256dh) of the push subscription"))
    if not is_p256_public_key(raw):
        raise ValidationError(
            _("The public key (p256dh) of the push subscription is not a P-256 public key."),
            code="invalid_key",
        )
    return b64url_encode(raw)


def _clean_auth_secret(auth: object) -> str:
    raw = _decoded_key(auth, _("The authentication secret of the push subscription"))
    if len(raw) != AUTH_SECRET_BYTES:
        raise ValidationError(
            _("The authentication secret of the push subscription must be %(count)d bytes.")
            % {"count": AUTH_SECRET_BYTES},
            code="invalid_key",
        )
    return b64url_encode(raw)


def _decoded_key(value: object, name: str) -> bytes:
    if not isinstance(value, str) or not value:
        raise ValidationError(_("%(name)s is missing.") % {"name": name}, code="required")
    if len(value) > KEY_TEXT_MAX_LENGTH:
        raise ValidationError(_("%(name)s is too long.") % {"name": name}, code="invalid_key")
    try:
        return b64url_decode(value)
    except ValueError:
        raise ValidationError(
            _("%(name)s is not base64url.") % {"name": name}, code="invalid_key"
        ) from None
