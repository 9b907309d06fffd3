"""Reads shared by the newsletter pages."""

from __future__ import annotations

from django.db.models import QuerySet

from weerbaar.accounts.policy import Action, Actor, scope_queryset
from weerbaar.newsletters.models import Newsletter, NewsletterStatus, Segment


def newsletters_for_staff(actor: Actor) -> QuerySet[Newsletter]:
    return (
        scope_queryset(actor, Action.VIEW_NEWSLETTERS, Newsletter.objects.all())
        .select_related("municipality", "segment", "created_by")
        .order_by("-created_at", "-pk")
    )


def segments_for_staff(actor: Actor, action: Action = Action.VIEW_NEWSLETTERS) -> QuerySet[Segment]:
    return scope_queryset(actor, action, Segment.objects.all()).select_related("municipality")


def published(public_id: str) -> Newsletter | None:
    """The newsletter behind a web-version link, once it has gone out."""
    return (
        Newsletter.objects.filter(
            public_id=public_id, status__in=[NewsletterStatus.SENDING, NewsletterStatus.SENT]
        )
        .select_related("municipality")
        .first()
    )
