"""API representations of reports (meldingen).

Input serializers only check shape and type and look up what a value names (a municipality
by slug, a category by code); every rule about content — description length, dates in the
future, coordinates outside the Netherlands, which transitions exist — is decided by
`reports.services`, so the API and the web forms refuse the same input with the same words.
Output serializers are read-only and read only what `reports.queries` already loaded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from weerbaar.network.models import Area, Municipality
from weerbaar.reports import config
from weerbaar.reports.models import Report, ReportAttachment, ReportCategory, ReportEvent
from weerbaar.reports.models import ReportStatus as Status
from weerbaar.reports.queries import SORTS
from weerbaar.reports.workflow import Party, transitions_from

# --- input ---------------------------------------------------------------------------------


class TextField(serializers.CharField):
    """A string and nothing else: a number or boolean where text belongs is a client error,
    not something to convert silently."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


def _text(**kwargs: Any) -> TextField:
    """Optional free text; surrounding white space is kept for the service to judge."""
    kwargs.setdefault("required", False)
    kwargs.setdefault("allow_blank", True)
    kwargs.setdefault("default", "")
    kwargs.setdefault("trim_whitespace", False)
    return TextField(**kwargs)


@extend_schema_field(OpenApiTypes.STR)
class ConfiguredLookupField(serializers.Field):
    """A value named by a string (a code, a slug), found by `lookup` in the in-memory intake
    configuration (`reports.config`): no query per submission."""

    default_error_messages = {"invalid": _("Not a valid string.")}

    def __init__(
        self, *, lookup: Callable[[str], Any], not_found: str | Promise, **kwargs: Any
    ) -> None:
        self.lookup = lookup
        super().__init__(**kwargs)
        # Kept lazy: the message is translated per request, in its language.
        self.error_messages["does_not_exist"] = cast(str, not_found)

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str):
            self.fail("invalid")
        found = self.lookup(data.strip())
        if found is None:
            self.fail("does_not_exist")
        return found

    def to_representation(self, value: Any) -> str:
        return str(value)


def _active_category(code: str) -> ReportCategory | None:
    # Whether it may be chosen (a leaf of the tree) is the service's decision.
    category = config.current().categories_by_code.get(code)
    return category if category is not None and category.is_active else None


def _active_municipality(slug: str) -> Municipality | None:
    return config.current().municipalities.get(slug)


class ReportSubmitSerializer(serializers.Serializer[Any]):
    municipality = ConfiguredLookupField(
        lookup=_active_municipality,
        not_found=_("Choose one of the municipalities on the platform."),
        help_text=_("Slug of the municipality where it happened."),
    )
    category = ConfiguredLookupField(
        lookup=_active_category,
        not_found=_("Choose one of the categories in the list."),
        help_text=_("Code of a category without subcategories."),
    )
    description = TextField(
        trim_whitespace=False,
        allow_blank=True,
        help_text=_("What the reporter saw, as plain text (10 to 5,000 characters)."),
    )
    occurred_at = serializers.DateTimeField(
        help_text=_("When it happened (ISO 8601; without a time zone: Dutch time).")
    )
    location_text = _text(max_length=200, help_text=_("Address or description of the place."))
    latitude = serializers.FloatField(
        required=False, allow_null=True, default=None, min_value=-90, max_value=90
    )
    longitude = serializers.FloatField(
        required=False, allow_null=True, default=None, min_value=-180, max_value=180
    )
    area = serializers.SlugField(
        required=False,
        allow_null=True,
        allow_blank=True,
        default=None,
        help_text=_("Slug of an area of the municipality."),
    )
    anonymous = serializers.BooleanField(
        default=False,
        help_text=_(
            "Report anonymously: no name or contact details; the answer carries a receipt "
            "code to follow the report."
        ),
    )
    reporter_name = _text(max_length=150)
    reporter_email = _text(
        max_length=254, help_text=_("Required unless anonymous: feedback goes there.")
    )
    reporter_phone = _text(max_length=20)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        slug = attrs.get("area")
        if slug:
            municipality: Municipality = attrs["municipality"]
            area = Area.objects.filter(municipality=municipality, slug=slug).first()
            if area is None:
                raise serializers.ValidationError(
                    {
                        "area": _("This area is not in %(municipality)s.")
                        % {"municipality": municipality}
                    }
                )
            attrs["area"] = area
        else:
            attrs["area"] = None
        return attrs


class ReportSubmitMultipartSerializer(ReportSubmitSerializer):
    """The same fields as a form, plus photos and PDFs (metadata is removed before storage)."""

    attachments = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        default=list,
        help_text=_("Up to 5 photos (JPEG, PNG, WebP) or PDF documents."),
    )


class ReceiptCodeSerializer(serializers.Serializer[Any]):
    receipt_code = TextField(
        max_length=64, help_text=_("The receipt code the reporter got when reporting.")
    )


class ReporterMessageSerializer(ReceiptCodeSerializer):
    text = _text(help_text=_("Answer or extra information for the handler."))


class VerdictSerializer(ReceiptCodeSerializer):
    satisfied = serializers.BooleanField(help_text=_("Is the reporter satisfied?"))
    comment = _text(help_text=_("Why (optional)."))


class ReopenSerializer(ReceiptCodeSerializer):
    reason = _text(help_text=_("Why the report should be reopened."))


class QueueQuerySerializer(serializers.Serializer[Any]):
    """The filters of the staff work queue, read from the query string."""

    status = serializers.ChoiceField(choices=Status.choices, required=False)
    open = serializers.BooleanField(
        required=False, default=False, help_text=_("Only reports that are still open.")
    )
    category = serializers.SlugRelatedField[ReportCategory](
        slug_field="code",
        queryset=ReportCategory.objects.all(),
        required=False,
        help_text=_("Category code; a group code matches every category in the group."),
        error_messages={"does_not_exist": _("Choose one of the categories in the list.")},
    )
    municipality = serializers.CharField(
        required=False, max_length=100, help_text=_("Municipality slug or id.")
    )
    area = serializers.IntegerField(required=False, min_value=1, help_text=_("Area id."))
    overdue = serializers.BooleanField(
        required=False, default=False, help_text=_("Only reports past a deadline.")
    )
    assigned_to_me = serializers.BooleanField(required=False, default=False)
    unassigned = serializers.BooleanField(required=False, default=False)
    reference = serializers.CharField(required=False, max_length=20)
    ordering = serializers.ChoiceField(choices=list(SORTS), default="newest", required=False)

    def validate_municipality(self, value: str) -> int:
        municipalities = Municipality.objects.all()
        found = (
            municipalities.filter(pk=int(value))
            if value.isdigit()
            else municipalities.filter(slug=value)
        ).values_list("pk", flat=True)
        municipality_id = found.first()
        if municipality_id is None:
            raise serializers.ValidationError(_("No municipality with this slug or id."))
        return municipality_id


class TransitionSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=Status.choices, help_text=_("The new status."))
    version = serializers.IntegerField(
        min_value=1, help_text=_("The version of the report the change is based on.")
    )
    text = _text(
        help_text=_(
            "For the reporter: required when resolving (feedback), asking a question or cancelling."
        )
    )
    duplicate_of = _text(
        max_length=20, help_text=_("Reference of the original report (marking as duplicate).")
    )


class StaffMessageSerializer(serializers.Serializer[Any]):
    text = _text(help_text=_("The message for the reporter."))
    version = serializers.IntegerField(min_value=1)


class NoteSerializer(serializers.Serializer[Any]):
    text = _text(help_text=_("A note for handlers only."))


class AssignSerializer(serializers.Serializer[Any]):
    assignee = serializers.IntegerField(
        allow_null=True, min_value=1, help_text=_("User id of the handler; null unassigns.")
    )
    version = serializers.IntegerField(min_value=1)


class ForwardSerializer(serializers.Serializer[Any]):
    organisation = serializers.IntegerField(
        min_value=1, help_text=_("Id of the organisation that takes over.")
    )
    team = _text(max_length=100)
    reason = _text(help_text=_("Why the report is forwarded (internal)."))
    version = serializers.IntegerField(min_value=1)


# --- output --------------------------------------------------------------------------------


class ProblemParamSerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    reason = serializers.CharField()


class ProblemSerializer(serializers.Serializer[Any]):
    """An error, as application/problem+json (RFC 9457)."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField(required=False)
    invalid_params = ProblemParamSerializer(many=True, required=False)


class SubmittedReportSerializer(serializers.Serializer[Any]):
    reference = serializers.CharField()
    status = serializers.ChoiceField(choices=Status.choices)
    status_label = serializers.CharField()
    first_response_due = serializers.DateField()
    feedback_due = serializers.DateField()
    receipt_code = serializers.CharField(
        allow_null=True,
        help_text=_(
            "Anonymous reports only, and only in this answer: the reporter needs it to "
            "follow the report. It is stored only as a hash and can never be shown again."
        ),
    )


class CategorySerializer(serializers.ModelSerializer[ReportCategory]):
    group = serializers.CharField(source="group_code")

    class Meta:
        model = ReportCategory
        fields = ["code", "label", "group"]


class MunicipalityRefSerializer(serializers.ModelSerializer[Municipality]):
    class Meta:
        model = Municipality
        fields = ["id", "slug", "name"]


class AreaRefSerializer(serializers.ModelSerializer[Area]):
    class Meta:
        model = Area
        fields = ["id", "slug", "name"]


class PartyRefSerializer(serializers.Serializer[Any]):
    """An organisation or a person, by id and name."""

    id = serializers.IntegerField()
    name = serializers.CharField(source="__str__")


class ReporterEventSerializer(serializers.ModelSerializer[ReportEvent]):
    """A timeline entry as the reporter sees it: no staff names, no internal data."""

    kind_label = serializers.CharField(source="get_kind_display")
    to_status_label = serializers.CharField(source="get_to_status_display")

    class Meta:
        model = ReportEvent
        fields = [
            "kind",
            "kind_label",
            "created_at",
            "author_kind",
            "text",
            "to_status",
            "to_status_label",
        ]


class FollowedReportSerializer(serializers.ModelSerializer[Report]):
    """An anonymous report as its reporter sees it with the receipt code."""

    status_label = serializers.CharField(source="get_status_display")
    category = CategorySerializer()
    municipality = serializers.CharField(source="municipality.name")
    timeline = serializers.SerializerMethodField()
    can_add_information = serializers.SerializerMethodField()
    can_give_verdict = serializers.SerializerMethodField()
    can_request_reopen = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = [
            "reference",
            "status",
            "status_label",
            "category",
            "municipality",
            "description",
            "location_text",
            "occurred_at",
            "created_at",
            "feedback_due",
            "closed_at",
            "is_satisfied",
            "timeline",
            "can_add_information",
            "can_give_verdict",
            "can_request_reopen",
        ]

    @extend_schema_field(ReporterEventSerializer(many=True))
    def get_timeline(self, report: Report) -> Any:
        return ReporterEventSerializer(self.context["timeline"], many=True).data

    def get_can_add_information(self, report: Report) -> bool:
        return bool(self.context["can_add_information"])

    def get_can_give_verdict(self, report: Report) -> bool:
        return bool(self.context["can_give_verdict"])

    def get_can_request_reopen(self, report: Report) -> bool:
        return bool(self.context["can_request_reopen"])


class ReportSummarySerializer(serializers.ModelSerializer[Report]):
    """A row of the staff work queue."""

    status_label = serializers.CharField(source="get_status_display")
    category = CategorySerializer()
    municipality = MunicipalityRefSerializer()
    area = AreaRefSerializer(allow_null=True)
    organisation = PartyRefSerializer(allow_null=True)
    assignee = PartyRefSerializer(allow_null=True)

    class Meta:
        model = Report
        fields = [
            "reference",
            "version",
            "status",
            "status_label",
            "category",
            "municipality",
            "area",
            "organisation",
            "team",
            "assignee",
            "is_confidential",
            "is_anonymous",
            "channel",
            "occurred_at",
            "created_at",
            "first_response_due",
            "feedback_due",
            "is_overdue",
        ]


class AttachmentSerializer(serializers.ModelSerializer[ReportAttachment]):
    url = serializers.SerializerMethodField(
        help_text=_("Download in the back office (the same login).")
    )

    class Meta:
        model = ReportAttachment
        fields = ["id", "file_name", "content_type", "size", "from_reporter", "created_at", "url"]

    def get_url(self, attachment: ReportAttachment) -> str:
        # The report is in the context: reading attachment.report would query once per file.
        report: Report = self.context["report"]
        return reverse(
            "reports_staff:attachment", kwargs={"reference": report.reference, "pk": attachment.pk}
        )


class StaffEventSerializer(serializers.ModelSerializer[ReportEvent]):
    """A timeline entry for handlers, internal notes and routing included."""

    kind_label = serializers.CharField(source="get_kind_display")
    author = serializers.SerializerMethodField()
    attachments = AttachmentSerializer(many=True)

    class Meta:
        model = ReportEvent
        fields = [
            "id",
            "kind",
            "kind_label",
            "created_at",
            "author",
            "author_kind",
            "text",
            "from_status",
            "to_status",
            "data",
            "attachments",
        ]

    def get_author(self, event: ReportEvent) -> str | None:
        return str(event.author) if event.author is not None else None


class ReporterSerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    email = serializers.CharField()
    phone = serializers.CharField()
    has_account = serializers.BooleanField()


class TransitionOptionSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=Status.choices)
    # The API's name; Field.label (the field's own caption) is a different thing to mypy only.
    label = serializers.CharField()  # type: ignore[assignment]
    needs = serializers.CharField(
        help_text=_("What the step requires: nothing, feedback, question, reason, duplicate_of.")
    )


class ReportDetailSerializer(ReportSummarySerializer):
    """A report with everything a handler may see: content, reporter, full timeline."""

    duplicate_of = serializers.SlugRelatedField[Report](slug_field="reference", read_only=True)
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)
    reporter = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()
    attachments = AttachmentSerializer(many=True)
    allowed_transitions = serializers.SerializerMethodField()

    class Meta(ReportSummarySerializer.Meta):
        fields = [
            *ReportSummarySerializer.Meta.fields,
            "description",
            "location_text",
            "latitude",
            "longitude",
            "reporter",
            "duplicate_of",
            "first_response_at",
            "feedback_at",
            "closed_at",
            "is_satisfied",
            "satisfaction_comment",
            "anonymised_at",
            "allowed_transitions",
            "attachments",
            "timeline",
        ]

    @extend_schema_field(ReporterSerializer(allow_null=True))
    def get_reporter(self, report: Report) -> Any:
        if report.is_anonymous:
            return None
        account = report.reporter
        return {
            "name": (account.full_name if account else "") or report.reporter_name,
            "email": report.contact_email,
            "phone": (account.phone if account else "") or report.reporter_phone,
            "has_account": account is not None,
        }

    @extend_schema_field(StaffEventSerializer(many=True))
    def get_timeline(self, report: Report) -> Any:
        return StaffEventSerializer(self.context["timeline"], many=True, context=self.context).data

    @extend_schema_field(TransitionOptionSerializer(many=True))
    def get_allowed_transitions(self, report: Report) -> Any:
        return [
            {"status": t.target, "label": str(t.label), "needs": str(t.needs)}
            for t in transitions_from(report.status, Party.HANDLER)
        ]
