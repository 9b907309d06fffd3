"""Endpoints of reports (meldingen): public intake, following with a receipt code, handling.

Public (no login, no session, no CSRF token: every caller is the anonymous public, so no
cookie carries authority a forged request could borrow):
- POST meldingen/ submits a report (throttled per client, `REPORT_INTAKE_RATE`);
- POST meldingen/volgen/ (and …/bericht/, …/oordeel/, …/heropenen/) opens an anonymous
  report with its receipt code. The code travels only in the body, never in a URL. Every
  attempt counts against the service's receipt-code limit (10 per quarter of an hour per
  client), so guessing is throttled hard; a wrong or malformed code gets one message (404).

Staff (session login with second factor, as the network API): GET meldingen/ is the work
queue, GET meldingen/<reference>/ the report with its full timeline; POST to its status/,
bericht/, notitie/, toewijzen/ and doorsturen/ call the handling services. A staff endpoint
answers 403 to an anonymous caller or a role without the action, 404 for a report out of
scope (confidential reports without the designation included).

Every change goes through `reports.services`, exactly as the web pages do. Errors are
application/problem+json: invalid input 400 with `invalid_params` per field; a change based
on an older version of the report (`stale`) and a status change the workflow does not allow
from the current status (`transition_not_allowed`) both answer 409 Conflict — the request
was well formed, but conflicts with the report's current state; they differ in `title`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.authentication import BaseAuthentication
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from weerbaar.accounts.models import Organisation, User
from weerbaar.accounts.policy import Action, Actor, actor_for, can, second_factor_satisfied
from weerbaar.reports import queries, services
from weerbaar.reports.api import serializers as s
from weerbaar.reports.api.throttles import ReportIntakeThrottle, client_key
from weerbaar.reports.attachments import sanitise_attachments
from weerbaar.reports.models import Report, ReportChannel
from weerbaar.reports.services.reporter import RECEIPT_WINDOW_SECONDS

TAGS = ["meldingen"]
PROBLEM = "application/problem+json"
NO_STORE = {"Cache-Control": "no-store"}

# Where the services name a field differently from the API.
API_FIELD_NAMES = {"is_anonymous": "anonymous", "__all__": api_settings.NON_FIELD_ERRORS_KEY}


class StaleVersion(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("The report was changed meanwhile.")
    default_code = "stale"


class TransitionNotAllowed(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("This status change is not allowed now.")
    default_code = "transition_not_allowed"


def _problem(code: int, description: str) -> dict[tuple[int, str], OpenApiResponse]:
    return {(code, PROBLEM): OpenApiResponse(s.ProblemSerializer, description=description)}


BAD_INPUT = _problem(400, "Invalid input; `invalid_params` names each field and what is wrong.")
NOT_FOUND = _problem(404, "No such report, or not one the caller may see.")
FORBIDDEN = _problem(403, "Not logged in, no second factor, or a role without access to reports.")
CONFLICT = _problem(
    409, "The report changed meanwhile (reload and retry), or the status change is not allowed."
)
THROTTLED = _problem(429, "Too many requests from this client; see Retry-After.")


def _through_service[T](call: Callable[[], T], renames: dict[str, str] | None = None) -> T:
    """Run a reports service; its refusals become API errors with the same messages.
    `renames` maps the service's field names to this endpoint's where they differ."""
    try:
        return call()
    except DjangoValidationError as error:
        raise _api_error(error, API_FIELD_NAMES | (renames or {})) from error


def _api_error(error: DjangoValidationError, names: dict[str, str]) -> exceptions.APIException:
    if not hasattr(error, "error_dict"):
        code = getattr(error, "code", None)
        if code == "stale":
            return StaleVersion(detail=error.messages[0])
        if code == "transition_not_allowed":
            return TransitionNotAllowed(detail=error.messages[0])
    detail = serializers.as_serializer_error(error)
    return exceptions.ValidationError(
        detail={names.get(name, name): messages for name, messages in detail.items()}
    )


class ReportPolicy(permissions.BasePermission):
    """Public methods are open; for the others the caller must be logged in, have the view's
    policy action and, as staff, have passed the second factor in this session."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        action = view.required_action(request) if isinstance(view, ReportsAPIView) else None
        if action is None:
            return True
        actor = actor_for(request.user)
        if not actor.is_authenticated:
            raise exceptions.NotAuthenticated
        if not can(actor, action):
            raise exceptions.PermissionDenied
        if actor.is_staff_member and not second_factor_satisfied(request.user):
            raise exceptions.PermissionDenied(detail=_("Log in with your second factor first."))
        return True


class ReportsAPIView(GenericAPIView[Report]):
    """Base of the report endpoints. Methods in `public_methods` are anonymous and public;
    the others need VIEW_REPORT to read and HANDLE_REPORT to write."""

    public_methods: frozenset[str] = frozenset()
    permission_classes = [ReportPolicy]
    parser_classes = [JSONParser]
    queryset = Report.objects.none()  # for the schema generator; reads use reports.queries

    def _is_public(self) -> bool:
        request = getattr(self, "request", None)
        return request is not None and request.method in self.public_methods

    def required_action(self, request: Request) -> Action | None:
        if request.method in self.public_methods:
            return None
        if request.method in permissions.SAFE_METHODS:
            return Action.VIEW_REPORT
        return Action.HANDLE_REPORT

    def get_authenticators(self) -> list[BaseAuthentication]:
        # Called before DRF wraps the request; `self.request` is Django's request then.
        if self._is_public():
            return []
        return super().get_authenticators()

    @property
    def actor(self) -> Actor:
        return actor_for(self.request.user)

    def staff_report(self, reference: str) -> Report:
        report = queries.report_for_staff(self.actor, reference).first()
        if report is None:
            raise exceptions.NotFound
        return report

    def detail_response(self, report: Report) -> Response:
        context = {
            "request": self.request,
            "report": report,
            "timeline": queries.timeline(report, for_reporter=False),
        }
        return Response(s.ReportDetailSerializer(report, context=context).data)


def _coordinate(value: float | None) -> Decimal | None:
    # The database keeps six decimals (about 10 cm); phones send more.
    return None if value is None else Decimal(f"{value:.6f}")


class ReportCollectionView(ReportsAPIView):
    """POST: the public intake. GET: the staff work queue."""

    public_methods = frozenset({"POST"})
    http_method_names = ["get", "post", "head"]

    def get_parsers(self) -> list[Any]:
        return [JSONParser(), MultiPartParser()]

    def get_throttles(self) -> list[BaseThrottle]:
        if self._is_public():
            return [ReportIntakeThrottle()]
        return super().get_throttles()

    @extend_schema(
        operation_id="meldingen_list",
        tags=TAGS,
        summary=gettext_lazy("Work queue: reports you may see (staff)"),
        parameters=[s.QueueQuerySerializer],
        responses={200: s.ReportSummarySerializer(many=True), **BAD_INPUT, **FORBIDDEN},
    )
    def get(self, request: Request) -> Response:
        query = s.QueueQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        values = query.validated_data
        filters = queries.QueueFilters(
            status=values.get("status") or "",
            open_only=values["open"],
            category=values.get("category"),
            municipality_id=values.get("municipality"),
            area_id=values.get("area"),
            overdue=values["overdue"],
            mine=values["assigned_to_me"],
            unassigned=values["unassigned"],
            query=values.get("reference") or "",
            sort=values.get("ordering") or queries.DEFAULT_SORT,
        )
        reports: QuerySet[Report] = queries.work_queue(self.actor, filters)
        page = self.paginate_queryset(reports)
        rows = s.ReportSummarySerializer(page, many=True).data
        return self.get_paginated_response(rows)

    @extend_schema(
        operation_id="meldingen_create",
        tags=TAGS,
        summary=gettext_lazy("Submit a report (public; no login needed)"),
        description=gettext_lazy(
            "Anyone may report, anonymously or with contact details for feedback. An "
            "anonymous report's answer carries the receipt code, once. A 201 answer means "
            "the report is stored. Attachments: send multipart/form-data instead of JSON."
        ),
        request={
            "application/json": s.ReportSubmitSerializer,
            "multipart/form-data": s.ReportSubmitMultipartSerializer,
        },
        responses={201: s.SubmittedReportSerializer, **BAD_INPUT, **THROTTLED},
    )
    def post(self, request: Request) -> Response:
        multipart = (request.content_type or "").startswith("multipart/")
        input_class = s.ReportSubmitMultipartSerializer if multipart else s.ReportSubmitSerializer
        serializer = input_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        attachments = []
        if values.get("attachments"):
            try:
                attachments = sanitise_attachments(values["attachments"])
            except DjangoValidationError as error:
                raise exceptions.ValidationError({"attachments": error.messages}) from error
        intake = services.ReportIntake(
            municipality=values["municipality"],
            category=values["category"],
            description=values["description"],
            occurred_at=values["occurred_at"],
            channel=ReportChannel.API,
            area=values["area"],
            location_text=values["location_text"],
            latitude=_coordinate(values["latitude"]),
            longitude=_coordinate(values["longitude"]),
            is_anonymous=values["anonymous"],
            reporter_name=values["reporter_name"],
            reporter_email=values["reporter_email"],
            reporter_phone=values["reporter_phone"],
            attachments=attachments,
        )
        submitted = _through_service(lambda: services.submit_report(self.actor, intake))
        report = submitted.report
        # The shape of SubmittedReportSerializer (the documented schema), built directly: a
        # serializer instance per submission is measurable at intake rates.
        body = {
            "reference": report.reference,
            "status": report.status,
            "status_label": report.get_status_display(),
            "first_response_due": report.first_response_due.isoformat(),
            "feedback_due": report.feedback_due.isoformat(),
            "receipt_code": submitted.receipt_code,
        }
        return Response(body, status=status.HTTP_201_CREATED, headers=NO_STORE)


# --- following an anonymous report ---------------------------------------------------------


class FollowView(ReportsAPIView):
    """The anonymous reporter's side; every request names the receipt code again."""

    public_methods = frozenset({"POST"})
    http_method_names = ["post"]
    input_serializer: type[s.ReceiptCodeSerializer] = s.ReceiptCodeSerializer
    field_renames: dict[str, str] = {}

    @extend_schema(
        operation_id="meldingen_volgen",
        tags=TAGS,
        summary=gettext_lazy("Follow an anonymous report with its receipt code"),
        request=s.ReceiptCodeSerializer,
        responses={
            200: s.FollowedReportSerializer,
            **BAD_INPUT,
            **_problem(404, "No report with this receipt code (one answer for any wrong code)."),
            **THROTTLED,
        },
    )
    def post(self, request: Request) -> Response:
        serializer = self.input_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        report = self.open(values["receipt_code"])
        _through_service(lambda: self.act(report, values), self.field_renames)
        return self.followed_response(report)

    def act(self, report: Report, values: dict[str, Any]) -> object:
        """What the request asks of the report; following only reads."""
        return None

    def open(self, code: str) -> Report:
        try:
            return services.open_with_receipt_code(code, client_key(self.request))
        except services.TooManyAttempts as error:
            raise exceptions.Throttled(
                wait=RECEIPT_WINDOW_SECONDS,
                detail=_("Too many receipt codes were tried from here. Wait a quarter of an hour."),
            ) from error
        except services.ReceiptRejected as error:
            raise exceptions.NotFound(
                detail=_(
                    "No report was found with this receipt code. Check the code you wrote down."
                )
            ) from error

    def followed_response(self, report: Report) -> Response:
        context = {
            "timeline": queries.timeline(report, for_reporter=True),
            "can_add_information": services.can_add_information(report),
            "can_give_verdict": services.can_give_verdict(report),
            "can_request_reopen": services.can_request_reopen(report),
        }
        data = s.FollowedReportSerializer(report, context=context).data
        return Response(data, headers=NO_STORE)


class FollowMessageView(FollowView):
    input_serializer = s.ReporterMessageSerializer

    @extend_schema(
        operation_id="meldingen_volgen_bericht",
        tags=TAGS,
        summary=gettext_lazy("Answer the handler or add information (anonymous reporter)"),
        request=s.ReporterMessageSerializer,
        responses={200: s.FollowedReportSerializer, **BAD_INPUT, **NOT_FOUND, **THROTTLED},
    )
    def post(self, request: Request) -> Response:
        return super().post(request)

    def act(self, report: Report, values: dict[str, Any]) -> object:
        return services.reporter_reply(report, values["text"])


class FollowVerdictView(FollowView):
    input_serializer = s.VerdictSerializer

    @extend_schema(
        operation_id="meldingen_volgen_oordeel",
        tags=TAGS,
        summary=gettext_lazy("Say whether you are satisfied with the handling"),
        request=s.VerdictSerializer,
        responses={200: s.FollowedReportSerializer, **BAD_INPUT, **NOT_FOUND, **THROTTLED},
    )
    def post(self, request: Request) -> Response:
        return super().post(request)

    def act(self, report: Report, values: dict[str, Any]) -> object:
        return services.record_verdict(
            report, satisfied=values["satisfied"], comment=values["comment"]
        )


class FollowReopenView(FollowView):
    input_serializer = s.ReopenSerializer
    field_renames = {"text": "reason"}

    @extend_schema(
        operation_id="meldingen_volgen_heropenen",
        tags=TAGS,
        summary=gettext_lazy("Ask to reopen a resolved or closed report"),
        request=s.ReopenSerializer,
        responses={200: s.FollowedReportSerializer, **BAD_INPUT, **NOT_FOUND, **THROTTLED},
    )
    def post(self, request: Request) -> Response:
        return super().post(request)

    def act(self, report: Report, values: dict[str, Any]) -> object:
        return services.request_reopen(report, values["reason"])


# --- staff ---------------------------------------------------------------------------------


class ReportDetailView(ReportsAPIView):
    http_method_names = ["get", "head"]

    @extend_schema(
        operation_id="meldingen_retrieve",
        tags=TAGS,
        summary=gettext_lazy("One report with its full timeline (staff)"),
        description=gettext_lazy(
            "Each read of a confidential report is recorded in the audit log."
        ),
        responses={200: s.ReportDetailSerializer, **FORBIDDEN, **NOT_FOUND},
    )
    def get(self, request: Request, reference: str) -> Response:
        report = self.staff_report(reference)
        services.record_confidential_view(self.actor, report)
        return self.detail_response(report)


class ReportActionView(ReportsAPIView, ABC):
    """POST one handling step; the answer is the report as it is afterwards."""

    http_method_names = ["post"]
    input_serializer: type[serializers.Serializer[Any]]

    def post(self, request: Request, reference: str) -> Response:
        # Look the report up first: a report out of scope is 404 whatever the body says.
        report = self.staff_report(reference)
        serializer = self.input_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        _through_service(lambda: self.act(report, values))
        return self.detail_response(self.staff_report(reference))

    @abstractmethod
    def act(self, report: Report, values: dict[str, Any]) -> object:
        """Take the step through the handling service."""


def _action_schema(
    operation_id: str, summary: str | Promise, request: type[Any], *, versioned: bool = True
) -> Any:
    return extend_schema(
        operation_id=operation_id,
        tags=TAGS,
        summary=summary,
        request=request,
        responses={
            200: s.ReportDetailSerializer,
            **BAD_INPUT,
            **FORBIDDEN,
            **NOT_FOUND,
            **(CONFLICT if versioned else {}),
        },
    )


class TransitionView(ReportActionView):
    input_serializer = s.TransitionSerializer

    @_action_schema(
        "meldingen_status",
        gettext_lazy("Change the status (resolving needs feedback for the reporter)"),
        s.TransitionSerializer,
    )
    def post(self, request: Request, reference: str) -> Response:
        return super().post(request, reference)

    def act(self, report: Report, values: dict[str, Any]) -> object:
        original = None
        reference = values["duplicate_of"].strip()
        if reference:
            original = queries.visible_reports(self.actor).filter(reference=reference).first()
            if original is None:
                raise DjangoValidationError(
                    {"duplicate_of": _("No report with this reference was found.")}
                )
        return services.transition_report(
            self.actor,
            report,
            values["status"],
            version=values["version"],
            text=values["text"],
            duplicate_of=original,
        )


class MessageView(ReportActionView):
    input_serializer = s.StaffMessageSerializer

    @_action_schema(
        "meldingen_bericht",
        gettext_lazy("Write to the reporter without changing the status"),
        s.StaffMessageSerializer,
    )
    def post(self, request: Request, reference: str) -> Response:
        return super().post(request, reference)

    def act(self, report: Report, values: dict[str, Any]) -> object:
        return services.message_reporter(
            self.actor, report, values["text"], version=values["version"]
        )


class NoteView(ReportActionView):
    input_serializer = s.NoteSerializer

    @_action_schema(
        "meldingen_notitie",
        gettext_lazy("Add an internal note (handlers only)"),
        s.NoteSerializer,
        versioned=False,
    )
    def post(self, request: Request, reference: str) -> Response:
        return super().post(request, reference)

    def act(self, report: Report, values: dict[str, Any]) -> object:
        return services.add_internal_note(self.actor, report, values["text"])


class AssignView(ReportActionView):
    input_serializer = s.AssignSerializer

    @_action_schema(
        "meldingen_toewijzen", gettext_lazy("Assign a handler, or unassign"), s.AssignSerializer
    )
    def post(self, request: Request, reference: str) -> Response:
        return super().post(request, reference)

    def act(self, report: Report, values: dict[str, Any]) -> object:
        assignee = None
        if values["assignee"] is not None:
            assignee = User.objects.filter(pk=values["assignee"], is_active=True).first()
            # One message for "no such user" and "may not handle": the endpoint must not
            # reveal who has an account.
            if assignee is None or not can(actor_for(assignee), Action.HANDLE_REPORT, report):
                raise DjangoValidationError(
                    {"assignee": _("Choose a handler who may handle this report.")}
                )
        return services.assign_report(self.actor, report, assignee, version=values["version"])


class ForwardView(ReportActionView):
    input_serializer = s.ForwardSerializer

    @_action_schema(
        "meldingen_doorsturen",
        gettext_lazy("Forward to another organisation, with the reason"),
        s.ForwardSerializer,
    )
    def post(self, request: Request, reference: str) -> Response:
        return super().post(request, reference)

    def act(self, report: Report, values: dict[str, Any]) -> object:
        organisation = Organisation.objects.filter(pk=values["organisation"]).first()
        if organisation is None:
            raise DjangoValidationError(
                {"organisation": _("Choose an organisation that works in this municipality.")}
            )
        return services.forward_report(
            self.actor,
            report,
            organisation,
            team=values["team"].strip(),
            reason=values["reason"],
            version=values["version"],
        )
