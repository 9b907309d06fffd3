"""Back-office pages of the business import and the KvK lookup. Thin: the work is in
`network.services.imports` and `contrib.kvk.client`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View

from weerbaar.accounts.mixins import PolicyRequiredMixin
from weerbaar.accounts.policy import Action, scope_queryset
from weerbaar.contrib.kvk.client import (
    KvKInvalidInput,
    KvKNotFound,
    KvKUnavailable,
    get_kvk_client,
)
from weerbaar.network.csv_format import COLUMNS, MAX_ROWS, CsvFormatError
from weerbaar.network.forms_import import ConfirmImportForm, ImportUploadForm
from weerbaar.network.models import Area, BusinessImport, ImportStatus, Municipality
from weerbaar.network.services import imports

SAMPLE_CSV = Path(__file__).resolve().parent / "samples" / "voorbeeld-kvk-export.csv"
RECENT_IMPORTS = 10
VALID_ROWS_SHOWN = 10


class _ImportMixin(PolicyRequiredMixin):
    permission_action = Action.IMPORT_BUSINESSES

    def municipalities(self) -> QuerySet[Municipality]:
        return scope_queryset(
            self.actor, Action.IMPORT_BUSINESSES, Municipality.objects.filter(is_active=True)
        )

    def get_import(self, pk: int) -> BusinessImport:
        """The import, when it belongs to a municipality the user covers (else 404)."""
        queryset = scope_queryset(
            self.actor,
            Action.IMPORT_BUSINESSES,
            BusinessImport.objects.select_related("municipality", "uploaded_by"),
        )
        return get_object_or_404(queryset, pk=pk)


class ImportUploadView(_ImportMixin, View):
    """Choose the municipality and the file; posting runs the check (the dry run)."""

    template_name = "network/import/upload.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        initial: dict[str, Any] = {}
        if slug := request.GET.get("gemeente"):
            initial["municipality"] = get_object_or_404(self.municipalities(), slug=slug)
        form = ImportUploadForm(municipalities=self.municipalities(), initial=initial)
        return self.render(request, form)

    def post(self, request: HttpRequest) -> HttpResponse:
        self._refuse_municipality_out_of_scope(request.POST.get("municipality", ""))
        form = ImportUploadForm(request.POST, request.FILES, municipalities=self.municipalities())
        if not form.is_valid():
            return self.render(request, form, status=413 if form.too_large else 400)
        upload = form.cleaned_data["file"]
        try:
            business_import = imports.check_import(
                self.actor,
                form.cleaned_data["municipality"],
                upload.read(),
                upload.name or "import.csv",
            )
        except CsvFormatError as error:
            form.add_error("file", error.message)
            return self.render(request, form, status=413 if error.code == "too_large" else 400)
        return redirect("staff_import:preview", pk=business_import.pk)

    def _refuse_municipality_out_of_scope(self, value: str) -> None:
        """A municipality that exists but is not the user's answers 404, as everywhere."""
        if (
            value.isdigit()
            and Municipality.objects.filter(pk=int(value)).exists()
            and not self.municipalities().filter(pk=int(value)).exists()
        ):
            raise Http404

    def render(self, request: HttpRequest, form: ImportUploadForm, status: int = 200) -> Any:
        recent = scope_queryset(
            self.actor,
            Action.IMPORT_BUSINESSES,
            BusinessImport.objects.select_related("municipality", "uploaded_by").defer("rows"),
        )[:RECENT_IMPORTS]
        context = {
            "form": form,
            "recent_imports": recent,
            "columns": COLUMNS,
            "max_rows": MAX_ROWS,
        }
        return render(request, self.template_name, context, status=status)


class ImportPreviewView(_ImportMixin, View):
    """What the check found: counts, the rows with errors, and the buttons to go on."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        business_import = self.get_import(pk)
        return render_preview(request, business_import)


def render_preview(
    request: HttpRequest,
    business_import: BusinessImport,
    confirm_form: ConfirmImportForm | None = None,
    status: int = 200,
    error: str = "",
) -> HttpResponse:
    summary = imports.summarise(business_import)
    area_ids = {row["area_id"] for row in business_import.valid_rows[:VALID_ROWS_SHOWN]}
    area_names = dict(Area.objects.filter(pk__in=area_ids - {None}).values_list("pk", "name"))
    valid_sample = [
        {**row, "area_name": area_names.get(row["area_id"], row["area"])}
        for row in business_import.valid_rows[:VALID_ROWS_SHOWN]
    ]
    context = {
        "business_import": business_import,
        "municipality_areas": Area.objects.filter(
            municipality_id=business_import.municipality_id
        ).order_by("name"),
        "summary": summary,
        "valid_sample": valid_sample,
        "is_open": business_import.status == ImportStatus.VALIDATED,
        "confirm_form": confirm_form or ConfirmImportForm(),
        "error": error,
        "upload_url": reverse("staff_import:upload")
        + f"?gemeente={business_import.municipality.slug}",
    }
    return render(request, "network/import/preview.html", context, status=status)


class ImportConfirmView(_ImportMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        business_import = self.get_import(pk)
        form = ConfirmImportForm(request.POST)
        if not form.is_valid():
            error = _("Use one of the import buttons below.") if "mode" in form.errors else ""
            return render_preview(
                request, business_import, confirm_form=form, status=400, error=error
            )
        try:
            count = imports.confirm_import(self.actor, business_import, only_valid=form.only_valid)
        except imports.BusinessImportError as error:
            business_import.refresh_from_db()
            return render_preview(
                request,
                business_import,
                confirm_form=form,
                status=error.status_code,
                error=error.message,
            )
        messages.success(
            request,
            ngettext(
                "%(count)s business was imported into %(municipality)s.",
                "%(count)s businesses were imported into %(municipality)s.",
                count,
            )
            % {"count": count, "municipality": business_import.municipality.name},
        )
        return redirect("staff_import:preview", pk=business_import.pk)


class ImportDiscardView(_ImportMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        business_import = self.get_import(pk)
        try:
            imports.discard_import(self.actor, business_import)
        except imports.BusinessImportError as error:
            return render_preview(
                request, business_import, status=error.status_code, error=error.message
            )
        messages.success(
            request,
            _("The check of %(file)s was discarded; nothing was imported.")
            % {"file": business_import.file_name},
        )
        return redirect("staff_import:upload")


class SampleCsvView(_ImportMixin, View):
    """An example KvK export with two deliberate errors, to try the import with."""

    def get(self, request: HttpRequest) -> FileResponse:
        return FileResponse(
            SAMPLE_CSV.open("rb"),
            as_attachment=True,
            filename=SAMPLE_CSV.name,
            content_type="text/csv; charset=utf-8",
        )


class KvKLookupView(PolicyRequiredMixin, View):
    """GET ?kvk=12345678: the basisprofiel from the KvK register, as an htmx partial
    (or a whole page without htmx). Bad number 400, unknown 404, register down 503."""

    permission_action = Action.MANAGE_BUSINESS

    def get(self, request: HttpRequest) -> HttpResponse:
        kvk_number = request.GET.get("kvk", "").strip().replace(" ", "")
        profile = None
        error = ""
        status = 200
        try:
            profile = get_kvk_client().basisprofiel(kvk_number)
        except KvKInvalidInput as exc:
            error, status = exc.message, 400
        except KvKNotFound as exc:
            error, status = exc.message, 404
        except KvKUnavailable as exc:
            error, status = exc.message, 503
        context = {
            "profile": profile,
            "error": error,
            "kvk_number": kvk_number,
            "kvk_unavailable": status == 503,
        }
        template = (
            "network/import/_kvk_profile.html"
            if request.headers.get("HX-Request")
            else "network/import/kvk_lookup.html"
        )
        return render(request, template, context, status=status)
