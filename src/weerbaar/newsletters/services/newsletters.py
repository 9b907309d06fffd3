"""Every write on newsletters: compose (title, introduction, segment, blocks), send a test,
schedule or send, retry what failed; and the fan-out the Celery tasks run.

Who: COMPOSE_NEWSLETTER for the newsletter's municipality (taken from its segment). Only a
draft can change; scheduling or sending freezes it. Sending sets the status SENDING and,
once that commits, a task (`newsletters.tasks`) works out who the segment reaches now and
queues one outbox message with a delivery per person × channel (`fan_out`). A scheduled
newsletter is sent by the periodic `send_due_newsletters`. Every step may run twice (a
redelivered task): the second run adds nothing, so nobody gets a newsletter twice.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from weerbaar.accounts.policy import Action, Actor, require
from weerbaar.alerts.models import MessageKind
from weerbaar.alerts.services import broadcast
from weerbaar.core import outbox
from weerbaar.core.audit import record
from weerbaar.core.channels import Recipient
from weerbaar.core.models import OutboundMessage
from weerbaar.newsletters import rendering, segments
from weerbaar.newsletters.blocks import UnknownBlockTypeError, get_block_type
from weerbaar.newsletters.models import (
    Newsletter,
    NewsletterBlock,
    NewsletterStatus,
    Segment,
)

MAX_BLOCKS = 30
MAX_TEST_ADDRESSES = 5
MAX_SCHEDULE_AHEAD = datetime.timedelta(days=365)
# A newsletter still being sent after this long lost its fan-out task (broker down at
# commit, worker gone): the periodic run starts the fan-out again, which adds nothing twice.
STALLED_AFTER = datetime.timedelta(minutes=10)
# The channels that leave the platform; the inbox is filled in the database.
SENT_CHANNELS = ("email",)


@dataclass
class NewsletterDraft:
    title: str
    segment: Segment | None
    intro: str = ""


# --- composing -----------------------------------------------------------------------------


def create_newsletter(actor: Actor, draft: NewsletterDraft) -> Newsletter:
    """Store a new draft. Raises ValidationError (nothing stored) or PermissionDenied."""
    require(actor, Action.COMPOSE_NEWSLETTER)
    values = _validated(actor, draft)
    with transaction.atomic():
        newsletter = Newsletter.objects.create(created_by=actor.account, **values)
        record(actor.account, "newsletters.newsletter.created", newsletter, {})
    return newsletter


def edit_newsletter(actor: Actor, newsletter: Newsletter, draft: NewsletterDraft) -> Newsletter:
    require(actor, Action.COMPOSE_NEWSLETTER, newsletter)
    values = _validated(actor, draft)
    with transaction.atomic():
        locked = _locked_draft(newsletter)
        for name, value in values.items():
            setattr(locked, name, value)
        locked.save()
        record(actor.account, "newsletters.newsletter.changed", locked, {})
    return locked


def add_block(
    actor: Actor, newsletter: Newsletter, kind: str, data: dict[str, Any]
) -> NewsletterBlock:
    """Append a block of a registered type; `data` comes from the type's valid form."""
    require(actor, Action.COMPOSE_NEWSLETTER, newsletter)
    _block_type(kind)
    with transaction.atomic():
        locked = _locked_draft(newsletter)
        blocks = locked.blocks.all()
        if blocks.count() >= MAX_BLOCKS:
            raise ValidationError(
                _("A newsletter has at most %(max)s blocks.") % {"max": MAX_BLOCKS}
            )
        last = blocks.aggregate(last=Max("position"))["last"]
        block = NewsletterBlock.objects.create(
            newsletter=locked, kind=kind, data=data, position=(last or 0) + 1
        )
        _touch(locked)
    return block


def change_block(actor: Actor, block: NewsletterBlock, data: dict[str, Any]) -> NewsletterBlock:
    require(actor, Action.COMPOSE_NEWSLETTER, block.newsletter)
    with transaction.atomic():
        locked = _locked_draft(block.newsletter)
        block.data = data
        block.save(update_fields=["data"])
        _touch(locked)
    return block


def remove_block(actor: Actor, block: NewsletterBlock) -> None:
    require(actor, Action.COMPOSE_NEWSLETTER, block.newsletter)
    with transaction.atomic():
        locked = _locked_draft(block.newsletter)
        block.delete()
        _touch(locked)


def move_block(actor: Actor, block: NewsletterBlock, step: int) -> None:
    """Move a block one place up (step -1) or down (+1); at either end nothing changes."""
    require(actor, Action.COMPOSE_NEWSLETTER, block.newsletter)
    if step not in (-1, 1):
        raise ValidationError(_("A block moves one place up or down."))
    with transaction.atomic():
        locked = _locked_draft(block.newsletter)
        ordered = list(locked.blocks.order_by("position", "pk"))
        index = next(i for i, candidate in enumerate(ordered) if candidate.pk == block.pk)
        other = index + step
        if not 0 <= other < len(ordered):
            return
        ordered[index], ordered[other] = ordered[other], ordered[index]
        for position, candidate in enumerate(ordered, start=1):
            if candidate.position != position:
                candidate.position = position
                candidate.save(update_fields=["position"])
        _touch(locked)


# --- testing, scheduling, sending ---------------------------------------------------------


def send_test(actor: Actor, newsletter: Newsletter, addresses: list[str]) -> OutboundMessage:
    """Send the newsletter as it stands, marked as a test, to a few addresses (the
    composer's own when none are given). Goes through the outbox like the real one."""
    require(actor, Action.COMPOSE_NEWSLETTER, newsletter)
    cleaned = sorted({address.strip().lower() for address in addresses if address.strip()})
    if not cleaned and actor.account is not None and actor.account.email:
        cleaned = [actor.account.email.lower()]
    if not cleaned:
        raise ValidationError({"addresses": _("Enter the address to send the test to.")})
    if len(cleaned) > MAX_TEST_ADDRESSES:
        raise ValidationError(
            {
                "addresses": _("Send a test to at most %(max)s addresses.")
                % {"max": MAX_TEST_ADDRESSES}
            }
        )
    for address in cleaned:
        try:
            validate_email(address)
        except ValidationError:
            raise ValidationError(
                {
                    "addresses": _("%(address)s is not an email address.")
                    % {"address": address[:100]}
                }
            ) from None
    _check_content(newsletter)
    content = rendering.newsletter_content(newsletter, test=True)
    with transaction.atomic():
        message = outbox.queue_message(
            kind="newsletter_test",
            subject=content.subject,
            body_text=content.body_text,
            body_html=content.body_html,
            recipients=[Recipient(address=address) for address in cleaned],
            channels=("email",),
            source=newsletter,
            municipality=newsletter.municipality,
        )
        refused = sorted(set(cleaned) - set(message.deliveries.values_list("address", flat=True)))
        if refused:
            raise ValidationError(
                {
                    "addresses": _(
                        "Email to %(addresses)s bounced before, so nothing is sent there. "
                        "Use another address."
                    )
                    % {"addresses": ", ".join(refused)}
                }
            )
        record(actor.account, "newsletters.newsletter.test_sent", newsletter, {"to": cleaned})
    return message


def schedule_newsletter(
    actor: Actor, newsletter: Newsletter, when: datetime.datetime
) -> Newsletter:
    """Send at `when` (in the future, within a year). It can be unscheduled until then."""
    require(actor, Action.COMPOSE_NEWSLETTER, newsletter)
    now = timezone.now()
    if when <= now:
        raise ValidationError({"scheduled_for": _("Choose a moment in the future.")})
    if when > now + MAX_SCHEDULE_AHEAD:
        raise ValidationError({"scheduled_for": _("Schedule at most a year ahead.")})
    with transaction.atomic():
        locked = _locked_draft(newsletter)
        _check_sendable(locked)
        locked.status = NewsletterStatus.SCHEDULED
        locked.scheduled_for = when
        locked.save(update_fields=["status", "scheduled_for", "updated_at"])
        record(
            actor.account,
            "newsletters.newsletter.scheduled",
            locked,
            {"scheduled_for": when.isoformat()},
        )
    return locked


def unschedule_newsletter(actor: Actor, newsletter: Newsletter) -> Newsletter:
    """Back to draft, as long as it has not started going out."""
    require(actor, Action.COMPOSE_NEWSLETTER, newsletter)
    with transaction.atomic():
        locked = _locked(newsletter)
        if locked.status != NewsletterStatus.SCHEDULED:
            raise ValidationError(_("Only a scheduled newsletter can be taken back."))
        locked.status = NewsletterStatus.DRAFT
        locked.scheduled_for = None
        locked.save(update_fields=["status", "scheduled_for", "updated_at"])
        record(actor.account, "newsletters.newsletter.unscheduled", locked, {})
    return locked


def send_newsletter(actor: Actor, newsletter: Newsletter) -> Newsletter:
    """Send a draft now: to everyone its segment reaches at this moment."""
    require(actor, Action.COMPOSE_NEWSLETTER, newsletter)
    with transaction.atomic():
        locked = _locked_draft(newsletter)
        _check_sendable(locked)
        locked.sent_by = actor.account
        _start_sending(locked)
        record(actor.account, "newsletters.newsletter.sent", locked, {})
    return locked


def send_due_newsletters(now: datetime.datetime | None = None) -> int:
    """Start sending every scheduled newsletter whose moment has come (Celery beat, every
    minute). A newsletter whose segment reaches nobody any more goes back to draft, with an
    audit entry, rather than being "sent" to no one. Also restarts the fan-out of a
    newsletter stalled in SENDING (STALLED_AFTER). Returns how many started."""
    now = now or timezone.now()
    stalled = Newsletter.objects.filter(
        status=NewsletterStatus.SENDING, updated_at__lt=now - STALLED_AFTER
    )
    for newsletter_id in stalled.values_list("pk", flat=True):
        _enqueue_fan_out(newsletter_id)
    started = 0
    due = Newsletter.objects.filter(status=NewsletterStatus.SCHEDULED, scheduled_for__lte=now)
    for newsletter_id in due.values_list("pk", flat=True):
        with transaction.atomic():
            locked = Newsletter.objects.select_for_update().get(pk=newsletter_id)
            if locked.status != NewsletterStatus.SCHEDULED:
                continue
            if not segments.people_in(locked.segment).exists():
                locked.status = NewsletterStatus.DRAFT
                locked.save(update_fields=["status", "updated_at"])
                record(None, "newsletters.newsletter.reached_nobody", locked, {})
                continue
            _start_sending(locked)
            started += 1
    return started


def retry_failed_deliveries(actor: Actor, newsletter: Newsletter) -> int:
    require(actor, Action.COMPOSE_NEWSLETTER, newsletter)
    return sum(
        outbox.retry_failed(message, actor=actor.account) for message in messages_of(newsletter)
    )


# --- fan-out (the Celery task calls this) --------------------------------------------------


def fan_out(newsletter_id: int) -> OutboundMessage | None:
    """Queue a newsletter that is being sent for everyone its segment reaches now, in the
    committed steps of `alerts.services.broadcast`; the newsletter is marked sent (with its
    reach) last. A second run skips what is done and adds nothing twice."""
    with transaction.atomic():
        newsletter = Newsletter.objects.select_for_update().filter(pk=newsletter_id).first()
        if newsletter is None or newsletter.status != NewsletterStatus.SENDING:
            return None
        people = segments.people_in(newsletter.segment)
        message = messages_of(newsletter).first()
        if message is None:
            content = rendering.newsletter_content(newsletter)
            message = outbox.create_message(
                kind="newsletter",
                subject=content.subject,
                body_text=content.body_text,
                body_html=content.body_html,
                short_text=content.short_text,
                url=content.url,
                source=newsletter,
                municipality=newsletter.municipality,
            )
            broadcast.store_in_inboxes(message, people, MessageKind.NEWSLETTER)
    broadcast.queue_sent_deliveries(message, people, MessageKind.NEWSLETTER, SENT_CHANNELS)
    with transaction.atomic():
        newsletter = Newsletter.objects.select_for_update().get(pk=newsletter_id)
        if newsletter.status == NewsletterStatus.SENDING:
            newsletter.reach = broadcast.reach_per_channel(message)
            newsletter.status = NewsletterStatus.SENT
            newsletter.sent_at = timezone.now()
            newsletter.save(update_fields=["reach", "status", "sent_at", "updated_at"])
    return message


# --- reads shared by the pages -------------------------------------------------------------


def messages_of(newsletter: Newsletter) -> QuerySet[OutboundMessage]:
    """The outbox message of the newsletter itself (not its tests)."""
    return OutboundMessage.objects.filter(
        kind="newsletter", source_type="newsletters.newsletter", source_id=str(newsletter.pk)
    )


# --- helpers -------------------------------------------------------------------------------


def _start_sending(newsletter: Newsletter) -> None:
    newsletter.status = NewsletterStatus.SENDING
    newsletter.save(update_fields=["status", "sent_by", "updated_at"])
    newsletter_id = newsletter.pk
    transaction.on_commit(lambda: _enqueue_fan_out(newsletter_id), robust=True)


def _enqueue_fan_out(newsletter_id: int) -> None:
    from weerbaar.newsletters import tasks

    tasks.fan_out_newsletter.delay(newsletter_id)


def _locked(newsletter: Newsletter) -> Newsletter:
    return Newsletter.objects.select_for_update().get(pk=newsletter.pk)


def _locked_draft(newsletter: Newsletter) -> Newsletter:
    locked = _locked(newsletter)
    if not locked.is_editable:
        raise ValidationError(
            _("This newsletter is %(status)s and can no longer be changed.")
            % {"status": locked.get_status_display().lower()}
        )
    return locked


def _touch(newsletter: Newsletter) -> None:
    newsletter.save(update_fields=["updated_at"])


def _block_type(kind: str) -> None:
    try:
        get_block_type(kind)
    except UnknownBlockTypeError:
        raise ValidationError(_("This kind of block does not exist.")) from None


def _check_content(newsletter: Newsletter) -> None:
    if not newsletter.blocks.exists():
        raise ValidationError(_("Add at least one block before sending."))


def _check_sendable(newsletter: Newsletter) -> None:
    _check_content(newsletter)
    if not segments.people_in(newsletter.segment).exists():
        raise ValidationError(
            _(
                "This newsletter would reach nobody: no one in the segment has asked for "
                "the newsletter. Choose another segment."
            )
        )


def _validated(actor: Actor, draft: NewsletterDraft) -> dict[str, object]:
    errors: dict[str, str] = {}
    title = draft.title.strip()
    intro = draft.intro.strip()
    if not title:
        errors["title"] = _("Give the newsletter a title; it is the subject of the email.")
    elif len(title) > 150:
        errors["title"] = _("Keep the title under 150 characters.")
    if len(intro) > 1000:
        errors["intro"] = _("Keep the introduction under 1,000 characters.")
    segment = draft.segment
    if segment is None:
        errors["segment"] = _("Choose who receives the newsletter.")
    else:
        require(actor, Action.COMPOSE_NEWSLETTER, segment)
    if errors:
        raise ValidationError(errors)
    assert segment is not None
    return {
        "title": title,
        "intro": intro,
        "segment": segment,
        "municipality": segment.municipality,
    }
