"""What reporters and handlers hear about reports, queued in the delivery outbox.

Only identified reporters get email; an anonymous reporter reads everything on the receipt
page and nothing is ever sent anywhere for them. Every function here is called inside the
service's transaction: the outbox rows commit with the change, or not at all.

An identified reporter without an account follows the report through a signed link in the
email (`reporter_link_token`), so they can read the feedback and reply without logging in.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urljoin

from django.conf import settings
from django.core import signing
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from weerbaar.accounts.models import User
from weerbaar.core.outbox import Recipient, queue_message, split_subject
from weerbaar.reports.models import Report

REPORTER_LINK_SALT = "weerbaar.reports.reporter-link"
REPORTER_LINK_MAX_AGE = 365 * 24 * 3600


def reporter_link_token(report: Report) -> str:
    return signing.dumps(
        {"r": report.pk, "e": report.contact_email}, salt=REPORTER_LINK_SALT, compress=True
    )


def report_from_link_token(token: str) -> Report | None:
    """The report a signed email link points to; None when tampered, expired or stale."""
    try:
        data = signing.loads(token, salt=REPORTER_LINK_SALT, max_age=REPORTER_LINK_MAX_AGE)
    except signing.BadSignature:
        return None
    report_id = data.get("r") if isinstance(data, dict) else None
    if not isinstance(report_id, int):
        return None
    report = Report.objects.filter(pk=report_id, is_anonymous=False).first()
    if report is None or not report.contact_email or report.contact_email != data.get("e"):
        return None
    return report


def reporter_url(report: Report) -> str:
    if report.reporter_id is not None:
        path = reverse("reports_portal:detail", args=[report.reference])
    else:
        path = reverse("reports_public:follow_link", args=[reporter_link_token(report)])
    return urljoin(settings.SITE_URL, path)


def _language(report: Report) -> str:
    if report.reporter is not None:
        return report.reporter.preferred_language
    return settings.LANGUAGE_CODE


def _email_reporter(report: Report, kind: str, template: str, context: dict[str, object]) -> None:
    address = report.contact_email
    if report.is_anonymous or not address:
        return
    with translation.override(_language(report)):
        body = render_to_string(
            f"reports/email/{template}.txt",
            {"report": report, "url": reporter_url(report), **context},
        )
        subject, text = split_subject(body)
    queue_message(
        kind=kind,
        subject=subject,
        body_text=text,
        recipients=[Recipient(address=address, user=report.reporter)],
        source=report,
        municipality=report.municipality,
    )


def acknowledge(report: Report) -> None:
    _email_reporter(report, "report_acknowledgement", "acknowledgement", {})


def send_message_to_reporter(report: Report, text: str, *, is_question: bool) -> None:
    _email_reporter(
        report,
        "report_feedback",
        "message",
        {"text": text, "is_question": is_question},
    )


def send_feedback(report: Report, text: str) -> None:
    _email_reporter(report, "report_feedback", "feedback", {"text": text})


def notify_handlers(report: Report, handlers: Iterable[User], template: str) -> None:
    """Tell handlers something happened (a reply, a reopen request). No report content is
    included in the email: confidential details stay inside the platform."""
    recipients = [Recipient(address=user.email, user=user) for user in handlers if user.email]
    if not recipients:
        return
    url = urljoin(settings.SITE_URL, reverse("reports_staff:detail", args=[report.reference]))
    body = render_to_string(f"reports/email/{template}.txt", {"report": report, "url": url})
    subject, text = split_subject(body)
    queue_message(
        kind="report_handler_notice",
        subject=subject,
        body_text=text,
        recipients=recipients,
        source=report,
        municipality=report.municipality,
    )
