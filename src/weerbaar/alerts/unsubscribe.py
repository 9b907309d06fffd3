"""Personal unsubscribe links: one per person and kind of message, in every email of that
kind, as List-Unsubscribe / List-Unsubscribe-Post headers (RFC 2369, RFC 8058) so a mail
program can offer "unsubscribe" with one click, and in the text wherever a template writes
`UNSUBSCRIBE_SLOT` (core.personal_slots): each recipient sees their own link there, and
whoever has no link of their own (a test email, a message kind one cannot unsubscribe
from) sees the link to the preferences page.

The link carries a signed token (person id + kind), not a login: whoever holds the email
may stop that kind of message, and nothing else. A tampered token is refused; using a link
twice just says it is already done. Tokens do not expire: an unsubscribe link in an old
email must keep working.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from django.conf import settings
from django.core import signing
from django.urls import get_urlconf, reverse

from weerbaar.alerts.models import MessageKind
from weerbaar.core.channels import register_email_headers
from weerbaar.core.personal_slots import register_personal_slot

if TYPE_CHECKING:
    from weerbaar.core.models import Delivery

SALT = "weerbaar.alerts.unsubscribe"

# OutboundMessage.kind values per kind of message a person can unsubscribe from.
OUTBOUND_KINDS: dict[MessageKind, tuple[str, ...]] = {
    MessageKind.ALERT: ("alert", "alert_update"),
    MessageKind.NEWSLETTER: ("newsletter",),
    MessageKind.EVENT_INVITATION: ("event_invitation",),
}
_KIND_OF_OUTBOUND = {outbound: kind for kind, names in OUTBOUND_KINDS.items() for outbound in names}


@dataclass(frozen=True)
class UnsubscribeRequest:
    person_id: int
    kind: MessageKind


def make_token(person_id: int, kind: MessageKind) -> str:
    return signing.dumps([person_id, kind.value], salt=SALT)


def read_token(token: str) -> UnsubscribeRequest | None:
    """What a token asks for; None when it was tampered with or is not a token at all."""
    try:
        person_id, kind = signing.loads(token, salt=SALT)
        return UnsubscribeRequest(int(person_id), MessageKind(kind))
    except (signing.BadSignature, ValueError, TypeError):
        return None


def unsubscribe_url(person_id: int, kind: MessageKind) -> str:
    before, after = _link_around_token(settings.SITE_URL, get_urlconf())
    return before + make_token(person_id, kind) + after


@lru_cache(maxsize=8)
def _link_around_token(site_url: str, urlconf: str | None) -> tuple[str, str]:
    """The absolute unsubscribe link before and after its token. Built once: reverse() and
    urljoin() per email cost more than signing the token, in every email of a fan-out to
    100,000 people. A token is URL-safe base64 and colons, which reverse() keeps as they
    are, like the slot that stands in for it here."""
    slot = "slot"
    link = urljoin(site_url, reverse("alerts_public:unsubscribe", args=[slot], urlconf=urlconf))
    before, _slot, after = link.rpartition(slot)
    return before, after


def preferences_url() -> str:
    """The absolute link to the portal page where a person chooses what they receive."""
    return _preferences_url(settings.SITE_URL, get_urlconf())


@lru_cache(maxsize=8)
def _preferences_url(site_url: str, urlconf: str | None) -> str:
    return urljoin(site_url, reverse("alerts_portal:preferences", urlconf=urlconf))


def kind_of_message(outbound_kind: str) -> MessageKind | None:
    return _KIND_OF_OUTBOUND.get(outbound_kind)


@register_email_headers
def unsubscribe_headers(delivery: Delivery) -> dict[str, str]:
    kind = kind_of_message(delivery.message.kind)
    if kind is None or delivery.recipient_id is None:
        return {}
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(delivery.recipient_id, kind)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def _unsubscribe_link(delivery: Delivery) -> str:
    kind = kind_of_message(delivery.message.kind)
    if kind is None or delivery.recipient_id is None:
        return preferences_url()
    return unsubscribe_url(delivery.recipient_id, kind)


UNSUBSCRIBE_SLOT = register_personal_slot("weerbaar-personal-unsubscribe-link", _unsubscribe_link)
