"""Shared kernel models: base classes and the audit log. No domain logic."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class AuditEntry(models.Model):
    """One audited action: who did what to which object, when. Append-only."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Kept when the user is deleted, so the trail stays readable.
    actor_label = models.CharField(_("actor label"), max_length=254, blank=True)
    action = models.CharField(_("action"), max_length=100, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"


class OutboundMessage(models.Model):
    """One message to send (report feedback, an alert, a newsletter), rendered once.

    What it is sent to, and how far sending got, lives in its `Delivery` rows; see
    `weerbaar.core.outbox` for the guarantees."""

    kind = models.CharField(
        _("kind"), max_length=60, db_index=True, help_text=_("For example report_feedback.")
    )
    # Not "subject": that msgid is the OIDC subject ("kenmerk") in accounts.
    subject = models.CharField(_("subject line"), max_length=255)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML text"), blank=True)
    short_text = models.CharField(
        _("short text"),
        max_length=320,
        blank=True,
        help_text=_("Plain text for SMS and push notifications; empty: the subject line."),
    )
    url = models.URLField(
        _("link"),
        max_length=500,
        blank=True,
        help_text=_("Where the recipient reads the whole message (opened from a notification)."),
    )
    headers = models.JSONField(
        _("extra headers"),
        default=dict,
        blank=True,
        help_text=_("Extra email headers, for example List-Unsubscribe."),
    )
    # What the message is about, as label + primary key: the outbox stays free of domain
    # models, and the reference outlives the object it names.
    source_type = models.CharField(_("source type"), max_length=100, blank=True)
    source_id = models.CharField(_("source id"), max_length=64, blank=True)
    municipality = models.ForeignKey(
        "network.Municipality",
        verbose_name=_("municipality"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["source_type", "source_id"])]

    def __str__(self) -> str:
        return f"{self.kind}: {self.subject}"


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    SENDING = "sending", _("sending")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")
    CANCELLED = "cancelled", _("cancelled")
    # Sent, but the receiving side reported later that the email did not arrive (a bounce).
    BOUNCED = "bounced", _("bounced")


class Delivery(models.Model):
    """One message to one recipient through one channel, and how far sending it got.

    A FAILED row with a `next_attempt_at` is retried at that time; without one it failed for
    good (permanent error or out of attempts). A BOUNCED row was sent and is never sent again;
    `last_error` says why it did not arrive."""

    message = models.ForeignKey(
        OutboundMessage,
        verbose_name=_("message"),
        on_delete=models.CASCADE,
        related_name="deliveries",
        # The unique constraint (message, channel, address) serves lookups by message; a
        # second index would be one more entry to write for every row and status change.
        db_index=False,
    )
    channel = models.CharField(_("channel"), max_length=30)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    address = models.CharField(
        _("address"), max_length=254, help_text=_("Email address, phone number or user id.")
    )
    language = models.CharField(_("language"), max_length=10, default="nl")
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(
        _("next attempt at"),
        null=True,
        blank=True,
        help_text=_("When the next attempt is due; empty when none will follow."),
    )
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    bounced_at = models.DateTimeField(
        _("bounced at"),
        null=True,
        blank=True,
        help_text=_("When the receiving side reported that the email did not arrive."),
    )
    # The email provider's own id (django-anymail), to match its bounce reports when they do
    # not echo our metadata. A database default too: `store_for_people` inserts rows in SQL.
    provider_message_id = models.CharField(
        _("provider message id"), max_length=255, blank=True, default="", db_default=""
    )
    read_at = models.DateTimeField(
        _("read at"),
        null=True,
        blank=True,
        help_text=_("When the recipient opened it, for channels that can tell (the inbox)."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["message", "channel", "address"], name="core_delivery_once_per_address"
            )
        ]
        indexes = [
            # Only rows that still move: a SENT (or cancelled, bounced) row leaves the index,
            # so the hundreds of thousands of finished rows cost the redrive nothing and
            # marking a row SENT writes one index entry less.
            models.Index(
                fields=["status", "next_attempt_at"],
                name="core_delivery_pending",
                condition=models.Q(status__in=["queued", "sending", "failed"]),
            ),
            # Partial: most rows have none (SMTP, SMS, inbox), and a fan-out to 100,000 people
            # should not write 100,000 empty keys.
            models.Index(
                fields=["provider_message_id"],
                condition=~models.Q(provider_message_id=""),
                name="core_delivery_provider_id",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} → {self.address} ({self.status})"

    @property
    def will_retry(self) -> bool:
        return self.status == DeliveryStatus.FAILED and self.next_attempt_at is not None


class SuppressedAddress(models.Model):
    """An email address that bounced for good: the email channel queues nothing more to it
    (`EmailChannel.addresses_for`), because mailing an address that refuses harms the
    delivery of every other email. The person sees it on their preferences page and can have
    it tried again; staff can delete the row in the admin (`outbox.lift_suppression`)."""

    address = models.EmailField(_("email address"), max_length=254, unique=True)
    reason = models.CharField(_("reason"), max_length=1000, blank=True)
    delivery = models.ForeignKey(
        Delivery,
        verbose_name=_("bounced delivery"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("suppressed since"), auto_now_add=True)

    class Meta:
        verbose_name = _("suppressed email address")
        verbose_name_plural = _("suppressed email addresses")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.address
