"""Every write to reports: intake, handling, the reporter's side and scheduled work.

Views, the API, admin actions, management commands and Celery tasks all call these, so
permissions, audit and notifications behave the same everywhere.
"""

from weerbaar.reports.services.handling import (
    add_internal_note,
    assign_report,
    forward_report,
    message_reporter,
    record_confidential_view,
    transition_report,
)
from weerbaar.reports.services.intake import (
    ReportIntake,
    SubmittedReport,
    selectable_categories,
    submit_report,
)
from weerbaar.reports.services.reporter import (
    ReceiptRejected,
    TooManyAttempts,
    can_add_information,
    can_give_verdict,
    can_request_reopen,
    open_with_receipt_code,
    record_verdict,
    reporter_reply,
    request_reopen,
)
from weerbaar.reports.services.scheduled import apply_retention, send_overdue_digests

__all__ = [
    "ReceiptRejected",
    "ReportIntake",
    "SubmittedReport",
    "TooManyAttempts",
    "add_internal_note",
    "apply_retention",
    "assign_report",
    "can_add_information",
    "can_give_verdict",
    "can_request_reopen",
    "forward_report",
    "message_reporter",
    "open_with_receipt_code",
    "record_confidential_view",
    "record_verdict",
    "reporter_reply",
    "request_reopen",
    "selectable_categories",
    "send_overdue_digests",
    "submit_report",
    "transition_report",
]
