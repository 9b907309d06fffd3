"""Django admin for platform operators: users (log in by email), organisations, memberships.

Day-to-day work happens in the back office; the admin is the operators' tool for repairs.
Changes made here are written to the audit log as well (see `AuditedAdmin`)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db.models import Model
from django.forms import ModelForm, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from weerbaar.accounts.models import ExternalIdentity, Membership, Organisation, User
from weerbaar.core.audit import record


class AuditedAdmin[M: Model](admin.ModelAdmin[M]):
    """Records every save and delete in the audit log, as the services do."""

    def save_model(self, request: HttpRequest, obj: M, form: ModelForm, change: bool) -> None:
        super().save_model(request, obj, form, change)
        verb = "update" if change else "create"
        changes = {name: str(form.cleaned_data.get(name)) for name in form.changed_data}
        changes.pop("password", None)
        changes.pop("password1", None)
        changes.pop("password2", None)
        record(_operator(request), f"admin.{obj._meta.model_name}.{verb}", obj, changes)

    def delete_model(self, request: HttpRequest, obj: M) -> None:
        record(_operator(request), f"admin.{obj._meta.model_name}.delete", obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            record(_operator(request), f"admin.{obj._meta.model_name}.delete", obj)
        super().delete_queryset(request, queryset)


def _operator(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None


class EmailUserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name")

    def clean_email(self) -> str:
        email = User.objects.normalize_email(self.cleaned_data["email"]).lower()
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError(_("A user with this email address already exists."))
        return email


class EmailUserChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class MembershipInline(admin.TabularInline[Membership, User]):
    model = Membership
    extra = 0
    fields = ("organisation", "role", "function", "municipalities", "areas", "is_active")
    autocomplete_fields = ("organisation", "municipalities", "areas")


@admin.register(User)
class UserAdmin(AuditedAdmin[User], DjangoUserAdmin):
    form = EmailUserChangeForm
    add_form = EmailUserCreationForm
    list_display = ("email", "full_name", "is_active", "is_staff", "last_login", "date_joined")
    list_filter = ("is_active", "is_staff", "is_superuser", "memberships__role")
    search_fields = ("email", "full_name", "phone")
    ordering = ("email",)
    readonly_fields = ("last_login", "date_joined")
    inlines = (MembershipInline,)
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal details"), {"fields": ("full_name", "phone", "preferred_language")}),
        (
            _("Access"),
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "second_factor_exempt",
                    "groups",
                    "user_permissions",
                )
            },
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )

    def get_inlines(self, request: HttpRequest, obj: User | None) -> Any:
        # Memberships are added once the user exists (the add page stays the short form).
        return self.inlines if obj is not None else ()

    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "full_name", "usable_password", "password1", "password2"),
            },
        ),
    )


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin[Organisation]):
    list_display = ("name", "kind", "municipality", "email", "phone")
    list_filter = ("kind", "municipality")
    search_fields = ("name", "email")
    list_select_related = ("municipality",)
    autocomplete_fields = ("municipality",)


@admin.register(Membership)
class MembershipAdmin(AuditedAdmin[Membership]):
    list_display = ("user", "organisation", "role", "function", "is_active")
    list_filter = ("role", "function", "is_active", "organisation__kind")
    search_fields = ("user__email", "user__full_name", "organisation__name")
    list_select_related = ("user", "organisation")
    autocomplete_fields = ("user", "organisation", "municipalities", "areas")


@admin.register(ExternalIdentity)
class ExternalIdentityAdmin(AuditedAdmin[ExternalIdentity]):
    list_display = ("user", "provider", "subject", "created_at")
    list_filter = ("provider",)
    search_fields = ("user__email", "subject")
    list_select_related = ("user",)
    autocomplete_fields = ("user",)
