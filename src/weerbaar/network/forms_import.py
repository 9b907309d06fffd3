"""Forms of the business import: upload a file, confirm a checked import."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from weerbaar.network.csv_format import MAX_FILE_BYTES, too_large_message
from weerbaar.network.models import Municipality


class ImportUploadForm(forms.Form):
    municipality = forms.ModelChoiceField(
        label=_("Municipality"),
        queryset=Municipality.objects.none(),
        empty_label=None,
        widget=forms.Select(attrs={"class": "utrecht-select utrecht-select--html-select"}),
        help_text=_("The businesses are added to this municipality."),
    )
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "A KvK export saved as CSV, separated by semicolons or commas, at most 5 MB. "
            "The first row holds the column names."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
        error_messages={
            "required": _("Choose the CSV file to check."),
            "empty": _("The file is empty."),
        },
    )

    def __init__(self, *args: Any, municipalities: QuerySet[Municipality], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["municipality"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = municipalities
        field.error_messages["invalid_choice"] = _("Choose a municipality from the list.")
        field.error_messages["required"] = _("Choose the municipality of these businesses.")

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(too_large_message(), code="too_large")
        return upload

    @property
    def too_large(self) -> bool:
        return any(error.code == "too_large" for error in self.errors.as_data().get("file", []))


class ConfirmImportForm(forms.Form):
    ALL = "all"
    VALID = "valid"

    mode = forms.ChoiceField(
        choices=[(ALL, _("Import all rows")), (VALID, _("Import only the rows without errors"))],
        widget=forms.HiddenInput,
    )
    accept_partial = forms.BooleanField(
        required=False,
        label=_("I understand that the rows with errors will not be imported."),
        widget=forms.CheckboxInput(
            attrs={"class": "utrecht-checkbox utrecht-checkbox--html-input"}
        ),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("mode") == self.VALID and not cleaned.get("accept_partial"):
            self.add_error(
                "accept_partial",
                _("Tick this box to import only the rows without errors."),
            )
        return cleaned

    @property
    def only_valid(self) -> bool:
        return self.cleaned_data.get("mode") == self.VALID
