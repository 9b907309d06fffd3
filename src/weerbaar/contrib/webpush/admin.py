"""Django admin: push subscriptions, read-only. An operator may delete one (a lost phone);
the keys are not shown."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from weerbaar.contrib.webpush.models import PushSubscription


@admin.register(PushSubscription)
class PushSubscriptionAdmin(admin.ModelAdmin[PushSubscription]):
    list_display = ("user", "push_service", "created_at", "last_success_at", "failure_count")
    list_select_related = ("user",)
    search_fields = ("user__email",)
    fields = ("user", "push_service", "created_at", "last_success_at", "failure_count")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
