"""Alerts (waarschuwingen): time-critical messages to a targeted part of the network, and
what each person chose to receive.

An `Alert` names its target (municipalities, areas, SBI sectors, or the whole network);
who that reaches is decided when it is published (`alerts.audience`), from the registry:
people linked to an active business in the target who gave consent for alerts. What they
are sent becomes one `core.OutboundMessage` with a `Delivery` per person × channel; an
`AlertUpdate` ("suspect arrested", "all clear") goes to the same people.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from weerbaar.core.models import TimeStampedModel
from weerbaar.network.models import Area, ConsentPurpose, Municipality


class MessageKind(models.TextChoices):
    """The kinds of message a person chooses channels for (and can unsubscribe from)."""

    ALERT = "alert", _("Alerts")
    NEWSLETTER = "newsletter", _("Newsletter")
    EVENT_INVITATION = "event_invitation", _("Event invitations")

    @property
    def consent_purpose(self) -> ConsentPurpose:
        return {
            MessageKind.ALERT: ConsentPurpose.ALERTS,
            MessageKind.NEWSLETTER: ConsentPurpose.NEWSLETTER,
            MessageKind.EVENT_INVITATION: ConsentPurpose.EVENT_INVITATIONS,
        }[self]


class Severity(models.TextChoices):
    INFORMATION = "information", _("Information")
    WARNING = "warning", _("Warning")
    URGENT = "urgent", _("Urgent")


class AlertCategory(models.TextChoices):
    ROBBERY = "robbery", _("Robbery or robbery crew")
    BURGLARY = "burglary", _("Burglary (series)")
    COUNTERFEIT_MONEY = "counterfeit_money", _("Counterfeit money")
    FRAUD = "fraud", _("Fraud or scam")
    PHISHING = "phishing", _("Phishing or cyber attack")
    SHOPLIFTING = "shoplifting", _("Shoplifting (gang)")
    SUSPICIOUS = "suspicious", _("Suspicious persons or vehicles")
    DISRUPTION = "disruption", _("Disruption or public safety")
    OTHER = "other", _("Other")


class AlertStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Alert(TimeStampedModel):
    """A warning to part of the network. `municipality` is the owner (whose staff manage
    it); None only for platform-wide alerts by a platform administrator."""

    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="alerts",
    )
    title = models.CharField(_("title"), max_length=120)
    message = models.TextField(_("message"), max_length=2000)
    severity = models.CharField(
        _("severity"), max_length=20, choices=Severity.choices, default=Severity.WARNING
    )
    category = models.CharField(_("category"), max_length=30, choices=AlertCategory.choices)
    advice = models.TextField(_("what to do"), max_length=1000, blank=True)
    link_url = models.URLField(_("link"), max_length=500, blank=True)
    expires_at = models.DateTimeField(_("expires at"))

    whole_network = models.BooleanField(_("the whole network"), default=False)
    target_municipalities = models.ManyToManyField(
        Municipality, verbose_name=_("municipalities"), blank=True, related_name="+"
    )
    target_areas = models.ManyToManyField(
        Area, verbose_name=_("areas"), blank=True, related_name="alerts"
    )
    # SBI codes or their leading digits ("47" = all retail); empty = every sector.
    target_sectors = models.JSONField(_("sectors (SBI)"), default=list, blank=True)

    status = models.CharField(
        _("status"), max_length=20, choices=AlertStatus.choices, default=AlertStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    rejection_reason = models.TextField(_("reason for sending back"), blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"),
        max_length=200,
        blank=True,
        help_text=_("Shown with the alert, for example 'Suspect arrested'."),
    )
    # Deliveries per channel created when it was published; the deliveries say how far they got.
    reach = models.JSONField(_("reach at publication"), default=dict, blank=True)

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["municipality", "status"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_live(self) -> bool:
        return self.status == AlertStatus.PUBLISHED and not self.is_expired


class UpdateKind(models.TextChoices):
    UPDATE = "update", _("Update")
    SUSPECT_ARRESTED = "suspect_arrested", _("Suspect arrested")
    ALL_CLEAR = "all_clear", _("All clear")


class AlertUpdate(models.Model):
    """A follow-up to a published alert; reaches the people the alert reached."""

    alert = models.ForeignKey(
        Alert, verbose_name=_("alert"), on_delete=models.CASCADE, related_name="updates"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=UpdateKind.choices)
    text = models.TextField(_("text"), max_length=1000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("alert update")
        verbose_name_plural = _("alert updates")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.alert}: {self.get_kind_display()}"


class AlertSettings(models.Model):
    """Per municipality: whether an alert needs a second person's approval (four eyes)."""

    municipality = models.OneToOneField(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.CASCADE,
        related_name="alert_settings",
    )
    requires_approval = models.BooleanField(
        _("a second person approves every alert"),
        default=False,
        help_text=_("Alerts by ambassadors always need approval by staff."),
    )

    class Meta:
        verbose_name = _("alert settings")
        verbose_name_plural = _("alert settings")

    def __str__(self) -> str:
        return str(self.municipality)


class ChannelPreference(models.Model):
    """A person's choice for one kind of message on one channel. Without a row the default
    in `alerts.preferences.DEFAULT_CHANNELS` applies."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="channel_preferences",
    )
    kind = models.CharField(_("kind of message"), max_length=30, choices=MessageKind.choices)
    channel = models.CharField(_("channel"), max_length=30)
    enabled = models.BooleanField(_("receive"))

    class Meta:
        verbose_name = _("channel preference")
        verbose_name_plural = _("channel preferences")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind", "channel"], name="alerts_preference_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.kind} · {self.channel}: {self.enabled}"


class RecipientSettings(models.Model):
    """Quiet hours and the global opt-out of one person."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="recipient_settings",
    )
    quiet_hours_start = models.TimeField(_("quiet from"), null=True, blank=True)
    quiet_hours_end = models.TimeField(_("quiet until"), null=True, blank=True)
    urgent_alerts_break_quiet_hours = models.BooleanField(
        _("urgent alerts may reach me during quiet hours"), default=False
    )
    opted_out_at = models.DateTimeField(_("opted out of all messages at"), null=True, blank=True)

    class Meta:
        verbose_name = _("recipient settings")
        verbose_name_plural = _("recipient settings")

    def __str__(self) -> str:
        return str(self.person)
