"""Every write on alerts: compose, send (or ask for approval), approve, send back,
withdraw, follow up.

Who: COMPOSE_ALERT with every target municipality and area in scope (ambassadors: only
their own areas, and their alerts always wait for staff approval); APPROVE_ALERT for the
second pair of eyes, which must be someone else than the author. A municipality decides in
`AlertSettings` whether every alert needs that second person.

Publishing stores the status and, once that commits, a Celery task (`alerts.tasks`) works
out who is reached and queues one outbox message with a delivery per person × channel
(`fan_out`). The task may run twice (a redelivered task): the second run finds the message
and stops, so nobody gets an alert twice. An update goes to exactly the people the alert
reached.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from weerbaar.accounts.models import User
from weerbaar.accounts.policy import Action, Actor, can, covers_municipality, require
from weerbaar.alerts import audience, rendering
from weerbaar.alerts.models import (
    Alert,
    AlertCategory,
    AlertSettings,
    AlertStatus,
    AlertUpdate,
    MessageKind,
    Severity,
    UpdateKind,
)
from weerbaar.alerts.services import broadcast
from weerbaar.core import outbox
from weerbaar.core.audit import record
from weerbaar.core.channels import Recipient
from weerbaar.core.models import DeliveryStatus, OutboundMessage
from weerbaar.network.models import Area, Municipality

MAX_LIFETIME = datetime.timedelta(days=90)
ALERT_CHANNELS = ("email", "inbox", "push", "sms")
# The channels that leave the platform; the inbox is filled in the database (fan_out).
SENT_CHANNELS = ("email", "push", "sms")
SECTOR_MAX = 20


@dataclass
class AlertDraft:
    """What the author wrote and whom it is for."""

    title: str
    message: str
    category: str
    expires_at: datetime.datetime | None
    severity: str = Severity.WARNING
    advice: str = ""
    link_url: str = ""
    municipality: Municipality | None = None
    whole_network: bool = False
    municipalities: Sequence[Municipality] = field(default_factory=tuple)
    areas: Sequence[Area] = field(default_factory=tuple)
    sectors: Sequence[str] = field(default_factory=tuple)


# --- composing -----------------------------------------------------------------------------


def create_alert(actor: Actor, draft: AlertDraft) -> Alert:
    """Store a new draft. Raises ValidationError (nothing stored) or PermissionDenied."""
    require(actor, Action.COMPOSE_ALERT)
    _check_target(actor, draft)
    values = _validated(draft)
    with transaction.atomic():
        alert = Alert.objects.create(created_by=actor.account, **values)
        _save_target(alert, draft)
        record(actor.account, "alerts.alert.created", alert, {"title": alert.title})
    return alert


def compose_and_send(actor: Actor, draft: AlertDraft) -> Alert:
    """Write and send in one step (an ambassador's form): all or nothing."""
    with transaction.atomic():
        return send_alert(actor, create_alert(actor, draft))


def edit_alert(actor: Actor, alert: Alert, draft: AlertDraft) -> Alert:
    """Change a draft (also one sent back by an approver)."""
    _require_editable(actor, alert)
    _check_target(actor, draft)
    values = _validated(draft)
    with transaction.atomic():
        locked = _locked(alert)
        if locked.status != AlertStatus.DRAFT:
            raise ValidationError(_("Only a draft can be changed."))
        for name, value in values.items():
            setattr(locked, name, value)
        locked.save()
        _save_target(locked, draft)
        record(actor.account, "alerts.alert.edited", locked, {"title": locked.title})
    return locked


def send_alert(actor: Actor, alert: Alert) -> Alert:
    """The author is done: publish now, or wait for approval when the municipality wants
    four eyes or the author is an ambassador. Refused when it would reach nobody."""
    _require_editable(actor, alert)
    with transaction.atomic():
        locked = _locked(alert)
        if locked.status != AlertStatus.DRAFT:
            raise ValidationError(_("This alert was already sent."))
        _check_sendable(locked)
        if needs_approval(actor, locked):
            locked.status = AlertStatus.AWAITING_APPROVAL
            locked.submitted_at = timezone.now()
            locked.rejection_reason = ""
            locked.save(update_fields=["status", "submitted_at", "rejection_reason", "updated_at"])
            record(actor.account, "alerts.alert.submitted", locked, {})
            return locked
        _publish(actor, locked)
    return locked


def needs_approval(actor: Actor, alert: Alert) -> bool:
    if not can(actor, Action.APPROVE_ALERT):
        return True  # an ambassador
    if alert.municipality_id is None:
        return False  # platform-wide: only an administrator can write one
    settings_row = AlertSettings.objects.filter(municipality_id=alert.municipality_id).first()
    return bool(settings_row and settings_row.requires_approval)


def approve_alert(actor: Actor, alert: Alert) -> Alert:
    """The second pair of eyes: publish an alert that waits for approval."""
    require(actor, Action.APPROVE_ALERT, alert)
    with transaction.atomic():
        locked = _locked(alert)
        if locked.status != AlertStatus.AWAITING_APPROVAL:
            raise ValidationError(_("This alert is not waiting for approval."))
        if locked.created_by_id is not None and locked.created_by_id == actor.user.pk:
            raise ValidationError(_("Someone else must approve an alert you wrote."))
        _check_sendable(locked)
        locked.approved_by = actor.account
        _publish(actor, locked)
    return locked


def send_back(actor: Actor, alert: Alert, reason: str) -> Alert:
    """Refuse an alert waiting for approval; it returns to its author as a draft."""
    require(actor, Action.APPROVE_ALERT, alert)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Tell the author why, so they can change it.")})
    with transaction.atomic():
        locked = _locked(alert)
        if locked.status != AlertStatus.AWAITING_APPROVAL:
            raise ValidationError(_("This alert is not waiting for approval."))
        locked.status = AlertStatus.DRAFT
        locked.rejection_reason = reason[:1000]
        locked.save(update_fields=["status", "rejection_reason", "updated_at"])
        record(actor.account, "alerts.alert.sent_back", locked, {"reason": locked.rejection_reason})
    return locked


def withdraw_alert(actor: Actor, alert: Alert) -> int:
    """Stop a published alert: what has not gone out is cancelled, the alert is marked
    withdrawn in every inbox. Returns the number of deliveries cancelled."""
    require(actor, Action.APPROVE_ALERT, alert)
    with transaction.atomic():
        locked = _locked(alert)
        if locked.status != AlertStatus.PUBLISHED:
            raise ValidationError(_("Only a published alert can be withdrawn."))
        locked.status = AlertStatus.WITHDRAWN
        locked.withdrawn_at = timezone.now()
        locked.save(update_fields=["status", "withdrawn_at", "updated_at"])
        cancelled = sum(
            outbox.cancel_deliveries(message, actor=actor.account)
            for message in messages_of(locked)
        )
        record(actor.account, "alerts.alert.withdrawn", locked, {"cancelled": cancelled})
    return cancelled


def add_update(actor: Actor, alert: Alert, kind: str, text: str) -> AlertUpdate:
    """A follow-up ("suspect arrested", "all clear") to the people the alert reached. An
    arrest or all-clear also becomes the alert's outcome."""
    require(actor, Action.APPROVE_ALERT, alert)
    text = text.strip()
    errors: dict[str, str] = {}
    if kind not in UpdateKind.values:
        errors["kind"] = _("Choose what kind of update this is.")
    if not text:
        errors["text"] = _("Write the update.")
    elif len(text) > 1000:
        errors["text"] = _("Keep the update under 1,000 characters.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _locked(alert)
        if locked.status != AlertStatus.PUBLISHED:
            raise ValidationError(_("Only a published alert can get an update."))
        update = AlertUpdate.objects.create(
            alert=locked, kind=kind, text=text, created_by=actor.account
        )
        if kind != UpdateKind.UPDATE:
            locked.outcome = update.get_kind_display()
            locked.save(update_fields=["outcome", "updated_at"])
        record(actor.account, "alerts.alert.updated", locked, {"kind": kind})
        transaction.on_commit(lambda: _enqueue("fan_out_update", update.pk), robust=True)
    return update


def retry_failed_deliveries(actor: Actor, alert: Alert) -> int:
    """Send the failed deliveries of the alert and its updates again."""
    require(actor, Action.APPROVE_ALERT, alert)
    return sum(outbox.retry_failed(message, actor=actor.account) for message in messages_of(alert))


def set_requires_approval(actor: Actor, municipality: Municipality, required: bool) -> None:
    """Four eyes for every alert of `municipality`, or not (MANAGE_ALERT_SETTINGS)."""
    require(actor, Action.MANAGE_ALERT_SETTINGS, municipality)
    with transaction.atomic():
        settings_row, _created = AlertSettings.objects.select_for_update().get_or_create(
            municipality=municipality
        )
        if settings_row.requires_approval == required:
            return
        settings_row.requires_approval = required
        settings_row.save(update_fields=["requires_approval"])
        record(
            actor.account, "alerts.settings_changed", municipality, {"requires_approval": required}
        )


# --- fan-out (Celery tasks call these) ------------------------------------------------------


def fan_out(alert_id: int) -> OutboundMessage | None:
    """Queue the published alert for everyone it reaches, in the committed steps of
    `alerts.services.broadcast`: the message with every inbox entry, then the deliveries
    that leave the platform in chunks the workers start sending at once; the alert's
    `reach` is set last and marks the fan-out done. A second run skips
    what is done and adds nothing twice. Returns the message, or None when there is nothing
    to send."""
    with transaction.atomic():
        alert = Alert.objects.select_for_update().filter(pk=alert_id).first()
        if alert is None or alert.status != AlertStatus.PUBLISHED:
            return None
        people = audience.people_in(audience.Target.of(alert), MessageKind.ALERT)
        message = messages_of(alert).filter(kind="alert").first()
        if message is None:
            content = rendering.alert_message(alert)
            message = outbox.create_message(
                kind="alert",
                subject=content.subject,
                body_text=content.body_text,
                short_text=content.short_text,
                url=content.url,
                source=alert,
                municipality=alert.municipality,
            )
            broadcast.store_in_inboxes(message, people, MessageKind.ALERT)
    if Alert.objects.filter(pk=alert_id).exclude(reach={}).exists():
        return message  # the second step is done
    broadcast.queue_sent_deliveries(
        message, people, MessageKind.ALERT, SENT_CHANNELS, severity=alert.severity
    )
    with transaction.atomic():
        alert = Alert.objects.select_for_update().get(pk=alert_id)
        if not alert.reach:
            alert.reach = broadcast.reach_per_channel(message)
            alert.save(update_fields=["reach"])
    return message


def fan_out_update(update_id: int) -> OutboundMessage | None:
    """Queue an update for the people (and on the channels) the alert reached; once."""
    with transaction.atomic():
        update = AlertUpdate.objects.select_related("alert").filter(pk=update_id).first()
        if update is None:
            return None
        alert = Alert.objects.select_for_update().get(pk=update.alert_id)
        existing = OutboundMessage.objects.filter(
            kind="alert_update", source_type="alerts.alertupdate", source_id=str(update.pk)
        ).first()
        if existing is not None:
            return existing
        original = messages_of(alert).filter(kind="alert").first()
        if original is None:
            return None
        reached = (
            original.deliveries.exclude(status=DeliveryStatus.CANCELLED)
            .filter(recipient__isnull=False)
            .values_list("recipient_id", "channel")
        )
        channels_by_person: dict[int, set[str]] = {}
        for person_id, channel in reached.iterator(chunk_size=5000):
            channels_by_person.setdefault(person_id, set()).add(channel)
        people = User.objects.filter(pk__in=list(channels_by_person), is_active=True).only(
            "pk", "email", "phone", "preferred_language"
        )
        recipients = [
            replace(recipient, channels=frozenset(channels_by_person[recipient.user.pk]))
            for recipient in audience.recipients_for(
                people, MessageKind.ALERT, severity=alert.severity
            )
            if recipient.user is not None
        ]
        content = rendering.update_message(alert, update)
        return _queue("alert_update", content, recipients, update, alert)


def _queue(
    kind: str,
    content: rendering.MessageContent,
    recipients: list[Recipient],
    source: Alert | AlertUpdate,
    alert: Alert,
) -> OutboundMessage:
    return outbox.queue_message(
        kind=kind,
        subject=content.subject,
        body_text=content.body_text,
        short_text=content.short_text,
        url=content.url,
        recipients=recipients,
        channels=ALERT_CHANNELS,
        source=source,
        municipality=alert.municipality,
    )


# --- reads shared by the pages --------------------------------------------------------------


def messages_of(alert: Alert) -> QuerySet[OutboundMessage]:
    """The outbox messages of the alert and of its updates."""
    update_ids = [str(pk) for pk in alert.updates.values_list("pk", flat=True)]
    return OutboundMessage.objects.filter(
        source_type="alerts.alert", source_id=str(alert.pk)
    ) | OutboundMessage.objects.filter(source_type="alerts.alertupdate", source_id__in=update_ids)


# --- helpers --------------------------------------------------------------------------------


def _publish(actor: Actor, alert: Alert) -> None:
    alert.status = AlertStatus.PUBLISHED
    alert.published_at = timezone.now()
    alert.save()
    record(
        actor.account,
        "alerts.alert.published",
        alert,
        {"approved_by": alert.approved_by_id} if alert.approved_by_id else {},
    )
    alert_id = alert.pk
    transaction.on_commit(lambda: _enqueue("fan_out_alert", alert_id), robust=True)


def _enqueue(task_name: str, object_id: int) -> None:
    from weerbaar.alerts import tasks

    getattr(tasks, task_name).delay(object_id)


def _locked(alert: Alert) -> Alert:
    return Alert.objects.select_for_update().get(pk=alert.pk)


def _require_editable(actor: Actor, alert: Alert) -> None:
    """The author, or staff who may approve alerts there, may edit and send a draft."""
    if alert.created_by_id == actor.user.pk and can(actor, Action.COMPOSE_ALERT):
        return
    if can(actor, Action.APPROVE_ALERT, alert):
        return
    raise PermissionDenied


def _check_target(actor: Actor, draft: AlertDraft) -> None:
    if draft.whole_network and not actor.covers_whole_network:
        raise ValidationError(
            {"whole_network": _("Only a platform administrator can alert the whole network.")}
        )
    for municipality in draft.municipalities:
        # A whole municipality is for its staff; ambassadors and area officers choose areas.
        if not covers_municipality(actor, Action.APPROVE_ALERT, municipality):
            raise ValidationError(
                {
                    "municipalities": _("You cannot send alerts to %(name)s.")
                    % {"name": municipality.name}
                }
            )
    for area in draft.areas:
        if not _may_target_area(actor, area):
            raise ValidationError(
                {"areas": _("You cannot send alerts to %(name)s.") % {"name": area.name}}
            )
    owner = draft.municipality
    if owner is not None and not (
        covers_municipality(actor, Action.COMPOSE_ALERT, owner)
        or any(area.municipality_id == owner.pk for area in draft.areas)
    ):
        raise PermissionDenied


def _may_target_area(actor: Actor, area: Area) -> bool:
    """Staff for the areas in their scope, ambassadors for the areas they represent."""
    return can(actor, Action.COMPOSE_ALERT, area)


def _validated(draft: AlertDraft) -> dict[str, object]:
    errors: dict[str, str] = {}
    title = draft.title.strip()
    message = draft.message.strip()
    if not title:
        errors["title"] = _("Give the alert a title.")
    elif len(title) > 120:
        errors["title"] = _("Keep the title under 120 characters.")
    if not message:
        errors["message"] = _("Write what happened and what to look out for.")
    elif len(message) > 2000:
        errors["message"] = _("Keep the message under 2,000 characters.")
    if len(draft.advice) > 1000:
        errors["advice"] = _("Keep the advice under 1,000 characters.")
    if draft.severity not in Severity.values:
        errors["severity"] = _("Choose a severity.")
    if draft.category not in AlertCategory.values:
        errors["category"] = _("Choose a category.")
    link = draft.link_url.strip()
    if link and urlsplit(link).scheme not in ("http", "https"):
        errors["link_url"] = _("Enter a web address starting with https://.")
    now = timezone.now()
    if draft.expires_at is None:
        errors["expires_at"] = _("Say until when the alert applies.")
    elif draft.expires_at <= now:
        errors["expires_at"] = _("The expiry must be in the future.")
    elif draft.expires_at > now + MAX_LIFETIME:
        errors["expires_at"] = _("An alert applies for at most 90 days.")
    sectors = [code.strip() for code in draft.sectors if code.strip()]
    if any(not code.isdigit() or len(code) > 5 for code in sectors) or len(sectors) > SECTOR_MAX:
        errors["sectors"] = _("Enter SBI codes of up to five digits, such as 47 or 5610.")
    if not (draft.whole_network or draft.municipalities or draft.areas):
        errors["areas"] = _("Choose who receives the alert: areas, municipalities or everyone.")
    if errors:
        raise ValidationError(errors)
    owner = draft.municipality
    if owner is None and not draft.whole_network:
        owner = draft.municipalities[0] if draft.municipalities else draft.areas[0].municipality
    return {
        "title": title,
        "message": message,
        "severity": draft.severity,
        "category": draft.category,
        "advice": draft.advice.strip(),
        "link_url": link,
        "expires_at": draft.expires_at,
        "municipality": owner,
        "whole_network": draft.whole_network,
        "target_sectors": sorted(set(sectors)),
    }


def _save_target(alert: Alert, draft: AlertDraft) -> None:
    alert.target_municipalities.set(draft.municipalities)
    alert.target_areas.set(draft.areas)


def _check_sendable(alert: Alert) -> None:
    if alert.is_expired:
        raise ValidationError(_("This alert has expired; change the expiry first."))
    if not audience.people_in(audience.Target.of(alert), MessageKind.ALERT).exists():
        raise ValidationError(
            _(
                "This alert would reach nobody: no one in the chosen areas and sectors has "
                "asked for alerts. Widen the target."
            )
        )
