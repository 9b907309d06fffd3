"""Django admin for platform operators: the delivery outbox, read-only.

Operators look here to see why a message did not arrive. Nothing is edited by hand: a
changed row could be sent twice or never; retrying goes through `outbox.retry_failed()`."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from weerbaar.accounts.models import User
from weerbaar.core import outbox
from weerbaar.core.models import Delivery, OutboundMessage, SuppressedAddress


class ReadOnlyAdmin[M: Model](admin.ModelAdmin[M]):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class DeliveryInline(admin.TabularInline[Delivery, OutboundMessage]):
    model = Delivery
    extra = 0
    fields = ("channel", "address", "status", "attempts", "next_attempt_at", "sent_at")
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(OutboundMessage)
class OutboundMessageAdmin(ReadOnlyAdmin[OutboundMessage]):
    list_display = ("created_at", "kind", "subject", "municipality", "source_type", "source_id")
    list_filter = ("kind", "municipality")
    search_fields = ("subject", "source_id")
    list_select_related = ("municipality",)
    date_hierarchy = "created_at"
    inlines = (DeliveryInline,)


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin[Delivery]):
    list_display = (
        "created_at",
        "address",
        "channel",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "message",
    )
    list_filter = ("status", "channel")
    search_fields = ("address", "message__subject", "provider_message_id")
    list_select_related = ("message",)
    ordering = ("-created_at", "-id")
    raw_id_fields = ("message", "recipient")


@admin.register(SuppressedAddress)
class SuppressedAddressAdmin(admin.ModelAdmin[SuppressedAddress]):
    """Addresses that bounced for good. Delete one to email it again (the person fixed their
    mailbox; audited, through `outbox.lift_suppression`); adding by hand is not offered:
    suppression follows from a bounce."""

    list_display = ("address", "reason", "created_at")
    search_fields = ("address",)
    readonly_fields = ("address", "reason", "delivery", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: SuppressedAddress) -> None:
        outbox.lift_suppression(obj.address, actor=_staff(request))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[SuppressedAddress]) -> None:
        for address in queryset.values_list("address", flat=True):
            outbox.lift_suppression(address, actor=_staff(request))


def _staff(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None
