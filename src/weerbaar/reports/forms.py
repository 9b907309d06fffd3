"""Forms of the reporter pages and the staff intake.

The forms only parse: `ReportForm.intake()` turns the input into a `services.ReportIntake`
and `services.submit_report()` decides what is acceptable. Its `ValidationError`s are put
back on the matching fields with `show_service_errors()`, so the reporter sees every message
next to the field it is about. Attachments are the exception: they are sanitised while the
form is cleaned (`reports.attachments`), because their errors belong to the file field and
a file that cannot be made safe must never reach the service.

One form serves three pages (`Variant`): the public form (anonymous or with an email address
for feedback), the entrepreneur portal (the reporter is the logged-in person, optionally
"at my business") and staff entering a report on behalf of a caller (with the channel).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from weerbaar.accounts.policy import Actor
from weerbaar.network.models import Area, Business, Municipality
from weerbaar.reports.attachments import (
    MAX_ATTACHMENT_BYTES,
    MAX_ATTACHMENTS_PER_REPORT,
    CleanAttachment,
    sanitise_attachments,
)
from weerbaar.reports.models import STAFF_CHANNELS, ReportCategory, ReportChannel
from weerbaar.reports.services import ReportIntake, selectable_categories
from weerbaar.reports.services.intake import DESCRIPTION_MAX_LENGTH, DESCRIPTION_MIN_LENGTH

__all__ = [
    "ANONYMOUS",
    "IDENTIFIED",
    "CategoryGroup",
    "CategoryOption",
    "ReceiptCodeForm",
    "ReopenForm",
    "ReplyForm",
    "ReportForm",
    "Variant",
    "VerdictForm",
    "show_errors",
]

TEXTBOX = "utrecht-textbox utrecht-textbox--html-input"
TEXTAREA = "utrecht-textarea utrecht-textarea--html-textarea"
SELECT = "utrecht-select utrecht-select--html-select"
RADIO = "utrecht-radio-button utrecht-radio-button--html-input"
ACCEPTED_FILE_TYPES = "image/jpeg,image/png,image/webp,application/pdf,.jpg,.jpeg,.png,.webp,.pdf"
ANONYMOUS = "anonymous"
IDENTIFIED = "identified"
# Free text of the reporter's side (replies, reasons) is limited by the service; this only
# keeps absurd posts from being processed at all.
REPLY_HARD_LIMIT = 100_000


class Variant(StrEnum):
    PUBLIC = "public"
    PORTAL = "portal"
    STAFF = "staff"


@dataclass(frozen=True)
class CategoryOption:
    """One radio button of the category list, with the texts shown beside it."""

    value: str
    input_id: str
    label: str
    help: str
    signals: list[str]
    checked: bool


@dataclass
class CategoryGroup:
    """A heading of the category tree with its categories; a group without subcategories is
    one option itself (`is_single`)."""

    label: str
    help: str
    options: list[CategoryOption] = field(default_factory=list)
    is_single: bool = False

    @property
    def is_open(self) -> bool:
        return any(option.checked for option in self.options)


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.Field):
    """Any number of uploads, checked and stripped of metadata as one batch. The cleaned
    value is a list of `CleanAttachment`s (empty when nothing was chosen)."""

    widget = MultipleFileInput

    def to_python(self, value: Any) -> list[UploadedFile]:
        if not value:
            return []
        uploads = value if isinstance(value, list | tuple) else [value]
        return [upload for upload in uploads if isinstance(upload, UploadedFile)]

    def clean(self, value: Any) -> list[CleanAttachment]:
        uploads = self.to_python(value)
        if not uploads:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        return sanitise_attachments(uploads)


class EmailForFeedbackField(forms.EmailField):
    """The email address is needed unless the report is anonymous. The label is shown
    without "(optional)", and the service says when it is missing: it knows the choice."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=True, **kwargs)

    def validate(self, value: Any) -> None:
        # Skip the required check only; the service requires it for identified reports.
        if value in self.empty_values:
            return
        super().validate(value)


class CoordinateField(forms.CharField):
    """A latitude or longitude as typed or filled in by the browser's location button:
    a comma is read as a decimal point and the value is rounded to 6 decimals (10 cm)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, max_length=30, **kwargs)

    def clean(self, value: Any) -> Decimal | None:
        text = super().clean(value).strip().replace(",", ".")
        if not text:
            return None
        try:
            number = Decimal(text)
            if not number.is_finite() or abs(number) > 180:
                raise InvalidOperation
            return number.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)
        except InvalidOperation:
            raise ValidationError(
                _("Enter a number, for example 51.5890."), code="invalid"
            ) from None


FIELD_ORDER = (
    "channel",
    "category",
    "description",
    "occurred_date",
    "occurred_time",
    "business",
    "municipality",
    "location_text",
    "area",
    "latitude",
    "longitude",
    "attachments",
    "anonymous",
    "reporter_email",
    "reporter_name",
    "reporter_phone",
    "submission",
)


class AreaChoiceField(forms.ModelChoiceField[Area]):
    """Areas; when areas of several municipalities are listed, each names its municipality."""

    with_municipality = False

    def label_from_instance(self, obj: Area) -> str:
        if self.with_municipality:
            return f"{obj.name} ({obj.municipality.name})"
        return obj.name


def attachments_help() -> str:
    return gettext(
        "At most %(count)d photos (JPEG, PNG, WebP) or PDF files of %(size)d MB each. "
        "We remove location and camera data before storing them."
    ) % {"count": MAX_ATTACHMENTS_PER_REPORT, "size": MAX_ATTACHMENT_BYTES // (1024 * 1024)}


def _textbox(**attrs: str) -> forms.TextInput:
    return forms.TextInput(attrs={"class": TEXTBOX, **attrs})


class ReportForm(forms.Form):
    """The report form of the public site, the portal and the staff intake (see `Variant`).

    `municipality` is the municipality the report is for; the portal may leave it None and
    take it from the chosen business or the municipality field.
    """

    # The service validates against the reporter's choice (anonymous or not); browsers
    # must not block a submit on their own idea of "required".
    use_required_attribute = False

    category = forms.ChoiceField(
        label=_("What is it about?"),
        error_messages={
            "required": _("Choose what your report is about."),
            "invalid_choice": _("Choose one of the categories in the list."),
        },
    )
    description = forms.CharField(
        label=_("What did you see?"),
        help_text=_(
            "Describe what happened, who or what was involved (a description, a licence "
            "plate) and anything else that stood out."
        ),
        widget=forms.Textarea(attrs={"class": TEXTAREA, "rows": 5}),
        error_messages={"required": _("Describe what you saw.")},
        strip=False,
    )
    occurred_date = forms.DateField(
        label=_("Date"),
        help_text=_("An estimate is fine."),
        input_formats=["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d-%m-%y"],
        widget=forms.DateInput(attrs={"class": TEXTBOX, "type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Say on which day it happened (an estimate is fine)."),
            "invalid": _("Enter a date such as 24-04-2026."),
        },
    )
    occurred_time = forms.TimeField(
        label=_("Time"),
        required=False,
        help_text=_("Leave empty if you do not know."),
        input_formats=["%H:%M", "%H:%M:%S", "%H.%M"],
        widget=forms.TimeInput(attrs={"class": TEXTBOX, "type": "time"}, format="%H:%M"),
        error_messages={"invalid": _("Enter a time such as 14:30.")},
    )
    location_text = forms.CharField(
        label=_("Address or place"),
        required=False,
        max_length=200,
        help_text=_("For example “Grote Markt 12” or “car park behind the station”."),
        widget=_textbox(autocomplete="street-address"),
    )
    latitude = CoordinateField(
        label=_("Latitude"),
        widget=_textbox(inputmode="decimal", autocomplete="off"),
    )
    longitude = CoordinateField(
        label=_("Longitude"),
        widget=_textbox(inputmode="decimal", autocomplete="off"),
    )
    area = AreaChoiceField(
        label=_("Area"),
        queryset=Area.objects.none(),
        required=False,
        empty_label=_("I do not know / not in an area"),
        widget=forms.Select(attrs={"class": SELECT}),
        error_messages={"invalid_choice": _("Choose one of the areas in the list.")},
    )
    attachments = AttachmentsField(
        label=_("Photos or documents"),
        required=False,
        widget=MultipleFileInput(
            attrs={"class": "wb-file-input", "accept": ACCEPTED_FILE_TYPES, "multiple": True}
        ),
    )
    # Not required as such: someone who filled in contact details but skipped the choice
    # clearly reports with them (see `clean`).
    anonymous = forms.ChoiceField(
        label=_("Do you want to report anonymously?"),
        required=False,
        widget=forms.RadioSelect(attrs={"class": RADIO}),
        error_messages={"invalid_choice": _("Choose whether you report anonymously.")},
    )
    reporter_email = EmailForFeedbackField(
        label=_("Email address"),
        max_length=254,
        help_text=_("We send the feedback on your report here. Not needed when anonymous."),
        widget=forms.EmailInput(attrs={"class": TEXTBOX, "autocomplete": "email"}),
        error_messages={"invalid": _("Enter a valid email address.")},
    )
    reporter_name = forms.CharField(
        label=_("Name"),
        required=False,
        max_length=150,
        widget=_textbox(autocomplete="name"),
    )
    reporter_phone = forms.CharField(
        label=_("Phone number"),
        required=False,
        max_length=20,
        help_text=_("Only if the handler may call you."),
        widget=forms.TextInput(
            attrs={"class": TEXTBOX, "autocomplete": "tel", "inputmode": "tel", "type": "tel"}
        ),
    )
    # A random token per form, so pressing "send" twice makes one report (see the view).
    submission = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        variant: Variant = Variant.PUBLIC,
        municipality: Municipality | None = None,
        actor: Actor | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.variant = variant
        self.municipality = municipality
        self.actor = actor
        self._categories = {str(c.pk): c for c in selectable_categories()}
        category_field = self.fields["category"]
        assert isinstance(category_field, forms.ChoiceField)
        category_field.choices = [(pk, c.label) for pk, c in self._categories.items()]
        now = timezone.localtime()
        self.fields["occurred_date"].initial = now.date()
        self.fields["occurred_date"].widget.attrs["max"] = now.date().isoformat()
        self.fields["occurred_time"].initial = now.strftime("%H:%M")
        self.fields["attachments"].help_text = attachments_help()
        self._set_up_places()
        self._set_up_reporter()
        self.order_fields(FIELD_ORDER)

    # --- set-up per variant ----------------------------------------------------------------

    def _set_up_places(self) -> None:
        area_field = self.fields["area"]
        assert isinstance(area_field, AreaChoiceField)
        if self.variant == Variant.PORTAL:
            self._set_up_portal_places(area_field)
        elif self.municipality is not None:
            area_field.queryset = self.municipality.areas.order_by("name")
        if area_field.queryset is None or not area_field.queryset.exists():
            del self.fields["area"]

    def _set_up_portal_places(self, area_field: AreaChoiceField) -> None:
        business_ids = self.actor.business_ids if self.actor else frozenset()
        businesses = list(
            Business.objects.filter(pk__in=business_ids, is_active=True)
            .select_related("municipality")
            .order_by("name")
        )
        self._businesses = {str(b.pk): b for b in businesses}
        if businesses:
            self.fields["business"] = forms.ChoiceField(
                label=_("Did it happen at your business?"),
                required=False,
                choices=[
                    *((str(b.pk), f"{b.name}, {b.address}") for b in businesses),
                    ("", _("No, somewhere else")),
                ],
                initial=str(businesses[0].pk),
                widget=forms.Select(attrs={"class": SELECT}),
                error_messages={
                    "invalid_choice": _("You can only choose one of your own businesses.")
                },
            )
        municipalities = Municipality.objects.filter(is_active=True).order_by("name")
        if self.municipality is None and municipalities.count() > 1:
            self.fields["municipality"] = forms.ModelChoiceField(
                label=_("Municipality"),
                queryset=municipalities,
                required=False,
                initial=businesses[0].municipality if businesses else None,
                help_text=_("Where did it happen? Not needed when it was at your business."),
                widget=forms.Select(attrs={"class": SELECT}),
                error_messages={
                    "invalid_choice": _("Choose one of the municipalities in the list.")
                },
            )
        elif self.municipality is None:
            self.municipality = municipalities.first()
        areas = Area.objects.filter(municipality__is_active=True).select_related("municipality")
        if self.municipality is not None and "municipality" not in self.fields:
            areas = areas.filter(municipality=self.municipality)
        area_field.queryset = areas.order_by("municipality__name", "name")
        area_field.with_municipality = "municipality" in self.fields

    def _set_up_reporter(self) -> None:
        anonymous = self.fields["anonymous"]
        assert isinstance(anonymous, forms.ChoiceField)
        if self.variant == Variant.PORTAL:
            # The portal reporter is the logged-in person (anonymous: log out first).
            for name in ("anonymous", "reporter_email", "reporter_name", "reporter_phone"):
                del self.fields[name]
            return
        if self.variant == Variant.STAFF:
            # Staff type what a caller tells them: the questions are about the reporter.
            self.fields["category"].label = _("What is the report about?")
            self.fields["description"].label = _("What did the reporter see?")
            anonymous.label = _("Does the reporter want to stay anonymous?")
            anonymous.choices = [
                (IDENTIFIED, _("No: record the contact details below (if any)")),
                (ANONYMOUS, _("Yes: no name or contact details; they get a receipt code")),
            ]
            anonymous.initial = IDENTIFIED
            email = self.fields["reporter_email"]
            email.label = _("Reporter's email address")
            email.required = False
            email.help_text = _("Feedback is sent here. Leave empty if they have none.")
            self.fields["reporter_name"].label = _("Reporter's name")
            self.fields["reporter_phone"].label = _("Reporter's phone number")
            self.fields["reporter_phone"].help_text = ""
            self.fields["channel"] = forms.ChoiceField(
                label=_("How did the report come in?"),
                choices=[(c.value, c.label) for c in STAFF_CHANNELS],
                widget=forms.Select(attrs={"class": SELECT}),
                error_messages={"invalid_choice": _("Choose one of the options in the list.")},
            )
            return
        anonymous.choices = [
            (IDENTIFIED, _("No, I give my email address for feedback")),
            (ANONYMOUS, _("Yes, anonymously: I get a receipt code to follow my report")),
        ]

    # --- cleaning ----------------------------------------------------------------------------

    def clean_category(self) -> ReportCategory:
        return self._categories[self.cleaned_data["category"]]

    def clean_occurred_date(self) -> datetime.date:
        value: datetime.date = self.cleaned_data["occurred_date"]
        if value.year < 1900:
            # Far-off years overflow time-zone arithmetic; nobody reports those anyway.
            raise ValidationError(_("Enter a date such as 24-04-2026."), code="invalid")
        if value > timezone.localdate():
            raise ValidationError(_("The date and time lie in the future."))
        return value

    def clean_description(self) -> str:
        # The service checks this again; checking here too lets one submit show every
        # mistake instead of first the form's and then the service's.
        description: str = self.cleaned_data["description"]
        length = len(description.strip())
        if length < DESCRIPTION_MIN_LENGTH:
            raise ValidationError(
                _("Describe what you saw in at least %(count)d characters.")
                % {"count": DESCRIPTION_MIN_LENGTH}
            )
        if length > DESCRIPTION_MAX_LENGTH:
            raise ValidationError(
                _("Keep the description under %(count)d characters; you can add more later.")
                % {"count": DESCRIPTION_MAX_LENGTH}
            )
        return description

    def clean_business(self) -> Business | None:
        return self._businesses.get(self.cleaned_data.get("business") or "")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None
        if "anonymous" in self.fields and not cleaned.get("anonymous"):
            contact = ("reporter_email", "reporter_name", "reporter_phone")
            if any(cleaned.get(name) for name in contact):
                cleaned["anonymous"] = IDENTIFIED
            elif "anonymous" not in self.errors:
                self.add_error("anonymous", _("Choose whether you report anonymously."))
        places = ("location_text", "latitude", "business", "area")
        if not any(cleaned.get(name) for name in places) and not any(
            name in self.errors for name in (*places, "longitude")
        ):
            self.add_error(
                "location_text",
                _("Say where it happened: an address, a point on the map or your business."),
            )
        if self.variant == Variant.PORTAL and not self.errors:
            business = cleaned.get("business")
            area = cleaned.get("area")
            chosen = cleaned.get("municipality")
            municipality = (
                business.municipality
                if business is not None
                else chosen or (area.municipality if area is not None else self.municipality)
            )
            if municipality is None:
                self.add_error(
                    "municipality" if "municipality" in self.fields else None,
                    _("Choose the municipality where it happened."),
                )
            cleaned["resolved_municipality"] = municipality
        return cleaned

    def occurred_at(self) -> datetime.datetime | None:
        day: datetime.date | None = self.cleaned_data.get("occurred_date")
        if day is None:
            return None
        moment: datetime.time | None = self.cleaned_data.get("occurred_time")
        now = timezone.localtime()
        if moment is None:
            # Unknown time: now for today, midday for an earlier day.
            if day == now.date():
                return now
            moment = datetime.time(12, 0)
        return timezone.make_aware(datetime.datetime.combine(day, moment))

    def intake(self) -> ReportIntake:
        """The cleaned form as a `ReportIntake` (call only when `is_valid()`)."""
        data = self.cleaned_data
        municipality = data.get("resolved_municipality") or self.municipality
        assert municipality is not None
        is_anonymous = data.get("anonymous") == ANONYMOUS
        if self.variant == Variant.PORTAL:
            channel = ReportChannel.PORTAL
        elif self.variant == Variant.STAFF:
            channel = ReportChannel(data["channel"])
        else:
            channel = ReportChannel.WEB
        return ReportIntake(
            municipality=municipality,
            category=data["category"],
            description=data["description"],
            occurred_at=self.occurred_at(),
            channel=channel,
            area=data.get("area"),
            business=data.get("business"),
            location_text=data.get("location_text", ""),
            latitude=data.get("latitude"),
            longitude=data.get("longitude"),
            is_anonymous=is_anonymous,
            reporter_name=data.get("reporter_name", ""),
            reporter_email=data.get("reporter_email") or "",
            reporter_phone=data.get("reporter_phone", ""),
            attachments=data.get("attachments", []),
        )

    def show_service_errors(self, error: ValidationError) -> None:
        """Put the service's errors on the fields they are about (the rest on top)."""
        if not hasattr(error, "error_dict"):
            for message in error.messages:
                self.add_error(None, message)
            return
        for name, messages in error.message_dict.items():
            target = self._field_for(name)
            for message in messages:
                self.add_error(target, message)

    def _field_for(self, service_field: str) -> str | None:
        if service_field == "occurred_at":
            day = self.cleaned_data.get("occurred_date")
            time_given = self.cleaned_data.get("occurred_time") is not None
            today = timezone.localdate()
            return "occurred_time" if time_given and day == today else "occurred_date"
        target = {"location": "latitude", "is_anonymous": "anonymous"}.get(
            service_field, service_field
        )
        return target if target in self.fields and target != NON_FIELD_ERRORS else None

    # --- rendering helpers -------------------------------------------------------------------

    @property
    def had_attachments(self) -> bool:
        """Files were sent, but the form is shown again: the browser forgets them."""
        return self.is_bound and bool(self.files.getlist(self.add_prefix("attachments")))

    @property
    def place_details_open(self) -> bool:
        return any(
            self.is_bound and (self.data.get(self.add_prefix(name)) or self.errors.get(name))
            for name in ("latitude", "longitude")
        )

    def category_groups(self) -> list[CategoryGroup]:
        """The selectable categories under their group headings, in the tree's order."""
        bound = self["category"]
        chosen = str(bound.value() or "")
        groups: dict[int, CategoryGroup] = {}
        order: dict[int, tuple[int, str]] = {}
        for pk, category in self._categories.items():
            parent = category.parent
            head = parent if parent is not None else category
            if head.pk not in groups:
                groups[head.pk] = CategoryGroup(
                    label=head.label, help=head.help, is_single=parent is None
                )
                order[head.pk] = (head.sort_order, head.code)
            signals = category.signal_list or (parent.signal_list if parent else [])
            groups[head.pk].options.append(
                CategoryOption(
                    value=pk,
                    input_id=f"{bound.auto_id}_{pk}",
                    label=category.label,
                    help=category.help,
                    signals=signals,
                    checked=pk == chosen,
                )
            )
        return [groups[pk] for pk in sorted(groups, key=lambda pk: order[pk])]

    def chosen_category(self) -> ReportCategory | None:
        return self._categories.get(str(self["category"].value() or ""))


class ReceiptCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Receipt code"),
        max_length=40,
        help_text=_(
            "The 16 characters you got when you made the report, e.g. K7QF-3MXR-9TWD-HP2C."
        ),
        widget=forms.TextInput(
            attrs={
                "class": TEXTBOX,
                "autocomplete": "off",
                "autocapitalize": "characters",
                "autocorrect": "off",
                "spellcheck": "false",
            }
        ),
        error_messages={"required": _("Enter your receipt code.")},
    )


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Your message"),
        max_length=REPLY_HARD_LIMIT,
        help_text=_("Answer the handler's question or add information."),
        widget=forms.Textarea(attrs={"class": TEXTAREA, "rows": 4}),
        error_messages={"required": _("Write your message.")},
    )
    attachments = AttachmentsField(
        label=_("Photos or documents"),
        required=False,
        widget=MultipleFileInput(
            attrs={"class": "wb-file-input", "accept": ACCEPTED_FILE_TYPES, "multiple": True}
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = attachments_help()


class VerdictForm(forms.Form):
    satisfied = forms.TypedChoiceField(
        label=_("Are you satisfied with how your report was handled?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect(attrs={"class": RADIO}),
        error_messages={
            "required": _("Choose yes or no."),
            "invalid_choice": _("Choose yes or no."),
        },
    )
    comment = forms.CharField(
        label=_("Why?"),
        required=False,
        max_length=REPLY_HARD_LIMIT,
        help_text=_("Your explanation helps the network do better."),
        widget=forms.Textarea(attrs={"class": TEXTAREA, "rows": 3}),
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Why should the report be reopened?"),
        max_length=REPLY_HARD_LIMIT,
        widget=forms.Textarea(attrs={"class": TEXTAREA, "rows": 3}),
        error_messages={"required": _("Say why the report should be reopened.")},
    )


def show_errors(
    form: forms.Form, error: ValidationError, rename: dict[str, str] | None = None
) -> None:
    """Put a reporter service's ValidationError on `form`: a field named in the error (or
    renamed by `rename`) gets its messages, everything else goes on top of the form."""
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            target = (rename or {}).get(name, name)
            for message in messages:
                form.add_error(target if target in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)
