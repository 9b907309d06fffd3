"""Forms of the back-office registry pages. Plain forms: they parse input into the keyword
arguments of `network.services.registry`; the service validates against the registry and
its `ValidationError`s are shown on the same fields (see `show_errors`)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models import Model, QuerySet
from django.forms.models import fields_for_model, model_to_dict
from django.utils.translation import gettext_lazy as _

from weerbaar.accounts.models import Organisation, User
from weerbaar.network.models import (
    Area,
    AreaContact,
    AreaKind,
    Business,
    BusinessRole,
    Municipality,
)
from weerbaar.network.services.registry import (
    AREA_CONTACT_FIELDS,
    AREA_FIELDS,
    BUSINESS_FIELDS,
    MUNICIPALITY_FIELDS,
    ORGANISATION_FIELDS,
)
from weerbaar.network.validators import normalise_postal_code

WIDGET_CLASSES = {
    "Textarea": "utrecht-textarea utrecht-textarea--html-textarea",
    "Select": "utrecht-select utrecht-select--html-select",
    "CheckboxInput": "utrecht-checkbox utrecht-checkbox--html-input",
    "CheckboxSelectMultiple": "utrecht-checkbox utrecht-checkbox--html-input",
    "RadioSelect": "utrecht-radio-button utrecht-radio-button--html-input",
}
TEXTBOX = "utrecht-textbox utrecht-textbox--html-input"
SELECT = forms.Select(attrs={"class": WIDGET_CLASSES["Select"]})


class StaffForm(forms.Form):
    """Adds the Utrecht classes to every widget and, for model forms, builds the fields
    from the model (labels, lengths, choices, validators) without saving anything."""

    model: type[Model] | None = None
    field_names: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()

    def __init__(self, *args: Any, instance: Model | None = None, **kwargs: Any) -> None:
        if instance is not None and self.model is not None:
            kwargs["initial"] = model_to_dict(instance, self.field_names) | kwargs.get(
                "initial", {}
            )
        super().__init__(*args, **kwargs)
        if self.model is not None:
            generated = fields_for_model(self.model, fields=self.field_names)
            for name, field in generated.items():
                if name not in self.fields and field is not None:
                    self.fields[name] = field
            self.order_fields(self.field_names)
            self._add_model_validators()
        for name in self.optional:
            if name in self.fields:
                self.fields[name].required = False
        for field in self.fields.values():
            widget = field.widget
            css = WIDGET_CLASSES.get(type(widget).__name__, TEXTBOX)
            if "class" not in widget.attrs:
                widget.attrs["class"] = css

    def _add_model_validators(self) -> None:
        """Run the model's own validators on the form too, so one submit shows every
        mistake (the service checks them again before saving)."""
        assert self.model is not None
        model_fields = {field.name: field for field in self.model._meta.get_fields()}
        for name, field in self.fields.items():
            model_field = model_fields.get(name)
            for validator in getattr(model_field, "validators", []):
                if validator not in field.validators:
                    field.validators.append(validator)

    def values(self) -> dict[str, Any]:
        """The cleaned values the service takes."""
        return {name: self.cleaned_data[name] for name in self.field_names if name in self.fields}

    def show_errors(self, error: ValidationError) -> None:
        """Put a service's ValidationError on the matching fields (others on top)."""
        if hasattr(error, "error_dict"):
            for name, messages in error.message_dict.items():
                field = name if name in self.fields and name != NON_FIELD_ERRORS else None
                for message in messages:
                    self.add_error(field, message)
        else:
            for message in error.messages:
                self.add_error(None, message)


def _limit(form: forms.Form, name: str, queryset: QuerySet[Any]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = queryset
    field.error_messages["invalid_choice"] = _("Choose one of the options in the list.")


class MunicipalityForm(StaffForm):
    model = Municipality
    field_names = MUNICIPALITY_FIELDS
    optional = ("slug",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["slug"].help_text = _(
            "Used in web addresses. Leave empty to make one from the name."
        )


class BoundaryField(forms.CharField):
    """A GeoJSON boundary typed or pasted as text. Only the JSON syntax is checked here;
    the shape is checked by the model's validator when the area is saved."""

    widget = forms.Textarea(attrs={"rows": 6, "spellcheck": "false"})

    def to_python(self, value: Any) -> Any:
        text = (super().to_python(value) or "").strip()
        if not text:
            return None
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise ValidationError(
                _(
                    "The boundary is not valid JSON (line %(line)s, column %(column)s). "
                    "Paste a GeoJSON Polygon or MultiPolygon, or leave the field empty."
                ),
                code="invalid_json",
                params={"line": error.lineno, "column": error.colno},
            ) from error

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, dict | list):
            return json.dumps(value, indent=2)
        return value


class AreaForm(StaffForm):
    model = Area
    field_names = AREA_FIELDS
    optional = ("slug",)

    boundary = BoundaryField(
        label=_("Boundary (GeoJSON)"),
        required=False,
        help_text=_(
            "Optional. A GeoJSON Polygon or MultiPolygon with longitude/latitude coordinates "
            "(WGS84), for example drawn on geojson.io."
        ),
    )

    def __init__(
        self,
        *args: Any,
        municipalities: QuerySet[Municipality] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["slug"].help_text = _(
            "Used in web addresses. Leave empty to make one from the name."
        )
        if municipalities is not None:
            self.fields["municipality"] = forms.ModelChoiceField(
                label=_("Municipality"), queryset=municipalities, widget=SELECT
            )
            _limit(self, "municipality", municipalities)
            self.order_fields(("municipality", *self.field_names))


class NormalisedCharField(forms.CharField):
    """A text field that tidies what was typed (spaces, case) before it is validated."""

    def __init__(self, *, normalise: Callable[[str], str], **kwargs: Any) -> None:
        self.normalise = normalise
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        return self.normalise(super().to_python(value) or "")


def _compact(value: str) -> str:
    return value.replace(" ", "")


def _normalised(name: str, normalise: Callable[[str], str]) -> Any:
    model_field = Business._meta.get_field(name)
    assert isinstance(model_field, models.Field)
    return model_field.formfield(form_class=NormalisedCharField, normalise=normalise)


class BusinessForm(StaffForm):
    model = Business
    field_names = BUSINESS_FIELDS

    kvk_number = _normalised("kvk_number", _compact)
    establishment_number = _normalised("establishment_number", _compact)
    sbi_code = _normalised("sbi_code", _compact)
    postal_code = _normalised("postal_code", normalise_postal_code)

    def __init__(
        self,
        *args: Any,
        municipalities: QuerySet[Municipality],
        areas: QuerySet[Area],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _limit(self, "municipality", municipalities)
        _limit(self, "area", areas)
        self.fields["joined_network_on"].widget = forms.DateInput(
            attrs={"type": "date", "class": TEXTBOX}, format="%Y-%m-%d"
        )
        self.fields["area"].help_text = _("The area must lie in the chosen municipality.")


class LinkPersonForm(StaffForm):
    """From a business page: link a person by email (a new address creates the account)."""

    field_names = ("email", "full_name", "phone", "role", "is_primary_contact")

    email = forms.EmailField(
        label=_("Email address"),
        help_text=_("If this address has no account yet, one is created; they log in by email."),
    )
    full_name = forms.CharField(
        label=_("Full name"),
        max_length=200,
        required=False,
        help_text=_("Used only when a new account is created."),
    )
    phone = forms.CharField(label=_("Phone number"), max_length=20, required=False)
    role = forms.ChoiceField(label=_("Role at the business"), choices=BusinessRole.choices)
    is_primary_contact = forms.BooleanField(label=_("Primary contact"), required=False)


class LinkBusinessForm(StaffForm):
    """From a person's page: link them to another business, found by vestigingsnummer."""

    establishment_number = forms.CharField(
        label=_("Vestigingsnummer"),
        max_length=14,
        help_text=_("The 12-digit vestigingsnummer of the business."),
    )
    role = forms.ChoiceField(label=_("Role at the business"), choices=BusinessRole.choices)
    is_primary_contact = forms.BooleanField(label=_("Primary contact"), required=False)

    def __init__(self, *args: Any, businesses: QuerySet[Business], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.businesses = businesses

    def clean_establishment_number(self) -> Business:
        number = self.cleaned_data["establishment_number"].replace(" ", "")
        business = self.businesses.filter(establishment_number=number, is_active=True).first()
        if business is None:
            raise ValidationError(
                _("No active business with vestigingsnummer %(number)s was found among yours."),
                params={"number": number},
            )
        return business


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj} ({obj.email})"


class AmbassadorForm(StaffForm):
    person = PersonChoiceField(
        label=_("Person"),
        queryset=User.objects.none(),
        widget=SELECT,
        help_text=_("People linked to an active business in this municipality."),
    )
    business = forms.ModelChoiceField(
        label=_("Business they represent"),
        queryset=Business.objects.none(),
        required=False,
        widget=SELECT,
        help_text=_("Optional. Must be one of the person's businesses."),
    )
    since = forms.DateField(
        label=_("Ambassador since"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Leave empty for today."),
    )

    def __init__(
        self, *args: Any, people: QuerySet[User], businesses: QuerySet[Business], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        _limit(self, "person", people)
        _limit(self, "business", businesses)


class AreaContactForm(StaffForm):
    model = AreaContact
    field_names = tuple(name for name in AREA_CONTACT_FIELDS if name != "user")

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _limit(self, "organisation", organisations)


class OrganisationForm(StaffForm):
    model = Organisation
    field_names = ORGANISATION_FIELDS

    def __init__(self, *args: Any, municipalities: QuerySet[Municipality], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _limit(self, "municipality", municipalities)
        self.fields["municipality"].help_text = _("Leave empty for a regional organisation.")


# --- list filters (GET) ----------------------------------------------------------------------


class AreaFilterForm(StaffForm):
    municipality = forms.ModelChoiceField(
        label=_("Municipality"), queryset=Municipality.objects.none(), required=False
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All kinds")), *AreaKind.choices], required=False
    )

    def __init__(self, *args: Any, municipalities: QuerySet[Municipality], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _limit(self, "municipality", municipalities)
        self.fields["municipality"].empty_label = _("All municipalities")  # type: ignore[attr-defined]


class BusinessFilterForm(StaffForm):
    STATUS_CHOICES = [
        ("active", _("Active")),
        ("inactive", _("Deactivated")),
        ("all", _("Active and deactivated")),
    ]

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("Trade name, KvK number or postal code."),
    )
    municipality = forms.ModelChoiceField(
        label=_("Municipality"), queryset=Municipality.objects.none(), required=False
    )
    area = forms.ModelChoiceField(label=_("Area"), queryset=Area.objects.none(), required=False)
    sbi = forms.RegexField(
        label=_("SBI code"),
        regex=r"^\s*\d{1,5}\s*$",
        required=False,
        error_messages={"invalid": _("An SBI code consists of digits only, at most 5.")},
    )
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)

    def __init__(
        self,
        *args: Any,
        municipalities: QuerySet[Municipality],
        areas: QuerySet[Area],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _limit(self, "municipality", municipalities)
        _limit(self, "area", areas)
        self.fields["municipality"].empty_label = _("All municipalities")  # type: ignore[attr-defined]
        self.fields["area"].empty_label = _("All areas")  # type: ignore[attr-defined]

    def filters(self) -> dict[str, Any]:
        data = self.cleaned_data
        status = data.get("status") or "active"
        return {
            "search": data.get("q") or "",
            "municipality": data.get("municipality"),
            "area": data.get("area"),
            "sbi_code": (data.get("sbi") or "").strip(),
            "status": "" if status == "all" else status,
        }


class PeopleSearchForm(StaffForm):
    q = forms.CharField(
        label=_("Search"), required=False, max_length=100, help_text=_("Name or email address.")
    )
