"""Bounces: a sent email that did not arrive is marked BOUNCED, once, from an email provider's
webhook or a bounce email (RFC 3464), and is never sent again."""

from __future__ import annotations

import base64
import datetime
import importlib
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from anymail.signals import AnymailTrackingEvent, tracking
from django.core import mail
from django.core.management import call_command
from django.db import OperationalError, transaction
from django.db.models import QuerySet
from django.test import Client
from django.urls import clear_url_caches, reverse
from django.utils import timezone

from tests.factories import DeliveryFactory
from weerbaar.core import bounces, outbox
from weerbaar.core.channels import DELIVERY_METADATA_KEY, Recipient
from weerbaar.core.models import Delivery, DeliveryStatus

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).parent / "bounce_emails"
ADDRESS = "bakker@example.nl"


def sent(address: str = ADDRESS, **fields: Any) -> Delivery:
    fields.setdefault("status", DeliveryStatus.SENT)
    fields.setdefault("sent_at", timezone.now())
    fields.setdefault("next_attempt_at", None)
    delivery: Delivery = DeliveryFactory(address=address, **fields)
    return delivery


def sample(name: str, delivery: Delivery | int, address: str = ADDRESS) -> bytes:
    pk = delivery if isinstance(delivery, int) else delivery.pk
    text = (SAMPLES / name).read_text()
    return text.replace("{delivery}", str(pk)).replace("{address}", address).encode()


def reloaded(delivery: Delivery) -> Delivery:
    delivery.refresh_from_db()
    return delivery


# --- the service -------------------------------------------------------------------------


def test_a_sent_email_bounces_once_with_its_reason() -> None:
    delivery = sent()
    first = datetime.datetime(2026, 12, 5, 9, 0, tzinfo=datetime.UTC)

    assert outbox.record_bounce(delivery.pk, reason="550 5.1.1\nuser unknown", bounced_at=first)
    assert not outbox.record_bounce(delivery.pk, reason="again", bounced_at=timezone.now())

    reloaded(delivery)
    assert delivery.status == DeliveryStatus.BOUNCED
    assert delivery.bounced_at == first
    assert delivery.last_error == "550 5.1.1 user unknown"
    assert delivery.sent_at is not None  # it did go out


def test_the_reason_is_cut_to_the_error_length() -> None:
    delivery = sent()

    outbox.record_bounce(delivery.pk, reason="x" * 5000)

    assert len(reloaded(delivery).last_error) == outbox.ERROR_MAX_LENGTH


def test_an_unknown_delivery_changes_nothing() -> None:
    assert not outbox.record_bounce(987_654, reason="user unknown")


@pytest.mark.parametrize(
    "status",
    [
        DeliveryStatus.QUEUED,
        DeliveryStatus.SENDING,
        DeliveryStatus.FAILED,
        DeliveryStatus.CANCELLED,
    ],
)
def test_only_a_sent_delivery_can_bounce(status: str) -> None:
    delivery = DeliveryFactory(status=status)

    assert not outbox.record_bounce(delivery.pk, reason="user unknown")

    assert reloaded(delivery).status == status
    assert delivery.bounced_at is None


def test_only_an_email_can_bounce() -> None:
    inbox_row = sent(channel="sms", address="+31612345678")

    assert not outbox.record_bounce(inbox_row.pk, reason="user unknown")

    assert reloaded(inbox_row).status == DeliveryStatus.SENT


def test_a_report_naming_another_address_changes_nothing() -> None:
    delivery = sent()

    assert not outbox.record_bounce(delivery.pk, reason="x", recipient="ander@example.nl")
    assert outbox.record_bounce(delivery.pk, reason="x", recipient=" Bakker@Example.NL ")

    assert reloaded(delivery).status == DeliveryStatus.BOUNCED


def test_bounced_deliveries_are_never_sent_again(
    django_capture_on_commit_callbacks: Any, mailoutbox: list[Any]
) -> None:
    failed = DeliveryFactory(status=DeliveryStatus.FAILED, next_attempt_at=None, attempts=8)
    bounced = sent(message=failed.message)
    outbox.record_bounce(bounced.pk, reason="user unknown")

    with django_capture_on_commit_callbacks(execute=True):
        retried = outbox.retry_failed(failed.message)
        redriven = outbox.redrive_stale_deliveries()
    cancelled = outbox.cancel_deliveries(failed.message)

    assert (retried, redriven, cancelled) == (1, 0, 0)
    assert [m.to for m in mailoutbox] == [[failed.address]]
    assert reloaded(bounced).status == DeliveryStatus.BOUNCED


# --- email providers (django-anymail) ----------------------------------------------------


def provider_event(**kwargs: Any) -> AnymailTrackingEvent:
    kwargs.setdefault("event_type", "bounced")
    kwargs.setdefault("recipient", ADDRESS)
    kwargs.setdefault("description", "The server was unable to deliver your message.")
    kwargs.setdefault("mta_response", "smtp;550 5.1.1 The email account does not exist.")
    return AnymailTrackingEvent(**kwargs)


def post_event(event: AnymailTrackingEvent) -> None:
    tracking.send(sender=object, event=event, esp_name="Postmark")


@pytest.mark.parametrize("event_type", ["bounced", "rejected", "failed"])
def test_a_provider_report_finds_the_delivery_by_metadata(event_type: str) -> None:
    delivery = sent()

    post_event(
        provider_event(event_type=event_type, metadata={DELIVERY_METADATA_KEY: str(delivery.pk)})
    )

    assert reloaded(delivery).status == DeliveryStatus.BOUNCED
    assert delivery.last_error == (
        f"Postmark: {event_type}: The server was unable to deliver your message. "
        "smtp;550 5.1.1 The email account does not exist."
    )


def test_a_provider_report_without_metadata_finds_the_delivery_by_the_provider_id() -> None:
    delivery = sent(provider_message_id="2706ee8a-737c-4285-b032-ccd317af53ed")
    sent("ander@example.nl")  # another delivery without a provider id

    post_event(provider_event(message_id="2706ee8a-737c-4285-b032-ccd317af53ed"))

    assert reloaded(delivery).status == DeliveryStatus.BOUNCED


@pytest.mark.parametrize(
    "event",
    [
        {"event_type": "deferred"},
        {"event_type": "delivered"},
        {"event_type": "opened"},
        {"recipient": "ander@example.nl"},  # another application on the same account
    ],
)
def test_other_provider_events_change_nothing(event: dict[str, Any]) -> None:
    delivery = sent()

    post_event(provider_event(metadata={DELIVERY_METADATA_KEY: str(delivery.pk)}, **event))

    assert reloaded(delivery).status == DeliveryStatus.SENT


@pytest.mark.parametrize(
    "metadata",
    [{}, {DELIVERY_METADATA_KEY: "abc"}, {DELIVERY_METADATA_KEY: ["1"]}, "not a dict"],
)
def test_provider_reports_about_emails_that_are_not_ours_are_ignored(metadata: Any) -> None:
    delivery = sent()

    post_event(provider_event(metadata=metadata, message_id="unknown-id"))
    post_event(provider_event(metadata=metadata, message_id=None))

    assert reloaded(delivery).status == DeliveryStatus.SENT


def test_email_through_a_provider_carries_the_delivery_and_keeps_the_provider_id(
    settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.MAILERS = {"default": {"BACKEND": "anymail.backends.test.EmailBackend"}}
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        message = outbox.queue_message(
            kind="alert", subject="Waarschuwing", body_text="Tekst", recipients=[Recipient(ADDRESS)]
        )

    delivery = message.deliveries.get()
    assert delivery.status == DeliveryStatus.SENT
    assert mail.outbox[0].anymail_test_params["metadata"] == {
        DELIVERY_METADATA_KEY: str(delivery.pk)
    }
    assert delivery.provider_message_id == "0"  # the test provider numbers its emails


def test_a_database_error_while_keeping_the_provider_id_does_not_fail_the_delivery(
    settings: Any, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.MAILERS = {"default": {"BACKEND": "anymail.backends.test.EmailBackend"}}
    mail.outbox = []
    real_update = QuerySet.update

    def update(queryset: QuerySet[Any], **fields: Any) -> int:
        if "provider_message_id" in fields:
            raise OperationalError("the database went away")
        return real_update(queryset, **fields)

    monkeypatch.setattr(QuerySet, "update", update)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        message = outbox.queue_message(
            kind="alert", subject="Waarschuwing", body_text="Tekst", recipients=[Recipient(ADDRESS)]
        )

    delivery = message.deliveries.get()
    assert (delivery.status, delivery.provider_message_id) == (DeliveryStatus.SENT, "")
    assert len(mail.outbox) == 1


POSTMARK_SECRET = "postmark:8sL2-vQx"


@pytest.fixture
def postmark_webhook(settings: Any) -> Iterator[str]:
    """weerbaar.urls as a deployment that sends through Postmark loads it."""
    import weerbaar.urls

    mailers = settings.MAILERS
    settings.MAILERS = {
        "default": {
            "BACKEND": "anymail.backends.postmark.EmailBackend",
            "OPTIONS": {"server_token": "test-token"},
        }
    }
    settings.ANYMAIL = {"WEBHOOK_SECRET": [POSTMARK_SECRET]}
    importlib.reload(weerbaar.urls)
    clear_url_caches()
    try:
        yield reverse("anymail:postmark_tracking_webhook")
    finally:
        settings.MAILERS = mailers
        importlib.reload(weerbaar.urls)
        clear_url_caches()


def postmark_bounce(delivery: Delivery) -> dict[str, Any]:
    """A hard bounce as Postmark posts it (its documented bounce webhook fields)."""
    return {
        "RecordType": "Bounce",
        "MessageStream": "outbound",
        "ID": 4323372036854775807,
        "Type": "HardBounce",
        "TypeCode": 1,
        "Name": "Hard bounce",
        "Tag": "alert",
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
        "Metadata": {DELIVERY_METADATA_KEY: str(delivery.pk)},
        "ServerID": 23,
        "Description": "The server was unable to deliver your message (ex: unknown user, "
        "mailbox not found).",
        "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
        "Email": delivery.address,
        "From": "noreply@weerbaar.example",
        "BouncedAt": "2026-12-05T09:33:54.9070259Z",
        "DumpAvailable": True,
        "Inactive": True,
        "CanActivate": True,
        "Subject": "Waarschuwing: oplichters aan de deur",
    }


def basic_auth(credentials: str) -> str:
    return "Basic " + base64.b64encode(credentials.encode()).decode()


def test_the_postmark_webhook_marks_the_delivery_bounced(
    client: Client, postmark_webhook: str
) -> None:
    delivery = sent()
    body = json.dumps(postmark_bounce(delivery))

    answers = [
        client.post(
            postmark_webhook,
            body,
            content_type="application/json",
            headers={"Authorization": basic_auth(POSTMARK_SECRET)},
        ).status_code
        for _ in range(2)  # providers post again when unsure; the second changes nothing
    ]

    assert answers == [200, 200]
    reloaded(delivery)
    assert delivery.status == DeliveryStatus.BOUNCED
    assert delivery.bounced_at == datetime.datetime(
        2026, 12, 5, 9, 33, 54, 907025, tzinfo=datetime.UTC
    )
    assert delivery.last_error.startswith("Postmark: bounced: The server was unable")


@pytest.mark.parametrize("credentials", [None, "postmark:wrong"])
def test_the_postmark_webhook_refuses_posts_without_the_secret(
    client: Client, postmark_webhook: str, credentials: str | None
) -> None:
    delivery = sent()
    auth = {"Authorization": basic_auth(credentials)} if credentials else {}

    response = client.post(
        postmark_webhook,
        json.dumps(postmark_bounce(delivery)),
        content_type="application/json",
        headers=auth,
    )

    assert response.status_code == 400
    assert reloaded(delivery).status == DeliveryStatus.SENT


def test_without_an_email_provider_there_is_no_webhook(client: Client) -> None:
    response = client.post("/anymail/postmark/tracking/", "{}", content_type="application/json")

    assert response.status_code == 404


def test_production_refuses_an_email_provider_without_a_webhook_secret() -> None:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"ANYMAIL_WEBHOOK_SECRET", "DJANGO_SETTINGS_MODULE"}
    }
    env |= {
        "SECRET_KEY": "production-test-" + "x" * 50,
        "EMAIL_BACKEND": "anymail.backends.postmark.EmailBackend",
    }
    command = [sys.executable, "-c", "import weerbaar.conf.production"]

    refused = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    accepted = subprocess.run(
        command,
        env=env | {"ANYMAIL_WEBHOOK_SECRET": "postmark:geheim"},
        capture_output=True,
        text=True,
        check=False,
    )

    assert refused.returncode != 0
    assert "Set ANYMAIL_WEBHOOK_SECRET" in refused.stderr
    assert accepted.returncode == 0, accepted.stderr


# --- bounce emails (SMTP) -----------------------------------------------------------------


def test_a_postfix_user_unknown_report_is_read() -> None:
    [failure] = bounces.read_dsn(sample("postfix_user_unknown.eml", 42))

    assert failure == bounces.DsnFailure(
        42,
        (ADDRESS, ADDRESS),
        f"bounce report 5.1.1: smtp; 550 5.1.1 <{ADDRESS}>: Recipient address rejected: "
        "User unknown in virtual mailbox table",
    )


def test_a_report_returning_the_whole_message_is_read() -> None:
    [failure] = bounces.read_dsn(sample("mailbox_full_returned_message.eml", 7))

    assert (failure.delivery_id, failure.addresses) == (7, (ADDRESS,))
    assert failure.reason.startswith("bounce report 5.2.2: smtp; 552-5.2.2 The recipient's inbox")


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        (lambda pk: sample("postfix_delayed.eml", pk), "no permanent failure"),
        (lambda pk: sample("out_of_office.eml", pk), "not a delivery status notification"),
        (lambda pk: b"", "not a delivery status notification"),
        (lambda pk: bytes(range(256)) * 40, "not a delivery status notification"),
        (
            lambda pk: sample("postfix_user_unknown.eml", pk).replace(
                b"weerbaar.delivery.", b"shop.order."
            ),
            "not one of our deliveries",
        ),
        (
            lambda pk: sample("postfix_user_unknown.eml", pk).split(b"Content-Description: Undel")[
                0
            ],
            "neither the headers nor the message",
        ),
    ],
    ids=["delay", "out-of-office", "empty", "garbage", "someone else's", "no headers"],
)
def test_what_is_not_a_permanent_failure_of_ours_is_unusable(raw: Any, why: str) -> None:
    with pytest.raises(bounces.UnusableReport, match=why):
        bounces.read_dsn(raw(42))


def test_a_report_is_recorded_only_for_the_address_the_email_went_to() -> None:
    mine = sent()
    other = sent("ander@example.nl")

    assert bounces.record_dsn(bounces.read_dsn(sample("postfix_user_unknown.eml", mine)))
    assert not bounces.record_dsn(bounces.read_dsn(sample("postfix_user_unknown.eml", other)))

    assert reloaded(mine).status == DeliveryStatus.BOUNCED
    assert reloaded(other).status == DeliveryStatus.SENT


def process(raw: bytes, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    """`manage.py process_bounce` with `raw` on stdin, as a mail server pipes it."""
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    out, err = io.StringIO(), io.StringIO()
    call_command("process_bounce", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_records_a_bounce_from_stdin_once(monkeypatch: pytest.MonkeyPatch) -> None:
    delivery = sent()
    raw = sample("postfix_user_unknown.eml", delivery)

    first = process(raw, monkeypatch)
    second = process(raw, monkeypatch)

    assert first == (f"bounce recorded for delivery {delivery.pk}\n", "")
    assert second[0] == ""
    assert "already bounced" in second[1]
    assert reloaded(delivery).status == DeliveryStatus.BOUNCED
    assert delivery.last_error.startswith("bounce report 5.1.1: smtp; 550 5.1.1")


def test_the_command_reads_a_file(tmp_path: Path) -> None:
    delivery = sent()
    path = tmp_path / "bounce.eml"
    path.write_bytes(sample("mailbox_full_returned_message.eml", delivery))

    call_command("process_bounce", str(path), stdout=io.StringIO())

    assert reloaded(delivery).status == DeliveryStatus.BOUNCED


@pytest.mark.parametrize(
    "name", ["postfix_delayed.eml", "out_of_office.eml", "garbage", "unknown delivery"]
)
def test_the_command_drops_what_it_cannot_use_with_a_line_on_stderr(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    delivery = sent()
    if name == "garbage":
        raw = b"\x00\xff\xfe garbage \r\n\r\n\x80"
    elif name == "unknown delivery":
        raw = sample("postfix_user_unknown.eml", 987_654)
    else:
        raw = sample(name, delivery)

    out, err = process(raw, monkeypatch)  # returns: exit status 0, the mail server drops it

    assert out == ""
    assert err.startswith("ignored: ")
    assert reloaded(delivery).status == DeliveryStatus.SENT


def test_the_command_asks_the_mail_server_to_try_again_when_the_database_is_down(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    delivery = sent()

    def database_down(*args: Any, **kwargs: Any) -> bool:
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(outbox, "record_bounce", database_down)

    with pytest.raises(SystemExit) as exit_status:
        process(sample("postfix_user_unknown.eml", delivery), monkeypatch)

    assert exit_status.value.code == 75


def test_a_missing_file_is_an_error_for_the_operator(tmp_path: Path) -> None:
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="cannot read"):
        call_command("process_bounce", str(tmp_path / "missing.eml"))


def test_a_bounce_of_an_email_the_outbox_sent_finds_its_delivery(
    django_capture_on_commit_callbacks: Any, mailoutbox: list[Any]
) -> None:
    """Round trip: the headers of the email as sent, returned in a report."""
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        message = outbox.queue_message(
            kind="alert", subject="Waarschuwing", body_text="Tekst", recipients=[Recipient(ADDRESS)]
        )
    headers = mailoutbox[0].message().as_string().split("\n\n")[0]
    report = sample("postfix_user_unknown.eml", 0).decode()
    start = report.index("Content-Type: text/rfc822-headers\n\n") + len(
        "Content-Type: text/rfc822-headers\n\n"
    )
    end = report.index("\n\n--", start)
    raw = (report[:start] + headers + report[end:]).encode()

    assert bounces.record_dsn(bounces.read_dsn(raw))

    assert message.deliveries.get().status == DeliveryStatus.BOUNCED


# --- the migration --------------------------------------------------------------------------


def test_the_models_match_the_migrations() -> None:
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
