"""Celery: eager (inline) in the embedded column, Redis workers in production."""

from celery.schedules import crontab

from weerbaar.conf.environ import config

CELERY_BROKER_URL = config(
    "CELERY_BROKER_URL", "redis://127.0.0.1:6379/0", help="Celery broker (Redis) URL."
)
CELERY_RESULT_BACKEND = (
    config("CELERY_RESULT_BACKEND", "", help="Celery result backend URL; empty keeps no results.")
    or None
)
CELERY_TASK_ALWAYS_EAGER = config(
    "CELERY_TASK_ALWAYS_EAGER",
    True,
    help="Run tasks inline in the web process (embedded column). Set false with workers.",
)
OUTBOX_DISPATCH_WINDOW = config(
    "OUTBOX_DISPATCH_WINDOW",
    0.1,
    cast=float,
    help="Seconds a web process collects committed deliveries before handing them to Celery "
    "as one task (core.dispatch); 0 hands them over at each commit.",
)
OUTBOX_LEASE_SECONDS = config(
    "OUTBOX_LEASE_SECONDS",
    600,
    help="Seconds a delivery may stay 'sending' before the redrive takes it back as the row of "
    "a worker that died (core.outbox). Keep it well above twice EMAIL_TIMEOUT: a batch renews "
    "its claim after half the lease, and a send still running when its lease ends is sent "
    "twice. Lowered only by the fault benchmarks (bench/).",
)
OUTBOX_REQUEUE_AFTER_SECONDS = config(
    "OUTBOX_REQUEUE_AFTER_SECONDS",
    300,
    help="Seconds a queued delivery may wait for its task before the redrive enqueues it again "
    "(task lost, broker down at commit, batch deferred while the channel was unavailable).",
)
OUTBOX_SENT_JOURNAL_URL = config(
    "OUTBOX_SENT_JOURNAL_URL",
    "",
    help="Redis URL of the sent journal (core.sent_journal): workers note each email there "
    "just before the mail server can accept it and mark the database in batches, which "
    "saves PostgreSQL a quarter of its work in a large fan-out. Empty: every delivery is "
    "marked on its own, after its send.",
)
OUTBOX_SMTP_CONNECTIONS = config(
    "OUTBOX_SMTP_CONNECTIONS",
    2,
    help="SMTP connections a worker sends one batch over, one email on each at a time, "
    "the connections in lockstep (core.smtp_lockstep). Used only with the sent journal; "
    "without it a worker sends one email at a time.",
)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Europe/Amsterdam"

# Periodic tasks run by `celery beat` (production column); each is a one-line service call.
CELERY_BEAT_SCHEDULE = {
    "purge-expired-magic-links": {
        "task": "weerbaar.accounts.tasks.purge_expired_magic_links",
        "schedule": crontab(hour=3, minute=15),
    },
    "redrive-stale-deliveries": {
        "task": "weerbaar.core.tasks.redrive_stale_deliveries",
        "schedule": crontab(),  # every minute: retries are due at minute resolution
    },
    "send-due-newsletters": {
        "task": "weerbaar.newsletters.tasks.send_due_newsletters",
        "schedule": crontab(),  # scheduled newsletters go out within a minute of their time
    },
    "close-resolved-reports": {
        "task": "weerbaar.reports.tasks.close_resolved_reports",
        "schedule": crontab(hour=2, minute=15),
    },
    "apply-report-retention": {
        "task": "weerbaar.reports.tasks.apply_report_retention",
        "schedule": crontab(hour=2, minute=30),
    },
    # Monday to Friday; the service also skips national public holidays.
    "send-overdue-report-digests": {
        "task": "weerbaar.reports.tasks.send_overdue_digests",
        "schedule": crontab(hour=7, minute=30, day_of_week="mon-fri"),
    },
}
