"""Writes of the login flows: magic links and the TOTP second factor.

Views call these functions; they never touch MagicLink or TOTPDevice rows themselves. Every
function runs its writes inside one transaction, records an audit entry and sends mail only
after the transaction commits.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from urllib.parse import urljoin

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp.models import VerifyNotAllowed
from django_otp.plugins.otp_totp.models import TOTPDevice

from weerbaar.accounts.models import MagicLink, User
from weerbaar.core import audit, ratelimit

logger = logging.getLogger(__name__)

# secrets.token_urlsafe(32) gives 43 characters of [A-Za-z0-9_-].
MAGIC_LINK_TOKEN_BYTES = 32
MAGIC_LINK_TOKEN_LENGTH = 43
NEXT_URL_MAX_LENGTH = MagicLink._meta.get_field("next_url").max_length or 200

SECOND_FACTOR_ATTEMPTS = 5
SECOND_FACTOR_WINDOW_SECONDS = 15 * 60


# --- magic links ---------------------------------------------------------------------------


class MagicLinkError(Exception):
    """A login link that cannot be used. Subclasses say why; the view picks the status."""


class MagicLinkInvalid(MagicLinkError):
    """Unknown or garbled token, or the account is no longer active (answered with 404)."""


class MagicLinkExpired(MagicLinkError):
    """The link is older than MAGIC_LINK_TTL_MINUTES (answered with 410)."""


class MagicLinkUsed(MagicLinkError):
    """The link was already used to log in (answered with 410)."""


class MagicLinkRateLimited(Exception):
    """Too many login links requested for this address or from this client (429)."""


def hash_token(token: str) -> str:
    """The stored form of a login token: its SHA-256 hex digest."""
    return hashlib.sha256(token.encode()).hexdigest()


def safe_next_path(next_url: str | None) -> str:
    """`next_url` when it is a path on this site (no scheme, no host) short enough to store,
    else an empty string. Login links are opened from a mailbox, so only local paths count."""
    if not next_url or len(next_url) > NEXT_URL_MAX_LENGTH or not next_url.startswith("/"):
        return ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts=None):
        return ""
    return next_url


def magic_link_url(token: str) -> str:
    """The absolute URL of a login link, built on settings.SITE_URL (mail has no request)."""
    return urljoin(settings.SITE_URL, reverse("accounts:magic_link", args=[token]))


def request_magic_link(
    email: str, next_url: str = "", *, client_key: str | None = None
) -> str | None:
    """Create a one-time login link for the active account with `email` and email it.

    Anyone may call this (it is the public "email me a login link" form). The caller must
    answer the same way whether or not an account exists; this function helps by counting
    the rate limit for every address, known or not.

    Guarantees:
    - at most settings.MAGIC_LINK_REQUESTS_PER_HOUR requests per email address and per
      `client_key` (the client's IP address) per hour; above that it raises
      MagicLinkRateLimited and creates nothing;
    - only a SHA-256 hash of the token is stored; the link is valid for
      settings.MAGIC_LINK_TTL_MINUTES and for one login;
    - the email (in the user's preferred language) is sent after the transaction commits;
    - the token never appears in log messages.

    Returns the absolute login URL when a link was created, else None. Only the demo shows
    it on the page (settings.SHOW_MAGIC_LINK_ON_PAGE).
    """
    email = email.strip().lower()
    limit = settings.MAGIC_LINK_REQUESTS_PER_HOUR
    allowed = ratelimit.hit("magic_link_email", email, limit=limit, window_seconds=3600)
    if client_key is not None:
        allowed = (
            ratelimit.hit("magic_link_client", client_key, limit=limit, window_seconds=3600)
            and allowed
        )
    if not allowed:
        raise MagicLinkRateLimited

    user = User.objects.filter(email__iexact=email, is_active=True).first()
    if user is None:
        return None

    token = secrets.token_urlsafe(MAGIC_LINK_TOKEN_BYTES)
    url = magic_link_url(token)
    with transaction.atomic():
        link = MagicLink.objects.create(
            user=user,
            token_hash=hash_token(token),
            expires_at=timezone.now() + timedelta(minutes=settings.MAGIC_LINK_TTL_MINUTES),
            next_url=safe_next_path(next_url),
        )
        audit.record(user, "accounts.magic_link_requested", link)
        transaction.on_commit(lambda: _send_magic_link_email(user, url))
    return url


def _send_magic_link_email(user: User, url: str) -> None:
    context = {
        "user": user,
        "url": url,
        "ttl_minutes": settings.MAGIC_LINK_TTL_MINUTES,
        "platform_name": settings.PLATFORM_NAME,
    }
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        subject = render_to_string("accounts/email/magic_link_subject.txt", context).strip()
        body = render_to_string("accounts/email/magic_link_body.txt", context)
    send_mail(subject, body, None, [user.email])
    logger.info("Login link sent to user %s", user.pk)


def _find_magic_link(
    *, token_hash: str | None = None, pk: int | None = None, for_update: bool = False
) -> MagicLink:
    queryset = MagicLink.objects.select_related("user")
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    lookup = {"token_hash": token_hash} if token_hash is not None else {"pk": pk}
    link = queryset.filter(**lookup).first()
    if link is None or not link.user.is_active:
        raise MagicLinkInvalid
    if link.used_at is not None:
        raise MagicLinkUsed
    if link.expires_at <= timezone.now():
        raise MagicLinkExpired
    return link


def _token_hash(token: str) -> str:
    if len(token) != MAGIC_LINK_TOKEN_LENGTH:
        raise MagicLinkInvalid
    return hash_token(token)


def check_magic_link(token: str) -> MagicLink:
    """The usable link for `token`, without using it (the link page calls this).

    Raises MagicLinkInvalid, MagicLinkUsed or MagicLinkExpired. Writes nothing.
    """
    return _find_magic_link(token_hash=_token_hash(token))


def check_magic_link_by_id(link_id: int) -> MagicLink:
    """Like check_magic_link, for a link the session already checked by token."""
    return _find_magic_link(pk=link_id)


def consume_magic_link(token: str) -> MagicLink:
    """Use the login link `token` once and return it (its `user` is the one to log in).

    Anyone holding the link may call this. Guarantees: of any number of concurrent calls
    with the same link at most one succeeds (row lock plus a conditional UPDATE on
    `used_at IS NULL`); an expired, used or unknown link raises MagicLinkExpired,
    MagicLinkUsed or MagicLinkInvalid and changes nothing.
    """
    return _consume(token_hash=_token_hash(token))


def consume_magic_link_by_id(link_id: int) -> MagicLink:
    """Like consume_magic_link, for the link whose token the visitor showed earlier in this
    session (the login view keeps only the id, so the token leaves the URL and the logs)."""
    return _consume(pk=link_id)


def _consume(*, token_hash: str | None = None, pk: int | None = None) -> MagicLink:
    with transaction.atomic():
        link = _find_magic_link(token_hash=token_hash, pk=pk, for_update=True)
        now = timezone.now()
        claimed = MagicLink.objects.filter(
            pk=link.pk, used_at__isnull=True, expires_at__gt=now
        ).update(used_at=now)
        if claimed != 1:
            raise MagicLinkUsed
        link.used_at = now
        audit.record(link.user, "accounts.magic_link_used", link)
    return link


# --- second factor (TOTP) ------------------------------------------------------------------


class SecondFactorOutcome(StrEnum):
    VERIFIED = "verified"
    WRONG_CODE = "wrong_code"
    # django-otp's own throttle: after a wrong code the next try must wait 1, 2, 4… seconds.
    WAIT = "wait"
    # Our rate limit: SECOND_FACTOR_ATTEMPTS codes per user per SECOND_FACTOR_WINDOW_SECONDS.
    RATE_LIMITED = "rate_limited"


@dataclass(frozen=True)
class SecondFactorResult:
    outcome: SecondFactorOutcome
    device: TOTPDevice | None = None


def confirmed_totp_devices(user: User) -> list[TOTPDevice]:
    return list(TOTPDevice.objects.filter(user=user, confirmed=True))


def _count_attempt(user: User) -> bool:
    return ratelimit.hit(
        "second_factor",
        str(user.pk),
        limit=SECOND_FACTOR_ATTEMPTS,
        window_seconds=SECOND_FACTOR_WINDOW_SECONDS,
    )


def _check_device(device: TOTPDevice, token: str) -> SecondFactorOutcome:
    allowed, details = device.verify_is_allowed()
    if not allowed:
        reason = (details or {}).get("reason")
        if reason == VerifyNotAllowed.N_FAILED_ATTEMPTS:
            return SecondFactorOutcome.WAIT
        return SecondFactorOutcome.WRONG_CODE
    return (
        SecondFactorOutcome.VERIFIED
        if device.verify_token(token)
        else SecondFactorOutcome.WRONG_CODE
    )


def verify_second_factor(user: User, token: str) -> SecondFactorResult:
    """Check a 6-digit code against the user's confirmed authenticator apps.

    The logged-in user calls this for themselves. Guarantees: at most
    SECOND_FACTOR_ATTEMPTS tries per user per 15 minutes (then RATE_LIMITED, without
    checking the code); a code is accepted once (django-otp remembers the last time step).
    The caller marks the session verified with django_otp.login(request, result.device).
    """
    if not _count_attempt(user):
        return SecondFactorResult(SecondFactorOutcome.RATE_LIMITED)
    outcome = SecondFactorOutcome.WRONG_CODE
    for device in confirmed_totp_devices(user):
        with transaction.atomic():
            device_outcome = _check_device(device, token)
        if device_outcome == SecondFactorOutcome.VERIFIED:
            return SecondFactorResult(device_outcome, device)
        if device_outcome == SecondFactorOutcome.WAIT:
            outcome = device_outcome
    return SecondFactorResult(outcome)


def start_totp_setup(user: User) -> TOTPDevice:
    """The unconfirmed authenticator app the user is setting up (created on first call).

    Only for a user without a confirmed device: with one, a stolen password must not be
    enough to add another app, so this raises ValueError. Reusing the pending device keeps
    the QR code stable when the page is reloaded.
    """
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise ValueError("This user already has a confirmed authenticator app.")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is not None:
        return device
    with transaction.atomic():
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
        audit.record(user, "accounts.second_factor_setup_started", device)
    return device


def confirm_totp_setup(user: User, device: TOTPDevice, token: str) -> SecondFactorResult:
    """Confirm the pending authenticator app with a first code from it.

    The logged-in user calls this for themselves during setup. Guarantees: rate-limited
    like verify_second_factor; on success the device is confirmed, any other pending device
    of the user is removed and an audit entry is written, all in one transaction.
    """
    if device.user_id != user.pk or device.confirmed:
        raise ValueError("Only the user's own pending device can be confirmed.")
    if not _count_attempt(user):
        return SecondFactorResult(SecondFactorOutcome.RATE_LIMITED)
    with transaction.atomic():
        outcome = _check_device(device, token)
        if outcome != SecondFactorOutcome.VERIFIED:
            return SecondFactorResult(outcome)
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user, confirmed=False).exclude(pk=device.pk).delete()
        audit.record(user, "accounts.second_factor_enabled", device)
    return SecondFactorResult(outcome, device)


# --- login records and housekeeping --------------------------------------------------------


def record_login(user: User, method: str) -> None:
    """Audit a completed login step ("password", "totp"). Called by the login views right
    after django.contrib.auth.login / django_otp.login; the link and OIDC flows audit inside
    their own services. Writes one audit entry."""
    audit.record(user, "accounts.login", user, {"method": method})


def purge_expired_magic_links() -> int:
    """Delete login links whose expiry has passed (used or not); return how many.

    Called daily by the Celery beat task accounts.tasks.purge_expired_magic_links, and safe
    to call at any time: a link that can still be used is never deleted. The audit trail of
    a used link lives on in its "accounts.magic_link_used" entry.
    """
    with transaction.atomic():
        deleted, _ = MagicLink.objects.filter(expires_at__lte=timezone.now()).delete()
        if deleted:
            audit.record(None, "accounts.magic_links_purged", None, {"deleted": deleted})
    return deleted
