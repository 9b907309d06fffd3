"""Intake: every way a report comes in ends in `submit_report()`.

The public form, the entrepreneur portal, staff entering a report on behalf of a caller and
the API all build a `ReportIntake` and call `submit_report()`. It validates everything
first (a `ValidationError` with a message per field; nothing is written then), then stores
the report, its timeline, its attachments and (when staff entered it) an audit entry in one
transaction, routes it, computes its deadlines and, for an identified reporter, queues the
acknowledgement email on commit. A report is committed before the caller can answer 2xx.

Anonymity: for an anonymous report nothing identifying is stored — no account link, name,
contact details, IP address or user agent (none of them are even parameters), and the
attachments have been stripped of metadata. The receipt code is returned once and only its
slow hash is kept.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from weerbaar.accounts.models import User
from weerbaar.accounts.policy import Action, Actor, can
from weerbaar.core import audit
from weerbaar.network.models import Area, Business, Municipality
from weerbaar.reports import config, notifications, receipts
from weerbaar.reports.attachments import CleanAttachment
from weerbaar.reports.models import (
    STAFF_CHANNELS,
    EventKind,
    Report,
    ReportAttachment,
    ReportCategory,
    ReportChannel,
    ReportEvent,
    RoutingRule,
)
from weerbaar.reports.routing import compute_deadlines, find_route

__all__ = [
    "DESCRIPTION_MAX_LENGTH",
    "DESCRIPTION_MIN_LENGTH",
    "ReportIntake",
    "SubmittedReport",
    "selectable_categories",
    "submit_report",
]

DESCRIPTION_MIN_LENGTH = 10
DESCRIPTION_MAX_LENGTH = 5000
# A little slack for clocks that run ahead (a phone's time zone, a staff laptop).
FUTURE_TOLERANCE = datetime.timedelta(minutes=10)
OLDEST_OCCURRENCE = datetime.timedelta(days=5 * 365)
# The Netherlands, generously (including the Wadden islands and Zuid-Limburg).
NL_LATITUDE = (Decimal("50.70"), Decimal("53.60"))
NL_LONGITUDE = (Decimal("3.20"), Decimal("7.30"))
REFERENCE_ALPHABET = receipts.ALPHABET
REFERENCE_ATTEMPTS = 3

AddError = Callable[[str, str], None]


@dataclass
class ReportIntake:
    """What the reporter told us. `channel` says how it came in."""

    municipality: Municipality
    category: ReportCategory | None
    description: str
    occurred_at: datetime.datetime | None
    channel: ReportChannel
    area: Area | None = None
    business: Business | None = None
    location_text: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    is_anonymous: bool = False
    reporter_name: str = ""
    reporter_email: str = ""
    reporter_phone: str = ""
    attachments: Sequence[CleanAttachment] = field(default_factory=tuple)


@dataclass(frozen=True)
class SubmittedReport:
    report: Report
    # Shown once to an anonymous reporter; None for identified reports.
    receipt_code: str | None


def selectable_categories() -> list[ReportCategory]:
    """Active categories a reporter can pick: leaves of the tree, in display order."""
    return config.current().selectable()


def submit_report(actor: Actor, intake: ReportIntake) -> SubmittedReport:
    """Validate and store a report; route it, set its deadlines, acknowledge it.

    Callers: anyone for WEB/API (the public may report without an account); a logged-in
    entrepreneur for PORTAL (reporter = that person, business must be theirs); staff with
    SUBMIT_REPORT_ON_BEHALF in the municipality for the staff channels. Raises
    ValidationError (nothing written) or PermissionDenied.
    """
    reporter = _check_channel(actor, intake)
    _validate(intake, actor)
    if intake.area is None and intake.business is not None:
        intake.area = intake.business.area
    category = intake.category
    # Both checked by _validate; the asserts tell the type checker.
    assert category is not None
    assert intake.occurred_at is not None
    receipt_code = receipts.new_receipt_code() if intake.is_anonymous else None
    receipt_hash = receipts.hash_code(receipt_code) if receipt_code else None
    configuration = config.current()
    municipality_id = intake.municipality.pk
    now = timezone.now()
    deadlines = compute_deadlines(
        timezone.localdate(now), category, configuration.calendar_for(municipality_id)
    )
    rule = find_route(
        configuration.rules_for(municipality_id),
        category,
        intake.municipality.pk,
        intake.area.pk if intake.area else None,
    )
    staff_user = actor.user if intake.channel in STAFF_CHANNELS else None
    entered_by = staff_user if isinstance(staff_user, User) else None
    identified = not intake.is_anonymous
    values: dict[str, Any] = {
        "municipality": intake.municipality,
        "area": intake.area,
        "business": intake.business,
        "category": category,
        "is_confidential": category.is_confidential,
        "description": intake.description.strip(),
        "occurred_at": intake.occurred_at,
        "location_text": intake.location_text.strip(),
        "latitude": intake.latitude,
        "longitude": intake.longitude,
        "channel": intake.channel,
        "entered_by": entered_by,
        "is_anonymous": intake.is_anonymous,
        "reporter": reporter if identified else None,
        "reporter_name": intake.reporter_name.strip() if identified else "",
        "reporter_email": intake.reporter_email.strip().lower() if identified else "",
        "reporter_phone": intake.reporter_phone.strip() if identified else "",
        "receipt_code_hash": receipt_hash,
        "organisation": rule.organisation if rule else None,
        "team": rule.team if rule else "",
        "first_response_due": deadlines.first_response_due,
        "feedback_due": deadlines.feedback_due,
    }
    for attempt in range(REFERENCE_ATTEMPTS):
        try:
            report = _store(values, intake, rule, entered_by, now)
            break
        except IntegrityError as error:
            # Only a clash of the random reference is worth another try.
            if attempt == REFERENCE_ATTEMPTS - 1 or "reference" not in str(error):
                raise
    return SubmittedReport(report=report, receipt_code=receipt_code)


def _store(
    values: dict[str, Any],
    intake: ReportIntake,
    rule: RoutingRule | None,
    entered_by: User | None,
    now: datetime.datetime,
) -> Report:
    with transaction.atomic():
        report = Report.objects.create(reference=_new_reference(), **values)
        events = [
            ReportEvent(
                report=report,
                kind=EventKind.SUBMITTED,
                to_status=report.status,
                author_kind="staff" if entered_by else "reporter",
                author=entered_by,
                created_at=now,
                data={"channel": intake.channel},
            )
        ]
        if rule is not None:
            events.append(
                ReportEvent(
                    report=report,
                    kind=EventKind.ROUTED,
                    author_kind="system",
                    created_at=now,
                    data={
                        "rule": rule.pk,
                        "organisation": str(rule.organisation),
                        "team": rule.team,
                    },
                )
            )
        ReportEvent.objects.bulk_create(events)
        store_attachments(report, intake.attachments, event=None, from_reporter=True)
        # The audit trail holds what staff do: a report staff entered for a caller is
        # audited; one a reporter sent is recorded by its timeline alone (the reporter is
        # never named in the audit trail, and an entry saying "someone" adds nothing).
        if entered_by is not None:
            audit.record(
                entered_by,
                "reports.report.submitted",
                report,
                {"channel": intake.channel, "category": values["category"].code},
            )
        if report.contact_email:
            notifications.acknowledge(report)
    return report


def store_attachments(
    report: Report,
    attachments: Sequence[CleanAttachment],
    *,
    event: ReportEvent | None,
    from_reporter: bool,
) -> list[ReportAttachment]:
    stored = []
    for clean in attachments:
        attachment = ReportAttachment(
            report=report,
            event=event,
            file_name=clean.file_name,
            content_type=clean.content_type,
            size=clean.size,
            sha256=clean.sha256,
            from_reporter=from_reporter,
        )
        attachment.file.save(clean.file_name, ContentFile(clean.content), save=False)
        attachment.save()
        stored.append(attachment)
    return stored


def _new_reference() -> str:
    # 32**8 (10**12) references per year: a clash is so rare that the whole intake
    # transaction is simply retried (see submit_report), without a savepoint per insert.
    year = timezone.localdate().strftime("%y")
    tail = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"M{year}-{tail[:4]}-{tail[4:]}"


def _check_channel(actor: Actor, intake: ReportIntake) -> User | None:
    """Who the reporter is, as far as the channel says; PermissionDenied when not allowed."""
    from django.core.exceptions import PermissionDenied

    if intake.channel in STAFF_CHANNELS:
        if not can(actor, Action.SUBMIT_REPORT_ON_BEHALF, intake.municipality):
            raise PermissionDenied
        return None
    if intake.channel == ReportChannel.PORTAL:
        if not can(actor, Action.USE_PORTAL) or not isinstance(actor.user, User):
            raise PermissionDenied
        return actor.user
    return None


def _validate(intake: ReportIntake, actor: Actor) -> None:
    errors: dict[str, list[str]] = {}

    def add(field_name: str, message: str) -> None:
        errors.setdefault(field_name, []).append(message)

    category = intake.category
    if category is None or category.pk not in config.current().selectable_ids:
        add("category", _("Choose one of the categories in the list."))
    description = intake.description.strip()
    if len(description) < DESCRIPTION_MIN_LENGTH:
        add(
            "description",
            _("Describe what you saw in at least %(count)d characters.")
            % {"count": DESCRIPTION_MIN_LENGTH},
        )
    elif len(description) > DESCRIPTION_MAX_LENGTH:
        add(
            "description",
            _("Keep the description under %(count)d characters; you can add more later.")
            % {"count": DESCRIPTION_MAX_LENGTH},
        )
    if "\x00" in intake.description:
        add("description", _("The description contains characters that are not allowed."))
    _validate_time(intake.occurred_at, add)
    _validate_place(intake, actor, add)
    _validate_reporter(intake, add)
    if errors:
        raise ValidationError(errors)


def _validate_time(occurred_at: datetime.datetime | None, add: AddError) -> None:
    now = timezone.now()
    if occurred_at is None:
        add("occurred_at", _("Say when it happened (an estimate is fine)."))
    elif occurred_at > now + FUTURE_TOLERANCE:
        add("occurred_at", _("The date and time lie in the future."))
    elif occurred_at < now - OLDEST_OCCURRENCE:
        add("occurred_at", _("This is more than five years ago; contact us by phone instead."))


def _validate_place(intake: ReportIntake, actor: Actor, add: AddError) -> None:
    municipality = intake.municipality
    if intake.area is not None and intake.area.municipality_id != municipality.pk:
        add("area", _("This area is not in %(municipality)s.") % {"municipality": municipality})
    if intake.business is not None:
        if intake.business.municipality_id != municipality.pk:
            add(
                "business",
                _("This business is not in %(municipality)s.") % {"municipality": municipality},
            )
        elif intake.channel == ReportChannel.PORTAL and intake.business.pk not in (
            actor.business_ids
        ):
            add("business", _("You can only choose one of your own businesses."))
    has_latitude, has_longitude = intake.latitude is not None, intake.longitude is not None
    if has_latitude != has_longitude:
        add("location", _("A point on the map needs both a latitude and a longitude."))
    elif (
        intake.latitude is not None
        and intake.longitude is not None
        and not (
            NL_LATITUDE[0] <= intake.latitude <= NL_LATITUDE[1]
            and NL_LONGITUDE[0] <= intake.longitude <= NL_LONGITUDE[1]
        )
    ):
        add("location", _("This point lies outside the Netherlands."))
    if len(intake.location_text) > 200:
        add("location_text", _("Keep the address or place under 200 characters."))
    if not (
        intake.location_text.strip()
        or intake.latitude is not None
        or intake.business is not None
        or intake.area is not None
    ):
        add(
            "location_text",
            _("Say where it happened: an address, a point on the map or your business."),
        )


def _validate_reporter(intake: ReportIntake, add: AddError) -> None:
    given = intake.reporter_name or intake.reporter_email or intake.reporter_phone
    if intake.is_anonymous:
        if given:
            add(
                "is_anonymous",
                _("An anonymous report cannot carry a name, email address or phone number."),
            )
        if intake.channel == ReportChannel.PORTAL:
            add("is_anonymous", _("Log out first to report anonymously."))
        return
    if intake.channel in (ReportChannel.WEB, ReportChannel.API) and not intake.reporter_email:
        add(
            "reporter_email",
            _("Give an email address for feedback, or choose to report anonymously."),
        )
    if len(intake.reporter_email.strip()) > 254:
        add("reporter_email", _("Enter a valid email address."))
    elif intake.reporter_email:
        try:
            validate_email(intake.reporter_email.strip())
        except ValidationError:
            add("reporter_email", _("Enter a valid email address."))
    if len(intake.reporter_name) > 150:
        add("reporter_name", _("Keep the name under 150 characters."))
    phone = intake.reporter_phone.strip()
    if phone and (len(phone) > 20 or not _looks_like_phone(phone)):
        add("reporter_phone", _("Enter a phone number of digits, e.g. 076 123 45 67."))


def _looks_like_phone(value: str) -> bool:
    digits = "".join(ch for ch in value if ch.isdigit())
    allowed = set("0123456789+-() ")
    return 9 <= len(digits) <= 15 and all(ch in allowed for ch in value)
