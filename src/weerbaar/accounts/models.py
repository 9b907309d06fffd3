"""Users, organisations and memberships (user × organisation × role × scope)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from weerbaar.core.models import TimeStampedModel


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """Anyone who logs in. Entrepreneurs, staff and partners alike log in by email."""

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    phone = models.CharField(_("phone number"), max_length=20, blank=True)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=5,
        default="nl",
        choices=[("nl", "Nederlands"), ("en", "English")],
    )
    is_active = models.BooleanField(_("active"), default=True)
    # Access to Django's own admin site (platform operators only).
    is_staff = models.BooleanField(_("Django admin access"), default=False)
    # Honoured only when settings.ALLOW_SECOND_FACTOR_EXEMPTION (the demo settings).
    second_factor_exempt = models.BooleanField(_("second factor exempt (demo only)"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["full_name", "email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class OrganisationKind(models.TextChoices):
    MUNICIPALITY = "municipality", _("Municipality")
    POLICE = "police", _("Police")
    FIRE_BRIGADE = "fire_brigade", _("Fire brigade")
    BUSINESS_IMPROVEMENT_DISTRICT = (
        "business_improvement_district",
        _("Business improvement district (BIZ)"),
    )
    BUSINESS_ASSOCIATION = "business_association", _("Business association")
    CCV = "ccv", _("Centre for Crime Prevention and Safety (CCV)")
    REGIONAL_SAFETY_PLATFORM = "regional_safety_platform", _("Regional safety platform (PVO)")
    PLATFORM_OPERATOR = "platform_operator", _("Platform operator")
    OTHER = "other", _("Other")


class Organisation(TimeStampedModel):
    """A partner in the network: municipality, police unit, fire brigade, BIZ, association, CCV."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=40, choices=OrganisationKind.choices)
    # The municipality this organisation belongs to or works for; empty for regional ones.
    municipality = models.ForeignKey(
        "network.Municipality",
        verbose_name=_("municipality"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations",
    )
    email = models.EmailField(_("email address"), blank=True)
    phone = models.CharField(_("phone number"), max_length=20, blank=True)
    website = models.URLField(_("website"), blank=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "kind"], name="organisation_unique_name_kind")
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    """Roles the permission policy knows. Staff roles come from a Membership; entrepreneur
    and ambassador follow from the network registry (business links, ambassadorships)."""

    ENTREPRENEUR = "entrepreneur", _("Entrepreneur")
    AMBASSADOR = "ambassador", _("Ambassador")
    MUNICIPAL_STAFF = "municipal_staff", _("Municipal staff")
    POLICE = "police", _("Police")
    PARTNER_EXPERT = "partner_expert", _("Partner expert")
    PLATFORM_ADMIN = "platform_admin", _("Platform administrator")


STAFF_ROLES = (Role.MUNICIPAL_STAFF, Role.POLICE, Role.PARTNER_EXPERT, Role.PLATFORM_ADMIN)


class StaffFunction(models.TextChoices):
    PUBLIC_ORDER_SAFETY = "public_order_safety", _("Public order and safety (OOV)")
    ECONOMIC_AFFAIRS = "economic_affairs", _("Economic affairs (EZ)")
    BUSINESS_MANAGER = "business_manager", _("Business manager (ondernemersmanager)")
    CENTRE_MANAGER = "centre_manager", _("Centre manager")
    COMMUNITY_OFFICER = "community_officer", _("Community police officer (wijkagent)")
    POLICE_BUSINESS_LIAISON = "police_business_liaison", _("Police business liaison")
    FIRE_SAFETY_OFFICER = "fire_safety_officer", _("Fire safety officer")
    ADVISER = "adviser", _("Adviser")
    ADMINISTRATOR = "administrator", _("Administrator")
    OTHER = "other", _("Other")


class Membership(TimeStampedModel):
    """A person working in the network for an organisation, in a role, within a scope.

    Scope: the municipalities and/or areas the membership covers. A membership with
    areas only covers just those areas; a platform administrator needs no scope.
    """

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    role = models.CharField(
        _("role"),
        max_length=30,
        choices=[(r.value, r.label) for r in STAFF_ROLES],
    )
    function = models.CharField(
        _("function"), max_length=40, choices=StaffFunction.choices, default=StaffFunction.OTHER
    )
    municipalities = models.ManyToManyField(
        "network.Municipality",
        verbose_name=_("municipalities"),
        blank=True,
        related_name="memberships",
    )
    areas = models.ManyToManyField(
        "network.Area", verbose_name=_("areas"), blank=True, related_name="memberships"
    )
    # Undermining and other confidential reports are seen only by designated police and
    # OOV staff (art. 10 AVG: criminal-law data), never by role alone.
    handles_confidential_reports = models.BooleanField(
        _("designated for confidential reports"), default=False
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="membership_unique_user_org_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organisation} · {self.get_role_display()}"


class MagicLink(models.Model):
    """A one-time login link for an entrepreneur. Only a hash of the token is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="magic_links")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    next_url = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("login link")
        verbose_name_plural = _("login links")

    def __str__(self) -> str:
        return f"login link for {self.user_id} until {self.expires_at:%Y-%m-%d %H:%M}"


class ExternalIdentity(TimeStampedModel):
    """A login identity at an OIDC provider (municipal SSO, eHerkenning broker)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="external_identities")
    provider = models.CharField(_("provider"), max_length=40)
    subject = models.CharField(_("subject"), max_length=255)

    class Meta:
        verbose_name = _("external identity")
        verbose_name_plural = _("external identities")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "subject"], name="external_identity_unique_subject"
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.subject}"
