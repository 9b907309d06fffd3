"""Reports (meldingen): categories, routing rules, the report, its timeline and attachments.

Writes go through `weerbaar.reports.services`; the state machine is `workflow.py`.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from weerbaar.core.models import TimeStampedModel


class ReportCategory(models.Model):
    """A node of the category tree (DOMAIN.md). Groups have no parent; reporters pick a leaf.

    Texts are data in both languages so administrators can edit them; `label`, `help` and
    `signals_text` pick the one for the active language.
    """

    parent = models.ForeignKey(
        "self",
        verbose_name=_("group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name (Dutch)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    help_text = models.TextField(_("help text (Dutch)"), blank=True)
    help_text_en = models.TextField(_("help text (English)"), blank=True)
    signals = models.TextField(
        _("signals to recognise (Dutch)"),
        blank=True,
        help_text=_("One signal per line, shown to reporters as a checklist."),
    )
    signals_en = models.TextField(_("signals to recognise (English)"), blank=True)
    is_confidential = models.BooleanField(
        _("confidential"),
        default=False,
        help_text=_("Only staff designated for confidential reports may see these reports."),
    )
    first_response_days = models.PositiveSmallIntegerField(
        _("first response within (working days)"),
        default=2,
        validators=[MaxValueValidator(60)],
    )
    feedback_days = models.PositiveSmallIntegerField(
        _("feedback within (working days)"), default=10, validators=[MaxValueValidator(250)]
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("report category")
        verbose_name_plural = _("report categories")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.label

    def _localised(self, dutch: str, english: str) -> str:
        language = get_language() or "nl"
        return english if language.startswith("en") and english else dutch

    @property
    def label(self) -> str:
        return self._localised(self.name, self.name_en)

    @property
    def help(self) -> str:
        return self._localised(self.help_text, self.help_text_en)

    @property
    def signal_list(self) -> list[str]:
        text = self._localised(self.signals, self.signals_en)
        return [line.strip() for line in text.splitlines() if line.strip()]

    @property
    def group_code(self) -> str:
        return self.parent.code if self.parent is not None else self.code


class RoutingRule(models.Model):
    """Category × place → handling organisation and team. Rules are tried by `priority`
    (lowest first); the first whose conditions all match wins. An empty condition matches
    everything; a rule on a category group matches every category in the group."""

    priority = models.PositiveIntegerField(_("priority"), default=100)
    category = models.ForeignKey(
        ReportCategory,
        verbose_name=_("category or group"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="routing_rules",
    )
    municipality = models.ForeignKey(
        "network.Municipality",
        verbose_name=_("municipality"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="routing_rules",
    )
    area = models.ForeignKey(
        "network.Area",
        verbose_name=_("area"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="routing_rules",
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("handling organisation"),
        on_delete=models.PROTECT,
        related_name="routing_rules",
    )
    team = models.CharField(_("team"), max_length=100, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["priority", "id"]

    def __str__(self) -> str:
        return f"{self.priority}: → {self.organisation}"


class ReportStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    TRIAGE = "triage", _("Being assessed")
    IN_PROGRESS = "in_progress", _("In progress")
    FORWARDED = "forwarded", _("Forwarded")
    WAITING_FOR_REPORTER = "waiting_for_reporter", _("Waiting for the reporter")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")
    DUPLICATE = "duplicate", _("Duplicate")
    REOPENED = "reopened", _("Reopened")


class ReportChannel(models.TextChoices):
    WEB = "web", _("Website")
    PORTAL = "portal", _("Entrepreneur portal")
    API = "api", _("API")
    PHONE = "phone", _("Phone (entered by staff)")
    EVENT = "event", _("Ondernemers Alert evening (entered by staff)")
    COUNTER = "counter", _("In person (entered by staff)")
    EMAIL = "email", _("Email (entered by staff)")


STAFF_CHANNELS = (
    ReportChannel.PHONE,
    ReportChannel.EVENT,
    ReportChannel.COUNTER,
    ReportChannel.EMAIL,
)


class Report(TimeStampedModel):
    """One signal from an entrepreneur.

    An anonymous report stores nothing that identifies its reporter: no account, name,
    contact details, IP address or device data; the reporter follows it with a receipt code
    of which only a slow hash is stored (`receipt_code_hash`).
    """

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    municipality = models.ForeignKey(
        "network.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="reports",
    )
    area = models.ForeignKey(
        "network.Area",
        verbose_name=_("area"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    business = models.ForeignKey(
        "network.Business",
        verbose_name=_("business"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    category = models.ForeignKey(
        ReportCategory,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="reports",
    )
    is_confidential = models.BooleanField(_("confidential"), default=False)
    description = models.TextField(_("what did you see?"))
    occurred_at = models.DateTimeField(_("when did it happen?"))
    location_text = models.CharField(_("where"), max_length=200, blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=8,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    channel = models.CharField(_("channel"), max_length=20, choices=ReportChannel.choices)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_anonymous = models.BooleanField(_("anonymous"), default=False)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reporter account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    reporter_name = models.CharField(_("reporter's name"), max_length=150, blank=True)
    reporter_email = models.EmailField(_("reporter's email address"), blank=True)
    reporter_phone = models.CharField(_("reporter's phone number"), max_length=20, blank=True)
    receipt_code_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)

    status = models.CharField(
        _("status"),
        max_length=30,
        choices=ReportStatus.choices,
        default=ReportStatus.RECEIVED,
        db_index=True,
    )
    # Bumped by every change; a change based on an older version is refused (two handlers).
    version = models.PositiveIntegerField(default=1)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("handling organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reports",
    )
    team = models.CharField(_("team"), max_length=100, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handler"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_reports",
    )
    first_response_due = models.DateField(_("first response due"))
    feedback_due = models.DateField(_("feedback due"))
    first_response_at = models.DateTimeField(_("first response at"), null=True, blank=True)
    feedback_at = models.DateTimeField(_("feedback given at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("duplicate of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duplicates",
    )
    is_satisfied = models.BooleanField(_("reporter satisfied"), null=True, blank=True)
    satisfaction_comment = models.TextField(_("reporter's comment"), blank=True)
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-created_at", "-id"]
        indexes = [
            # Counting the queue (scope, confidentiality, open states) from the index alone.
            models.Index(fields=["municipality", "is_confidential", "status"]),
            models.Index(fields=["is_confidential", "status"]),
            models.Index(fields=["status", "feedback_due"]),
            models.Index(fields=["area", "-created_at"]),
            models.Index(fields=["assignee", "status"]),
            models.Index(fields=["-created_at", "-id"]),
            # The queue sorted by deadline walks this index and stops after one page.
            models.Index(fields=["feedback_due", "id"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_anonymous=False)
                | Q(
                    reporter__isnull=True,
                    reporter_name="",
                    reporter_email="",
                    reporter_phone="",
                ),
                name="report_anonymous_has_no_identity",
            )
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        from weerbaar.reports.workflow import OPEN_STATES

        return self.status in OPEN_STATES

    @property
    def is_overdue(self) -> bool:
        today = timezone.localdate()
        if not self.is_open:
            return False
        if self.first_response_at is None and self.first_response_due < today:
            return True
        return self.feedback_at is None and self.feedback_due < today

    @property
    def contact_email(self) -> str:
        """Where feedback goes for an identified reporter ('' when there is nowhere)."""
        if self.is_anonymous:
            return ""
        if self.reporter_id is not None and self.reporter is not None:
            return self.reporter.email
        return self.reporter_email


class EventKind(models.TextChoices):
    SUBMITTED = "submitted", _("Report received")
    STATUS_CHANGED = "status_changed", _("Status changed")
    ROUTED = "routed", _("Assigned to an organisation")
    FORWARDED = "forwarded", _("Forwarded")
    ASSIGNED = "assigned", _("Handler assigned")
    MESSAGE_TO_REPORTER = "message_to_reporter", _("Message to the reporter")
    MESSAGE_FROM_REPORTER = "message_from_reporter", _("Message from the reporter")
    INTERNAL_NOTE = "internal_note", _("Internal note")
    ATTACHMENT_ADDED = "attachment_added", _("Attachment added")
    DUPLICATE_LINKED = "duplicate_linked", _("Linked as duplicate")
    SATISFACTION = "satisfaction", _("Reporter's verdict")
    REOPEN_REQUESTED = "reopen_requested", _("Reporter asked to reopen")
    ANONYMISED = "anonymised", _("Anonymised")


# Events the reporter sees on the receipt page and in the portal.
REPORTER_VISIBLE_EVENTS = (
    EventKind.SUBMITTED,
    EventKind.STATUS_CHANGED,
    EventKind.MESSAGE_TO_REPORTER,
    EventKind.MESSAGE_FROM_REPORTER,
    EventKind.SATISFACTION,
    EventKind.REOPEN_REQUESTED,
)


class ReportEvent(models.Model):
    """One entry of a report's timeline. Append-only."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=30, choices=EventKind.choices)
    from_status = models.CharField(max_length=30, choices=ReportStatus.choices, blank=True)
    to_status = models.CharField(max_length=30, choices=ReportStatus.choices, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # "reporter", "staff" or "system": who wrote it, without naming an anonymous reporter.
    author_kind = models.CharField(max_length=10, default="staff")
    text = models.TextField(_("text"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("report event")
        verbose_name_plural = _("report events")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["report", "created_at"])]

    def __str__(self) -> str:
        return f"{self.report_id} {self.kind}"

    @property
    def is_visible_to_reporter(self) -> bool:
        return self.kind in REPORTER_VISIBLE_EVENTS


def private_storage() -> Storage:
    """Attachments never get a public URL; a view checks permission and streams them."""
    return storages["private"]


def attachment_path(instance: ReportAttachment, filename: str) -> str:
    # A random name: the original file name may identify the reporter.
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"reports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{extension}"


class ReportAttachment(models.Model):
    """A photo or PDF, stripped of metadata before it was stored."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="attachments")
    event = models.ForeignKey(
        ReportEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=attachment_path, storage=private_storage)
    file_name = models.CharField(_("file name"), max_length=150)
    content_type = models.CharField(_("type"), max_length=50)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    from_reporter = models.BooleanField(default=True)
    created_at = models.DateTimeField(_("added at"), default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.file_name


class RetentionMode(models.TextChoices):
    ANONYMISE = "anonymise", _("Anonymise (keep figures, remove content and identity)")
    DELETE = "delete", _("Delete completely")


class MunicipalityReportSettings(models.Model):
    """What differs per municipality for reports: retention and the reporter guidance."""

    municipality = models.OneToOneField(
        "network.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.CASCADE,
        related_name="report_settings",
    )
    retention_days = models.PositiveIntegerField(
        _("keep closed reports for (days)"),
        default=365,
        validators=[MinValueValidator(30), MaxValueValidator(3650)],
    )
    retention_mode = models.CharField(
        _("after that"),
        max_length=20,
        choices=RetentionMode.choices,
        default=RetentionMode.ANONYMISE,
    )
    reopen_window_days = models.PositiveSmallIntegerField(
        _("reporters may ask to reopen within (days)"),
        default=30,
        validators=[MaxValueValidator(365)],
    )
    close_resolved_after_days = models.PositiveSmallIntegerField(
        _("close resolved reports without a verdict after (days)"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    closed_days = models.JSONField(
        _("extra closed days"),
        default=list,
        blank=True,
        help_text=_("Dates (YYYY-MM-DD) on which the municipality is closed, besides holidays."),
    )

    class Meta:
        verbose_name = _("report settings")
        verbose_name_plural = _("report settings")

    def __str__(self) -> str:
        return str(self.municipality)

    def closed_dates(self) -> list[Any]:
        import datetime

        return [datetime.date.fromisoformat(value) for value in self.closed_days]
