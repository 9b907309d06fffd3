"""The texts of an alert and its updates as they go out: email subject and body, the short
text for SMS and push, and the link to the alert page in the portal.

Rendered once per alert in the platform's language (staff write alerts in Dutch); the
personal unsubscribe link is a slot in this shared text, filled in per recipient
(alerts.unsubscribe), and travels in the email headers too. Everything is plain text:
whatever HTML an author types is shown as typed.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from weerbaar.alerts.models import Alert, AlertUpdate, Severity
from weerbaar.alerts.unsubscribe import UNSUBSCRIBE_SLOT
from weerbaar.core.outbox import one_line

SHORT_TEXT_LENGTH = 320


@dataclass(frozen=True)
class MessageContent:
    subject: str
    body_text: str
    short_text: str
    url: str


def alert_url(alert: Alert) -> str:
    return urljoin(settings.SITE_URL, reverse("alerts_portal:detail", args=[alert.pk]))


def alert_message(alert: Alert) -> MessageContent:
    url = alert_url(alert)
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "alert": alert,
            "url": url,
            "urgent": alert.severity == Severity.URGENT,
            "unsubscribe_link": UNSUBSCRIBE_SLOT,
        }
        subject = render_to_string("alerts/email/alert_subject.txt", context)
        body = render_to_string("alerts/email/alert.txt", context)
        short = render_to_string("alerts/email/alert_short.txt", context)
    return MessageContent(one_line(subject), body.strip() + "\n", _short(short, url), url)


def update_message(alert: Alert, update: AlertUpdate) -> MessageContent:
    url = alert_url(alert)
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "alert": alert,
            "update": update,
            "url": url,
            "unsubscribe_link": UNSUBSCRIBE_SLOT,
        }
        subject = render_to_string("alerts/email/update_subject.txt", context)
        body = render_to_string("alerts/email/update.txt", context)
        short = render_to_string("alerts/email/update_short.txt", context)
    return MessageContent(one_line(subject), body.strip() + "\n", _short(short, url), url)


def _short(text: str, url: str) -> str:
    """One line that leaves room for the link (SMS and push show both)."""
    room = SHORT_TEXT_LENGTH - len(url) - 1
    line = one_line(text)
    if len(line) > room:
        line = line[: room - 1].rstrip() + "…"
    return f"{line} {url}"
