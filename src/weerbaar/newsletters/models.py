"""Newsletters (nieuwsbrieven): between incidents, a newsletter keeps the network alive.

A `Newsletter` is composed from `NewsletterBlock`s (the types are a registry in
`newsletters.blocks`, open to other modules) and goes to a `Segment`: a saved, named
description of a part of the network (municipalities or areas, sectors, roles, "joined this
year") that is evaluated when the newsletter is sent, so a segment stays current by itself.
Sending creates one `core.OutboundMessage` with a `Delivery` per person × channel, like an
alert; the web version is the same blocks on a public page behind an unguessable link.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from weerbaar.core.models import TimeStampedModel
from weerbaar.network.models import Area, Municipality


class SegmentRole(models.TextChoices):
    """Who at a business (or in the network) a segment is for; empty: everyone."""

    OWNER = "owner", _("Owners")
    MANAGER = "manager", _("Managers")
    EMPLOYEE = "employee", _("Employees")
    AMBASSADOR = "ambassador", _("Ambassadors")


class JoinedWithin(models.TextChoices):
    """A live condition on when a business joined the network, relative to the send date."""

    THIS_YEAR = "this_year", _("Joined this year")
    LAST_30_DAYS = "last_30_days", _("Joined in the last 30 days")
    LAST_90_DAYS = "last_90_days", _("Joined in the last 90 days")
    LAST_12_MONTHS = "last_12_months", _("Joined in the last 12 months")


class Segment(TimeStampedModel):
    """A saved audience for newsletters. `municipality` owns it (whose staff use it); None
    only for platform-wide segments of a platform administrator."""

    name = models.CharField(_("name"), max_length=100)
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="newsletter_segments",
    )
    whole_network = models.BooleanField(_("the whole network"), default=False)
    municipalities = models.ManyToManyField(
        Municipality, verbose_name=_("municipalities"), blank=True, related_name="+"
    )
    areas = models.ManyToManyField(Area, verbose_name=_("areas"), blank=True, related_name="+")
    # SBI codes or their leading digits; empty: every sector.
    sectors = models.JSONField(_("sectors (SBI)"), default=list, blank=True)
    # SegmentRole values; empty: everyone.
    roles = models.JSONField(_("roles"), default=list, blank=True)
    joined_within = models.CharField(
        _("joined the network"), max_length=20, choices=JoinedWithin.choices, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class NewsletterStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")


class Newsletter(TimeStampedModel):
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="newsletters",
    )
    title = models.CharField(_("title"), max_length=150)
    intro = models.TextField(_("introduction"), max_length=1000, blank=True)
    segment = models.ForeignKey(
        Segment,
        verbose_name=_("segment"),
        on_delete=models.PROTECT,
        related_name="newsletters",
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=NewsletterStatus.choices,
        default=NewsletterStatus.DRAFT,
    )
    scheduled_for = models.DateTimeField(_("send at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The web version's address; unguessable, so only those who got the link find it.
    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    # Deliveries per channel created when it was sent; set last, it marks the fan-out done.
    reach = models.JSONField(_("reach at sending"), default=dict, blank=True)

    class Meta:
        verbose_name = _("newsletter")
        verbose_name_plural = _("newsletters")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["municipality", "status"]),
            models.Index(fields=["status", "scheduled_for"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_editable(self) -> bool:
        return self.status == NewsletterStatus.DRAFT


class NewsletterBlock(models.Model):
    """One block of a newsletter: a type from the registry (`newsletters.blocks`) and its
    content as that type stores it."""

    newsletter = models.ForeignKey(
        Newsletter, verbose_name=_("newsletter"), on_delete=models.CASCADE, related_name="blocks"
    )
    kind = models.CharField(_("kind of block"), max_length=40)
    position = models.PositiveIntegerField(_("position"))
    data = models.JSONField(_("content"), default=dict)

    class Meta:
        verbose_name = _("newsletter block")
        verbose_name_plural = _("newsletter blocks")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.newsletter} · {self.kind} {self.position}"
