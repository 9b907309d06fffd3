"""The network registry: municipalities, areas, businesses, the people behind them,
ambassadors, area contacts and consents."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from weerbaar.core.models import TimeStampedModel
from weerbaar.network import validators


class Municipality(TimeStampedModel):
    """A tenant of the platform. A regional platform holds several."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    cbs_code = models.CharField(
        _("CBS municipality code"), max_length=6, blank=True, help_text=_("For example GM0758.")
    )
    network_name = models.CharField(
        _("network name"),
        max_length=150,
        blank=True,
        help_text=_("For example Veilig Ondernemend Breda."),
    )
    introduction = models.TextField(_("introduction"), blank=True)
    contact_email = models.EmailField(_("contact email address"), blank=True)
    contact_phone = models.CharField(_("contact phone number"), max_length=20, blank=True)
    website = models.URLField(_("website"), blank=True)
    theme_stylesheet_url = models.CharField(
        _("theme stylesheet"),
        max_length=300,
        blank=True,
        help_text=_("Static path or URL of a stylesheet with this municipality's design tokens."),
    )
    theme_class = models.CharField(_("theme class"), max_length=60, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def display_network_name(self) -> str:
        return self.network_name or self.name


class AreaKind(models.TextChoices):
    RETAIL_AREA = "retail_area", _("Shopping area")
    BUSINESS_PARK = "business_park", _("Business park")
    RURAL_AREA = "rural_area", _("Rural area")
    VILLAGE_CORE = "village_core", _("Village core")
    DISTRICT = "district", _("District")


class Area(TimeStampedModel):
    """The unit a network, an alert and a KVO trajectory are organised around."""

    municipality = models.ForeignKey(
        Municipality, verbose_name=_("municipality"), on_delete=models.PROTECT, related_name="areas"
    )
    name = models.CharField(_("name"), max_length=150)
    slug = models.SlugField(_("slug"), max_length=150)
    kind = models.CharField(_("kind"), max_length=20, choices=AreaKind.choices)
    description = models.TextField(_("description"), blank=True)
    boundary = models.JSONField(
        _("boundary (GeoJSON)"),
        null=True,
        blank=True,
        validators=[validators.validate_boundary],
        help_text=_("Optional GeoJSON Polygon or MultiPolygon in WGS84."),
    )

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["municipality__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "slug"], name="area_unique_slug_per_municipality"
            ),
            models.UniqueConstraint(
                fields=["municipality", "name"], name="area_unique_name_per_municipality"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.municipality.name})"


class BusinessSource(models.TextChoices):
    MANUAL = "manual", _("Entered by staff")
    CSV_IMPORT = "csv_import", _("CSV import")
    KVK = "kvk", _("KvK API")
    SELF_REGISTERED = "self_registered", _("Registered by the entrepreneur")
    OIDC = "oidc", _("eHerkenning login")


class Business(TimeStampedModel):
    """One establishment (vestiging): KvK number + vestigingsnummer, sector, address, area."""

    name = models.CharField(_("trade name"), max_length=200)
    kvk_number = models.CharField(
        _("KvK number"), max_length=8, validators=[validators.validate_kvk_number], db_index=True
    )
    establishment_number = models.CharField(
        _("vestigingsnummer"), max_length=12, validators=[validators.validate_establishment_number]
    )
    sbi_code = models.CharField(
        _("SBI code"), max_length=5, blank=True, validators=[validators.validate_sbi_code]
    )
    sbi_description = models.CharField(_("sector"), max_length=200, blank=True)
    street = models.CharField(_("street"), max_length=150)
    house_number = models.CharField(_("house number"), max_length=10)
    house_number_addition = models.CharField(_("addition"), max_length=10, blank=True)
    postal_code = models.CharField(
        _("postal code"), max_length=7, validators=[validators.validate_postal_code]
    )
    city = models.CharField(_("place"), max_length=100)
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="businesses",
    )
    area = models.ForeignKey(
        Area,
        verbose_name=_("area"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="businesses",
    )
    employee_count = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    email = models.EmailField(_("email address"), blank=True)
    phone = models.CharField(_("phone number"), max_length=20, blank=True)
    website = models.URLField(_("website"), blank=True)
    source = models.CharField(
        _("source"), max_length=20, choices=BusinessSource.choices, default=BusinessSource.MANUAL
    )
    joined_network_on = models.DateField(_("joined the network on"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("business")
        verbose_name_plural = _("businesses")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["establishment_number"], name="business_unique_establishment_number"
            ),
        ]
        indexes = [models.Index(fields=["municipality", "area"]), models.Index(fields=["sbi_code"])]

    def __str__(self) -> str:
        return self.name

    @property
    def address(self) -> str:
        number = (
            f"{self.house_number}{self.house_number_addition and ' ' + self.house_number_addition}"
        )
        return f"{self.street} {number}, {self.postal_code} {self.city}"


class BusinessRole(models.TextChoices):
    OWNER = "owner", _("Owner")
    MANAGER = "manager", _("Manager")
    EMPLOYEE = "employee", _("Employee")


class BusinessPerson(TimeStampedModel):
    """A person (user) linked to a business: the entrepreneur role follows from this."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="business_links",
    )
    business = models.ForeignKey(
        Business, verbose_name=_("business"), on_delete=models.CASCADE, related_name="people"
    )
    role = models.CharField(
        _("role"), max_length=20, choices=BusinessRole.choices, default=BusinessRole.OWNER
    )
    is_primary_contact = models.BooleanField(_("primary contact"), default=False)

    class Meta:
        verbose_name = _("person at a business")
        verbose_name_plural = _("people at businesses")
        constraints = [
            models.UniqueConstraint(fields=["person", "business"], name="business_person_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.business}"


class Ambassador(TimeStampedModel):
    """An entrepreneur who represents an area in the network."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="ambassadorships",
    )
    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.CASCADE, related_name="ambassadors"
    )
    business = models.ForeignKey(
        Business,
        verbose_name=_("business"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    since = models.DateField(_("since"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("ambassador")
        verbose_name_plural = _("ambassadors")
        constraints = [
            models.UniqueConstraint(fields=["person", "area"], name="ambassador_unique_person_area")
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.area.name}"


class AreaContactRole(models.TextChoices):
    COMMUNITY_OFFICER = "community_officer", _("Community police officer (wijkagent)")
    POLICE_BUSINESS_LIAISON = "police_business_liaison", _("Police business liaison")
    CENTRE_MANAGER = "centre_manager", _("Centre manager")
    BUSINESS_MANAGER = "business_manager", _("Business manager (ondernemersmanager)")
    PUBLIC_ORDER_SAFETY = "public_order_safety", _("Public order and safety (OOV)")
    FIRE_SAFETY = "fire_safety", _("Fire brigade")
    BIZ_BOARD = "biz_board", _("BIZ board")
    OTHER = "other", _("Other")


class AreaContact(TimeStampedModel):
    """Who is my wijkagent, centre manager, BIZ contact? Shown to entrepreneurs when public."""

    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.CASCADE, related_name="contacts"
    )
    role = models.CharField(_("role"), max_length=30, choices=AreaContactRole.choices)
    name = models.CharField(_("name"), max_length=150)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="area_contacts",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="area_contact_roles",
    )
    email = models.EmailField(_("email address"), blank=True)
    phone = models.CharField(_("phone number"), max_length=20, blank=True)
    is_public = models.BooleanField(_("shown to entrepreneurs"), default=True)

    class Meta:
        verbose_name = _("area contact")
        verbose_name_plural = _("area contacts")
        ordering = ["area", "role", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"


class ConsentPurpose(models.TextChoices):
    NETWORK_MEMBERSHIP = (
        "network_membership",
        _("Membership of the network: my details are kept in the registry"),
    )
    ALERTS = "alerts", _("Receive alerts about my area and sector")
    NEWSLETTER = "newsletter", _("Receive the newsletter")
    EVENT_INVITATIONS = "event_invitations", _("Receive invitations to meetings")
    CONTACT_VISIBLE_TO_AMBASSADOR = (
        "contact_visible_to_ambassador",
        _("My area's ambassador may see my name and contact details"),
    )


class Consent(models.Model):
    """One consent given by a person for one purpose (AVG). Append-only: withdrawing sets
    `withdrawn_at`; giving consent again creates a new row, so the history stays complete."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="consents",
    )
    purpose = models.CharField(_("purpose"), max_length=40, choices=ConsentPurpose.choices)
    text_version = models.CharField(_("text version"), max_length=20, default="2026-1")
    given_at = models.DateTimeField(_("given at"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "purpose"],
                condition=Q(withdrawn_at__isnull=True),
                name="consent_one_active_per_purpose",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.purpose}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


class ImportStatus(models.TextChoices):
    VALIDATED = "validated", _("Checked, not imported")
    IMPORTED = "imported", _("Imported")
    DISCARDED = "discarded", _("Discarded")


class BusinessImport(models.Model):
    """A CSV file of businesses checked in a dry run, waiting for confirmation.

    The parsed rows and their errors are kept so that the confirmation imports exactly
    what the user saw, without uploading the file again.
    """

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="business_imports"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="business_imports",
    )
    file_name = models.CharField(_("file name"), max_length=200)
    rows = models.JSONField(_("rows"), default=list)
    status = models.CharField(
        _("status"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.VALIDATED
    )
    imported_count = models.PositiveIntegerField(_("imported"), default=0)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("business import")
        verbose_name_plural = _("business imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def valid_rows(self) -> list[dict]:
        return [row for row in self.rows if not row.get("errors")]

    @property
    def invalid_rows(self) -> list[dict]:
        return [row for row in self.rows if row.get("errors")]
