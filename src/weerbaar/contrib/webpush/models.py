from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PushSubscription(models.Model):
    """One browser on one device that agreed to show this user's push notifications.

    The endpoint is the push service's address for that browser (unique: a browser belongs
    to whoever subscribed from it last); p256dh and auth are the keys the payload is
    encrypted with. Nothing else about the device is kept: no user agent, no IP address.
    Rows are removed when the user turns notifications off, or when the push service says
    the subscription is gone (404/410).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="push_subscriptions",
    )
    endpoint = models.URLField(_("push service endpoint"), max_length=1000, unique=True)
    # Unpadded base64url: a 65-byte P-256 point is 87 characters, a 16-byte secret 22.
    p256dh = models.CharField(_("public key (p256dh)"), max_length=88)
    auth = models.CharField(_("authentication secret"), max_length=24)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_success_at = models.DateTimeField(_("last delivered at"), null=True, blank=True)
    failure_count = models.PositiveIntegerField(
        _("failures in a row"),
        default=0,
        help_text=_("Failed sends since the last one the push service accepted."),
    )

    class Meta:
        verbose_name = _("push subscription")
        verbose_name_plural = _("push subscriptions")
        ordering = ["user_id", "pk"]

    def __str__(self) -> str:
        # Not the endpoint: whoever holds it (and our key) can send to the device.
        return f"{self.push_service} ({self.user_id})"

    @property
    def push_service(self) -> str:
        """The push service's host, e.g. fcm.googleapis.com: which browser family it is."""
        return urlsplit(self.endpoint).hostname or ""
