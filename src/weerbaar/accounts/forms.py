"""Forms of the login flows. Field names matter: django-axes reads `username` from the POST."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

CODE_RE = re.compile(r"^\d{6}$")


class PasswordLoginForm(AuthenticationForm):
    """Email address + password for staff and partners.

    `clean()` (from AuthenticationForm) calls authenticate(request, username=…, password=…),
    so django-axes counts failures per email address and IP address. A wrong address and a
    wrong password give the same message, so the form does not reveal which accounts exist.
    """

    username = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(
            attrs={
                "autocomplete": "username",
                "class": "utrecht-textbox utrecht-textbox--html-input",
            }
        ),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(
            attrs={
                "autocomplete": "current-password",
                "class": "utrecht-textbox utrecht-textbox--html-input",
            }
        ),
    )

    error_messages = {
        "invalid_login": _("The email address or password is incorrect. Check both and try again."),
        "inactive": _("The email address or password is incorrect. Check both and try again."),
    }

    def __init__(self, request: HttpRequest | None = None, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "password-login-%s")
        super().__init__(request, *args, **kwargs)

    def clean_username(self) -> str:
        # One spelling per address, so axes counts "A@x.nl" and "a@x.nl" together.
        return self.cleaned_data["username"].strip().lower()


class MagicLinkRequestForm(forms.Form):
    """The email address an entrepreneur wants a login link sent to."""

    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        error_messages={
            "required": _("Enter your email address."),
            "invalid": _("Enter a valid email address, such as name@example.nl."),
        },
        widget=forms.EmailInput(
            attrs={"autocomplete": "email", "class": "utrecht-textbox utrecht-textbox--html-input"}
        ),
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "magic-link-%s")
        super().__init__(*args, **kwargs)


class SecondFactorForm(forms.Form):
    """The 6-digit code from the authenticator app. Spaces are allowed ("123 456")."""

    code = forms.CharField(
        label=_("Code from your authenticator app"),
        help_text=_("The 6 digits your authenticator app shows for this website."),
        max_length=12,
        error_messages={"required": _("Enter the 6-digit code from your authenticator app.")},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": r"[0-9 ]*",
                "class": "utrecht-textbox utrecht-textbox--html-input wb-code",
                "size": 8,
            }
        ),
    )

    def clean_code(self) -> str:
        code = re.sub(r"\s", "", self.cleaned_data["code"])
        if not CODE_RE.match(code):
            raise forms.ValidationError(
                _("The code has exactly 6 digits. Enter the code your app shows now."),
                code="format",
            )
        return code
