"""Django admin for platform operators: the network registry. Day-to-day work happens in
the back office (`beheer/netwerk/`); changes made here are audited too."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from weerbaar.accounts.admin import AuditedAdmin
from weerbaar.network.models import (
    Ambassador,
    Area,
    AreaContact,
    Business,
    BusinessImport,
    BusinessPerson,
    Consent,
    Municipality,
)


@admin.register(Municipality)
class MunicipalityAdmin(AuditedAdmin[Municipality]):
    list_display = ("name", "slug", "cbs_code", "network_name", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "slug", "cbs_code", "network_name")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Area)
class AreaAdmin(AuditedAdmin[Area]):
    list_display = ("name", "municipality", "kind", "slug")
    list_filter = ("kind", "municipality")
    search_fields = ("name", "slug", "municipality__name")
    list_select_related = ("municipality",)
    autocomplete_fields = ("municipality",)
    prepopulated_fields = {"slug": ("name",)}


class BusinessPersonInline(admin.TabularInline[BusinessPerson, Business]):
    model = BusinessPerson
    extra = 0
    autocomplete_fields = ("person",)


@admin.register(Business)
class BusinessAdmin(AuditedAdmin[Business]):
    list_display = (
        "name",
        "kvk_number",
        "establishment_number",
        "postal_code",
        "municipality",
        "area",
        "sbi_code",
        "source",
        "is_active",
    )
    list_filter = ("is_active", "source", "municipality", "area__kind")
    search_fields = ("name", "kvk_number", "establishment_number", "postal_code", "city")
    list_select_related = ("municipality", "area")
    autocomplete_fields = ("municipality", "area")
    inlines = (BusinessPersonInline,)


@admin.register(BusinessPerson)
class BusinessPersonAdmin(AuditedAdmin[BusinessPerson]):
    list_display = ("person", "business", "role", "is_primary_contact")
    list_filter = ("role", "is_primary_contact", "business__municipality")
    search_fields = ("person__email", "person__full_name", "business__name", "business__kvk_number")
    list_select_related = ("person", "business")
    autocomplete_fields = ("person", "business")


@admin.register(Ambassador)
class AmbassadorAdmin(AuditedAdmin[Ambassador]):
    list_display = ("person", "area", "business", "since", "is_active")
    list_filter = ("is_active", "area__municipality")
    search_fields = ("person__email", "person__full_name", "area__name")
    list_select_related = ("person", "area", "business")
    autocomplete_fields = ("person", "area", "business")


@admin.register(AreaContact)
class AreaContactAdmin(AuditedAdmin[AreaContact]):
    list_display = ("name", "role", "area", "organisation", "email", "is_public")
    list_filter = ("role", "is_public", "area__municipality")
    search_fields = ("name", "email", "area__name", "organisation__name")
    list_select_related = ("area", "organisation")
    autocomplete_fields = ("area", "organisation", "user")


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin[Consent]):
    """Read-only: consents are given and withdrawn by the people themselves."""

    list_display = ("person", "purpose", "text_version", "given_at", "withdrawn_at")
    list_filter = ("purpose", "text_version")
    search_fields = ("person__email", "person__full_name")
    list_select_related = ("person",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(BusinessImport)
class BusinessImportAdmin(admin.ModelAdmin[BusinessImport]):
    """Read-only: imports are checked and confirmed in the back office."""

    list_display = ("file_name", "municipality", "status", "imported_count", "created_at")
    list_filter = ("status", "municipality")
    search_fields = ("file_name",)
    list_select_related = ("municipality",)
    exclude = ("rows",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
