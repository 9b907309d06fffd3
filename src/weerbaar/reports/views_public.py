"""The public reporter pages: the report form and its receipt, following an anonymous report
with its receipt code, and the signed email link of identified reporters without account.

Anonymity: these views never log or store the client's IP address, user agent or a receipt
code. The receipt page is the answer to the POST itself (no redirect), so the code never
appears in a URL, the session or a cache; pages that show a code or a followed report are
sent with Cache-Control: no-store. After a receipt code was checked, only the report's
primary key is kept in the session (`FOLLOWED_REPORT_KEY`). The client address is used for
rate limiting only, hashed inside `core.ratelimit`.
"""

from __future__ import annotations

import re
import secrets
from abc import ABC, abstractmethod
from typing import Any

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.decorators import method_decorator
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.cache import never_cache

from weerbaar.accounts.models import User
from weerbaar.accounts.policy import actor_for
from weerbaar.core import ratelimit
from weerbaar.network.models import Municipality
from weerbaar.reports import notifications, queries, services
from weerbaar.reports.forms import (
    ReceiptCodeForm,
    ReopenForm,
    ReplyForm,
    ReportForm,
    Variant,
    VerdictForm,
    show_errors,
)
from weerbaar.reports.models import Report, ReportStatus
from weerbaar.reports.services.reporter import RECEIPT_WINDOW_SECONDS

FOLLOWED_REPORT_KEY = "followed_report"
SUBMISSION_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
SUBMISSION_TTL_SECONDS = 24 * 3600
_SUBMISSION_PENDING = "pending"
_RATE_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}

# What each status means for the reporter, in plain words.
STATUS_EXPLANATIONS: dict[str, Promise] = {
    ReportStatus.RECEIVED: gettext_lazy(
        "We have received your report. Someone will look at it soon."
    ),
    ReportStatus.TRIAGE: gettext_lazy(
        "Your report is being assessed: what is needed and who should handle it."
    ),
    ReportStatus.IN_PROGRESS: gettext_lazy("Your report is being handled."),
    ReportStatus.FORWARDED: gettext_lazy(
        "Your report has been passed on to the organisation that can best handle it."
    ),
    ReportStatus.WAITING_FOR_REPORTER: gettext_lazy(
        "The handler has a question for you. Please answer it below."
    ),
    ReportStatus.RESOLVED: gettext_lazy(
        "The handler has finished and wrote what was done. Tell us if you are satisfied."
    ),
    ReportStatus.CLOSED: gettext_lazy("Your report is closed."),
    ReportStatus.CANCELLED: gettext_lazy(
        "Your report will not be handled further. The explanation is in the history below."
    ),
    ReportStatus.DUPLICATE: gettext_lazy(
        "Someone reported the same thing. Both reports are handled together."
    ),
    ReportStatus.REOPENED: gettext_lazy(
        "Your report has been reopened and will be looked at again."
    ),
}


def client_key(request: HttpRequest) -> str:
    """The client address, for rate limiting only (never stored or logged)."""
    return get_client_ip_address(request) or "unknown"


def no_store(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)
    return response


def _intake_rate() -> tuple[int, int]:
    """REPORT_INTAKE_RATE ("30/hour") as (count, seconds)."""
    count, _slash, period = str(settings.REPORT_INTAKE_RATE).partition("/")
    return int(count), _RATE_PERIODS.get(period[:1].lower(), 3600)


# --- the report form and the receipt ------------------------------------------------------


class StartView(View):
    """/meldingen/: what a report is, and a link to the form of each municipality."""

    def get(self, request: HttpRequest) -> HttpResponse:
        municipalities = list(Municipality.objects.filter(is_active=True).order_by("name"))
        return render(request, "reports/public/start.html", {"municipalities": municipalities})


class ReportFormView(View):
    """/meldingen/<municipality>/: the public report form.

    A valid report is answered with the receipt page in the POST response itself: the
    receipt code of an anonymous report is shown exactly once and never travels through a
    redirect, the session or the URL. A hidden random token per form makes a second press
    of "send" (or a reload of the receipt) show "already received" instead of a second report.
    """

    template_name = "reports/public/form.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.municipality = get_object_or_404(
            Municipality, slug=kwargs["municipality"], is_active=True
        )
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        form = ReportForm(
            variant=Variant.PUBLIC,
            municipality=self.municipality,
            initial={"submission": secrets.token_urlsafe(16)},
        )
        return self.render_form(form)

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        form = ReportForm(
            request.POST, request.FILES, variant=Variant.PUBLIC, municipality=self.municipality
        )
        if not form.is_valid():
            return self.render_form(form, status=400)
        token = form.cleaned_data.get("submission") or ""
        cache_key = f"report-submission:{token}" if SUBMISSION_TOKEN_RE.match(token) else None
        if cache_key is not None and not cache.add(
            cache_key, _SUBMISSION_PENDING, SUBMISSION_TTL_SECONDS
        ):
            return self.already_sent(cache.get(cache_key))
        limit, window = _intake_rate()
        if not ratelimit.hit(
            "report-intake-web", client_key(request), limit=limit, window_seconds=window
        ):
            self._forget(cache_key)
            form.add_error(
                None,
                _(
                    "Many reports were sent from this connection in a short time. Please try "
                    "again later. In an emergency, call 112."
                ),
            )
            return self.render_form(form, status=429)
        try:
            submitted = services.submit_report(actor_for(request.user), form.intake())
        except ValidationError as error:
            self._forget(cache_key)
            form.show_service_errors(error)
            return self.render_form(form, status=400)
        except BaseException:
            self._forget(cache_key)
            raise
        if cache_key is not None:
            cache.set(cache_key, submitted.report.reference, SUBMISSION_TTL_SECONDS)
        return no_store(
            render(
                request,
                "reports/public/receipt.html",
                receipt_context(submitted.report, submitted.receipt_code),
            )
        )

    def _forget(self, cache_key: str | None) -> None:
        if cache_key is not None:
            cache.delete(cache_key)

    def already_sent(self, reference: str | None) -> HttpResponse:
        context = {
            "municipality": self.municipality,
            "reference": reference if reference != _SUBMISSION_PENDING else None,
        }
        return no_store(render(self.request, "reports/public/already_sent.html", context))

    def render_form(self, form: ReportForm, status: int = 200) -> HttpResponse:
        context = {"form": form, "municipality": self.municipality}
        return no_store(render(self.request, self.template_name, context, status=status))


def receipt_context(report: Report, receipt_code: str | None) -> dict[str, Any]:
    """What the receipt page shows: the code in its groups (anonymous) and the deadlines."""
    return {
        "report": report,
        "municipality": report.municipality,
        "receipt_code": receipt_code,
        "code_groups": receipt_code.split("-") if receipt_code else [],
        "status_explanation": STATUS_EXPLANATIONS.get(report.status, ""),
    }


# --- the reporter's page of one report ----------------------------------------------------


@method_decorator(never_cache, name="dispatch")
class ReporterReportView(View, ABC):
    """One report as its reporter sees it: status in plain words, the reporter's timeline,
    and the reply, verdict and reopen forms when the report allows them.

    Subclasses say how the reporter was recognised (`find_report`). POSTs carry a hidden
    "action" (reply, verdict, reopen); a refusal re-renders the page with the message and
    status 400, success redirects back to the page.
    """

    template_name = "reports/public/report.html"

    @abstractmethod
    def find_report(self) -> Report | None:
        """The report of this reporter, or None when there is none."""

    @abstractmethod
    def page_url(self, report: Report) -> str:
        """This page's URL (the forms post here, success redirects here)."""

    def missing(self) -> HttpResponse:
        """The answer when `find_report()` found nothing."""
        return redirect("reports_public:follow")

    def reporter_user(self, report: Report) -> User | None:
        return None

    def extra_context(self, report: Report) -> dict[str, Any]:
        return {}

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        report = self.find_report()
        if report is None:
            return self.missing()
        return self.render_report(report)

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        report = self.find_report()
        if report is None:
            return self.missing()
        action = request.POST.get("action", "")
        forms: dict[str, Form] = {}
        try:
            if action == "reply":
                reply = forms["reply_form"] = ReplyForm(request.POST, request.FILES)
                if reply.is_valid():
                    services.reporter_reply(
                        report,
                        reply.cleaned_data["text"],
                        reply.cleaned_data["attachments"],
                        reporter=self.reporter_user(report),
                    )
                    messages.success(request, _("Your message has been sent to the handler."))
                    return redirect(self.page_url(report))
            elif action == "verdict":
                verdict = forms["verdict_form"] = VerdictForm(request.POST)
                if verdict.is_valid():
                    services.record_verdict(
                        report,
                        satisfied=verdict.cleaned_data["satisfied"],
                        comment=verdict.cleaned_data["comment"],
                    )
                    messages.success(request, _("Thank you for your verdict."))
                    return redirect(self.page_url(report))
            elif action == "reopen":
                reopen = forms["reopen_form"] = ReopenForm(request.POST)
                if reopen.is_valid():
                    services.request_reopen(report, reopen.cleaned_data["reason"])
                    messages.success(
                        request, _("Your report has been reopened. The handler will look again.")
                    )
                    return redirect(self.page_url(report))
            else:
                return self.render_report(
                    report, errors=[_("Something went wrong with this form. Please try again.")]
                )
        except ValidationError as error:
            form = next(iter(forms.values()))
            show_errors(form, error, {"text": "reason"} if action == "reopen" else None)
            report.refresh_from_db()
        return self.render_report(report, forms=forms, status=400)

    def render_report(
        self,
        report: Report,
        *,
        forms: dict[str, Form] | None = None,
        errors: list[str] | None = None,
        status: int | None = None,
    ) -> HttpResponse:
        posted = next(iter((forms or {}).values()), None)
        context = {
            **reporter_page_context(report, forms or {}),
            "page_url": self.page_url(report),
            "action_errors": errors or [],
            "posted_form": posted,
            **self.extra_context(report),
        }
        if status is None:
            status = 400 if errors else 200
        return render(self.request, self.template_name, context, status=status)


def reporter_page_context(report: Report, forms: dict[str, Form]) -> dict[str, Any]:
    can_reply = services.can_add_information(report)
    can_verdict = services.can_give_verdict(report)
    can_reopen = services.can_request_reopen(report)
    events = queries.timeline(report, for_reporter=True)
    question = None
    if report.status == ReportStatus.WAITING_FOR_REPORTER:
        question = next(
            (
                event
                for event in reversed(events)
                if event.to_status == ReportStatus.WAITING_FOR_REPORTER and event.text
            ),
            None,
        )
    return {
        "report": report,
        "municipality": report.municipality,
        "events": events,
        "question": question,
        "initial_attachments": report.attachments.filter(event__isnull=True, from_reporter=True),
        "status_explanation": STATUS_EXPLANATIONS.get(report.status, ""),
        "is_question": report.status == ReportStatus.WAITING_FOR_REPORTER,
        "can_reply": can_reply,
        "can_verdict": can_verdict,
        "can_reopen": can_reopen,
        "reply_form": forms.get("reply_form") or (ReplyForm() if can_reply else None),
        "verdict_form": forms.get("verdict_form") or (VerdictForm() if can_verdict else None),
        "reopen_form": forms.get("reopen_form") or (ReopenForm() if can_reopen else None),
    }


# --- following an anonymous report with its receipt code ----------------------------------


@method_decorator(never_cache, name="dispatch")
class FollowView(View):
    """/meldingen/volgen/: enter a receipt code. The code is checked once; after that only the
    report's key is remembered in the session, never the code."""

    template_name = "reports/public/follow.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render_form(ReceiptCodeForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ReceiptCodeForm(request.POST)
        if not form.is_valid():
            return self.render_form(form, status=400)
        try:
            report = services.open_with_receipt_code(
                form.cleaned_data["code"], client_key=client_key(request)
            )
        except services.TooManyAttempts:
            minutes = RECEIPT_WINDOW_SECONDS // 60
            return render(
                request, "reports/public/too_many_attempts.html", {"minutes": minutes}, status=429
            )
        except services.ReceiptRejected:
            form.add_error(
                "code",
                _("We cannot find a report with this receipt code. Check the code and try again."),
            )
            return self.render_form(form, status=400)
        # A new session key: whoever knew the old one (a shared computer) cannot ride along.
        request.session.cycle_key()
        request.session[FOLLOWED_REPORT_KEY] = report.pk
        if not request.user.is_authenticated:
            request.session.set_expiry(0)  # forget it when the browser closes
        return redirect("reports_public:follow_report")

    def render_form(self, form: ReceiptCodeForm, status: int = 200) -> HttpResponse:
        return render(self.request, self.template_name, {"form": form}, status=status)


class FollowedReportView(ReporterReportView):
    """/meldingen/volgen/melding/: the anonymous report opened with its receipt code."""

    def find_report(self) -> Report | None:
        pk = self.request.session.get(FOLLOWED_REPORT_KEY)
        if not isinstance(pk, int):
            return None
        report = (
            Report.objects.filter(pk=pk, is_anonymous=True)
            .select_related("category", "municipality")
            .first()
        )
        if report is None:
            # Deleted by the retention period meanwhile.
            self.request.session.pop(FOLLOWED_REPORT_KEY, None)
        return report

    def missing(self) -> HttpResponse:
        messages.info(self.request, _("Enter your receipt code to see your report."))
        return redirect("reports_public:follow")

    def page_url(self, report: Report) -> str:
        return reverse("reports_public:follow_report")

    def extra_context(self, report: Report) -> dict[str, Any]:
        return {"followed_with_code": True}


class StopFollowingView(View):
    """Forget the followed report on this device (POST)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        request.session.pop(FOLLOWED_REPORT_KEY, None)
        messages.success(
            request,
            _("This device no longer shows your report. You can open it again with your code."),
        )
        return redirect("reports_public:follow")


class LinkedReportView(ReporterReportView):
    """/meldingen/link/<token>/: the signed link in the emails to an identified reporter
    without account. A tampered, expired or stale link answers 404 with an explanation."""

    def find_report(self) -> Report | None:
        return notifications.report_from_link_token(self.kwargs["token"])

    def missing(self) -> HttpResponse:
        return render(self.request, "reports/public/link_invalid.html", status=404)

    def page_url(self, report: Report) -> str:
        return reverse("reports_public:follow_link", args=[self.kwargs["token"]])

    def reporter_user(self, report: Report) -> User | None:
        return report.reporter


__all__ = [
    "FOLLOWED_REPORT_KEY",
    "STATUS_EXPLANATIONS",
    "FollowView",
    "FollowedReportView",
    "LinkedReportView",
    "ReportFormView",
    "ReporterReportView",
    "StartView",
    "StopFollowingView",
    "client_key",
]
