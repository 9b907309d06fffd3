"""A newsletter as it goes out and as it is read on the web: the blocks rendered once.

The email has an HTML part (the blocks in a plain, self-contained layout: no images, no
remote resources, no tracking pixels and no redirecting links, so opening or clicking is
seen by nobody) and a text part; the web version (`views_public`) and the staff preview
render the same block HTML inside the site. The personal one-click unsubscribe travels in
the email headers (`alerts.unsubscribe`); the footer links to the web version and to the
portal page where anyone changes what they receive.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import SafeString

from weerbaar.alerts.unsubscribe import UNSUBSCRIBE_SLOT, preferences_url
from weerbaar.core.outbox import one_line
from weerbaar.newsletters.blocks import UnknownBlockTypeError, get_block_type
from weerbaar.newsletters.models import Newsletter, NewsletterBlock


@dataclass(frozen=True)
class RenderedBlock:
    block: NewsletterBlock
    html: SafeString
    text: str


@dataclass(frozen=True)
class NewsletterContent:
    subject: str
    body_text: str
    body_html: str
    short_text: str
    url: str


def web_url(newsletter: Newsletter) -> str:
    path = reverse("newsletters_public:web_version", args=[newsletter.public_id])
    return urljoin(settings.SITE_URL, path)


def rendered_blocks(newsletter: Newsletter) -> list[RenderedBlock]:
    """The newsletter's blocks in order, each as HTML and text. A block whose type is no
    longer registered (a module taken out) is left out rather than breaking the rest."""
    rendered = []
    for block in newsletter.blocks.all():
        try:
            block_type = get_block_type(block.kind)
        except UnknownBlockTypeError:
            continue
        rendered.append(
            RenderedBlock(
                block, block_type.render_html(block.data), block_type.render_text(block.data)
            )
        )
    return rendered


def newsletter_content(newsletter: Newsletter, *, test: bool = False) -> NewsletterContent:
    """Subject, text and HTML of the email, in the platform's language (staff write in
    Dutch). A test email says so in its subject."""
    url = web_url(newsletter)
    blocks = rendered_blocks(newsletter)
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "newsletter": newsletter,
            "blocks": blocks,
            "url": url,
            "preferences_url": preferences_url(),
            "unsubscribe_link": UNSUBSCRIBE_SLOT,
            "sender": newsletter.municipality.name
            if newsletter.municipality
            else settings.PLATFORM_NAME,
            "test": test,
        }
        subject = render_to_string("newsletters/email/subject.txt", context)
        body_text = render_to_string("newsletters/email/newsletter.txt", context)
        body_html = render_to_string("newsletters/email/newsletter.html", context)
    return NewsletterContent(
        subject=one_line(subject),
        body_text=body_text.strip() + "\n",
        body_html=body_html,
        short_text=one_line(newsletter.title),
        url=url,
    )
