"""What the network registry tells people, queued in the delivery outbox (core.outbox)."""

from __future__ import annotations

from urllib.parse import urljoin

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from weerbaar.accounts.models import User
from weerbaar.alerts.unsubscribe import preferences_url
from weerbaar.core.outbox import Recipient, queue_message, split_subject
from weerbaar.network.models import Municipality


def welcome_new_member(person: User) -> None:
    """The welcome message to someone who joined the network (first consent for
    membership): what the network does for them and where to start. It goes to their email
    and their messages in the portal. The start package joins it once that module exists."""
    municipality = (
        Municipality.objects.filter(businesses__people__person=person).order_by("name").first()
    )
    portal_url = urljoin(settings.SITE_URL, reverse("portal:dashboard"))
    context = {
        "person": person,
        "municipality": municipality,
        "portal_url": portal_url,
        "preferences_url": preferences_url(),
        "report_url": urljoin(settings.SITE_URL, reverse("reports_portal:new")),
    }
    with translation.override(person.preferred_language or settings.LANGUAGE_CODE):
        body = render_to_string("network/email/welcome.txt", context)
    subject, text = split_subject(body)
    queue_message(
        kind="welcome",
        subject=subject,
        body_text=text,
        url=portal_url,
        recipients=[
            Recipient(address=person.email, user=person, language=person.preferred_language)
        ],
        channels=("email", "inbox"),
        source=person,
        municipality=municipality,
    )
