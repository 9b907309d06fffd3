"""Forms of the entrepreneur portal: own profile, own business, a consent change."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from weerbaar.accounts.models import User
from weerbaar.network.models import Business, ConsentPurpose

PHONE_CHARACTERS_RE = re.compile(r"^\+?[0-9 ()-]+$")

TEXT = {"class": "utrecht-textbox utrecht-textbox--html-input"}


def clean_phone(value: str) -> str:
    """A Dutch or international phone number: 10 to 15 digits, with spaces or dashes."""
    value = " ".join(value.split())
    if not value:
        return ""
    digits = re.sub(r"\D", "", value)
    if not PHONE_CHARACTERS_RE.match(value) or not 10 <= len(digits) <= 15:
        raise forms.ValidationError(
            _("Enter a phone number such as 076-5123456 or +31 6 12345678."),
            code="invalid_phone",
        )
    return value


class ProfileForm(forms.ModelForm[User]):
    class Meta:
        model = User
        fields = ("full_name", "phone", "preferred_language")
        widgets = {
            "full_name": forms.TextInput(attrs={**TEXT, "autocomplete": "name"}),
            "phone": forms.TextInput(attrs={**TEXT, "autocomplete": "tel", "inputmode": "tel"}),
            "preferred_language": forms.Select(
                attrs={"class": "utrecht-select utrecht-select--html-select"}
            ),
        }
        help_texts = {
            "phone": _("Optional. Staff of the network may call you about your reports."),
            "preferred_language": _("The language of the messages we send you."),
        }
        error_messages = {
            "full_name": {"required": _("Enter your name.")},
            "preferred_language": {"invalid_choice": _("Choose Nederlands or English.")},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["full_name"].required = True

    def clean_full_name(self) -> str:
        name = " ".join(self.cleaned_data["full_name"].split())
        if not name:
            raise forms.ValidationError(_("Enter your name."), code="required")
        return name

    def clean_phone(self) -> str:
        return clean_phone(self.cleaned_data.get("phone", ""))


class BusinessForm(forms.ModelForm[Business]):
    class Meta:
        model = Business
        fields = ("name", "phone", "email", "website", "employee_count")
        widgets = {
            "name": forms.TextInput(attrs={**TEXT, "autocomplete": "organization"}),
            "phone": forms.TextInput(attrs={**TEXT, "autocomplete": "tel", "inputmode": "tel"}),
            "email": forms.EmailInput(attrs={**TEXT, "autocomplete": "email"}),
            "website": forms.URLInput(attrs={**TEXT, "autocomplete": "url"}),
            "employee_count": forms.NumberInput(attrs={**TEXT, "min": 0, "max": 100000}),
        }
        help_texts = {
            "name": _("The name your customers know, as registered with the KvK."),
            "website": _("For example https://www.mijnzaak.nl."),
            "employee_count": _("Including yourself. Optional."),
        }
        error_messages = {
            "name": {"required": _("Enter the trade name.")},
            "email": {"invalid": _("Enter an email address such as info@mijnzaak.nl.")},
            "website": {"invalid": _("Enter a web address such as https://www.mijnzaak.nl.")},
            "employee_count": {
                "invalid": _("Enter the number of employees as a whole number."),
                "min_value": _("The number of employees cannot be negative."),
            },
        }

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Enter the trade name."), code="required")
        return name

    def clean_phone(self) -> str:
        return clean_phone(self.cleaned_data.get("phone", ""))

    def clean_employee_count(self) -> int | None:
        count = self.cleaned_data.get("employee_count")
        if count is not None and count > 100000:
            raise forms.ValidationError(
                _("Enter the number of employees of this establishment (at most 100,000)."),
                code="max_value",
            )
        return count


class ConsentChangeForm(forms.Form):
    GIVE = "give"
    WITHDRAW = "withdraw"

    purpose = forms.ChoiceField(
        choices=ConsentPurpose.choices,
        error_messages={
            "required": _("Choose the consent you want to change."),
            "invalid_choice": _("This consent does not exist. Choose one from the list."),
        },
    )
    action = forms.ChoiceField(
        choices=[(GIVE, _("Give")), (WITHDRAW, _("Withdraw"))],
        error_messages={
            "required": _("Choose whether to give or withdraw the consent."),
            "invalid_choice": _("Choose whether to give or withdraw the consent."),
        },
    )
    confirm = forms.BooleanField(required=False)
