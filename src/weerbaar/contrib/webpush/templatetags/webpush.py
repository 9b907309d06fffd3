"""`{% webpush_config as webpush %}`: what the device toggle needs, so that
`{% include "webpush/_device_toggle.html" %}` works on any page without a context processor."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.urls import reverse

register = template.Library()


@register.simple_tag
def webpush_config() -> dict[str, Any]:
    """The VAPID public key (empty: push is off, the toggle renders nothing) and the URLs
    of the service worker and of the two subscription endpoints."""
    return {
        "public_key": settings.WEBPUSH_VAPID_PUBLIC_KEY,
        "service_worker_url": reverse("webpush:service_worker"),
        "subscribe_url": reverse("webpush:subscribe"),
        "unsubscribe_url": reverse("webpush:unsubscribe"),
    }
